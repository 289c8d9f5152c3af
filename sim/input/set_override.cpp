#include "sim/input/set_override.hpp"

#include <algorithm>
#include <charconv>
#include <optional>
#include <system_error>
#include <utility>
#include <vector>

#include "sim/input/document_pointer.hpp"
#include "sim/input/json_text.hpp"
#include "sim/input/schema_reader.hpp"
#include "sim/input/schema_validation.hpp"
#include "sim/input/utf8.hpp"

namespace coordsim::sim::loader {

using nlohmann::json;

namespace {

bool is_index(std::string_view token) {
  return !token.empty() &&
         std::all_of(token.begin(), token.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string kind_of(const json& v) {
  switch (v.type()) {
    case json::value_t::null: return "missing";
    case json::value_t::object: return "an object";
    case json::value_t::array: return "an array";
    case json::value_t::string: return "a string";
    case json::value_t::boolean: return "a boolean";
    default: return "a number";
  }
}

std::vector<std::string> split_path(std::string_view path, const std::string& where) {
  std::vector<std::string> tokens;
  if (path.front() == '/') {
    // JSON pointer: "/a/b", with ~1 for '/' and ~0 for '~' inside a token.
    std::size_t start = 1;
    while (true) {
      const std::size_t end = std::min(path.find('/', start), path.size());
      std::string token;
      for (std::size_t i = start; i < end; ++i) {
        if (path[i] != '~') {
          token += path[i];
        } else if (i + 1 < end && (path[i + 1] == '0' || path[i + 1] == '1')) {
          token += path[++i] == '0' ? '~' : '/';
        } else {
          throw InputError(where, "invalid escape in JSON pointer: '~' must be followed by 0 or 1");
        }
      }
      tokens.push_back(std::move(token));
      if (end == path.size()) break;
      start = end + 1;
    }
    return tokens;
  }
  std::size_t start = 0;
  while (true) {
    const std::size_t end = std::min(path.find('.', start), path.size());
    if (end == start) {
      throw InputError(where, "empty segment in PATH \"" + std::string(path) +
                                  "\"; expected dotted names like agent.find_attempts");
    }
    tokens.emplace_back(path.substr(start, end - start));
    if (end == path.size()) break;
    start = end + 1;
  }
  return tokens;
}

struct Assignment {
  std::string where;  // "--set PATH=VALUE", which errors name
  std::vector<std::string> tokens;
  std::string_view text;  // VALUE
};

Assignment parse_assignment(std::string_view assignment) {
  Assignment a;
  a.where = "--set " + std::string(assignment);
  const std::size_t eq = assignment.find('=');
  if (eq == std::string_view::npos) {
    throw InputError(a.where, "expected PATH=VALUE, e.g. agent.find_attempts=5");
  }
  const std::string_view path = assignment.substr(0, eq);
  a.text = assignment.substr(eq + 1);
  if (path.empty()) throw InputError(a.where, "empty PATH; expected PATH=VALUE, e.g. trials=1000");
  a.tokens = split_path(path, a.where);
  return a;
}

// A string that is not UTF-8 cannot be written as JSON: a --set with one
// passed validation and made --json, --trace and --shrink fail later with
// nlohmann's type_error.316 (exit 1). Refused here, naming what it would set.
void check_utf8(std::string_view assignment) {
  const auto bad = invalid_utf8_at(assignment);
  if (!bad) return;
  const std::string shown = escape_invalid_utf8(assignment);
  const std::string where = "--set " + shown;
  const std::size_t eq = assignment.find('=');
  if (eq == std::string_view::npos || *bad < eq) {
    throw InputError(where, "PATH is not valid UTF-8 at " + describe_invalid_utf8(assignment, *bad) +
                                "; names in a scenario are UTF-8");
  }
  const std::string_view value = assignment.substr(eq + 1);
  throw InputError(where, display(set_pointer(shown)) + ": the value is not valid UTF-8 at " +
                              describe_invalid_utf8(value, *bad - eq - 1) + "; a scenario's text is UTF-8");
}

}  // namespace

std::string apply_set_at(json& doc, std::string_view assignment) {
  check_utf8(assignment);
  const Assignment a = parse_assignment(assignment);
  const std::string& where = a.where;
  const std::vector<std::string>& tokens = a.tokens;
  const std::string_view text = a.text;

  // The path's objects and the value's containers together: a document deeper
  // than kMaxJsonDepth is never built, from a file or from here.
  if (tokens.size() + static_cast<std::size_t>(json_text_depth(text)) > static_cast<std::size_t>(kMaxJsonDepth)) {
    throw InputError(where, "PATH and VALUE together nest deeper than " + std::to_string(kMaxJsonDepth) +
                                " levels (arrays and objects inside each other)");
  }
  json value = json::parse(text, nullptr, /*allow_exceptions=*/false);
  // 1e400 is JSON but no double: nlohmann discards it, and it would become the
  // string "1e400" and be reported as a string where a number was expected.
  std::optional<JsonTextProblem> out_of_range;
  if (value.is_discarded()) {
    out_of_range = check_json_text(text);
    value = std::string(text);
  }

  // Edits a copy, so a failed override leaves no half-created objects behind.
  json edited = doc;
  json* at = &edited;
  std::string pointer;
  std::vector<std::string> walked;  // tokens with "-" replaced by the new index
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const std::string& token = tokens[i];
    const bool last = i + 1 == tokens.size();
    if (at->is_array()) {
      if (token == "-") {
        if (!last) throw InputError(where, "\"-\" (append) must be the last segment of PATH");
        walked.push_back(std::to_string(at->size()));
        pointer = child(pointer, at->size());
        at->push_back(nullptr);
        at = &at->back();
        break;
      }
      std::size_t index = 0;
      const auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), index);
      if (!is_index(token) || ec != std::errc() || end != token.data() + token.size()) {
        throw InputError(
            where, display(pointer) + " is an array: expected an index, got \"" + token + "\"");
      }
      if (index >= at->size()) {
        throw InputError(where, "index " + token + " is out of range: " + display(pointer) +
                                    " has " + std::to_string(at->size()) + " items");
      }
      at = &(*at)[index];
    } else if (is_index(token)) {
      throw InputError(where, "cannot index " + display(pointer) + " with " + token + ": it is " +
                                  kind_of(*at) + ", not an array");
    } else if (at->is_object() || at->is_null()) {
      if (at->is_null()) *at = json::object();  // a section left to its defaults
      at = &(*at)[token];
    } else {
      throw InputError(where, "cannot set \"" + token + "\" inside " + display(pointer) +
                                  ": it is " + kind_of(*at));
    }
    walked.push_back(token);
    pointer = child(pointer, token);
  }

  // name=2024 or label=true mean the text where the schema wants a string.
  const auto wants_string = [&] {
    const SchemaReader reader(schema_document());
    *at = "";  // a string placeholder, so the walk takes a string-typed anyOf branch
    const auto found = reader.at(edited, walked);
    return found && reader.resolve(*found->first).value("type", "") == "string";
  };
  if (!value.is_string() && !value.is_structured() && wants_string()) value = std::string(text);
  if (out_of_range && out_of_range->kind == JsonTextProblem::Kind::number_out_of_range && !wants_string()) {
    throw InputError(where, out_of_range->message);
  }
  *at = std::move(value);
  doc = std::move(edited);
  return pointer;
}

std::string set_pointer(std::string_view assignment) {
  std::string pointer;
  for (const std::string& token : parse_assignment(assignment).tokens) pointer = child(pointer, token);
  return pointer;
}

}  // namespace coordsim::sim::loader
