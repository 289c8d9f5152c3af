#pragma once
// Rates and fractions as people read them: one format for every report, so
// `run`, `check` and `compare` print the same number the same way.
#include <string>

#include "sim/engine/stats.hpp"

namespace coordsim::sim {

// Two decimals, but four below 0.1%: an upper bound of 0.004% must not read
// as 0.00%. 0.0125 -> "1.25%", 0.00004 -> "0.0040%".
std::string percent(double fraction);
// "[0.10%, 0.35%]"
std::string percent_interval(const Interval& ci);
// A bound as written in a scenario, without padding: 0.01 -> "1%", 0.005 -> "0.5%".
std::string percent_bound(double fraction);

}  // namespace coordsim::sim
