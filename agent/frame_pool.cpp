#include "agent/frame_pool.hpp"

namespace coordsim::agent::frame_pool::detail {

constinit thread_local FreeNode* heads[kClasses]{};

namespace {

// Frees the thread's pooled frames when the thread exits. A separate object
// because `heads` must stay trivially destructible (see frame_pool.hpp); every
// thread that pools a frame first allocates one here, which arms it.
struct Reaper {
  bool armed = false;
  ~Reaper() {
    for (FreeNode*& head : heads) {
      while (head) {
        FreeNode* next = head->next;
        ::operator delete(head);
        head = next;
      }
    }
  }
};

thread_local Reaper reaper;

}  // namespace

void* allocate_slow(std::size_t size) {
  const std::size_t c = size_class(size);
  if (c >= kClasses) return ::operator new(size);
  reaper.armed = true;
  return ::operator new(c * kGranule);
}

}  // namespace coordsim::agent::frame_pool::detail
