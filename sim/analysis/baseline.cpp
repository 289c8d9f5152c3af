#include "sim/analysis/baseline.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <sstream>

#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/students_t.hpp>
#include <spdlog/fmt/fmt.h>

#include "sim/input/input_error.hpp"
#include "sim/output/percent.hpp"

namespace coordsim::sim {

namespace {

// What is compared, and which way is worse. Workload descriptors
// (failing_flavors.mean, issues_created.mean, the uncoordinated cost) and
// the injected agent deaths are not properties of the protocol.
struct MetricSpec {
  const char* name;
  bool rate;
  bool higher_is_worse;
  std::function<double(const Metrics&)> value;
};

const std::vector<MetricSpec>& specs() {
  static const std::vector<MetricSpec> all = {
      {"duplicate_rate", true, true, [](const Metrics& m) { return m.duplicate_rate; }},
      {"miss_rate", true, true, [](const Metrics& m) { return m.miss_rate; }},
      {"analyses.mean", false, true, [](const Metrics& m) { return m.analyses_mean; }},
      {"issues_left_open.mean", false, true, [](const Metrics& m) { return m.issues_left_open_mean; }},
      {"api_calls.mean", false, true, [](const Metrics& m) { return m.api_calls_mean; }},
      {"rate_limited.mean", false, true, [](const Metrics& m) { return m.rate_limited_mean; }},
      {"tokens.mean", false, true, [](const Metrics& m) { return m.tokens_mean; }},
      {"cost_usd.mean", false, true, [](const Metrics& m) { return m.cost_mean; }},
      {"cost_usd.savings", false, false, [](const Metrics& m) { return m.savings; }},
      {"decision_latency_s.p50", false, true, [](const Metrics& m) { return m.latency_p50_s; }},
      {"decision_latency_s.p95", false, true, [](const Metrics& m) { return m.latency_p95_s; }},
      {"decision_latency_s.p99", false, true, [](const Metrics& m) { return m.latency_p99_s; }},
  };
  return all;
}

bool is_fraction(const std::string& metric) {
  return metric == "duplicate_rate" || metric == "miss_rate" || metric == "cost_usd.savings";
}

double mean_of(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return v.empty() ? 0 : s / static_cast<double>(v.size());
}
double variance_of(const std::vector<double>& v) {
  if (v.size() < 2) return 0;
  const double m = mean_of(v);
  double ss = 0;
  for (double x : v) ss += (x - m) * (x - m);
  return ss / static_cast<double>(v.size() - 1);
}

// Bounds on current - baseline for a batch-means metric.
Interval mean_difference(double a, double b, const std::vector<double>& ba, const std::vector<double>& bb, bool paired,
                         double alpha) {
  const double d = b - a;
  if (paired) {
    std::vector<double> diff(ba.size());
    for (std::size_t i = 0; i < ba.size(); ++i) diff[i] = bb[i] - ba[i];
    const double se = std::sqrt(variance_of(diff) / static_cast<double>(diff.size()));
    if (se == 0 || diff.size() < 2) return {d, d};
    const boost::math::students_t t(static_cast<double>(diff.size() - 1));
    const double half = boost::math::quantile(t, 1 - alpha) * se;
    return {d - half, d + half};
  }
  const double va = variance_of(ba) / static_cast<double>(ba.size());
  const double vb = variance_of(bb) / static_cast<double>(bb.size());
  if (va + vb == 0 || ba.size() < 2 || bb.size() < 2) return {d, d};
  // Welch-Satterthwaite degrees of freedom.
  const double df = (va + vb) * (va + vb) /
                    (va * va / static_cast<double>(ba.size() - 1) + vb * vb / static_cast<double>(bb.size() - 1));
  const boost::math::students_t t(df);
  const double half = boost::math::quantile(t, 1 - alpha) * std::sqrt(va + vb);
  return {d - half, d + half};
}

std::string value_text(const std::string& metric, double v) {
  return is_fraction(metric) ? percent(v) : fmt::format("{:.6g}", v);
}
std::string signed_text(const std::string& metric, double v) {
  if (!is_fraction(metric)) return fmt::format("{:+.4g}", v);
  return (v < 0 ? "-" : "+") + percent(std::abs(v));
}
std::string difference_text(const MetricComparison& m) {
  return fmt::format("{} [{}, {}]", signed_text(m.metric, m.current - m.baseline),
                     signed_text(m.metric, m.difference.low), signed_text(m.metric, m.difference.high));
}

}  // namespace

const char* change_name(Change c) {
  switch (c) {
    case Change::same: return "same";
    case Change::better: return "better";
    case Change::worse_within_tolerance: return "worse, within tolerance";
    case Change::regression: return "REGRESSION";
  }
  return "?";
}

RunNumbers run_numbers(const ScenarioCheck& c) {
  RunNumbers r{c.scenario, c.strategy, c.seed, c.trials, c.failure_events, c.duplicates, c.misses, {}, {}};
  for (const MetricSpec& s : specs()) {
    r.metrics[s.name] = s.value(c.metrics);
    std::vector<double>& b = r.batches[s.name];
    for (const Metrics& m : c.batch_metrics) b.push_back(s.value(m));
  }
  return r;
}

void add_baseline_fields(nlohmann::json& j, const ScenarioCheck& c) {
  const RunNumbers r = run_numbers(c);
  j["duplicates"] = r.duplicates;
  j["misses"] = r.misses;
  j["metrics"] = r.metrics;
  j["batch_values"] = r.batches;
}

std::vector<RunNumbers> read_baseline(const nlohmann::json& j, const std::string& source) {
  if (!j.is_array()) throw InputError(source, "expected the array `coordsim check --json` writes");
  std::vector<RunNumbers> out;
  for (std::size_t i = 0; i < j.size(); ++i) {
    const nlohmann::json& s = j[i];
    const std::string where = source + ": /" + std::to_string(i);
    if (!s.is_object()) throw InputError(where, "expected an object");
    const auto need = [&](const char* key, auto check, const char* what) -> const nlohmann::json& {
      if (!s.contains(key) || !check(s[key]))
        throw InputError(where + "/" + key, std::string("expected ") + what +
                                                (s.contains("verdict") && !s.contains("metrics")
                                                     ? " (written by an older coordsim: run `check --json` again)"
                                                     : ""));
      return s[key];
    };
    const auto is_count = [](const nlohmann::json& v) {
      return v.is_number_unsigned() || (v.is_number_integer() && v.get<std::int64_t>() >= 0);
    };
    RunNumbers r;
    r.scenario = need("scenario", [](const nlohmann::json& v) { return v.is_string(); }, "a string").get<std::string>();
    r.strategy = need("strategy", [](const nlohmann::json& v) { return v.is_string(); }, "a string").get<std::string>();
    r.seed = need("seed", is_count, "an unsigned integer").get<std::uint64_t>();
    r.trials = need("trials", is_count, "a count").get<std::int64_t>();
    r.failure_events = need("failure_events", is_count, "a count").get<std::int64_t>();
    r.duplicates = need("duplicates", is_count, "a count").get<std::int64_t>();
    r.misses = need("misses", is_count, "a count").get<std::int64_t>();
    if (r.duplicates > r.failure_events || r.misses > r.failure_events)
      throw InputError(where, "more duplicates or misses than failure events");
    const nlohmann::json& metrics = need("metrics", [](const nlohmann::json& v) { return v.is_object(); }, "an object");
    const nlohmann::json& batches =
        need("batch_values", [](const nlohmann::json& v) { return v.is_object(); }, "an object");
    for (const MetricSpec& spec : specs()) {
      if (!metrics.contains(spec.name) || !metrics[spec.name].is_number())
        throw InputError(where + "/metrics/" + spec.name, "expected a number");
      r.metrics[spec.name] = metrics[spec.name].get<double>();
      if (!batches.contains(spec.name) || !batches[spec.name].is_array())
        throw InputError(where + "/batch_values/" + spec.name, "expected an array of numbers");
      for (const nlohmann::json& v : batches[spec.name]) {
        if (!v.is_number()) throw InputError(where + "/batch_values/" + spec.name, "expected an array of numbers");
        r.batches[spec.name].push_back(v.get<double>());
      }
    }
    out.push_back(std::move(r));
  }
  return out;
}

Interval rate_difference(std::int64_t x1, std::int64_t n1, std::int64_t x2, std::int64_t n2, double alpha) {
  const double z = boost::math::quantile(boost::math::normal(), 1 - alpha);
  const double p1 = n1 > 0 ? static_cast<double>(x1) / static_cast<double>(n1) : 0;
  const double p2 = n2 > 0 ? static_cast<double>(x2) / static_cast<double>(n2) : 0;
  const Interval w1 = wilson_interval(x1, n1, z), w2 = wilson_interval(x2, n2, z);
  const double d = p2 - p1;
  return {d - std::sqrt((p2 - w2.low) * (p2 - w2.low) + (w1.high - p1) * (w1.high - p1)),
          d + std::sqrt((w2.high - p2) * (w2.high - p2) + (p1 - w1.low) * (p1 - w1.low))};
}

bool RunComparison::regressed() const {
  return std::any_of(metrics.begin(), metrics.end(), [](const MetricComparison& m) { return m.change == Change::regression; });
}

RunComparison compare_runs(const RunNumbers& a, const RunNumbers& b, const CompareOptions& options) {
  RunComparison out;
  out.scenario = b.scenario;
  out.baseline_strategy = a.strategy;
  out.current_strategy = b.strategy;
  const std::size_t k = a.batches.empty() ? 0 : a.batches.begin()->second.size();
  const std::size_t kb = b.batches.empty() ? 0 : b.batches.begin()->second.size();
  out.paired = a.seed == b.seed && a.trials == b.trials && k == kb && k >= 2;
  const double alpha = options.alpha / static_cast<double>(specs().size());
  for (const MetricSpec& spec : specs()) {
    MetricComparison m;
    m.metric = spec.name;
    m.baseline = a.metrics.at(spec.name);
    m.current = b.metrics.at(spec.name);
    if (spec.rate) {
      const bool dup = m.metric == "duplicate_rate";
      m.difference = rate_difference(dup ? a.duplicates : a.misses, a.failure_events, dup ? b.duplicates : b.misses,
                                     b.failure_events, alpha);
      m.method = "Newcombe";
    } else {
      m.difference = mean_difference(m.baseline, m.current, a.batches.at(spec.name), b.batches.at(spec.name),
                                     out.paired, alpha);
      m.method = out.paired ? "paired batch means" : "Welch batch means";
    }
    m.tolerance = options.tolerance * std::abs(m.baseline);
    // The bounds on how much worse the current run is.
    const double worse_low = spec.higher_is_worse ? m.difference.low : -m.difference.high;
    const double worse_high = spec.higher_is_worse ? m.difference.high : -m.difference.low;
    m.change = worse_low > m.tolerance ? Change::regression
               : worse_low > 0         ? Change::worse_within_tolerance
               : worse_high < 0        ? Change::better
                                       : Change::same;
    out.metrics.push_back(std::move(m));
  }
  return out;
}

std::vector<RunComparison> compare_all(const std::vector<RunNumbers>& baseline, const std::vector<RunNumbers>& current,
                                       const CompareOptions& options) {
  std::vector<RunComparison> out;
  for (const RunNumbers& b : current) {
    const auto a = std::find_if(baseline.begin(), baseline.end(),
                                [&](const RunNumbers& r) { return r.scenario == b.scenario; });
    if (a == baseline.end()) {
      RunComparison none;
      none.scenario = b.scenario;
      none.current_strategy = b.strategy;
      none.note = "not in the baseline: nothing compared";
      out.push_back(std::move(none));
      continue;
    }
    out.push_back(compare_runs(*a, b, options));
  }
  return out;
}

bool any_regression(const std::vector<RunComparison>& comparisons) {
  return std::any_of(comparisons.begin(), comparisons.end(), [](const RunComparison& c) { return c.regressed(); });
}

namespace {
std::string header(const CompareOptions& o) {
  return fmt::format("Against the baseline: a regression is worse by more than {} of the baseline's value at one-sided "
                     "{:g}% per scenario (Bonferroni over {} metrics).",
                     percent_bound(o.tolerance), 100 * o.alpha, specs().size());
}
std::string pairing(const RunComparison& c) {
  return c.paired ? "paired: same seed, trials and batches" : "unpaired: different seed or trials";
}
}  // namespace

std::string comparison_text(const std::vector<RunComparison>& comparisons, const CompareOptions& options) {
  std::ostringstream out;
  out << header(options) << "\n";
  int regressions = 0;
  for (const RunComparison& c : comparisons) {
    if (!c.note.empty()) {
      out << fmt::format("{}: {}\n", c.scenario, c.note);
      continue;
    }
    out << fmt::format("{} (strategy {} -> {}, {})\n", c.scenario, c.baseline_strategy, c.current_strategy, pairing(c));
    out << fmt::format("  {:<24} {:>10} {:>10}  {:<34} {}\n", "metric", "baseline", "current",
                       "difference [one-sided bounds]", "change");
    for (const MetricComparison& m : c.metrics) {
      regressions += m.change == Change::regression;
      out << fmt::format("  {:<24} {:>10} {:>10}  {:<34} {}\n", m.metric, value_text(m.metric, m.baseline),
                         value_text(m.metric, m.current), difference_text(m), change_name(m.change));
    }
  }
  out << fmt::format("{} regression{}\n", regressions, regressions == 1 ? "" : "s");
  return out.str();
}

std::string comparison_markdown(const std::vector<RunComparison>& comparisons, const CompareOptions& options) {
  int regressions = 0;
  for (const RunComparison& c : comparisons)
    for (const MetricComparison& m : c.metrics) regressions += m.change == Change::regression;
  std::ostringstream out;
  out << fmt::format("## coordsim compare: {} {} regression{}\n\n", regressions ? "❌" : "✅", regressions,
                     regressions == 1 ? "" : "s");
  out << header(options) << "\n\n<details><summary>Every metric</summary>\n\n";
  out << "| scenario | metric | baseline | current | difference [bounds] | change |\n|---|---|---:|---:|---|---|\n";
  for (const RunComparison& c : comparisons) {
    if (!c.note.empty()) {
      out << fmt::format("| {} | | | | | {} |\n", c.scenario, c.note);
      continue;
    }
    for (const MetricComparison& m : c.metrics)
      out << fmt::format("| {} | `{}` | {} | {} | {} | {}{} |\n", c.scenario, m.metric, value_text(m.metric, m.baseline),
                         value_text(m.metric, m.current), difference_text(m),
                         m.change == Change::regression ? "❌ " : "", change_name(m.change));
  }
  out << "\n</details>\n\n";
  return out.str();
}

nlohmann::json comparison_json(const std::vector<RunComparison>& comparisons) {
  nlohmann::json out = nlohmann::json::array();
  for (const RunComparison& c : comparisons) {
    nlohmann::json j{{"scenario", c.scenario}, {"paired", c.paired}, {"regressed", c.regressed()}};
    if (!c.note.empty()) j["note"] = c.note;
    j["metrics"] = nlohmann::json::array();
    for (const MetricComparison& m : c.metrics)
      j["metrics"].push_back({{"metric", m.metric}, {"baseline", m.baseline}, {"current", m.current},
                              {"difference_bounds", {m.difference.low, m.difference.high}},
                              {"tolerance", m.tolerance}, {"change", change_name(m.change)}, {"method", m.method}});
    out.push_back(std::move(j));
  }
  return out;
}

}  // namespace coordsim::sim
