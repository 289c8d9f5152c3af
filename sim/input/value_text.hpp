#pragma once
// Internal to the scenario loader: how values, bounds and near misses read in
// an error message.
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace coordsim::sim::loader {

// A string value as JSON text, cut to 60 characters.
std::string quoted(const nlohmann::json& string_value);

// How a value is named after "got": with its type when the type is the problem.
std::string got(const nlohmann::json& v, bool with_type);

// Schema bounds read as "0", "2147483647" and "1e9", not "0.000000" or "1e+09".
std::string number_text(const nlohmann::json& n);

// " (did you mean \"x\"?)" for a near miss, so a typo is a one-glance fix.
std::string suggestion(std::string_view wrong, const std::vector<std::string>& candidates);

std::string join(const std::vector<std::string>& items, std::string_view separator);

}  // namespace coordsim::sim::loader
