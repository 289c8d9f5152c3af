// `coordsim check`: CI gate over scenarios' `expect` blocks.
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "cli/progress.hpp"
#include "cli/number_options.hpp"
#include "cli/terminal_text.hpp"
#include "sim/analysis/baseline.hpp"
#include "sim/analysis/check.hpp"
#include "sim/analysis/check_annotations.hpp"
#include "sim/input/input_error.hpp"
#include "sim/input/json_text.hpp"
#include "sim/output/workflow_command.hpp"
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
  bool append = false;
  std::string baseline_path;
  double tolerance = 0.05;
};

// Every report, then the text; a report that cannot be written is exit 4,
// whatever the verdicts were: the job must not pass or fail on a verdict
// nobody can read.
void write_reports(const CheckArgs& a, const std::vector<sim::ScenarioCheck>& checks,
                   const std::vector<sim::RunComparison>* comparisons, const sim::CompareOptions& compare) {
  if (!a.junit_path.empty()) write_file_atomically(a.junit_path, sim::check_junit(checks));
  if (!a.markdown_path.empty()) {
    std::string md = sim::check_markdown(checks);
    if (comparisons) md += sim::comparison_markdown(*comparisons, compare);
    if (a.append || is_step_summary(a.markdown_path)) append_file(a.markdown_path, md);
    else write_file_atomically(a.markdown_path, md);
  }
  if (!a.json_path.empty()) {
    nlohmann::json j = sim::check_json(checks);
    for (std::size_t i = 0; i < checks.size(); ++i) sim::add_baseline_fields(j[i], checks[i]);
    write_file_atomically(a.json_path, json_text(j));
  }
  if (a.json_path != "-" && a.markdown_path != "-" && a.junit_path != "-") {
    std::string text = sim::check_text(checks);
    if (comparisons) text += sim::comparison_text(*comparisons, compare);
    // Workflow commands are read from stdout; the runner turns them into annotations.
    if (sim::in_github_actions()) text += sim::check_annotations(checks);
    print_text(text);
  }
}

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
  check_writable(a.junit_path, "--junit");
  check_writable(a.markdown_path, "--markdown");
  check_writable(a.json_path, "--json");
  std::optional<std::vector<sim::RunNumbers>> baseline;
  if (!a.baseline_path.empty())
    baseline = sim::read_baseline(sim::parse_json_text(sim::read_input_file(a.baseline_path, "baseline file"),
                                                       a.baseline_path),
                                  a.baseline_path);

  sim::CheckOptions options;
  options.trials = a.trials;
  options.max_trials = a.max_trials;
  options.seed = a.seed;
  options.threads = a.threads;
  std::vector<sim::ScenarioCheck> checks;
  std::optional<Progress> progress(std::in_place, "check", 0);
  try {
    for (const sim::ScenarioFile& s : scenarios) {
      agent::ProtocolConfig protocol = s.protocol;
      if (strategy) protocol.strategy = *strategy;
      checks.push_back(sim::check_scenario(s, protocol, options));
    }
  } catch (const sim::InputError&) {
    throw;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "coordsim: error: the check could not run: %s\n", printable(e.what()).c_str());
    return kExitCheckError;
  }
  progress.reset();
  sim::CompareOptions compare;
  compare.tolerance = a.tolerance;
  std::vector<sim::RunComparison> comparisons;
  if (baseline) {
    std::vector<sim::RunNumbers> current;
    for (const sim::ScenarioCheck& c : checks) current.push_back(sim::run_numbers(c));
    comparisons = sim::compare_all(*baseline, current, compare);
  }
  try {
    write_reports(a, checks, baseline ? &comparisons : nullptr, compare);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "coordsim: error: %s\n", printable(e.what()).c_str());
    return kExitCheckError;
  }

  const sim::CheckTotals totals = sim::check_totals(checks);
  if (totals.failed > 0 || sim::any_regression(comparisons)) return kExitCheckFailed;
  if (totals.inconclusive > 0) {
    std::fputs("coordsim: inconclusive after the trial cap; raise --max-trials or widen the bound\n", stderr);
    return kExitCheckInconclusive;
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
      "Exit 0: every expectation passes; 1: one fails (or a significant regression against --baseline);\n"
      "2: bad input; 3: inconclusive at the trial cap; 4: a report could not be written (docs/ci.md).\n\n"
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
  cmd->add_option("--markdown", args->markdown_path,
                  "Write a Markdown summary to FILE; appended when FILE is $GITHUB_STEP_SUMMARY (or with --append)");
  cmd->add_flag("--append", args->append, "Append the Markdown summary to FILE instead of replacing it");
  cmd->add_option("--baseline", args->baseline_path,
                  "A `check --json` of the baseline (e.g. main's): fail on a significant regression per metric")
      ->check(CLI::ExistingFile);
  cmd->add_option("--tolerance", args->tolerance,
                  "Regression tolerance with --baseline, relative to the baseline's value (default 0.05)")
      ->transform(number_in(0, 100, "a fraction >= 0, e.g. 0.05"));
  cmd->add_option("--json", args->json_path, "Write the verdicts as JSON to FILE ('-' for stdout)");
  cmd->callback([args, &action] { action = [args] { return check(*args); }; });
}

}  // namespace coordsim::cli
