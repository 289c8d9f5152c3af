#pragma once
// One trial of a scenario that loaded, as the scenario and set targets run it.
// A trial that reaches its limits stops with sim::TrialLimitError, naming the
// limit: the documented answer to a scenario that makes a trial endless
// (docs/scenarios.md, "Limits of a trial"), not a finding. The event limit is
// lowered to kFuzzMaxEvents: 10 million events take 0.5 s in a Release build
// but a minute under ASan, past the fuzzers' 10 s per-input timeout, and a
// loop shows within 100,000 events as well.
#include <algorithm>
#include <cstdint>

#include "sim/engine/event_loop.hpp"
#include "sim/engine/trial_runner.hpp"
#include "sim/input/scenario_file.hpp"

namespace coordsim::fuzz {

inline constexpr std::uint64_t kFuzzMaxEvents = 100'000;

inline void run_one_trial(const sim::ScenarioFile& s) {
  sim::Scenario bounded = s;
  bounded.limits.max_events = std::min(bounded.limits.max_events, kFuzzMaxEvents);
  sim::TrialRunner runner(bounded, s.protocol);
  try {
    runner.run(s.seed, 0);
  } catch (const sim::TrialLimitError&) {
  }
}

}  // namespace coordsim::fuzz
