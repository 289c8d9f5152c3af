#pragma once
// Determinism as a checked property: the same scenario and seed must give the
// same event sequence in every trial, on any number of threads and on a
// reused runner. A trial's events are hashed as they happen (TrialRecorder);
// a run's hash combines its trials' hashes in index order.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "agent/protocol.hpp"
#include "sim/engine/run_trials.hpp"
#include "sim/input/scenario_file.hpp"

namespace coordsim::sim {

// The per-trial hashes folded in index order.
std::uint64_t combine_trial_hashes(const std::vector<std::uint64_t>& hashes);

struct DeterminismCheck {
  std::int64_t trials = 0;
  std::uint64_t hash = 0;  // combined, of the first pass
  bool identical = true;
  // When not identical: the first trial whose events differ (by index), and
  // what differs, in words.
  std::optional<std::uint64_t> diverging_trial;
  std::string detail;
};

// Runs the trials of `options` three times with per-trial hashing, on 1 and
// on 2 threads and in reverse index order on one runner, and compares the
// hashes trial by trial and the summaries. On a difference, replays the first
// diverging trial twice to name the first diverging event.
DeterminismCheck check_run_determinism(const ScenarioFile& scenario, const agent::ProtocolConfig& protocol,
                                       RunOptions options);

}  // namespace coordsim::sim
