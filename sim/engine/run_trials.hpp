#pragma once
// Runs a scenario's trials on worker threads. Trials are handed out in fixed
// chunks; each worker keeps its own Summary, and the exact integer merge makes
// the result independent of the thread count and of scheduling.
#include <cstdint>
#include <functional>
#include <vector>

#include "agent/protocol.hpp"
#include "sim/engine/stats.hpp"
#include "sim/scenario/scenario.hpp"

namespace coordsim::sim {

struct RunOptions {
  std::int64_t trials = 10000;
  std::uint64_t seed = 1;
  int threads = 0;  // 0: hardware concurrency
  // First trial index (a run of trials [first_trial, first_trial + trials)).
  std::uint64_t first_trial = 0;
  // With B > 0, also keep B summaries, trial k going to batch k mod B: the
  // batch-means estimate of a metric's uncertainty (coordsim check).
  int batches = 0;
  // How many trial indices to keep per outcome class (RunResult::examples).
  int examples = 5;
  // Also hash every trial's event sequence (RunResult::trial_hashes). Slow:
  // every trial is observed. For determinism checks.
  bool hash_trials = false;
};

// The smallest indices of failure events per outcome class, for replaying them.
// A trial that both duplicates and misses (two signatures) is in both lists.
struct TrialExamples {
  std::vector<std::uint64_t> duplicate;
  std::vector<std::uint64_t> miss;
  std::vector<std::uint64_t> clean;  // neither duplicate nor miss
};

struct RunResult {
  Summary summary;
  std::vector<Summary> batches;  // empty unless RunOptions::batches > 0
  double wall_seconds = 0;
  int threads_used = 1;
  TrialExamples examples{};
  // Hash of trial (first_trial + i)'s event sequence at [i], when hash_trials.
  std::vector<std::uint64_t> trial_hashes{};
};

RunResult run_trials(const Scenario& scenario, const agent::ProtocolConfig& protocol,
                     const RunOptions& options);

int default_thread_count();

}  // namespace coordsim::sim
