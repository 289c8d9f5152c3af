#include "cli/trial_args.hpp"

#include <cstdio>

#include <spdlog/fmt/fmt.h>

#include "cli/assumption_warnings.hpp"
#include "cli/commands.hpp"
#include "cli/number_options.hpp"
#include "cli/progress.hpp"
#include "cli/terminal_text.hpp"
#include "sim/analysis/shrink.hpp"
#include "sim/input/input_error.hpp"
#include "sim/input/scenario_loader.hpp"

namespace coordsim::cli {

void TrialSource::add_to(CLI::App* cmd, const std::string& trials_help) {
  cmd->add_option("scenario", scenario,
                  "Scenario JSON file (default: the built-in seed reproduction, scenarios/seed-reproduction.json)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--seed,-s", seed, "RNG seed (default: the scenario's `seed`)")->transform(any_uint64());
  cmd->add_option("--trials,-n", trials, trials_help)->transform(trial_count());
  cmd->add_option("--set", sets,
                  "Override a scenario value by its JSON path, e.g. --set agent.post_create_wait_s=3; repeatable")
      ->type_name("PATH=VALUE");
  cmd->add_option("--strategy", strategy, "Protocol to run, overriding agent.strategy: " + agent::strategy_names());
}

LoadedTrials load_trials(const TrialSource& a) {
  LoadedTrials t;
  t.scenario = a.scenario.empty() ? sim::load_default_scenario(a.sets) : sim::load_scenario_file(a.scenario, a.sets);
  t.protocol = t.scenario.protocol;
  if (!a.strategy.empty()) {
    const auto s = agent::parse_strategy(a.strategy);
    if (!s)
      throw sim::InputError("--strategy", "unknown strategy \"" + a.strategy + "\"; expected one of " +
                                              agent::strategy_names());
    t.protocol.strategy = *s;
  }
  t.strategy = std::string(agent::strategy_name(t.protocol.strategy));
  warn_broken_assumptions(t.scenario, t.protocol);
  t.seed = a.seed.value_or(t.scenario.seed);
  t.trials = a.trials.value_or(t.scenario.trials);
  return t;
}

namespace {
// Quotes an argument for a POSIX shell when it needs it.
std::string shell_quote(const std::string& s) {
  if (!s.empty() && s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./=:,+@%") ==
                        std::string::npos)
    return s;
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}
}  // namespace

std::string replay_command(const TrialSource& source, const LoadedTrials& loaded, std::uint64_t index) {
  std::string cmd = "coordsim replay";
  if (!source.scenario.empty()) cmd += " " + shell_quote(source.scenario);
  cmd += " --trial " + std::to_string(index);
  if (loaded.seed != loaded.scenario.seed) cmd += " --seed " + std::to_string(loaded.seed);
  if (!source.strategy.empty()) cmd += " --strategy " + shell_quote(source.strategy);
  for (const std::string& s : source.sets) cmd += " --set " + shell_quote(s);
  // The trial must lie under --trials for replay to accept it.
  if (static_cast<std::int64_t>(index) >= loaded.scenario.trials) cmd += " --trials " + std::to_string(loaded.trials);
  return cmd;
}

void shrink_and_write(const LoadedTrials& t, std::uint64_t index, const sim::Predicate& where,
                      const std::string& path) {
  const sim::ShrinkResult r = [&] {
    const Progress progress("shrink", 0, "scenarios");
    return sim::shrink_trial(t.scenario, t.protocol, t.seed, index, where);
  }();
  write_file_atomically(path, json_text(r.scenario));
  if (path == "-") return;
  std::string out = fmt::format(
      "\nshrunk trial {} of {} ({}): {} failing flavor(s) -> {}, constant distributions, still `{}` "
      "({} scenarios tried)\n",
      index, t.scenario.name, t.strategy, r.flavors_before, r.flavors_after, where.text(), r.evaluations);
  for (const std::string& step : r.steps) out += "  " + step + "\n";
  out += fmt::format("wrote {}; replay it: coordsim replay {} --trial 0\n", path, shell_quote(path));
  print_text(out);
}

}  // namespace coordsim::cli
