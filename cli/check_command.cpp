// `coordsim check`: CI gate over scenarios' `expect` blocks.
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "cli/number_options.hpp"
#include "cli/terminal_text.hpp"
#include "sim/analysis/check.hpp"
#include "sim/input/input_error.hpp"
#include "sim/input/scenario_loader.hpp"

namespace coordsim::cli {

namespace {

struct CheckArgs {
  std::vector<std::string> scenarios;
  std::optional<std::int64_t> trials;
  std::optional<std::int64_t> max_trials;
  std::optional<std::uint64_t> seed;
  int threads = 0;
  std::vector<std::string> sets;
  std::string strategy;
  std::string junit_path;
  std::string markdown_path;
  std::string json_path;
};

int check(const CheckArgs& a) {
  // Load everything first: a typo in the last file should not cost the first one's run.
  std::vector<sim::ScenarioFile> scenarios;
  for (const std::string& path : a.scenarios) scenarios.push_back(sim::load_scenario_file(path, a.sets));
  std::optional<agent::Strategy> strategy;
  if (!a.strategy.empty()) {
    strategy = agent::parse_strategy(a.strategy);
    if (!strategy)
      throw sim::InputError("--strategy", "unknown strategy \"" + a.strategy + "\"; expected one of " +
                                              agent::strategy_names());
  }
  if (a.trials && a.max_trials && *a.max_trials < *a.trials)
    throw sim::InputError("--max-trials", "must be at least --trials");

  sim::CheckOptions options;
  options.trials = a.trials;
  options.max_trials = a.max_trials;
  options.seed = a.seed;
  options.threads = a.threads;
  std::vector<sim::ScenarioCheck> checks;
  for (const sim::ScenarioFile& s : scenarios) {
    agent::ProtocolConfig protocol = s.protocol;
    if (strategy) protocol.strategy = *strategy;
    checks.push_back(sim::check_scenario(s, protocol, options));
  }

  if (!a.junit_path.empty()) write_file_atomically(a.junit_path, sim::check_junit(checks));
  if (!a.markdown_path.empty()) write_file_atomically(a.markdown_path, sim::check_markdown(checks));
  if (!a.json_path.empty()) write_file_atomically(a.json_path, json_text(sim::check_json(checks)));
  if (a.json_path != "-" && a.markdown_path != "-" && a.junit_path != "-")
    print_text(sim::check_text(checks));

  bool inconclusive = false;
  for (const auto& c : checks) {
    if (c.verdict() == sim::Verdict::fail) return kExitFailure;
    inconclusive |= c.verdict() == sim::Verdict::inconclusive;
  }
  if (inconclusive) {
    std::fputs("coordsim: inconclusive after the trial cap; raise --max-trials or widen the bound\n", stderr);
    return kExitBadInput;
  }
  return kExitOk;
}

}  // namespace

void add_check_command(CLI::App& app, Action& action) {
  auto args = std::make_shared<CheckArgs>();
  CLI::App* cmd = app.add_subcommand(
      "check",
      "Check scenarios' `expect` blocks (bounds on metrics) with statistical confidence: the CI gate\n"
      "for coordination guarantees. Adds trials while a verdict is inconclusive, up to --max-trials.\n"
      "Exit 0: every expectation passes; 1: one fails; 2: bad input, or inconclusive at the cap.\n\n"
      "Examples:\n"
      "  coordsim check scenarios/guarantees/*.json\n"
      "  coordsim check my.json --junit junit.xml --markdown \"$GITHUB_STEP_SUMMARY\"");
  cmd->add_option("scenarios", args->scenarios, "Scenario files with an `expect` block")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--trials,-n", args->trials, "Trials at the first look (default: each scenario's `trials`)")
      ->transform(trial_count());
  cmd->add_option("--max-trials", args->max_trials,
                  "Cap on trials while a verdict is inconclusive (default: 16 x the first look)")
      ->transform(trial_count());
  cmd->add_option("--seed,-s", args->seed, "RNG seed (default: each scenario's `seed`)")->transform(any_uint64());
  cmd->add_option("--threads,-j", args->threads, "Worker threads (default: all cores); results do not depend on it")
      ->transform(integer_in(0, 1024, range_description(0, 1024)));
  cmd->add_option("--set", args->sets, "Override a value in every scenario, e.g. --set agent.post_create_wait_s=3")
      ->type_name("PATH=VALUE");
  cmd->add_option("--strategy", args->strategy, "Protocol to run, overriding agent.strategy: " + agent::strategy_names());
  cmd->add_option("--junit", args->junit_path, "Write JUnit XML to FILE (one test case per scenario x expectation)");
  cmd->add_option("--markdown", args->markdown_path, "Write a Markdown summary to FILE (e.g. $GITHUB_STEP_SUMMARY)");
  cmd->add_option("--json", args->json_path, "Write the verdicts as JSON to FILE ('-' for stdout)");
  cmd->callback([args, &action] { action = [args] { return check(*args); }; });
}

}  // namespace coordsim::cli
