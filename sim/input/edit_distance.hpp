#pragma once
// Levenshtein distance, for "did you mean" suggestions in error messages
// (scenario keys, predicate metric names).
#include <cstddef>
#include <string_view>

namespace coordsim::sim {

std::size_t edit_distance(std::string_view a, std::string_view b);

}  // namespace coordsim::sim
