#pragma once
// Hands trial indices [0, total) out to worker threads in fixed chunks through
// an atomic counter. A worker takes chunks in increasing order, so the trials
// it sees are increasing: per-worker "first k" lists merge into the global k
// smallest, whatever the thread count and scheduling.
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "sim/engine/trial_progress.hpp"

namespace coordsim::sim {

inline constexpr std::int64_t kTrialChunk = 2048;

// Workers used for `total` trials when asked for `threads` (0: all cores).
int trial_worker_count(std::int64_t total, int threads);

// For each worker w, calls make_worker(w) on the worker's own thread and then
// the returned callable as work(begin, end) for every chunk it takes; the
// callable is destroyed on that thread too (coroutine frames are pooled per
// thread). Runs on the calling thread when one worker suffices. Stops the
// other workers and rethrows the first exception.
template <class MakeWorker>
void for_each_trial_chunk(std::int64_t total, int workers, const MakeWorker& make_worker) {
  total = std::max<std::int64_t>(total, 0);
  const std::int64_t chunks = (total + kTrialChunk - 1) / kTrialChunk;
  std::atomic<std::int64_t> next_chunk{0};
  std::exception_ptr failure;
  std::mutex failure_mutex;
  const auto worker = [&](int w) {
    try {
      auto work = make_worker(w);
      for (std::int64_t c; (c = next_chunk.fetch_add(1, std::memory_order_relaxed)) < chunks;) {
        const std::int64_t begin = c * kTrialChunk, end = std::min(total, (c + 1) * kTrialChunk);
        work(begin, end);
        trials_done().fetch_add(end - begin, std::memory_order_relaxed);
      }
    } catch (...) {
      std::lock_guard lock(failure_mutex);
      if (!failure) failure = std::current_exception();
      next_chunk.store(chunks);  // stop the other workers early
    }
  };
  if (workers <= 1) {
    worker(0);
  } else {
    std::vector<std::jthread> pool;
    for (int w = 0; w < workers; ++w) pool.emplace_back(worker, w);
  }
  if (failure) std::rethrow_exception(failure);
}

// The k smallest of per-worker lists that each hold their worker's first k.
template <class T>
std::vector<T> merge_smallest(const std::vector<std::vector<T>>& lists, std::size_t k) {
  std::vector<T> all;
  for (const auto& l : lists) all.insert(all.end(), l.begin(), l.end());
  std::sort(all.begin(), all.end());
  if (all.size() > k) all.resize(k);
  return all;
}

}  // namespace coordsim::sim
