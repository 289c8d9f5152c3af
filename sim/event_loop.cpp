#include "sim/event_loop.hpp"

#include <algorithm>
#include <cassert>

namespace coordsim::sim {

void EventLoop::schedule(Time at, Phase phase, Callback fn, void* context) {
  assert(at >= now_ && "events cannot be scheduled in the past");
  const std::uint64_t order = (static_cast<std::uint64_t>(phase) << 63) | sequence_++;
  heap_.push_back(Event{at, order, fn, context});
  std::push_heap(heap_.begin(), heap_.end(), Later{});
}

void EventLoop::run() {
  while (!heap_.empty()) {
    std::pop_heap(heap_.begin(), heap_.end(), Later{});
    const Event e = heap_.back();
    heap_.pop_back();
    now_ = e.at;
    ++events_run_;
    e.fn(e.context);
  }
}

void EventLoop::reset() noexcept {
  heap_.clear();
  now_ = Time{};
  sequence_ = 0;
  events_run_ = 0;
}

}  // namespace coordsim::sim
