#pragma once
// The virtual-time event loop of one trial. Time is integer microseconds; events
// at the same time run in two phases — commits of writes before everything else —
// and within a phase in insertion order. The commit phase is what lets a read be
// evaluated when its response is delivered rather than at its snapshot: every
// write that committed at or before the snapshot has been applied by then.
#include <coroutine>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "agent/time.hpp"
#include "sim/scenario/scenario.hpp"

namespace coordsim::sim {

using agent::Duration;
using agent::Time;

enum class Phase : std::uint8_t { commit = 0, deliver = 1 };

// A trial that reaches one of its limits (sim::TrialLimits, the scenario's
// `limits`) stops with this error, naming the limit, rather than hang or wrap.
class TrialLimitError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class EventLoop {
 public:
  using Callback = void (*)(void* context);

  Time now() const noexcept { return now_; }
  std::uint64_t events_run() const noexcept { return events_run_; }
  bool empty() const noexcept { return pending_count_ == 0; }

  void set_limits(const TrialLimits& limits) noexcept { limits_ = limits; }
  const TrialLimits& limits() const noexcept { return limits_; }

  // Throws TrialLimitError for a time past the horizon, and std::logic_error
  // for one before now (in every build: an event in the past would silently
  // reorder the trial).
  void schedule(Time at, Phase phase, Callback fn, void* context);
  // The same check for a time an agent reaches without an event (a sleep).
  void check_time(Time at) const {
    if (at < now_ || at > limits_.horizon) [[unlikely]]
      refuse_time(at);
  }
  void resume_at(Time at, std::coroutine_handle<> h) {
    schedule(at, Phase::deliver, &resume_handle, h.address());
  }

  // Runs events until none is left; throws TrialLimitError past max_events.
  void run();
  // Forgets pending events and resets the clock, keeping capacity: one loop
  // serves many trials.
  void reset() noexcept;

 private:
  struct Event {
    Time at;
    std::uint64_t order;  // phase in the top bit, then insertion sequence
    Callback fn;
    void* context;
  };
  // A functor, not a function pointer, so the insertion scan inlines it.
  struct Later {
    bool operator()(const Event& a, const Event& b) const noexcept {
      return a.at != b.at ? a.at > b.at : a.order > b.order;
    }
  };
  static void resume_handle(void* address) { std::coroutine_handle<>::from_address(address).resume(); }
  void grow();
  [[noreturn, gnu::cold]] void refuse_time(Time at) const;
  [[noreturn, gnu::cold]] void refuse_events() const;

  // The first pending_count_ entries are the pending events, sorted, latest
  // first. Counted by hand rather than with push_back/pop_back, whose inlined
  // reallocation path made schedule() save and restore twice the registers.
  std::vector<Event> pending_;
  std::size_t pending_count_ = 0;
  Time now_{};
  std::uint64_t sequence_ = 0;
  std::uint64_t events_run_ = 0;
  TrialLimits limits_;
};

}  // namespace coordsim::sim
