#pragma once
// What replay, find and shrink share: which scenario, seed, strategy and
// overrides address a trial, loading them, and the command that replays one.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "agent/protocol.hpp"
#include "sim/analysis/predicate.hpp"
#include "sim/input/scenario_file.hpp"

namespace coordsim::cli {

struct TrialSource {
  std::string scenario;  // empty: the built-in seed reproduction
  std::optional<std::uint64_t> seed;
  std::optional<std::int64_t> trials;
  std::vector<std::string> sets;
  std::string strategy;

  // SCENARIO, --seed, --trials, --set, --strategy. `trials_help` says what
  // --trials bounds for this command.
  void add_to(CLI::App* cmd, const std::string& trials_help);
};

struct LoadedTrials {
  sim::ScenarioFile scenario;
  agent::ProtocolConfig protocol;
  std::string strategy;  // its name
  std::uint64_t seed = 0;
  std::int64_t trials = 0;
};

// Throws InputError for a bad scenario or strategy.
LoadedTrials load_trials(const TrialSource& source);

// "coordsim replay SCENARIO --trial K --seed S [--strategy X] [--set ...]": the
// exact command that shows trial `index` again.
std::string replay_command(const TrialSource& source, const LoadedTrials& loaded, std::uint64_t index);

// Shrinks trial `index` to a constant scenario that keeps `where`, writes it
// to `path` and prints what was kept and how to replay it.
void shrink_and_write(const LoadedTrials& loaded, std::uint64_t index, const sim::Predicate& where,
                      const std::string& path);

}  // namespace coordsim::cli
