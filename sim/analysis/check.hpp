#pragma once
// `coordsim check`: a scenario's expectations evaluated with statistical
// bounds, adding trials while a verdict is inconclusive. See docs/ci.md for the
// semantics; the short version:
//  * every bound is a one-sided 95% test, Bonferroni-corrected over the looks a
//    check may take (it doubles the trials up to the cap between looks), so the
//    chance of a wrong conclusive verdict stays under 5% per bound;
//  * rates use exact Clopper-Pearson bounds; `max: 0` means no failure event may
//    violate it (and `min: 1` that every one must);
//  * means, percentiles and ratios use batch means: 32 interleaved batches of
//    trials, a Student t interval over the batch values;
//  * analyses.max must hold in every trial.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/protocol.hpp"
#include "sim/engine/run_trials.hpp"
#include "sim/engine/stats.hpp"
#include "sim/input/expectation.hpp"
#include "sim/input/scenario_file.hpp"
#include "sim/output/report.hpp"

namespace coordsim::sim {

enum class Verdict { pass, fail, inconclusive };
const char* verdict_name(Verdict v);

struct ExpectationResult {
  Expectation expectation;
  double value = 0;     // the point estimate from all trials
  Interval interval;    // the one-sided bounds used for the verdict
  Verdict verdict = Verdict::inconclusive;
  std::string reason;   // a sentence saying why, with the numbers
  // Wall time of the trials this verdict needed: up to the look from which it
  // stayed what it is in the end (JUnit's testcase time, the text's column).
  double seconds = 0;
};

// Verdicts from counts (exposed for tests): a rate of `successes` in `n`, at
// one-sided error `alpha` per bound.
ExpectationResult judge_rate(const Expectation& e, std::int64_t successes, std::int64_t n, double alpha);
// A mean-like metric: its value over all trials and its value in each batch.
ExpectationResult judge_estimate(const Expectation& e, double value, const std::vector<double>& batch_values,
                                 double alpha);

struct CheckOptions {
  std::optional<std::int64_t> trials;      // first look; default: the scenario's trials
  std::optional<std::int64_t> max_trials;  // cap; default: 16 x the first look
  std::optional<std::uint64_t> seed;
  int threads = 0;
  int batches = 32;
};

struct ScenarioCheck {
  std::string scenario;
  std::string source;
  std::string strategy;
  std::uint64_t seed = 0;
  std::int64_t trials = 0;  // trials run in the end
  std::int64_t failure_events = 0;
  int looks = 0;
  int max_looks = 0;
  double wall_seconds = 0;
  std::vector<ExpectationResult> results;
  // What a baseline comparison needs (sim/analysis/baseline.hpp): the counts
  // and metrics over all trials and per batch.
  std::int64_t duplicates = 0;
  std::int64_t misses = 0;
  Metrics metrics;
  std::vector<Metrics> batch_metrics;

  Verdict verdict() const;  // fail if any fails, else inconclusive if any is, else pass
};

// Throws InputError if the scenario has no expectations.
ScenarioCheck check_scenario(const ScenarioFile& scenario, const agent::ProtocolConfig& protocol,
                             const CheckOptions& options);

// "duplicate_rate 98.68% (one-sided bounds [98.19%, 99.06%]) against max 1%": rates as percentages.
std::string result_summary(const ExpectationResult& r);

struct CheckTotals {
  int passed = 0, failed = 0, inconclusive = 0;  // expectations
  int scenarios = 0;
  std::int64_t trials = 0;
  double seconds = 0;
};
CheckTotals check_totals(const std::vector<ScenarioCheck>& checks);
// "3 passed, 1 failed, 0 inconclusive (2 scenarios, 12000 trials, 1.84 s)": the
// last line of the text, the Markdown's headline.
std::string totals_line(const CheckTotals& t);

std::string check_text(const std::vector<ScenarioCheck>& checks);
std::string check_markdown(const std::vector<ScenarioCheck>& checks);
std::string check_junit(const std::vector<ScenarioCheck>& checks);
nlohmann::json check_json(const std::vector<ScenarioCheck>& checks);

}  // namespace coordsim::sim
