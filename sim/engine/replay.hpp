#pragma once
// One trial, run again with everything recorded: the plan it drew, what every
// agent did and saw, what GitHub did, and the outcome. A trial is addressed by
// (scenario, seed, trial index): its draws depend on nothing else, so this is
// the same trial `coordsim run` counted.
#include <cstdint>
#include <string>
#include <vector>

#include "agent/protocol.hpp"
#include "sim/engine/stats.hpp"
#include "sim/engine/trial_metrics.hpp"
#include "sim/engine/trial_recorder.hpp"
#include "sim/engine/trial_runner.hpp"
#include "sim/scenario/scenario.hpp"

namespace coordsim::sim {

struct TrialReplay {
  std::uint64_t seed = 0;
  std::uint64_t index = 0;
  std::vector<FlavorPlan> plan;
  std::vector<agent::AgentReport> reports;
  TrialOutcome outcome;
  TrialMetrics metrics;
  std::vector<TrialEvent> events;  // in the order the simulation produced them
  std::uint64_t hash = 0;          // of `events`
};

TrialReplay replay_trial(const Scenario& scenario, const agent::ProtocolConfig& protocol, std::uint64_t seed,
                         std::uint64_t index);

// The same, on a runner that has already run other trials: reusing a runner
// (as every Monte-Carlo worker does) must not change a trial.
TrialReplay replay_trial(TrialRunner& runner, const Scenario& scenario, std::uint64_t seed, std::uint64_t index);

// Where two recordings of one trial part ways: the index of the first event
// that differs (or the length of the shorter one when one is a prefix of the
// other); npos when they are identical.
std::size_t first_difference(const std::vector<TrialEvent>& a, const std::vector<TrialEvent>& b);

// "0.118 s linux-x64 snapshot: list_issues snapshot (list path)", for messages.
std::string describe_event(const Scenario& scenario, const TrialEvent& e);

}  // namespace coordsim::sim
