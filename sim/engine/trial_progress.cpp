#include "sim/engine/trial_progress.hpp"

namespace coordsim::sim {

std::atomic<std::int64_t>& trials_done() {
  static std::atomic<std::int64_t> done{0};
  return done;
}

}  // namespace coordsim::sim
