#pragma once
// Regression against a baseline: `coordsim compare A.json B.json` and
// `coordsim check ... --baseline A.json`, where A is the `check --json` of the
// baseline (main's) and B of the change. Per metric, whether B is worse than
// A by more than a tolerance, with a one-sided test (docs/ci.md,
// "Regression against a baseline"):
//  * rates (duplicate_rate, miss_rate): counts of two binomials, Newcombe's
//    hybrid score interval for the difference (method 10, built from Wilson
//    intervals; good coverage down to a handful of events). It treats the
//    runs as independent; under common random numbers their estimates are
//    positively correlated, which only makes the interval wider than needed
//    (conservative). A paired per-trial test (McNemar) would need each
//    trial's outcome, which the JSON does not carry.
//  * other metrics: batch means. When both runs used the same seed, trials
//    and batches, batch b holds the same trials in both (common random
//    numbers): a paired t over the batch differences, which removes the
//    shared noise. Otherwise Welch's t over the two sets of batch values.
//  * Bonferroni over the metrics compared: each is tested at 5% / M, so the
//    chance of any false regression per scenario stays under 5%.
// A regression is a difference whose one-sided lower bound, in the worse
// direction, exceeds the tolerance: max(relative tolerance x |A|, the
// metric's absolute floor).
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/analysis/check.hpp"
#include "sim/engine/stats.hpp"

namespace coordsim::sim {

// One scenario's numbers as a comparison needs them.
struct RunNumbers {
  std::string scenario;
  std::string strategy;
  std::uint64_t seed = 0;
  std::int64_t trials = 0;
  std::int64_t failure_events = 0;
  std::int64_t duplicates = 0;
  std::int64_t misses = 0;
  std::map<std::string, double> metrics;
  std::map<std::string, std::vector<double>> batches;  // per metric, one value per batch
};

RunNumbers run_numbers(const ScenarioCheck& c);
// The fields `check --json` adds so that its output can be a baseline.
void add_baseline_fields(nlohmann::json& scenario_json, const ScenarioCheck& c);
// Reads a `check --json` file's content; `source` names it in errors (InputError).
std::vector<RunNumbers> read_baseline(const nlohmann::json& j, const std::string& source);

enum class Change { same, better, worse_within_tolerance, regression };
const char* change_name(Change c);

struct MetricComparison {
  std::string metric;
  double baseline = 0;
  double current = 0;
  Interval difference;  // one-sided bounds on current - baseline
  double tolerance = 0;  // absolute, in the metric's unit
  Change change = Change::same;
  std::string method;
};

struct RunComparison {
  std::string scenario;
  std::string baseline_strategy, current_strategy;
  bool paired = false;   // common random numbers: same seed, trials and batches
  std::string note;      // why nothing was compared, when nothing was
  std::vector<MetricComparison> metrics;
  bool regressed() const;
};

struct CompareOptions {
  double tolerance = 0.05;  // relative to the baseline's value
  double alpha = 0.05;      // per scenario, split over the metrics (Bonferroni)
};

// Newcombe's hybrid score bounds on p2 - p1 at one-sided level alpha.
Interval rate_difference(std::int64_t x1, std::int64_t n1, std::int64_t x2, std::int64_t n2, double alpha);

RunComparison compare_runs(const RunNumbers& baseline, const RunNumbers& current, const CompareOptions& options);
// Scenarios matched by name; one in `current` without a baseline gets a note.
std::vector<RunComparison> compare_all(const std::vector<RunNumbers>& baseline, const std::vector<RunNumbers>& current,
                                       const CompareOptions& options);
bool any_regression(const std::vector<RunComparison>& comparisons);

std::string comparison_text(const std::vector<RunComparison>& comparisons, const CompareOptions& options);
std::string comparison_markdown(const std::vector<RunComparison>& comparisons, const CompareOptions& options);
nlohmann::json comparison_json(const std::vector<RunComparison>& comparisons);

}  // namespace coordsim::sim
