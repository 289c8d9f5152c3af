#pragma once
// Expectations: a scenario's `expect` block, bounds on the metrics of its run
// that `coordsim check` turns into a CI verdict.
//   "expect": {"duplicate_rate": {"max": 0.01}, "cost_usd.savings": {"min": 0.7}}
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace coordsim::sim {

// How a metric's uncertainty is estimated.
enum class MetricKind {
  rate,     // a proportion of failure events: exact binomial (Clopper-Pearson) bounds
  estimate, // a mean, percentile or ratio: batch means with a Student t interval
  extreme,  // a maximum over trials: its bound must hold in every trial
};

struct MetricInfo {
  std::string_view name;  // as in the JSON output, dotted: "decision_latency_s.p95"
  MetricKind kind;
};

// Every metric an expectation may bound.
const std::vector<MetricInfo>& known_metrics();
const MetricInfo* find_metric(std::string_view name);

// A zero bound on a rate (max 0, or min 1) allows no violation, which no
// finite number of trials can prove: it passes when none was seen and the
// exact upper bound on the true rate of violations is at most this.
inline constexpr double kDefaultZeroTolerance = 0.001;

struct Expectation {
  std::string metric;
  MetricKind kind = MetricKind::estimate;
  std::optional<double> min;
  std::optional<double> max;
  // Rates with max 0 or min 1 only (`tolerance` in the file), in (0, 1);
  // kDefaultZeroTolerance when not given.
  std::optional<double> tolerance;
  std::string pointer;  // "/expect/duplicate_rate", for messages

  bool zero_bound() const noexcept { return kind == MetricKind::rate && ((max && *max == 0) || (min && *min == 1)); }
  double zero_tolerance() const noexcept { return tolerance.value_or(kDefaultZeroTolerance); }
};

// Parses the `expect` object (null or absent: none). `where` is its JSON
// pointer. Throws InputError naming the pointer: unknown metric (with the
// valid names), neither min nor max, min > max, a bound of the wrong type,
// a rate bound outside [0, 1], a tolerance on anything but a zero bound or
// outside (0, 1).
std::vector<Expectation> parse_expectations(const nlohmann::json& expect, const std::string& where);

}  // namespace coordsim::sim
