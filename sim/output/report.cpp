#include "sim/output/report.hpp"

#include <cmath>
#include <sstream>

#include <spdlog/fmt/fmt.h>

#include "sim/input/scenario_loader.hpp"
#include "sim/output/percent.hpp"

namespace coordsim::sim {

namespace {
double ratio(double a, std::int64_t b) { return b > 0 ? a / static_cast<double>(b) : 0.0; }

double usd(std::int64_t tokens_in, std::int64_t tokens_out, const LlmModel& llm) {
  return (static_cast<double>(tokens_in) * llm.usd_per_million_in +
          static_cast<double>(tokens_out) * llm.usd_per_million_out) /
         1e6;
}
}  // namespace

Metrics compute_metrics(const RunReport& r) {
  const Summary& s = r.result.summary;
  const std::int64_t n = s.failure_events;
  Metrics m;
  m.analyses_mean = ratio(static_cast<double>(s.analyses), n);
  m.analyses_max = s.analyses_max;
  m.failing_flavors_mean = ratio(static_cast<double>(s.failing_flavors), n);
  m.duplicate_rate = ratio(static_cast<double>(s.duplicates), n);
  m.duplicate_ci = wilson_interval(s.duplicates, n);
  m.miss_rate = ratio(static_cast<double>(s.misses), n);
  m.miss_ci = wilson_interval(s.misses, n);
  m.issues_created_mean = ratio(static_cast<double>(s.issues_created), n);
  m.issues_left_open_mean = ratio(static_cast<double>(s.issues_left_open), n);
  m.api_calls_mean = ratio(static_cast<double>(s.api_calls_total()), n);
  m.rate_limited_mean = ratio(static_cast<double>(s.rate_limited), n);
  m.agents_died_mean = ratio(static_cast<double>(s.agents_died), n);
  m.tokens_mean = ratio(static_cast<double>(s.tokens_in) + static_cast<double>(s.tokens_out), n);  // each may be saturated
  m.cost_mean = ratio(usd(s.tokens_in, s.tokens_out, r.scenario.llm), n);
  m.baseline_cost_mean = ratio(usd(s.baseline_tokens_in, s.baseline_tokens_out, r.scenario.llm), n);
  m.savings = m.baseline_cost_mean > 0 ? 1.0 - m.cost_mean / m.baseline_cost_mean : 0.0;
  std::int64_t runner_us = 0;
  double runner_usd = 0;
  const auto& prices = r.scenario.usd_per_runner_minute;
  for (std::size_t i = 0; i < s.runner_us_by_flavor.size(); ++i) {
    runner_us += s.runner_us_by_flavor[i];
    if (i < prices.size()) runner_usd += static_cast<double>(s.runner_us_by_flavor[i]) / 6e7 * prices[i];
  }
  m.runner_priced = !prices.empty();
  m.runner_minutes_mean = ratio(static_cast<double>(runner_us) / 6e7, n);
  m.runner_cost_mean = ratio(runner_usd, n);
  m.total_cost_mean = m.cost_mean + m.runner_cost_mean;
  m.latency_p50_s = agent::to_seconds(agent::Duration(s.decision_latency.quantile(0.50)));
  m.latency_p95_s = agent::to_seconds(agent::Duration(s.decision_latency.quantile(0.95)));
  m.latency_p99_s = agent::to_seconds(agent::Duration(s.decision_latency.quantile(0.99)));
  m.trials_per_s = r.result.wall_seconds > 0 ? static_cast<double>(s.trials) / r.result.wall_seconds : 0;
  return m;
}

nlohmann::json report_json(const RunReport& r) {
  const Summary& s = r.result.summary;
  const Metrics m = compute_metrics(r);
  nlohmann::json by_endpoint = nlohmann::json::object();
  for (int e = 0; e < agent::kEndpointCount; ++e)
    by_endpoint[agent::endpoint_name(static_cast<agent::Endpoint>(e))] =
        ratio(static_cast<double>(s.api_calls[e]), s.failure_events);

  nlohmann::json j;
  j["scenario"] = r.scenario.name;
  j["strategy"] = r.strategy;
  j["trials"] = s.trials;
  j["seed"] = r.options.seed;
  j["failure_events"] = s.failure_events;
  j["failing_flavors"] = {{"mean", ratio(static_cast<double>(s.failing_flavors), s.failure_events)}};
  j["analyses"] = {{"mean", m.analyses_mean}, {"max", m.analyses_max}};
  j["duplicate_rate"] = {{"value", m.duplicate_rate},
                         {"ci95", {m.duplicate_ci.low, m.duplicate_ci.high}},
                         {"count", s.duplicates}};
  j["miss_rate"] = {{"value", m.miss_rate}, {"ci95", {m.miss_ci.low, m.miss_ci.high}}, {"count", s.misses}};
  j["issues_created"] = {{"mean", m.issues_created_mean}};
  j["issues_left_open"] = {{"mean", m.issues_left_open_mean}};
  j["api_calls"] = {{"mean", m.api_calls_mean}, {"by_endpoint", by_endpoint}};
  j["rate_limited"] = {{"mean", m.rate_limited_mean}, {"count", s.rate_limited}};
  j["agents_died"] = {{"mean", m.agents_died_mean}, {"count", s.agents_died}};
  j["tokens"] = {{"mean", m.tokens_mean}};
  j["cost_usd"] = {{"mean", m.cost_mean},
                   {"baseline_mean", m.baseline_cost_mean},
                   {"savings", m.savings},
                   {"failures_per_year", r.failures_per_year},
                   {"per_year", m.cost_mean * r.failures_per_year},
                   {"baseline_per_year", m.baseline_cost_mean * r.failures_per_year}};
  // Only with a runner price, so reports of scenarios without one stay as they were.
  if (m.runner_priced) {
    j["runner"] = {{"minutes_mean", m.runner_minutes_mean},
                   {"usd_mean", m.runner_cost_mean},
                   {"usd_per_year", m.runner_cost_mean * r.failures_per_year}};
    j["cost_usd"]["total_mean"] = m.total_cost_mean;
    j["cost_usd"]["total_per_year"] = m.total_cost_mean * r.failures_per_year;
  }
  j["decision_latency_s"] = {{"p50", m.latency_p50_s}, {"p95", m.latency_p95_s}, {"p99", m.latency_p99_s}};
  j["events"] = s.events;
  const TrialExamples& ex = r.result.examples;
  j["examples"] = {{"duplicate", ex.duplicate}, {"miss", ex.miss}, {"clean", ex.clean}};
  j["wall_s"] = r.result.wall_seconds;
  j["trials_per_s"] = m.trials_per_s;
  return j;
}

namespace {
std::string percent_ci(const Interval& ci) { return percent_interval(ci); }

// Rows shared by the Markdown and terminal tables: (metric, value, note).
std::vector<std::array<std::string, 3>> metric_rows(const RunReport& r, const Metrics& m) {
  const Summary& s = r.result.summary;
  std::vector<std::array<std::string, 3>> rows;
  rows.push_back({"failure events", fmt::format("{} of {} trials", s.failure_events, s.trials), ""});
  rows.push_back({"analyses per failure", fmt::format("{:.3f}", m.analyses_mean),
                  fmt::format("max {}, failing flavors {:.3f}", m.analyses_max,
                              ratio(static_cast<double>(s.failing_flavors), s.failure_events))});
  rows.push_back({"duplicate rate", percent(m.duplicate_rate), "95% CI " + percent_ci(m.duplicate_ci)});
  rows.push_back({"miss rate", percent(m.miss_rate), "95% CI " + percent_ci(m.miss_ci)});
  rows.push_back({"issues created", fmt::format("{:.3f}", m.issues_created_mean),
                  fmt::format("left open {:.3f}", m.issues_left_open_mean)});
  rows.push_back({"API calls per failure", fmt::format("{:.2f}", m.api_calls_mean),
                  fmt::format("rate-limited {:.3f}", m.rate_limited_mean)});
  rows.push_back({"tokens per failure", fmt::format("{:.0f}", m.tokens_mean), ""});
  rows.push_back({"cost per failure", fmt::format("${:.2f}", m.cost_mean),
                  fmt::format("uncoordinated ${:.2f}, savings {}", m.baseline_cost_mean, percent(m.savings))});
  rows.push_back({"cost per year", fmt::format("${:.0f}", m.cost_mean * r.failures_per_year),
                  fmt::format("at {:g} failures/year; uncoordinated ${:.0f}, saved ${:.0f}", r.failures_per_year,
                              m.baseline_cost_mean * r.failures_per_year,
                              (m.baseline_cost_mean - m.cost_mean) * r.failures_per_year)});
  if (m.runner_priced) {
    rows.push_back({"runner time per failure", fmt::format("{:.2f} min", m.runner_minutes_mean),
                    fmt::format("${:.4f} of runner time", m.runner_cost_mean)});
    rows.push_back({"total cost per failure", fmt::format("${:.2f}", m.total_cost_mean),
                    fmt::format("LLM + runner; ${:.0f} a year", m.total_cost_mean * r.failures_per_year)});
  }
  rows.push_back({"decision latency", fmt::format("p50 {:.2f} s", m.latency_p50_s),
                  fmt::format("p95 {:.2f} s, p99 {:.2f} s", m.latency_p95_s, m.latency_p99_s)});
  return rows;
}

std::string indices(const std::vector<std::uint64_t>& v) { return v.empty() ? "none" : fmt::format("{}", fmt::join(v, " ")); }

// The smallest trial index of each outcome class, and how to replay one. The
// scenario's overrides (--set) are not known here, so the command names only
// what the report does.
std::vector<std::array<std::string, 2>> example_rows(const TrialExamples& ex) {
  return {{"duplicate", indices(ex.duplicate)}, {"miss", indices(ex.miss)}, {"clean", indices(ex.clean)}};
}

std::string replay_hint(const RunReport& r) {
  std::string cmd = "coordsim replay";
  if (r.scenario.source != kEmbeddedSource) cmd += " " + r.scenario.source;
  cmd += " --trial K";
  if (r.strategy != agent::strategy_name(r.scenario.protocol.strategy)) cmd += " --strategy " + r.strategy;
  if (r.options.seed != r.scenario.seed) cmd += fmt::format(" --seed {}", r.options.seed);
  if (r.options.first_trial + static_cast<std::uint64_t>(r.options.trials) > static_cast<std::uint64_t>(r.scenario.trials))
    cmd += fmt::format(" --trials {}", r.options.first_trial + static_cast<std::uint64_t>(r.options.trials));
  return cmd;
}
}  // namespace

std::string report_markdown(const RunReport& r) {
  const Metrics m = compute_metrics(r);
  std::ostringstream out;
  out << "## coordsim: " << r.scenario.name << " — `" << r.strategy << "`\n\n";
  if (!r.scenario.description.empty()) out << r.scenario.description << "\n\n";
  out << fmt::format("{} trials, seed {}, {} flavors ({}).\n\n", r.result.summary.trials, r.options.seed,
                     r.scenario.workload.flavors.size(), fmt::join(r.scenario.workload.flavors, ", "));
  out << "| metric | value | |\n|---|---:|---|\n";
  for (const auto& row : metric_rows(r, m)) out << "| " << row[0] << " | " << row[1] << " | " << row[2] << " |\n";
  out << "\nExample trials (smallest indices; replay one with `" << replay_hint(r) << "`):\n\n";
  for (const auto& row : example_rows(r.result.examples)) out << "- " << row[0] << ": " << row[1] << "\n";
  out << "\nDuplicate: some failure signature analyzed more than once. Miss: some signature not analyzed at "
         "all. Rates are per failure event, with Wilson 95% intervals. Costs are per failure event; "
         "\"uncoordinated\" is the `none` protocol on the same trials.\n";
  return out.str();
}

std::string report_text(const RunReport& r) {
  const Metrics m = compute_metrics(r);
  std::ostringstream out;
  out << fmt::format("coordsim run: {} — strategy {} — {} trials, seed {}\n\n", r.scenario.name, r.strategy,
                     r.result.summary.trials, r.options.seed);
  for (const auto& row : metric_rows(r, m)) {
    std::string line = fmt::format("  {:<22} {:>18}   {}", row[0], row[1], row[2]);
    line.erase(line.find_last_not_of(' ') + 1);  // a row without a note has no trailing spaces
    out << line << "\n";
  }
  out << "\n  example trials (smallest indices)\n";
  for (const auto& row : example_rows(r.result.examples)) out << fmt::format("    {:<10} {}\n", row[0], row[1]);
  out << "  replay one: " << replay_hint(r) << "\n";
  out << fmt::format("\n  {} events in {:.2f} s on {} thread(s): {:.0f} trials/s\n", r.result.summary.events,
                     r.result.wall_seconds, r.result.threads_used, m.trials_per_s);
  return out.str();
}

}  // namespace coordsim::sim
