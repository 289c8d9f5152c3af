// `coordsim replay`: one trial as a timeline, optionally as a Chrome trace, and
// a check that replaying it is deterministic.
#include <cstdio>
#include <string>

#include <spdlog/fmt/fmt.h>

#include "cli/commands.hpp"
#include "cli/number_options.hpp"
#include "cli/terminal_text.hpp"
#include "cli/trial_args.hpp"
#include "sim/engine/replay.hpp"
#include "sim/input/input_error.hpp"
#include "sim/output/chrome_trace.hpp"
#include "sim/output/timeline.hpp"

namespace coordsim::cli {

namespace {

struct ReplayArgs {
  TrialSource source;
  std::uint64_t trial = 0;
  std::string trace_path;
  bool check_determinism = false;
  std::string shrink_path;
  std::string where;
};

// What a shrunk trial must keep: --where, or else the trial's own failure.
sim::Predicate shrink_predicate(const ReplayArgs& a, const sim::TrialReplay& r) {
  if (!a.where.empty()) return sim::Predicate::parse(a.where, "--where");
  if (r.outcome.duplicate) return sim::Predicate::parse("duplicate");
  if (r.outcome.miss) return sim::Predicate::parse("miss");
  throw sim::InputError("--shrink", fmt::format("trial {} is {}, not a duplicate or a miss; say what the shrunk "
                                                "scenario must keep with --where EXPR",
                                                r.index, sim::outcome_class(r.outcome)));
}

// Replays the trial on a fresh runner twice and once on a runner that ran
// other trials first (as Monte-Carlo workers reuse theirs); every recording
// must be the same event for event.
int check_determinism(const LoadedTrials& t, const sim::TrialReplay& first, std::FILE* out) {
  sim::TrialRunner reused(t.scenario, t.protocol);
  for (std::uint64_t k : {first.index + 1, first.index + 2}) (void)reused.run(t.seed, k);
  const sim::TrialReplay again[] = {sim::replay_trial(t.scenario, t.protocol, t.seed, first.index),
                                    sim::replay_trial(reused, t.scenario, t.seed, first.index)};
  const char* how[] = {"a second replay", "a replay on a reused runner"};
  for (int i = 0; i < 2; ++i) {
    const std::size_t d = sim::first_difference(first.events, again[i].events);
    if (d == std::string::npos) continue;
    std::fprintf(stderr, "coordsim: determinism: trial %llu differs in %s at event %zu:\n",
                 static_cast<unsigned long long>(first.index), how[i], d);
    const auto show = [&](const char* label, const sim::TrialReplay& r) {
      const std::string event = d < r.events.size() ? sim::describe_event(t.scenario, r.events[d]) : "(no more events)";
      std::fprintf(stderr, "  %s: %s\n", label, printable(event).c_str());
    };
    show("first ", first);
    show("second", again[i]);
    return kExitFailure;
  }
  // On stderr when stdout carries the trace.
  std::fprintf(out, "\ndeterminism: 3 replays identical (%zu events, hash %016llx)\n", first.events.size(),
               static_cast<unsigned long long>(first.hash));
  return kExitOk;
}

int replay(const ReplayArgs& a) {
  const LoadedTrials t = load_trials(a.source);
  if (a.trial >= static_cast<std::uint64_t>(t.trials))
    throw sim::InputError("--trial", fmt::format("trial {} is out of range: {} runs trials 0 to {} (--trials or the "
                                                 "scenario's `trials` is {})",
                                                 a.trial, t.scenario.name, t.trials - 1, t.trials));
  check_writable(a.trace_path, "--trace");
  check_writable(a.shrink_path, "--shrink");
  if (!a.where.empty()) (void)sim::Predicate::parse(a.where, "--where");  // bad input before any work

  const sim::TrialReplay r = sim::replay_trial(t.scenario, t.protocol, t.seed, a.trial);
  if (!a.trace_path.empty()) write_file_atomically(a.trace_path, sim::chrome_trace_json(t.scenario, t.strategy, r));
  if (a.trace_path != "-") {
    print_text(sim::timeline_text(t.scenario, t.strategy, r));
    print_text("\nreplay: " + replay_command(a.source, t, a.trial) + "\n");
  }
  if (a.check_determinism && check_determinism(t, r, a.trace_path == "-" ? stderr : stdout) != kExitOk)
    return kExitFailure;
  if (!a.shrink_path.empty()) shrink_and_write(t, a.trial, shrink_predicate(a, r), a.shrink_path);
  return kExitOk;
}

}  // namespace

void add_replay_command(CLI::App& app, Action& action) {
  auto args = std::make_shared<ReplayArgs>();
  CLI::App* cmd = app.add_subcommand(
      "replay",
      "Replay one trial of a scenario as a timeline: virtual time, what each flavor's agent did and\n"
      "saw, when each write became visible on each read path, and the outcome. A trial is addressed\n"
      "by (scenario, seed, trial index) and is exactly the trial `coordsim run` counted; `run` and\n"
      "`find` print the indices of duplicate, miss and clean trials.\n\n"
      "Examples:\n"
      "  coordsim replay scenarios/seed-reproduction.json --trial 0\n"
      "  coordsim replay scenarios/aprapipes-production.json --trial 12 --strategy seed-lowest \\\n"
      "      --trace trial12.json          # open in https://ui.perfetto.dev\n"
      "  coordsim replay --trial 3 --set agent.post_create_wait_s=10 --check-determinism\n"
      "  coordsim replay scenarios/aprapipes-production.json --trial 0 --shrink small.json\n"
      "      # then: coordsim run small.json    (every trial of it duplicates)");
  args->source.add_to(cmd, "Trials the scenario has: --trial must be below it (default: the scenario's `trials`)");
  // A trial index lies under --trials, itself at most 2^40.
  cmd->add_option("--trial,-k", args->trial, "Index of the trial to replay (0-based)")
      ->required()
      ->transform(unsigned_in(0, static_cast<std::uint64_t>(kMaxTrials) - 1));
  cmd->add_option("--trace", args->trace_path,
                  "Also write the trial as Chrome trace-event JSON to FILE (Perfetto, chrome://tracing); '-' for "
                  "stdout instead of the timeline");
  cmd->add_flag("--check-determinism", args->check_determinism,
                "Replay the trial twice more (once on a runner reused from other trials) and fail (exit 1) at the "
                "first event that differs");
  cmd->add_option("--shrink", args->shrink_path,
                  "Also reduce the trial to a minimal reproduction: a standalone scenario with constant distributions, "
                  "fewer flavors and simpler values that still duplicates (or misses, or satisfies --where), written "
                  "to FILE");
  cmd->add_option("--where,-w", args->where,
                  "With --shrink: what the shrunk scenario must keep (a `coordsim find` expression); default: the "
                  "trial's duplicate or miss")
      ->needs("--shrink");
  cmd->callback([args, &action] { action = [args] { return replay(*args); }; });
}

}  // namespace coordsim::cli
