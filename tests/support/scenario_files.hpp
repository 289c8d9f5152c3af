#pragma once
// A scenario built in code as the tools see a loaded file: for the tests of
// layers above sim/input (reports, check, replay), which take a ScenarioFile.
#include <utility>

#include "sim/input/scenario_file.hpp"

namespace coordsim::test {

inline sim::ScenarioFile as_file(sim::Scenario s) {
  sim::ScenarioFile f;
  static_cast<sim::Scenario&>(f) = std::move(s);
  f.source = "<test>";
  return f;
}

}  // namespace coordsim::test
