#pragma once
// Internal to the scenario loader: --set PATH=VALUE overrides (the rules are
// apply_set's, in scenario_loader.hpp).
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace coordsim::sim::loader {

// Applies one override to `doc` and returns the JSON pointer it wrote (with a
// last "-" replaced by the new index), for errors that name the --set.
std::string apply_set_at(nlohmann::json& doc, std::string_view assignment);

// The JSON pointer an override's PATH names, with no document at hand (a
// last "-" stays "-"). Throws the InputError apply_set_at would for a
// malformed assignment.
std::string set_pointer(std::string_view assignment);

}  // namespace coordsim::sim::loader
