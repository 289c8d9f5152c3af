#include "sim/output/compare.hpp"

#include <algorithm>
#include <array>
#include <sstream>

#include <spdlog/fmt/fmt.h>

#include "sim/input/input_error.hpp"

namespace coordsim::sim {

namespace {
std::string percent(double v) {
  return v > 0 && v < 0.001 ? fmt::format("{:.4f}%", 100 * v) : fmt::format("{:.2f}%", 100 * v);
}
std::string with_ci(double v, const Interval& ci) {
  return fmt::format("{} [{}, {}]", percent(v), percent(ci.low), percent(ci.high));
}

// Columns, and which of the two terminal tables (outcomes, costs) shows each.
// The runner columns appear only when a scenario prices runner time.
struct Column {
  const char* header;
  int text_table;
  bool runner;
};
constexpr std::array<Column, 12> kColumns = {{{"protocol", -1, false},
                                              {"duplicate rate [95% CI]", 0, false},
                                              {"miss rate [95% CI]", 0, false},
                                              {"analyses", 0, false},
                                              {"cost/failure", 1, false},
                                              {"cost/year", 1, false},
                                              {"runner/failure", 1, true},
                                              {"total/year", 1, true},
                                              {"savings", 1, false},
                                              {"p95 latency", 0, false},
                                              {"API calls", 1, false},
                                              {"rate-limited", 1, false}}};

bool runner_priced(const std::vector<RunReport>& runs) {
  return std::any_of(runs.begin(), runs.end(), [](const RunReport& r) { return !r.scenario.usd_per_runner_minute.empty(); });
}

// The columns shown: every one, or all but the runner's.
std::vector<std::size_t> shown(const std::vector<RunReport>& runs) {
  std::vector<std::size_t> out;
  const bool priced = runner_priced(runs);
  for (std::size_t c = 0; c < kColumns.size(); ++c)
    if (priced || !kColumns[c].runner) out.push_back(c);
  return out;
}

std::vector<std::array<std::string, kColumns.size()>> rows(const std::vector<RunReport>& runs) {
  std::vector<std::array<std::string, kColumns.size()>> out;
  for (const RunReport& r : runs) {
    const Metrics m = compute_metrics(r);
    out.push_back({r.strategy, with_ci(m.duplicate_rate, m.duplicate_ci), with_ci(m.miss_rate, m.miss_ci),
                   fmt::format("{:.3f}", m.analyses_mean), fmt::format("${:.2f}", m.cost_mean),
                   fmt::format("${:.0f}", m.cost_mean * r.failures_per_year), fmt::format("${:.2f}", m.runner_cost_mean),
                   fmt::format("${:.0f}", m.total_cost_mean * r.failures_per_year), percent(m.savings),
                   fmt::format("{:.2f} s", m.latency_p95_s), fmt::format("{:.2f}", m.api_calls_mean),
                   fmt::format("{:.3f}", m.rate_limited_mean)});
  }
  return out;
}
}  // namespace

std::vector<agent::Strategy> parse_strategy_list(const std::string& list, const std::string& where) {
  std::vector<agent::Strategy> out;
  if (list == "all") return {std::begin(agent::kAllStrategies), std::end(agent::kAllStrategies)};
  std::size_t start = 0;
  while (start <= list.size()) {
    const std::size_t comma = std::min(list.find(',', start), list.size());
    const std::string name = list.substr(start, comma - start);
    const auto s = agent::parse_strategy(name);
    if (!s)
      throw InputError(where, "unknown strategy \"" + name + "\"; expected one of " + agent::strategy_names() +
                                  ", a comma-separated list of them, or all");
    if (std::find(out.begin(), out.end(), *s) == out.end()) out.push_back(*s);
    start = comma + 1;
  }
  return out;
}

nlohmann::json comparison_json(const std::vector<RunReport>& runs) {
  nlohmann::json j;
  const RunReport& first = runs.front();
  j["scenario"] = first.scenario.name;
  j["trials"] = first.result.summary.trials;
  j["seed"] = first.options.seed;
  j["strategies"] = nlohmann::json::array();
  j["protocols"] = nlohmann::json::object();
  for (const RunReport& r : runs) {
    j["strategies"].push_back(r.strategy);
    j["protocols"][r.strategy] = report_json(r);
  }
  return j;
}

std::string comparison_markdown(const std::vector<RunReport>& runs) {
  const RunReport& first = runs.front();
  std::ostringstream out;
  out << "## coordsim: " << first.scenario.name << " — protocols compared\n\n";
  if (!first.scenario.description.empty()) out << first.scenario.description << "\n\n";
  out << fmt::format("{} trials, seed {}, {} flavors ({}); every protocol runs on the same trials.\n\n",
                     first.result.summary.trials, first.options.seed, first.scenario.workload.flavors.size(),
                     fmt::join(first.scenario.workload.flavors, ", "));
  const std::vector<std::size_t> columns = shown(runs);
  out << "|";
  for (std::size_t c : columns) out << " " << kColumns[c].header << " |";
  out << "\n|";
  for (std::size_t c : columns) out << (c == 0 ? "---|" : "---:|");
  out << "\n";
  for (const auto& row : rows(runs)) {
    out << "|";
    for (std::size_t c : columns) out << " " << row[c] << " |";
    out << "\n";
  }
  out << fmt::format("\nPer failure event; cost/year at {:g} failures a year (`report.failures_per_year`). Duplicate",
                     first.failures_per_year);
  out << ": some failure signature analyzed more than once; miss: some "
         "signature not analyzed. Savings against `none` on the same trials. Latency: from a flavor's "
         "failure to its decision (fan-in: to the downstream job's).\n";
  return out.str();
}

std::string comparison_text(const std::vector<RunReport>& runs) {
  const auto table = rows(runs);
  std::array<std::size_t, kColumns.size()> width{};
  for (std::size_t c = 0; c < kColumns.size(); ++c) width[c] = std::string_view(kColumns[c].header).size();
  for (const auto& row : table)
    for (std::size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], row[c].size());
  std::ostringstream out;
  const RunReport& first = runs.front();
  out << fmt::format("coordsim run: {} — {} protocols on the same {} trials, seed {}\n", first.scenario.name,
                     runs.size(), first.result.summary.trials, first.options.seed);
  // Two tables, outcomes then costs, each under 100 columns: one table was
  // 125 wide and wrapped on an 80-100 column terminal.
  const std::vector<std::size_t> columns = shown(runs);
  for (int t = 0; t < 2; ++t) {
    const auto line = [&](const auto& cell) {
      for (std::size_t c : columns) {
        if (c != 0 && kColumns[c].text_table != t) continue;
        out << "  " << (c == 0 ? fmt::format("{:<{}}", cell(c), width[c]) : fmt::format("{:>{}}", cell(c), width[c]));
      }
      out << '\n';
    };
    out << '\n';
    line([](std::size_t c) { return std::string(kColumns[c].header); });
    for (const auto& row : table) line([&row](std::size_t c) { return row[c]; });
  }
  out << fmt::format("\nPer failure event; cost/year at {:g} failures a year (report.failures_per_year).\n",
                     first.failures_per_year);
  return out.str();
}

}  // namespace coordsim::sim
