#pragma once
// A scenario as a file carries it: the Scenario the engine runs, plus what only
// the tools read — where it came from, its description, the `expect` block for
// `coordsim check`, report settings, and the validated JSON document (after
// --set overrides) that reports echo and shrunk counterexamples are written from.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/input/expectation.hpp"
#include "sim/scenario/scenario.hpp"

namespace coordsim::sim {

struct ScenarioFile : Scenario {
  std::string description;
  std::string source;  // file it came from, or "<embedded>"
  double failures_per_year = 100;         // `report.failures_per_year`
  // Runner time's price per flavor index: `report.usd_per_runner_minute`,
  // overridden per flavor by `report.usd_per_runner_minute_by_flavor`.
  // Empty when the scenario prices no runner time (reports then show no
  // runner cost and compare protocols on the LLM's alone).
  std::vector<double> usd_per_runner_minute;
  std::vector<Expectation> expectations;  // the `expect` block
  nlohmann::json document;
};

}  // namespace coordsim::sim
