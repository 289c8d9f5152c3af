#pragma once
// The simulator's Clock port: virtual time from the event loop.
#include <algorithm>
#include <cstdint>

#include "agent/ports.hpp"
#include "sim/engine/event_loop.hpp"
#include "sim/engine/trial_observer.hpp"
#include "sim/random/choice_oracle.hpp"
#include "sim/random/rng.hpp"

namespace coordsim::sim {

// One agent's clock. A sleep needs no event: an agent observes the world only
// through its port calls, and nothing it does between waking and its next call
// touches shared state, so the clock just moves the agent's own time ahead and
// its next request is sent from there (local virtual time, as in conservative
// parallel simulation). This removes a third of a trial's events. The only
// visible difference from waking through the loop is the arbitrary order of
// two writes committing in the same microsecond.
class SimClock final : public agent::Clock {
 public:
  explicit SimClock(EventLoop& loop) : loop_(loop) {}
  Time now() const override { return std::max(loop_.now(), local_); }
  bool sleep_then_resume(Duration d, std::coroutine_handle<>) override {
    const Time from = now();
    local_ = from + d;
    loop_.check_time(local_);  // a sleep past the horizon ends the trial (TrialLimits)
    // A tail call, so the common path needs no stack frame.
    if (observer_) [[unlikely]]
      return observe_sleep(from, d);
    return false;
  }
  double random01() override {
    if (t_choice_oracle) [[unlikely]]
      return oracle_unit("agent retry jitter");
    // Derived on first use: only retries draw jitter, and most trials make none.
    if (!rng_ready_) {
      rng_ = make_stream(seed_, trial_, StreamKind::flavor_client, stream_flavor_);
      rng_ready_ = true;
    }
    return rng_.uniform01();
  }
  void reset(std::uint64_t seed, std::uint64_t trial, std::uint32_t flavor) noexcept {
    local_ = Time{};
    seed_ = seed;
    trial_ = trial;
    stream_flavor_ = flavor;
    rng_ready_ = false;
  }
  void observe(TrialObserver* o, std::size_t flavor) noexcept { observer_ = o, flavor_ = flavor; }

 private:
  // Out of line (sim_observe.cpp) and cold, keeping sleep short; returns false.
  [[gnu::cold]] bool observe_sleep(Time from, Duration d) const;

  EventLoop& loop_;
  Time local_{};  // ahead of the loop while the agent is between a sleep and its next call
  std::uint64_t seed_ = 0, trial_ = 0;
  std::uint32_t stream_flavor_ = 0;
  bool rng_ready_ = false;
  Rng rng_;
  TrialObserver* observer_ = nullptr;
  std::size_t flavor_ = 0;
};

}  // namespace coordsim::sim
