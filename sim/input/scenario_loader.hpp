#pragma once
// Reading scenarios: JSON text -> --set overrides -> JSON Schema validation
// (scenarios/scenario.schema.json, embedded in the binary) -> semantic checks
// -> Scenario with every default filled in.
//
// Every error is an InputError whose message starts with where the problem is,
// so a user can go straight to it:
//   "scenarios/x.json: /agent/find_attempts: expected an integer in [1, 2147483647], got -2"
//   "scenarios/x.json: line 4, column 3: invalid JSON: ..."
//   "--set agent.find_attempts: expected PATH=VALUE, ..."
// An error in a value that came from --set says so: "... (from --set PATH=VALUE)".
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/input/input_error.hpp"
#include "sim/input/scenario_file.hpp"

namespace coordsim::sim {

// The name a scenario built into the binary reports as its source.
inline constexpr const char* kEmbeddedSource = "<embedded>";

// Loads, applies `sets` (in order, see apply_set), validates, then converts.
// Throws InputError naming the file (and strerror) when it cannot be read.
ScenarioFile load_scenario_file(const std::string& path, const std::vector<std::string>& sets = {});
// The same for text already in memory; `source` names it in errors.
ScenarioFile load_scenario_text(std::string_view text, const std::string& source,
                            const std::vector<std::string>& sets = {});
// The built-in seed reproduction scenario (scenarios/seed-reproduction.json).
ScenarioFile load_default_scenario(const std::vector<std::string>& sets = {});

// Applies one "PATH=VALUE" override. PATH is dotted ("agent.post_create_wait_s",
// "workload.flavors.0") or a JSON pointer ("/agent/post_create_wait_s"); a last
// segment "-" appends to an array. VALUE is parsed as JSON when it is valid JSON
// (3, 0.5, true, [1,2], {"dist":"uniform","min":1,"max":2}, "\"3\"") and is
// otherwise a plain string (seed-lowest). Missing objects on the way are
// created, so a field left at its default can be set; a misspelt field is then
// caught by validation. Throws InputError naming the --set argument for a
// missing '=', an empty path or segment, a number used on something that is not
// an array, an index out of range, or a path through a scalar.
void apply_set(nlohmann::json& doc, std::string_view assignment);

// Converts a document that passed schema validation, with the semantic checks
// the schema cannot express (distribution parameters, ranges of C++ types).
// Exposed for tests; `source` prefixes error messages.
ScenarioFile scenario_from_json(const nlohmann::json& doc, const std::string& source);

// Validates `doc` against the embedded schema; throws the InputError a load
// would ("SOURCE: /pointer: expected ..., got ...").
void validate_scenario(const nlohmann::json& doc, const std::string& source);

// The embedded JSON Schema, parsed (for `coordsim schema` and tests).
const nlohmann::json& scenario_schema();

}  // namespace coordsim::sim
