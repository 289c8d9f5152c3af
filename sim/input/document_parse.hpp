#pragma once
// Internal to the scenario loader: JSON text to a document, with errors that
// say where (line and column, or the pointer of a duplicated key).
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "sim/input/json_text.hpp"

namespace coordsim::sim::loader {

// Throws InputError "SOURCE: line L, column C: invalid JSON: ..." or
// "SOURCE: /pointer: duplicate field ...".
// Refuses text nested deeper than max_depth
// or holding a number out of a double's range, before building anything.
nlohmann::json parse_document(std::string_view text, const std::string& source, int max_depth = kMaxJsonDepth);

}  // namespace coordsim::sim::loader
