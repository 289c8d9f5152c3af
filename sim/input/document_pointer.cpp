#include "sim/input/document_pointer.hpp"

#include "sim/input/json_pointer.hpp"

namespace coordsim::sim::loader {

std::string child(const std::string& pointer, std::string_view token) {
  return pointer + "/" + escape_pointer_token(token);
}

std::string child(const std::string& pointer, std::size_t index) {
  return pointer + "/" + std::to_string(index);
}

std::string display(const std::string& pointer) { return pointer.empty() ? "(root)" : pointer; }

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

std::string annotate(std::string message, const std::string& pointer, const SetLog& sets) {
  // The last override wins, as it is the one whose value is in the document.
  for (auto it = sets.rbegin(); it != sets.rend(); ++it) {
    const std::string& set = it->first;
    const bool related = pointer == set || starts_with(pointer, set + "/") ||
                         (!pointer.empty() && starts_with(set, pointer + "/"));
    if (related) return message + " (from --set " + it->second + ")";
  }
  return message;
}

void fail(const std::string& source, const std::string& pointer,
          const std::string& message, const SetLog& sets) {
  throw InputError(source + ": " + display(pointer), annotate(message, pointer, sets));
}

std::string message_of(const InputError& e) {
  std::string_view what = e.what();
  const std::string prefix = e.where() + ": ";
  if (!e.where().empty() && starts_with(what, prefix)) what.remove_prefix(prefix.size());
  return std::string(what);
}

}  // namespace coordsim::sim::loader
