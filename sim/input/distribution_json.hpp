#pragma once
// The JSON form of a distribution: a bare number is a constant; otherwise an
// object {"dist": "uniform" | "exponential" | "normal" | "lognormal" |
// "empirical" | "mixture", ...parameters}.
#include <limits>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "sim/random/distribution.hpp"

namespace coordsim::sim {

// Lognormal draws are median * exp(sigma * z): at sigma 5 the 99th percentile
// is 110,000 times the median and the mean 270,000 times; no measured latency
// or token count spreads like that (the scenarios use 0.3 to 1.5), and from
// sigma 37.7 the mean, median * exp(sigma^2 / 2), is no longer a double.
inline constexpr double kMaxLognormalSigma = 5;

// A mixture's component may be a mixture, at most this deep. Eight levels are
// more than any fit needs (the scenarios use one); validating a mixture n deep
// costs memory quadratic in n (measured: 5,000 levels exhausted the stack).
inline constexpr int kMaxMixtureDepth = 8;

// Parses the JSON form. `where` is the JSON pointer of `j` for error messages.
// With non_negative, values (and every possible draw) must be >= 0, as for
// times and token counts. Every parameter that is a value (a constant, uniform
// min and max, empirical samples, normal mean and sd, exponential mean,
// lognormal median) and every mixture weight must be <= max_value: the
// scenario caps times at 1e9 seconds and counts at 1e9. Throws InputError.
Distribution parse_distribution(const nlohmann::json& j, const std::string& where,
                                bool non_negative = true,
                                double max_value = std::numeric_limits<double>::infinity());

// The canonical JSON form (a constant is written as a bare number).
nlohmann::json to_json(const Distribution& d);

}  // namespace coordsim::sim
