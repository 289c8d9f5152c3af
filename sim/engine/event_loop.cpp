#include "sim/engine/event_loop.hpp"

#include <algorithm>

#include <spdlog/fmt/fmt.h>

namespace coordsim::sim {

void EventLoop::schedule(Time at, Phase phase, Callback fn, void* context) {
  check_time(at);
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
    if (++events_run_ > limits_.max_events) [[unlikely]]
      refuse_events();
    e.fn(e.context);
  }
}

void EventLoop::refuse_time(Time at) const {
  if (at < now_)
    throw std::logic_error(fmt::format("internal error: an event at {:.6f} s scheduled before now ({:.6f} s)",
                                       agent::to_seconds(at), agent::to_seconds(now_)));
  throw TrialLimitError(fmt::format(
      "the trial reached {:.6g} s of virtual time, past its horizon of {:.6g} s (limits.horizon_s): a time in "
      "the scenario, or a sum of them, is beyond any real trial",
      agent::to_seconds(at), agent::to_seconds(limits_.horizon)));
}

void EventLoop::refuse_events() const {
  throw TrialLimitError(fmt::format(
      "the trial ran {} events, its limit (limits.max_events_per_trial), at {:.6f} s of virtual time: the "
      "scenario makes a trial endless or enormous (retries or polls with no delay, huge attempt counts)",
      limits_.max_events, agent::to_seconds(now_)));
}

void EventLoop::reset() noexcept {
  pending_count_ = 0;
  now_ = Time{};
  sequence_ = 0;
  events_run_ = 0;
}

}  // namespace coordsim::sim
