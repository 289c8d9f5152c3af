// `coordsim run`: Monte-Carlo trials of one scenario.
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "cli/assumption_warnings.hpp"
#include "cli/commands.hpp"
#include "cli/progress.hpp"
#include "cli/number_options.hpp"
#include "cli/terminal_text.hpp"
#include "sim/analysis/determinism.hpp"
#include "sim/engine/run_trials.hpp"
#include "sim/input/input_error.hpp"
#include "sim/input/scenario_loader.hpp"
#include "sim/output/compare.hpp"
#include "sim/output/report.hpp"

namespace coordsim::cli {

namespace {

struct RunArgs {
  std::string scenario;
  std::optional<std::int64_t> trials;
  std::optional<std::uint64_t> seed;
  int threads = 0;
  std::string json_path;
  std::string markdown_path;
  std::vector<std::string> sets;
  std::string strategy;
  std::optional<double> failures_per_year;
  bool check_determinism = false;
};

// Every protocol on the same trials: the trial streams do not depend on the
// protocol, so this is common random numbers by construction.
int compare(const RunArgs& a, const sim::ScenarioFile& scenario, const sim::RunOptions& options,
            const std::vector<agent::Strategy>& strategies) {
  std::vector<sim::RunReport> runs;
  std::vector<agent::ProtocolConfig> protocols(strategies.size(), scenario.protocol);
  runs.reserve(strategies.size());
  Progress progress("run", options.trials * static_cast<std::int64_t>(strategies.size()));
  for (std::size_t i = 0; i < strategies.size(); ++i) {
    protocols[i].strategy = strategies[i];
    warn_broken_assumptions(scenario, protocols[i]);
    spdlog::info("running {} trials of {} ({}) with strategy {}", options.trials, scenario.name, scenario.source,
                 agent::strategy_name(strategies[i]));
    runs.push_back(sim::RunReport{scenario, std::string(agent::strategy_name(strategies[i])), options,
                                  sim::run_trials(scenario, protocols[i], options),
                                  a.failures_per_year.value_or(scenario.failures_per_year)});
  }
  if (!a.json_path.empty()) write_file_atomically(a.json_path, json_text(sim::comparison_json(runs)));
  if (!a.markdown_path.empty()) write_file_atomically(a.markdown_path, sim::comparison_markdown(runs));
  if (a.json_path != "-" && a.markdown_path != "-") print_text(sim::comparison_text(runs));
  return kExitOk;
}

int run(const RunArgs& a) {
  sim::ScenarioFile scenario = a.scenario.empty() ? sim::load_default_scenario(a.sets)
                                              : sim::load_scenario_file(a.scenario, a.sets);
  agent::ProtocolConfig protocol = scenario.protocol;
  const std::vector<agent::Strategy> strategies =
      a.strategy.empty() ? std::vector{protocol.strategy} : sim::parse_strategy_list(a.strategy, "--strategy");
  sim::RunOptions options;
  options.trials = a.trials.value_or(scenario.trials);
  options.seed = a.seed.value_or(scenario.seed);
  options.threads = a.threads;

  if (strategies.size() > 1) return compare(a, scenario, options, strategies);
  protocol.strategy = strategies.front();
  warn_broken_assumptions(scenario, protocol);
  spdlog::info("running {} trials of {} ({}) with strategy {}", options.trials, scenario.name, scenario.source,
               agent::strategy_name(protocol.strategy));
  std::optional<Progress> progress(std::in_place, "run", options.trials);
  sim::RunReport report{scenario, std::string(agent::strategy_name(protocol.strategy)), options,
                        sim::run_trials(scenario, protocol, options),
                        a.failures_per_year.value_or(scenario.failures_per_year)};
  progress.reset();
  spdlog::info("done in {:.3f} s", report.result.wall_seconds);

  // Files first: if one cannot be written the user learns it before reading a summary.
  if (!a.json_path.empty()) write_file_atomically(a.json_path, json_text(sim::report_json(report)));
  if (!a.markdown_path.empty()) write_file_atomically(a.markdown_path, sim::report_markdown(report));
  const bool to_terminal = a.json_path != "-" && a.markdown_path != "-";
  if (to_terminal) print_text(sim::report_text(report));
  if (!a.check_determinism) return kExitOk;

  const sim::DeterminismCheck d = sim::check_run_determinism(scenario, protocol, options);
  if (!d.identical) {
    std::fprintf(stderr, "coordsim: determinism check failed: %s\n", printable(d.detail).c_str());
    return kExitFailure;
  }
  // Stays off stdout when a report goes there.
  std::fprintf(to_terminal ? stdout : stderr,
               "\n  determinism: %lld trials identical, event by event, on 1 and 2 threads and in reverse order (hash "
               "%016llx)\n",
               static_cast<long long>(d.trials), static_cast<unsigned long long>(d.hash));
  return kExitOk;
}

}  // namespace

void add_run_command(CLI::App& app, Action& action) {
  auto args = std::make_shared<RunArgs>();
  CLI::App* cmd = app.add_subcommand(
      "run",
      "Run Monte-Carlo trials of a scenario and report duplicate rate, miss rate, cost and latency.\n"
      "Without SCENARIO, runs the built-in reproduction of the reference system's local test\n"
      "(3 flavors, 1 s apart, `seed` protocol).\n\n"
      "Examples:\n"
      "  coordsim run\n"
      "  coordsim run scenarios/aprapipes-production.json --strategy seed-lowest --trials 100000\n"
      "  coordsim run scenarios/aprapipes-production.json --strategy all        # compare on the same trials\n"
      "  coordsim run scenarios/faults-lost-responses.json --strategy seed,ref-lock,scan-down\n"
      "  coordsim run scenarios/seed-reproduction.json --set agent.post_create_wait_s=10 --json out.json\n"
      "  coordsim run --trials 20000 --check-determinism\n\n"
      "The report lists the smallest trial indices of each outcome (duplicate, miss, clean);\n"
      "`coordsim replay SCENARIO --trial K` shows one as a timeline.");
  cmd->add_option("scenario", args->scenario, "Scenario JSON file (see scenarios/ and docs/scenarios.md)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--trials,-n", args->trials, "Number of trials (default: the scenario's `trials`)")
      ->transform(trial_count());
  cmd->add_option("--seed,-s", args->seed, "RNG seed (default: the scenario's `seed`)")->transform(any_uint64());
  cmd->add_option("--threads,-j", args->threads,
                  "Worker threads (default: all cores); the output does not depend on it")
      ->transform(integer_in(0, 1024, range_description(0, 1024)));
  cmd->add_option("--json", args->json_path, "Write the metrics as JSON to FILE ('-' for stdout)");
  cmd->add_option("--markdown", args->markdown_path, "Write a Markdown report to FILE ('-' for stdout)");
  cmd->add_option("--set", args->sets,
                  "Override a scenario value by its JSON path, e.g. --set agent.post_create_wait_s=3 "
                  "(VALUE is JSON if it parses as JSON, else a string); repeatable")
      ->type_name("PATH=VALUE");
  cmd->add_option("--strategy", args->strategy,
                  "Protocol to run, overriding agent.strategy: " + agent::strategy_names() +
                      ". Several (a,b,c) or `all` run every one on the same trials and print one comparison "
                      "table; the JSON then has one block per protocol under \"protocols\"")
      ->type_name("S[,S...]|all");
  cmd->add_option("--failures-per-year", args->failures_per_year,
                  "Failure events per year for the yearly cost (default: the scenario's, else 100)")
      ->transform(non_negative_number("NONNEGATIVE"));
  cmd->add_flag("--check-determinism", args->check_determinism,
                "Then run the trials twice more, on 1 and on 2 threads, hashing every trial's event sequence, and "
                "fail (exit 1) naming the first trial and event that differ");
  cmd->callback([args, &action] { action = [args] { return run(*args); }; });
}

}  // namespace coordsim::cli
