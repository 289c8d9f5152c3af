#pragma once
// Turning a run into its outputs: the JSON document (field names are a contract
// that scripts and CI parse), a Markdown report for CI job summaries, and the
// terminal table.
#include <string>

#include <nlohmann/json.hpp>

#include "sim/engine/run_trials.hpp"
#include "sim/input/scenario_file.hpp"

namespace coordsim::sim {

struct RunReport {
  const ScenarioFile& scenario;
  std::string strategy;
  RunOptions options;
  RunResult result;
  double failures_per_year = 100;
};

// Derived figures, computed once for every output format.
struct Metrics {
  double analyses_mean = 0;
  std::int64_t analyses_max = 0;
  double failing_flavors_mean = 0;
  double duplicate_rate = 0;
  Interval duplicate_ci;
  double miss_rate = 0;
  Interval miss_ci;
  double issues_created_mean = 0;
  double issues_left_open_mean = 0;
  double api_calls_mean = 0;
  double rate_limited_mean = 0;
  double agents_died_mean = 0;
  double tokens_mean = 0;
  double cost_mean = 0;
  double baseline_cost_mean = 0;
  double savings = 0;  // 1 - cost / baseline; 0 when the baseline is 0
  // Runner time (stats.hpp's TrialOutcome::runner_us) and its price, when the
  // scenario sets one (report.usd_per_runner_minute).
  bool runner_priced = false;
  double runner_minutes_mean = 0;
  double runner_cost_mean = 0;
  double total_cost_mean = 0;  // LLM + runner
  double latency_p50_s = 0;
  double latency_p95_s = 0;
  double latency_p99_s = 0;
  double trials_per_s = 0;
};
Metrics compute_metrics(const RunReport& r);

nlohmann::json report_json(const RunReport& r);
std::string report_markdown(const RunReport& r);
std::string report_text(const RunReport& r);

}  // namespace coordsim::sim
