#pragma once
// Internal to the scenario loader: places in a scenario document as JSON
// pointers, and errors located at them that say so when a --set override,
// rather than the file, put the value there.
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sim/input/input_error.hpp"

namespace coordsim::sim::loader {

struct Problem {
  std::string pointer;  // JSON pointer into the document, "" for the root
  std::string message;
};

// Which document locations the --set overrides wrote, so an error there can say
// it came from the command line rather than the file.
using SetLog = std::vector<std::pair<std::string, std::string>>;  // pointer, assignment

std::string child(const std::string& pointer, std::string_view token);
std::string child(const std::string& pointer, std::size_t index);

// The root's pointer is the empty string, which would vanish from a message.
std::string display(const std::string& pointer);

bool starts_with(std::string_view s, std::string_view prefix);

// `message` with " (from --set ...)" when an override wrote at, above or below `pointer`.
std::string annotate(std::string message, const std::string& pointer, const SetLog& sets);

// Throws the InputError "SOURCE: /pointer: message", annotated.
[[noreturn]] void fail(const std::string& source, const std::string& pointer,
                       const std::string& message, const SetLog& sets);

// InputError's what() is "where: message"; this recovers the message.
std::string message_of(const InputError& e);

}  // namespace coordsim::sim::loader
