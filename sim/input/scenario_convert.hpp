#pragma once
// Internal to the scenario loader: a validated document to a ScenarioFile,
// with every default filled in and the checks the schema cannot express
// (distribution parameters, ranges of C++ types).
#include <nlohmann/json.hpp>

#include "sim/input/scenario_file.hpp"

namespace coordsim::sim::loader {

// Throws InputError located by pointer only; the caller adds the source. Leaves
// `source` and `document` empty.
ScenarioFile convert(const nlohmann::json& doc);

}  // namespace coordsim::sim::loader
