#include "sim/runner.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "sim/trial.hpp"

namespace coordsim::sim {

int default_thread_count() {
  const unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : static_cast<int>(n);
}

RunResult run_trials(const Scenario& scenario, const agent::ProtocolConfig& protocol,
                     const RunOptions& options) {
  constexpr std::int64_t kChunk = 2048;
  const std::int64_t total = std::max<std::int64_t>(options.trials, 0);
  const std::int64_t chunks = (total + kChunk - 1) / kChunk;
  int threads = options.threads > 0 ? options.threads : default_thread_count();
  threads = static_cast<int>(std::clamp<std::int64_t>(chunks, 1, threads));

  std::atomic<std::int64_t> next_chunk{0};
  const std::size_t batches = static_cast<std::size_t>(std::max(options.batches, 0));
  // Per worker: one summary, or one per batch.
  const std::size_t slots = std::max<std::size_t>(batches, 1);
  std::vector<std::vector<Summary>> summaries(static_cast<std::size_t>(threads), std::vector<Summary>(slots));
  std::exception_ptr failure;
  std::mutex failure_mutex;

  const auto worker = [&](int w) {
    try {
      TrialRunner runner(scenario, protocol);
      std::vector<Summary>& mine = summaries[static_cast<std::size_t>(w)];
      for (std::int64_t c; (c = next_chunk.fetch_add(1, std::memory_order_relaxed)) < chunks;) {
        const std::int64_t end = std::min(total, (c + 1) * kChunk);
        for (std::int64_t k = c * kChunk; k < end; ++k) {
          const std::uint64_t index = options.first_trial + static_cast<std::uint64_t>(k);
          mine[batches ? index % batches : 0].add(runner.run(options.seed, index));
        }
      }
    } catch (...) {
      std::lock_guard lock(failure_mutex);
      if (!failure) failure = std::current_exception();
      next_chunk.store(chunks);  // stop the other workers early
    }
  };

  const auto started = std::chrono::steady_clock::now();
  if (threads == 1) {
    worker(0);
  } else {
    std::vector<std::jthread> pool;
    for (int w = 0; w < threads; ++w) pool.emplace_back(worker, w);
  }
  const auto finished = std::chrono::steady_clock::now();
  if (failure) std::rethrow_exception(failure);

  RunResult result;
  if (batches) result.batches.resize(batches);
  for (const std::vector<Summary>& mine : summaries) {
    for (std::size_t b = 0; b < slots; ++b) {
      result.summary.merge(mine[b]);
      if (batches) result.batches[b].merge(mine[b]);
    }
  }
  result.wall_seconds = std::chrono::duration<double>(finished - started).count();
  result.threads_used = threads;
  return result;
}

}  // namespace coordsim::sim
