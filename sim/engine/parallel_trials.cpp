#include "sim/engine/parallel_trials.hpp"

#include "sim/engine/run_trials.hpp"

namespace coordsim::sim {

int trial_worker_count(std::int64_t total, int threads) {
  const std::int64_t chunks = (std::max<std::int64_t>(total, 0) + kTrialChunk - 1) / kTrialChunk;
  const int wanted = threads > 0 ? threads : default_thread_count();
  return static_cast<int>(std::clamp<std::int64_t>(chunks, 1, wanted));
}

}  // namespace coordsim::sim
