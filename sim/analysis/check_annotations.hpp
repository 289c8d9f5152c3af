#pragma once
// `coordsim check` under GitHub Actions: one annotation per failed bound
// (::error) and per inconclusive one (::warning), on the scenario file, so a
// pull request shows which guarantee broke without opening the log.
#include <string>
#include <vector>

#include "sim/analysis/check.hpp"

namespace coordsim::sim {

std::string check_annotations(const std::vector<ScenarioCheck>& checks);

}  // namespace coordsim::sim
