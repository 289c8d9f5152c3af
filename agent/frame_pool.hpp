#pragma once
// Per-thread free lists for coroutine frames, by 64-byte size class. Frames are
// the only per-call allocation of a protocol; recycling them keeps a simulated
// trial allocation-free after warm-up. Frames are always freed on the thread
// that allocated them (a trial, and an agent run, stay on one thread).
//
// The fast paths are inline and the lists a trivially destructible
// thread_local, so that taking or returning a frame is a few instructions with
// no call (a simulated trial does it about a dozen times); the lists' nodes are
// freed at thread exit by a guard the slow path sets up (frame_pool.cpp).
#include <cstddef>
#include <new>

namespace coordsim::agent::frame_pool {
namespace detail {

inline constexpr std::size_t kGranule = 64;
inline constexpr std::size_t kClasses = 32;  // frames up to 2 KiB are pooled

struct FreeNode {
  FreeNode* next;
};

// A plain array, not std::array: GCC 12's UBSan at -O2 reports member access
// through a null pointer for std::array's operator[] on a thread_local (a false
// positive: the TLS address is not null).
extern constinit thread_local FreeNode* heads[kClasses];

constexpr std::size_t size_class(std::size_t size) { return (size + kGranule - 1) / kGranule; }

// An empty list or an oversized frame: from the global allocator.
void* allocate_slow(std::size_t size);

}  // namespace detail

inline void* allocate(std::size_t size) {
  const std::size_t c = detail::size_class(size);
  if (c < detail::kClasses) {
    if (detail::FreeNode* node = detail::heads[c]) {
      detail::heads[c] = node->next;
      return node;
    }
  }
  return detail::allocate_slow(size);
}

inline void deallocate(void* p, std::size_t size) noexcept {
  const std::size_t c = detail::size_class(size);
  if (c >= detail::kClasses) {
    ::operator delete(p);
    return;
  }
  auto* node = static_cast<detail::FreeNode*>(p);
  node->next = detail::heads[c];
  detail::heads[c] = node;
}

}  // namespace coordsim::agent::frame_pool
