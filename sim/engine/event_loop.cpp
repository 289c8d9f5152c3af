#include "sim/engine/event_loop.hpp"

#include <algorithm>
#include <cassert>

namespace coordsim::sim {

void EventLoop::schedule(Time at, Phase phase, Callback fn, void* context) {
  assert(at >= now_ && "events cannot be scheduled in the past");
  const std::uint64_t order = (static_cast<std::uint64_t>(phase) << 63) | sequence_++;
  const Event e{at, order, fn, context};
  // Kept sorted, latest first, so the next event is at the back. A trial has a
  // handful of pending events (about one per flavor), where a shifted insert
  // beats a binary heap; the scan starts at the back, where new events land.
  if (pending_count_ == pending_.size()) [[unlikely]]
    grow();
  Event* const first = pending_.data();
  Event* slot = first + pending_count_++;
  while (slot != first && Later{}(e, *(slot - 1))) {
    *slot = *(slot - 1);
    --slot;
  }
  *slot = e;
}

void EventLoop::grow() { pending_.resize(std::max<std::size_t>(16, 2 * pending_.size())); }

void EventLoop::run() {
  while (pending_count_ != 0) {
    const Event e = pending_[--pending_count_];
    now_ = e.at;
    ++events_run_;
    e.fn(e.context);
  }
}

void EventLoop::reset() noexcept {
  pending_count_ = 0;
  now_ = Time{};
  sequence_ = 0;
  events_run_ = 0;
}

}  // namespace coordsim::sim
