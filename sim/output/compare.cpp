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

constexpr std::array<const char*, 9> kHeader = {"protocol",        "duplicate rate [95% CI]", "miss rate [95% CI]",
                                                "analyses",        "cost/failure",            "savings",
                                                "p95 latency",     "API calls",               "rate-limited"};

std::vector<std::array<std::string, 9>> rows(const std::vector<RunReport>& runs) {
  std::vector<std::array<std::string, 9>> out;
  for (const RunReport& r : runs) {
    const Metrics m = compute_metrics(r);
    out.push_back({r.strategy, with_ci(m.duplicate_rate, m.duplicate_ci), with_ci(m.miss_rate, m.miss_ci),
                   fmt::format("{:.3f}", m.analyses_mean), fmt::format("${:.2f}", m.cost_mean), percent(m.savings),
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
  out << "| " << fmt::format("{}", fmt::join(kHeader, " | ")) << " |\n";
  out << "|---|---:|---:|---:|---:|---:|---:|---:|---:|\n";
  for (const auto& row : rows(runs)) out << "| " << fmt::format("{}", fmt::join(row, " | ")) << " |\n";
  out << "\nPer failure event. Duplicate: some failure signature analyzed more than once; miss: some "
         "signature not analyzed. Savings against `none` on the same trials. Latency: from a flavor's "
         "failure to its decision (fan-in: to the downstream job's).\n";
  return out.str();
}

std::string comparison_text(const std::vector<RunReport>& runs) {
  const auto table = rows(runs);
  std::array<std::size_t, 9> width{};
  for (std::size_t c = 0; c < kHeader.size(); ++c) width[c] = std::string_view(kHeader[c]).size();
  for (const auto& row : table)
    for (std::size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], row[c].size());
  std::ostringstream out;
  const RunReport& first = runs.front();
  out << fmt::format("coordsim run: {} — {} protocols on the same {} trials, seed {}\n\n", first.scenario.name,
                     runs.size(), first.result.summary.trials, first.options.seed);
  const auto line = [&](const auto& cells) {
    out << " ";
    for (std::size_t c = 0; c < cells.size(); ++c)
      out << ' ' << (c == 0 ? fmt::format("{:<{}}", cells[c], width[c]) : fmt::format("{:>{}}", cells[c], width[c]));
    out << '\n';
  };
  line(kHeader);
  for (const auto& row : table) line(row);
  return out.str();
}

}  // namespace coordsim::sim
