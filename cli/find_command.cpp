// `coordsim find`: which trials of a scenario satisfy a predicate over their
// metrics, smallest indices first, ready to replay.
#include <cstdio>
#include <stdexcept>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>
#include <spdlog/fmt/fmt.h>

#include "cli/commands.hpp"
#include "cli/progress.hpp"
#include "cli/number_options.hpp"
#include "cli/terminal_text.hpp"
#include "cli/trial_args.hpp"
#include "sim/analysis/find.hpp"
#include "sim/analysis/predicate.hpp"
#include "sim/engine/trial_metrics.hpp"

namespace coordsim::cli {

namespace {

struct FindArgs {
  TrialSource source;
  std::string where;
  std::size_t limit = 10;
  int threads = 0;
  std::string json_path;
  std::string shrink_path;
};

int find(const FindArgs& a) {
  // Parse first: a typo in the predicate should not wait for a scenario to load.
  const sim::Predicate where = sim::Predicate::parse(a.where, "--where");
  const LoadedTrials t = load_trials(a.source);
  check_writable(a.json_path, "--json");
  check_writable(a.shrink_path, "--shrink");

  sim::FindOptions options;
  options.trials = t.trials;
  options.seed = t.seed;
  options.threads = a.threads;
  options.limit = a.limit;
  std::optional<Progress> progress(std::in_place, "find", t.trials);
  const sim::FindResult r = sim::find_trials(t.scenario, t.protocol, where, options);
  progress.reset();

  if (!a.json_path.empty()) {
    nlohmann::json j;
    j["scenario"] = t.scenario.name;
    j["strategy"] = t.strategy;
    j["seed"] = t.seed;
    j["trials"] = r.trials;
    j["where"] = where.text();
    j["parsed"] = where.canonical();
    j["failure_events"] = r.failure_events;
    j["matches"] = r.matches;
    j["indices"] = r.indices;
    write_file_atomically(a.json_path, json_text(j));
  }
  if (a.json_path == "-") return kExitOk;

  std::string out = fmt::format("coordsim find: {} — strategy {} — seed {} — where {}\n\n", t.scenario.name,
                                t.strategy, t.seed, where.canonical());
  const double share = r.trials ? 100.0 * static_cast<double>(r.matches) / static_cast<double>(r.trials) : 0.0;
  // Four decimals below 0.1%: 3 in 100,000 must not read as 0.00%.
  const std::string percent = share > 0 && share < 0.1 ? fmt::format("{:.4f}%", share) : fmt::format("{:.2f}%", share);
  out += fmt::format("  {} of {} trials match ({}); {} failure events\n", r.matches, r.trials, percent,
                     r.failure_events);
  if (r.matches == 0) {
    out += "  no trial matches; try more --trials or another --where\n";
  } else if (!r.indices.empty()) {
    out += fmt::format("  first {}: {}\n\n", r.indices.size(), fmt::join(r.indices, " "));
    out += fmt::format("replay the first: {}\n", replay_command(a.source, t, r.indices.front()));
  }
  print_text(out);
  if (!a.shrink_path.empty()) {
    if (r.indices.empty()) throw std::runtime_error("--shrink: no matching trial to shrink");
    shrink_and_write(t, r.indices.front(), where, a.shrink_path);
  }
  return kExitOk;
}

std::string metric_help() {
  std::string s;
  for (const sim::TrialMetricInfo& m : sim::trial_metric_infos())
    s += fmt::format("  {:<28} {}\n", m.name, m.description);
  return s;
}

}  // namespace

void add_find_command(CLI::App& app, Action& action) {
  auto args = std::make_shared<FindArgs>();
  CLI::App* cmd = app.add_subcommand(
      "find",
      "Scan a scenario's trials for those whose metrics satisfy an expression, and print how many\n"
      "match and the smallest matching trial indices (the same for any --threads), ready for\n"
      "`coordsim replay`.\n\n"
      "EXPR: metric names, numbers, comparisons (< <= > >= == !=), arithmetic (+ - * /), && || !\n"
      "and parentheses. `!` binds looser than a comparison: `!analyses>1` is `!(analyses>1)`. A bare\n"
      "value is true when not 0. Metrics of one trial:\n" +
          metric_help() +
          "\nExamples:\n"
          "  coordsim find scenarios/seed-reproduction.json --where 'analyses>1'\n"
          "  coordsim find scenarios/aprapipes-production.json --strategy seed-lowest --where 'duplicate'\n"
          "  coordsim find s.json --where 'misses>0 && api_calls<20' --limit 3 --trials 1000000\n"
          "  coordsim find s.json --where 'duplicate && min_gap_s > 5' --json found.json\n"
          "  coordsim find s.json --where 'analyses>2' --shrink small.json   # then: coordsim run small.json");
  args->source.add_to(cmd, "Trials to scan: indices 0 to N-1 (default: the scenario's `trials`)");
  cmd->add_option("--where,-w", args->where, "Predicate over a trial's metrics, e.g. 'analyses>1'")->required();
  cmd->add_option("--limit,-l", args->limit, "Matching indices to print, smallest first")
      ->transform(unsigned_in(0, std::uint64_t{1} << 20, range_description(std::size_t{0}, std::size_t{1} << 20)))
      ->capture_default_str();
  cmd->add_option("--threads,-j", args->threads, "Worker threads (default: all cores); the output does not depend on it")
      ->transform(integer_in(0, 1024, range_description(0, 1024)));
  cmd->add_option("--json", args->json_path, "Write the result as JSON to FILE ('-' for stdout)");
  cmd->add_option("--shrink", args->shrink_path,
                  "Reduce the first matching trial to a minimal reproduction (constant distributions, fewer flavors, "
                  "simpler values) that still satisfies EXPR, written as a standalone scenario to FILE");
  cmd->callback([args, &action] { action = [args] { return find(*args); }; });
}

}  // namespace coordsim::cli
