#include "sim/engine/run_trials.hpp"

#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "sim/engine/parallel_trials.hpp"
#include "sim/engine/trial_recorder.hpp"
#include "sim/engine/trial_runner.hpp"

namespace coordsim::sim {

int default_thread_count() {
  const unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : static_cast<int>(n);
}

namespace {
// One worker's share: a summary (or one per batch) and its first examples.
struct WorkerResult {
  std::vector<Summary> summaries;
  TrialExamples examples;
};

void keep_example(std::vector<std::uint64_t>& list, std::size_t k, std::uint64_t index) {
  if (list.size() < k) list.push_back(index);
}
}  // namespace

RunResult run_trials(const Scenario& scenario, const agent::ProtocolConfig& protocol,
                     const RunOptions& options) {
  const std::int64_t total = std::max<std::int64_t>(options.trials, 0);
  const int threads = trial_worker_count(total, options.threads);
  const std::size_t batches = static_cast<std::size_t>(std::max(options.batches, 0));
  // Per worker: one summary, or one per batch.
  const std::size_t slots = std::max<std::size_t>(batches, 1);
  const std::size_t k = static_cast<std::size_t>(std::max(options.examples, 0));
  std::vector<WorkerResult> results(static_cast<std::size_t>(threads));
  for (WorkerResult& r : results) r.summaries.resize(slots);
  RunResult result;
  if (options.hash_trials) result.trial_hashes.resize(static_cast<std::size_t>(total));

  const auto make_worker = [&](int w) {
    auto runner = std::make_unique<TrialRunner>(scenario, protocol);
    std::unique_ptr<TrialRecorder> hasher;
    if (options.hash_trials) {
      hasher = std::make_unique<TrialRecorder>(scenario.workload.flavors, false);
      runner->set_observer(hasher.get());
    }
    return [&, w, runner = std::move(runner), hasher = std::move(hasher)](std::int64_t begin, std::int64_t end) {
      WorkerResult& mine = results[static_cast<std::size_t>(w)];
      for (std::int64_t i = begin; i < end; ++i) {
        const std::uint64_t index = options.first_trial + static_cast<std::uint64_t>(i);
        const TrialOutcome& o = runner->run(options.seed, index);
        mine.summaries[batches ? index % batches : 0].add(o);
        if (o.failing_flavors != 0) {
          if (o.duplicate) keep_example(mine.examples.duplicate, k, index);
          if (o.miss) keep_example(mine.examples.miss, k, index);
          if (!o.duplicate && !o.miss) keep_example(mine.examples.clean, k, index);
        }
        if (hasher) result.trial_hashes[static_cast<std::size_t>(i)] = hasher->hash();
      }
    };
  };

  const auto started = std::chrono::steady_clock::now();
  for_each_trial_chunk(total, threads, make_worker);
  const auto finished = std::chrono::steady_clock::now();

  if (batches) result.batches.resize(batches);
  std::vector<std::vector<std::uint64_t>> duplicate, miss, clean;
  for (const WorkerResult& mine : results) {
    for (std::size_t b = 0; b < slots; ++b) {
      result.summary.merge(mine.summaries[b]);
      if (batches) result.batches[b].merge(mine.summaries[b]);
    }
    duplicate.push_back(mine.examples.duplicate);
    miss.push_back(mine.examples.miss);
    clean.push_back(mine.examples.clean);
  }
  result.examples = {merge_smallest(duplicate, k), merge_smallest(miss, k), merge_smallest(clean, k)};
  result.wall_seconds = std::chrono::duration<double>(finished - started).count();
  result.threads_used = threads;
  return result;
}

}  // namespace coordsim::sim
