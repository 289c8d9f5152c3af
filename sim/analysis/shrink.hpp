#pragma once
// Shrinking a failing trial to a minimal reproduction: a standalone scenario
// with constant distributions only (so every trial of it is the same trial),
// as few flavors as still fail, and values moved toward simple ones (0, whole
// seconds, one significant digit), that still satisfies the predicate.
//
// How: the trial's own draws (failure times, per-endpoint latencies, per-path
// visibility lags, analysis cost) become constants; since a scenario spaces
// failures evenly (flavor i at i * stagger), candidate staggers and lags are
// taken from what the trial drew (every read path's lag at its mean, smallest
// or largest draw). Faults, rate limits and agent death stay as the scenario
// has them, drawn from the written seed (other seeds are tried when the
// original's trial 0 does not keep the predicate). Every candidate is run
// from the document it would be written as, so the file holds everything the
// tested candidate had. From the first candidate that keeps the predicate,
// greedy passes drop flavors, faults, rate limits and deaths and simplify
// values, keeping each change only if the predicate still holds, until no
// change helps.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/protocol.hpp"
#include "sim/analysis/predicate.hpp"
#include "sim/input/scenario_file.hpp"

namespace coordsim::sim {

struct ShrinkResult {
  nlohmann::json scenario;  // standalone scenario document (validated)
  std::size_t flavors_before = 0;  // failing flavors in the original trial
  std::size_t flavors_after = 0;
  int evaluations = 0;             // constant scenarios tried
  std::vector<std::string> steps;  // the simplifications kept, in words
};

// Throws InputError when trial `index` does not satisfy `where`, and
// std::runtime_error when no constant scenario keeps it (the trial then
// depends on draws that differ from one call to the next).
ShrinkResult shrink_trial(const ScenarioFile& scenario, const agent::ProtocolConfig& protocol, std::uint64_t seed,
                          std::uint64_t index, const Predicate& where);

// The same from a recording already made (`coordsim explore` records its
// counterexample with its chosen draws). `origin` replaces "(strategy S, seed
// N, trial K)" in the written description when not empty.
struct TrialReplay;
ShrinkResult shrink_replay(const ScenarioFile& scenario, const agent::ProtocolConfig& protocol, const TrialReplay& r,
                           const Predicate& where, const std::string& origin = "");

}  // namespace coordsim::sim
