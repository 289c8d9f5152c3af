// Built by CTest `sanitize.frame_pool_o2` at -O2 with ASan + UBSan (the project's
// sanitizer build is Debug): nested Task coroutines whose frames come from and go
// back to the per-thread pool. GCC 12's UBSan reported "member access within null
// pointer" here when the pool's heads were a std::array (see agent/frame_pool.hpp).
#include <cstdio>

#include "agent/task.hpp"

namespace {

using coordsim::agent::Task;

std::coroutine_handle<> pending;

struct Suspend {
  bool await_ready() noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h) noexcept { pending = h; }
  void await_resume() noexcept {}
};

Task<int> leaf(int x) {
  co_await Suspend{};
  co_return x * 2;
}

Task<int> middle(int x) {
  const int a = co_await leaf(x);
  const int b = co_await leaf(a);
  co_return a + b;
}

Task<void> top(int& out) {
  for (int i = 0; i < 5; ++i) out += co_await middle(i);
}

}  // namespace

int main() {
  long total = 0;
  for (int round = 0; round < 1000; ++round) {
    int out = 0;
    Task<void> t = top(out);
    t.start();
    while (!t.done()) std::exchange(pending, {}).resume();
    t.result();
    total += out;
  }
  // middle(i) = 2i + 4i = 6i; sum over i < 5 is 60, over 1000 rounds 60000.
  if (total != 60000) {
    std::printf("frame_pool_o2: total %ld, expected 60000\n", total);
    return 1;
  }
  std::printf("frame_pool_o2: ok\n");
  return 0;
}
