#pragma once
// The JSON form of a distribution: a bare number is a constant; otherwise an
// object {"dist": "uniform" | "exponential" | "normal" | "lognormal" |
// "empirical" | "mixture", ...parameters}.
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "sim/random/distribution.hpp"

namespace coordsim::sim {

// Parses the JSON form. `where` is the JSON pointer of `j` for error messages.
// With non_negative, values (and every possible draw) must be >= 0, as for
// times and token counts. Throws InputError.
Distribution parse_distribution(const nlohmann::json& j, const std::string& where,
                                bool non_negative = true);

// The canonical JSON form (a constant is written as a bare number).
nlohmann::json to_json(const Distribution& d);

}  // namespace coordsim::sim
