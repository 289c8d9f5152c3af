#include "sim/event_loop.hpp"

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
  auto it = pending_.end();
  while (it != pending_.begin() && Later{}(e, *(it - 1))) --it;
  pending_.insert(it, e);
}

void EventLoop::run() {
  while (!pending_.empty()) {
    const Event e = pending_.back();
    pending_.pop_back();
    now_ = e.at;
    ++events_run_;
    e.fn(e.context);
  }
}

void EventLoop::reset() noexcept {
  pending_.clear();
  now_ = Time{};
  sequence_ = 0;
  events_run_ = 0;
}

}  // namespace coordsim::sim
