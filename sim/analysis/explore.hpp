#pragma once
// Exhaustive exploration of a scenario's bounded draws (`coordsim explore`):
// every random draw of a trial becomes a choice point among the grid values of
// its distribution (sim/choice_oracle.hpp), and a depth-first search over
// choice sequences re-executes the trial once per combination (stateless
// model checking, as CHESS or Coyote do for thread schedules). Either no
// combination satisfies the predicate (a proof over the grid), or the first
// one in search order does (a counterexample), or the budget ran out first.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "agent/protocol.hpp"
#include "sim/analysis/predicate.hpp"
#include "sim/engine/replay.hpp"
#include "sim/input/scenario_file.hpp"

namespace coordsim::sim {

struct ExploreOptions {
  int grid = 3;                           // values per bounded draw: min, max and grid - 2 between
  std::int64_t max_schedules = 1000000;   // budget of runs
  bool prune_settled = true;              // freeze draws made after the predicate is settled
  bool record_schedules = false;          // keep every run's drawn values (tests)
  int max_faults = -1;                    // faults a run may have (< 0: any number; sim/random/choice_oracle.hpp)
};

// One draw of a run, for people: where it comes from and what it was.
struct ExploredDraw {
  std::string what;  // JSON pointer of its distribution, or the probability it decides
  double value = 0;
  int option = 0;    // index among its options (ascending values; "does not happen" first)
  int options = 1;
};

enum class ExploreVerdict { proved, counterexample, budget_exhausted };

struct ExploreResult {
  ExploreVerdict verdict = ExploreVerdict::proved;
  std::int64_t schedules = 0;  // runs executed
  // At least this many further schedules were covered without being run:
  // siblings of draws frozen because the predicate was already settled.
  std::int64_t pruned = 0;
  bool settled_pruning = false;  // whether that pruning applied (why not: `pruning_note`)
  std::string pruning_note;
  std::size_t max_choice_points = 0;  // most choice points in one run
  double seconds = 0;
  std::vector<int> counterexample_choices;  // option per choice point, replayable with replay_schedule
  std::vector<ExploredDraw> counterexample;
  std::optional<TrialReplay> replay;             // of the counterexample, recorded
  std::vector<int> stopped_at;                   // budget: the next prefix that would have run
  std::vector<std::vector<double>> all_schedules;  // record_schedules: each run's values, in search order
};

// Throws InputError naming the JSON pointer of the first distribution that
// `explore` cannot enumerate (unbounded), and for a grid below 2.
void check_explorable(const ScenarioFile& scenario, int grid);

ExploreResult explore(const ScenarioFile& scenario, const agent::ProtocolConfig& protocol, const Predicate& where,
                      const ExploreOptions& options);

// Runs one schedule again, recorded: the options chosen per choice point (the
// first option beyond them).
TrialReplay replay_schedule(const ScenarioFile& scenario, const agent::ProtocolConfig& protocol,
                            const std::vector<int>& choices, int grid, int max_faults = -1);

}  // namespace coordsim::sim
