#pragma once
// Internal to the scenario loader: the embedded schema
// (scenarios/scenario.schema.json) and validation against it.
#include <optional>

#include <nlohmann/json.hpp>

#include "sim/input/document_pointer.hpp"

namespace coordsim::sim::loader {

// The embedded schema, parsed once and kept for the program.
const nlohmann::json& schema_document();

// The problem a user must fix first (the deepest one), worded from the schema
// (SchemaReader); nullopt when `doc` is valid.
std::optional<Problem> find_problem(const nlohmann::json& doc);

}  // namespace coordsim::sim::loader
