#pragma once
// Internal to the scenario loader: JSON text to a document, with errors that
// say where (line and column, or the pointer of a duplicated key).
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace coordsim::sim::loader {

// Throws InputError "SOURCE: line L, column C: invalid JSON: ..." or
// "SOURCE: /pointer: duplicate field ...".
nlohmann::json parse_document(std::string_view text, const std::string& source);

}  // namespace coordsim::sim::loader
