#pragma once
// GitHub's label names, as the simulator's model and `coordsim serve` both match
// them: a label is its name ignoring case ("Lock" is the label "lock", and an
// issue given "LOCK" shows the spelling the repository already has), and a name
// in a query (the list's comma-separated `labels`, a search's `label:`) ignores
// the spaces around it.
#include <string_view>

#include "sim/model/ascii_case.hpp"

namespace coordsim::sim {

inline bool same_label(std::string_view a, std::string_view b) noexcept { return iequals(a, b); }

// A query's name without the spaces around it.
inline std::string_view trim_label(std::string_view name) noexcept {
  const std::size_t first = name.find_first_not_of(' ');
  if (first == std::string_view::npos) return {};
  return name.substr(first, name.find_last_not_of(' ') - first + 1);
}

// Calls f(name) for each name of a comma-separated list ("a, b,,c": a, b, c);
// names empty once trimmed are not names.
template <class F>
void for_each_label(std::string_view list, F&& f) {
  while (!list.empty()) {
    const std::size_t comma = list.find(',');
    const std::string_view name = trim_label(list.substr(0, comma));
    list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
    if (!name.empty()) f(name);
  }
}

}  // namespace coordsim::sim
