#pragma once
// Scanning trials for the ones that satisfy a predicate over their metrics
// (`coordsim find`). Every trial is scanned, so the count is exact and equals
// what `coordsim run` counts for the same property; the indices kept are the
// smallest, so the answer does not depend on the thread count.
#include <cstdint>
#include <vector>

#include "agent/protocol.hpp"
#include "sim/analysis/predicate.hpp"
#include "sim/scenario/scenario.hpp"

namespace coordsim::sim {

struct FindOptions {
  std::int64_t trials = 10000;
  std::uint64_t seed = 1;
  int threads = 0;
  std::size_t limit = 10;  // indices to keep
};

struct FindResult {
  std::int64_t trials = 0;          // scanned
  std::int64_t failure_events = 0;  // of those, trials with a failing flavor
  std::int64_t matches = 0;
  std::vector<std::uint64_t> indices;  // the smallest `limit` matching trials, ascending
  int threads_used = 1;
};

FindResult find_trials(const Scenario& scenario, const agent::ProtocolConfig& protocol, const Predicate& where,
                       const FindOptions& options);

}  // namespace coordsim::sim
