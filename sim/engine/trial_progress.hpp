#pragma once
// How many trials this process has run so far, for a progress display
// (cli/progress.hpp). Workers add a chunk's size when they finish it (one
// relaxed atomic add per 2,048 trials), and a reporter thread reads it: no
// per-trial work, nothing printed by the runner, and results cannot depend
// on it.
#include <atomic>
#include <cstdint>

namespace coordsim::sim {

std::atomic<std::int64_t>& trials_done();

}  // namespace coordsim::sim
