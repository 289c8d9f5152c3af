// `coordsim explore`: every combination of a scenario's bounded draws at their
// extremes and grid points, searched for a schedule that satisfies a predicate
// (by default a duplicate or a miss): a proof over the grid, or the first
// counterexample as a replayable scenario.
#include <cstdio>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>
#include <spdlog/fmt/fmt.h>

#include "cli/commands.hpp"
#include "cli/number_options.hpp"
#include "cli/progress.hpp"
#include "cli/terminal_text.hpp"
#include "cli/trial_args.hpp"
#include "sim/analysis/explore.hpp"
#include "sim/analysis/predicate.hpp"
#include "sim/analysis/shrink.hpp"
#include "sim/input/input_error.hpp"
#include "sim/output/timeline.hpp"

namespace coordsim::cli {

namespace {

inline constexpr int kExitCounterexample = 3;  // a schedule satisfies the predicate
inline constexpr int kExitNotProved = 4;       // the budget ran out first: no proof either way

struct ExploreArgs {
  std::string scenario;
  std::vector<std::string> sets;
  std::string strategy;
  std::string where = "analyses>1 || misses>0";
  int grid = 3;
  std::int64_t max_schedules = 1000000;
  int max_faults = -1;  // any number
  bool no_prune = false;
  std::string out_path;
  std::string json_path;
};

std::string verdict_name(sim::ExploreVerdict v) {
  switch (v) {
    case sim::ExploreVerdict::proved: return "proved";
    case sim::ExploreVerdict::counterexample: return "counterexample";
    case sim::ExploreVerdict::budget_exhausted: return "budget_exhausted";
  }
  return "?";
}

int explore(const ExploreArgs& a) {
  const sim::Predicate where = sim::Predicate::parse(a.where, "--where");
  TrialSource source;
  source.scenario = a.scenario;
  source.sets = a.sets;
  source.strategy = a.strategy;
  const LoadedTrials t = load_trials(source);
  check_writable(a.out_path, "--out");
  check_writable(a.json_path, "--json");

  sim::ExploreOptions options;
  options.grid = a.grid;
  options.max_schedules = a.max_schedules;
  options.prune_settled = !a.no_prune;
  options.max_faults = a.max_faults;
  const sim::ExploreResult r = [&] {
    // Up to max_schedules, but a proof may finish long before: no ETA.
    const Progress progress("explore", 0, "schedules");
    try {
      return sim::explore(t.scenario, t.protocol, where, options);
    } catch (const sim::InputError& e) {
      // A refused distribution is named by its JSON path; which file it is in
      // belongs in front, as the scenario loader's messages have it.
      if (e.where().empty() || e.where().front() != '/') throw;
      throw sim::InputError(t.scenario.source + ": " + e.where(), std::string(e.what()).substr(e.where().size() + 2));
    }
  }();

  // The counterexample as a standalone scenario: its draws become constants
  // (the shrink machinery), checked to still satisfy the predicate.
  std::optional<sim::ShrinkResult> shrunk;
  std::string shrink_error;
  if (r.verdict == sim::ExploreVerdict::counterexample && !a.out_path.empty()) {
    try {
      const Progress progress("shrink", 0, "scenarios");
      shrunk = sim::shrink_replay(
          t.scenario, t.protocol, *r.replay, where,
          fmt::format("explore counterexample, strategy {}, grid {}, schedule {}", t.strategy, a.grid, r.schedules));
      write_file_atomically(a.out_path, json_text(shrunk->scenario));
    } catch (const std::runtime_error& e) {
      shrink_error = e.what();
    }
  }

  if (!a.json_path.empty()) {
    nlohmann::json j;
    j["scenario"] = t.scenario.name;
    j["strategy"] = t.strategy;
    j["where"] = where.text();
    j["grid"] = a.grid;
    j["verdict"] = verdict_name(r.verdict);
    j["schedules"] = r.schedules;
    j["pruned_at_least"] = r.pruned;
    j["settled_pruning"] = r.settled_pruning;
    if (!r.settled_pruning) j["settled_pruning_off_because"] = r.pruning_note;
    j["max_choice_points"] = r.max_choice_points;
    j["seconds"] = r.seconds;
    j["max_schedules"] = a.max_schedules;
    j["max_faults"] = a.max_faults < 0 ? nlohmann::json(nullptr) : nlohmann::json(a.max_faults);
    if (r.verdict == sim::ExploreVerdict::counterexample) {
      nlohmann::json draws = nlohmann::json::array();
      for (const sim::ExploredDraw& d : r.counterexample)
        draws.push_back({{"what", d.what}, {"value", d.value}, {"option", d.option}, {"options", d.options}});
      j["counterexample"] = {{"draws", draws}, {"outcome", sim::outcome_class(r.replay->outcome)},
                             {"analyses", r.replay->outcome.analyses}};
      if (shrunk) j["counterexample"]["scenario"] = a.out_path;
    }
    write_file_atomically(a.json_path, json_text(j));
  }
  if (a.json_path != "-") {
    const std::string fault_budget =
        a.max_faults < 0 ? std::string() : fmt::format(" — at most {} fault{} a run", a.max_faults, a.max_faults == 1 ? "" : "s");
    std::string out = fmt::format("coordsim explore: {} — strategy {} — grid {}{} — where {}\n\n", t.scenario.name,
                                  t.strategy, a.grid, fault_budget, where.canonical());
    // Milliseconds below 0.1 s: a counterexample found at once must not read as 0.000 s.
    const std::string took =
        r.seconds < 0.1 ? fmt::format("{:.3f} ms", r.seconds * 1e3) : fmt::format("{:.2f} s", r.seconds);
    const std::string counts =
        fmt::format("{} schedule{}, {} pruned, {}", r.schedules, r.schedules == 1 ? "" : "s", r.pruned, took);
    const std::string pruning =
        r.settled_pruning ? "draws made after every failing flavor decided are not branched on"
                          : "no settled pruning (" + r.pruning_note + ")";
    switch (r.verdict) {
      case sim::ExploreVerdict::proved:
        out += fmt::format("proved: no schedule in the box satisfies `{}` ({})\n", where.text(), counts);
        out += fmt::format(
            "  every draw took each of its grid values ({} per bounded range, min and max included; each empirical "
            "sample; both outcomes of each probability in (0, 1)): a guarantee over these combinations, not over "
            "every value in between\n",
            a.grid);
        if (a.max_faults >= 0)
          out += fmt::format(
              "  runs with more than {} fault{} (server errors, spurious 422s, lost responses) were not explored: "
              "the proof assumes no more\n",
              a.max_faults, a.max_faults == 1 ? "" : "s");
        out += fmt::format("  up to {} draws per schedule; {}\n", r.max_choice_points, pruning);
        break;
      case sim::ExploreVerdict::counterexample: {
        out += fmt::format("counterexample: schedule {} satisfies `{}` ({})\n", r.schedules, where.text(), counts);
        out += "  its draws, in the order the trial made them (option/options, ascending values):\n";
        for (const sim::ExploredDraw& d : r.counterexample)
          if (d.options > 1) out += fmt::format("    {:<44} {:>12}   ({}/{})\n", d.what, d.value, d.option + 1, d.options);
        out += fmt::format("    (and {} draws with a single possible value)\n",
                           std::count_if(r.counterexample.begin(), r.counterexample.end(),
                                         [](const sim::ExploredDraw& d) { return d.options <= 1; }));
        const sim::TrialOutcome& o = r.replay->outcome;
        out += fmt::format("  outcome: {} — {} analyses by {} failing flavor(s), {} issue(s) created\n",
                           sim::outcome_class(o), o.analyses, o.failing_flavors, o.issues_created);
        break;
      }
      case sim::ExploreVerdict::budget_exhausted:
        out += fmt::format(
            "NOT a proof: the budget of {} schedule{} ran out before the search finished ({}).\n"
            "  None of the schedules run satisfies `{}`, but the rest of the box, from choice prefix [{}] on in "
            "search order, was not explored.\n  Raise --max-schedules, lower --grid, or narrow the ranges.\n",
            a.max_schedules, a.max_schedules == 1 ? "" : "s", counts, where.text(), fmt::join(r.stopped_at, " "));
        break;
    }
    if (shrunk) {
      out += fmt::format(
          "\nwrote {}: the counterexample with constant distributions ({} failing flavor(s) -> {}, still `{}`)\n",
          a.out_path, shrunk->flavors_before, shrunk->flavors_after, where.text());
      for (const std::string& step : shrunk->steps) out += "  " + step + "\n";
      out += fmt::format("replay it: coordsim replay {} --trial 0\n", a.out_path);
    } else if (r.verdict == sim::ExploreVerdict::counterexample && a.out_path.empty()) {
      out += "\nwrite it as a replayable scenario with --out FILE\n";
    }
    print_text(out);
  }
  if (!shrink_error.empty()) {
    std::fprintf(stderr, "coordsim: error: --out: %s\n", printable(shrink_error).c_str());
    return kExitFailure;
  }
  switch (r.verdict) {
    case sim::ExploreVerdict::proved: return kExitOk;
    case sim::ExploreVerdict::counterexample: return kExitCounterexample;
    case sim::ExploreVerdict::budget_exhausted: return kExitNotProved;
  }
  return kExitFailure;
}

}  // namespace

void add_explore_command(CLI::App& app, Action& action) {
  auto args = std::make_shared<ExploreArgs>();
  CLI::App* cmd = app.add_subcommand(
      "explore",
      "Try every combination of a scenario's random draws at the grid values of their ranges (min and max,\n"
      "plus evenly spaced points between with --grid > 2; every sample of an empirical distribution; both\n"
      "outcomes of a probability), depth first, one deterministic trial per combination. Either proves that\n"
      "no combination satisfies EXPR (default: a duplicate or a miss) or prints the first that does.\n"
      "Unbounded distributions (exponential, normal, lognormal) are refused: give them a uniform range.\n\n"
      "Exit status: 0 proved, 3 counterexample found, 4 budget (--max-schedules) exhausted: NOT a proof,\n"
      "2 bad input, 1 failure (e.g. --out could not be written).\n\n"
      "Examples:\n"
      "  coordsim explore scenarios/explore/ref-lock-box.json\n"
      "  coordsim explore scenarios/explore/seed-box.json --out counterexample.json   # then: coordsim run counterexample.json\n"
      "  coordsim explore scenarios/explore/seed-box.json --grid 2 --where 'duplicate' --max-schedules 100000 --json -\n"
      "  coordsim explore scenarios/explore/ref-lock-faults-box.json --max-faults 2   # a proof with faults");
  // Required: the built-in reproduction's lognormal draws are unbounded, which explore refuses.
  cmd->add_option("scenario", args->scenario, "Scenario JSON file with bounded draws (see scenarios/explore/)")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--set", args->sets,
                  "Override a scenario value by its JSON path, e.g. --set github.visibility_lag_s.list=3; repeatable")
      ->type_name("PATH=VALUE");
  cmd->add_option("--strategy", args->strategy, "Protocol to run, overriding agent.strategy: " + agent::strategy_names());
  cmd->add_option("--where,-w", args->where, "Predicate over a trial's metrics that a counterexample satisfies (as in find)")
      ->capture_default_str();
  cmd->add_option("--grid,-k", args->grid, "Values per bounded range: min, max and K-2 evenly spaced between")
      ->transform(integer_in(2, 100, range_description(2, 100)))
      ->capture_default_str();
  cmd->add_option("--max-schedules", args->max_schedules, "Budget of schedules to run; past it the answer is not a proof")
      ->transform(integer_in(1, std::int64_t{1} << 40, range_description(std::int64_t{1}, std::int64_t{1} << 40)))
      ->capture_default_str();
  cmd->add_option("--max-faults", args->max_faults,
                  "At most N faults (server errors, spurious 422s, lost responses) in a run: later fault draws do not\n"
                  "happen. A proof then holds under that assumption, e.g. N below the retry budget's attempts\n"
                  "(default: any number)")
      ->transform(integer_in(0, 1000, range_description(0, 1000)));
  cmd->add_flag("--no-prune", args->no_prune,
                "Branch on every draw, also those made after the predicate was settled (slower; same verdict)");
  cmd->add_option("--out,-o", args->out_path,
                  "Write the counterexample as a standalone scenario with constant distributions to FILE");
  cmd->add_option("--json", args->json_path, "Write the result as JSON to FILE ('-' for stdout)");
  cmd->callback([args, &action] { action = [args] { return explore(*args); }; });
}

}  // namespace coordsim::cli
