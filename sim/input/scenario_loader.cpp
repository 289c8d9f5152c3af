// Scenario loading. valijson decides whether a document is valid and where the
// deepest problem lies; the message is then written from the schema node at
// that place and the offending value, because valijson's own texts ("Value type
// not permitted by 'type' constraint.") tell a user neither what was expected
// nor what they wrote.

// Without this valijson prints and aborts on a schema it cannot parse. Only this
// file includes valijson, so the setting cannot differ between translation units.
#define VALIJSON_USE_EXCEPTIONS 1

#include "sim/input/distribution_json.hpp"
#include "sim/input/edit_distance.hpp"
#include "sim/input/scenario_loader.hpp"
#include "sim/input/json_pointer.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <iterator>
#include <limits>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <system_error>
#include <utility>

// valijson compiles "pattern" constraints with std::regex, whose GCC 12 code
// trips a false -Wmaybe-uninitialized under -fsanitize (a known libstdc++
// issue). Diagnostics of header code follow the state where it was first
// included, so <regex> is included here, inside the region.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <regex>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>
#pragma GCC diagnostic pop

#include "agent/time.hpp"

// Generated at build time from scenarios/ by cmake/EmbedFile.cmake.
namespace coordsim::embedded {
extern const std::string_view scenario_schema;
extern const std::string_view seed_reproduction;
}  // namespace coordsim::embedded

namespace coordsim::sim {
namespace {

using nlohmann::json;

// Durations are int64 microseconds and get added together; a bound far above
// any CI timescale keeps every sum representable.
constexpr double kMaxSeconds = 1e9;

struct Problem {
  std::string pointer;  // JSON pointer into the document, "" for the root
  std::string message;
};

// Which document locations the --set overrides wrote, so an error there can say
// it came from the command line rather than the file.
using SetLog = std::vector<std::pair<std::string, std::string>>;  // pointer, assignment

// ---------------------------------------------------------------- pointers

std::string escape_token(std::string_view token) { return escape_pointer_token(token); }

std::string child(const std::string& pointer, std::string_view token) {
  return pointer + "/" + escape_token(token);
}

std::string child(const std::string& pointer, std::size_t index) {
  return pointer + "/" + std::to_string(index);
}

// The root's pointer is the empty string, which would vanish from a message.
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

[[noreturn]] void fail(const std::string& source, const std::string& pointer,
                       const std::string& message, const SetLog& sets) {
  throw InputError(source + ": " + display(pointer), annotate(message, pointer, sets));
}

// InputError's what() is "where: message"; this recovers the message.
std::string message_of(const InputError& e) {
  std::string_view what = e.what();
  const std::string prefix = e.where() + ": ";
  if (!e.where().empty() && starts_with(what, prefix)) what.remove_prefix(prefix.size());
  return std::string(what);
}

// ---------------------------------------------------------------- values in messages

std::string quoted(const json& string_value) {
  std::string s = string_value.get<std::string>();
  constexpr std::size_t kMax = 60;
  if (s.size() > kMax) s = s.substr(0, kMax) + "...";
  // replace: a cut through a UTF-8 sequence must not turn into an exception here.
  return json(s).dump(-1, ' ', false, json::error_handler_t::replace);
}

// How a value is named after "got": with its type when the type is the problem.
std::string got(const json& v, bool with_type) {
  switch (v.type()) {
    case json::value_t::string: return (with_type ? "string " : "") + quoted(v);
    case json::value_t::boolean: return (with_type ? "boolean " : "") + v.dump();
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float: return (with_type ? "number " : "") + v.dump();
    case json::value_t::array: return v.empty() ? "an empty array" : "an array";
    case json::value_t::object: return "an object";
    case json::value_t::null: return "null";
    default: return "an invalid value";
  }
}

// Schema bounds read as "0" and "1e+09", not "0.000000".
std::string number_text(const json& n) {
  if (n.is_number_float()) {
    const double d = n.get<double>();
    if (d == static_cast<double>(static_cast<std::int64_t>(d)) && d > -1e15 && d < 1e15) {
      return std::to_string(static_cast<std::int64_t>(d));
    }
  }
  return n.dump();
}

// " (did you mean \"x\"?)" for a near miss, so a typo is a one-glance fix.
std::string suggestion(std::string_view wrong, const std::vector<std::string>& candidates) {
  const std::string* best = nullptr;
  std::size_t best_distance = std::max<std::size_t>(2, wrong.size() / 3) + 1;
  for (const std::string& c : candidates) {
    const std::size_t d = edit_distance(wrong, c);
    if (d < best_distance && d < wrong.size()) {
      best_distance = d;
      best = &c;
    }
  }
  return best ? "; did you mean \"" + *best + "\"?" : "";
}

std::string join(const std::vector<std::string>& items, std::string_view separator) {
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty()) out += separator;
    out += item;
  }
  return out;
}

// ---------------------------------------------------------------- the schema

// A reader of the schema subset scenario.schema.json uses: $ref (local),
// anyOf, type, enum, minimum/maximum, minLength, minItems/uniqueItems/items,
// properties/required/additionalProperties.
class SchemaReader {
 public:
  explicit SchemaReader(const json& root) : root_(root) {}

  const json& resolve(const json& node) const {
    const json* n = &node;
    // Bounded, so a $ref cycle in a broken schema cannot hang a load.
    for (int hops = 0; hops < 32 && n->is_object() && n->contains("$ref"); ++hops) {
      const std::string ref = (*n)["$ref"].get<std::string>();
      if (!starts_with(ref, "#")) throw std::logic_error("scenario schema: non-local $ref " + ref);
      n = &root_.at(json::json_pointer(ref.substr(1)));
    }
    return *n;
  }

  bool accepts_type(const json& node, const json& value) const {
    const json& n = resolve(node);
    if (const auto any = n.find("anyOf"); any != n.end()) {
      return std::any_of(any->begin(), any->end(),
                         [&](const json& b) { return accepts_type(b, value); });
    }
    const auto type = n.find("type");
    if (type == n.end()) return true;
    if (type->is_array()) {
      return std::any_of(type->begin(), type->end(),
                         [&](const json& t) { return type_matches(t.get<std::string>(), value); });
    }
    return type_matches(type->get<std::string>(), value);
  }

  // A noun phrase: "an integer >= 1", "a non-empty array of unique non-empty strings".
  std::string expectation(const json& node, bool plural = false) const {
    const json& n = resolve(node);
    if (const auto any = n.find("anyOf"); any != n.end()) {
      std::vector<std::string> parts;
      for (const json& b : *any) parts.push_back(expectation(b, plural));
      return join(parts, " or ");
    }
    if (const auto e = n.find("enum"); e != n.end()) {
      std::vector<std::string> values;
      for (const json& v : *e) values.push_back(v.dump());
      return "one of " + join(values, ", ");
    }
    const std::string type = n.value("type", "");
    std::string adjective;
    std::string noun = type.empty() ? "value" : type;
    std::string suffix;
    if (type == "integer" || type == "number") {
      suffix = range_text(n);
    } else if (type == "string") {
      const auto min_length = n.value("minLength", std::uint64_t{0});
      if (min_length == 1) adjective = "non-empty";
      if (min_length > 1) suffix = " of at least " + std::to_string(min_length) + " characters";
    } else if (type == "array") {
      const auto min_items = n.value("minItems", std::uint64_t{0});
      if (min_items == 1) adjective = "non-empty";
      if (const auto items = n.find("items"); items != n.end()) {
        suffix = std::string(" of ") + (n.value("uniqueItems", false) ? "unique " : "") +
                 expectation(*items, true);
      }
      if (min_items > 1) suffix += " with at least " + std::to_string(min_items) + " items";
    } else if (type == "object") {
      std::vector<std::string> keys;
      for (const json& k : n.value("required", json::array())) keys.push_back(k.dump() + ": ...");
      if (!keys.empty()) suffix = " {" + join(keys, ", ") + "}";
    }
    std::string phrase = (adjective.empty() ? "" : adjective + " ") + noun + (plural ? "s" : "");
    if (!plural) {
      phrase.insert(0, std::string_view("aeiou").find(phrase.front()) == std::string_view::npos
                           ? "a "
                           : "an ");
    }
    return phrase + suffix;
  }

  // What is wrong with `value` at `pointer` under `node`, looking at this level
  // only (its items and properties are reported at their own, deeper places).
  std::optional<Problem> describe(const json& node, const json& value,
                                  const std::string& pointer) const {
    const json& n = resolve(node);
    if (const auto any = n.find("anyOf"); any != n.end()) {
      bool some_fit = false;
      for (const json& branch : *any) {
        if (!accepts_type(branch, value)) continue;
        some_fit = true;
        if (auto p = describe(branch, value, pointer)) return p;
      }
      if (!some_fit) return mismatch(n, value, pointer);
      return std::nullopt;
    }
    if (!accepts_type(n, value)) return mismatch(n, value, pointer);

    if (const auto e = n.find("enum"); e != n.end()) {
      if (std::find(e->begin(), e->end(), value) == e->end()) {
        std::vector<std::string> names;
        for (const json& v : *e) {
          if (v.is_string()) names.push_back(v.get<std::string>());
        }
        return Problem{pointer,
                       "expected " + expectation(n) + ", got " + got(value, false) +
                           (value.is_string() ? suggestion(value.get<std::string>(), names) : "")};
      }
    }
    if (value.is_number() && !within_range(n, value)) {
      return Problem{pointer, "expected " + expectation(n) + ", got " + got(value, false)};
    }
    if (value.is_string()) {
      const std::string& s = value.get_ref<const std::string&>();
      // Code points, as JSON Schema counts them: skip UTF-8 continuation bytes.
      const auto length = static_cast<std::uint64_t>(
          std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
      if (length < n.value("minLength", std::uint64_t{0})) {
        return Problem{pointer, "expected " + expectation(n) + ", got " + got(value, false)};
      }
    }
    if (value.is_array()) {
      if (value.size() < n.value("minItems", std::uint64_t{0})) {
        return Problem{pointer, "expected " + expectation(n) + ", got " + got(value, false)};
      }
      if (n.value("uniqueItems", false)) {
        for (std::size_t j = 1; j < value.size(); ++j) {
          for (std::size_t i = 0; i < j; ++i) {
            if (value[i] == value[j]) {
              return Problem{child(pointer, j), "duplicate of " + child(pointer, i) + " (" +
                                                    got(value[j], false) + "); expected " +
                                                    expectation(n)};
            }
          }
        }
      }
    }
    if (value.is_object()) {
      static const json kNone = json::object();
      const auto p = n.find("properties");
      const json& properties = p == n.end() ? kNone : *p;
      // additionalProperties may be false (closed object) or a schema for any other key.
      const auto extra = n.find("additionalProperties");
      if (extra != n.end() && extra->is_boolean() && !extra->get<bool>()) {
        std::vector<std::string> known;
        for (const auto& [key, unused] : properties.items()) known.push_back(key);
        for (const auto& [key, unused] : value.items()) {
          if (!properties.contains(key)) {
            return Problem{child(pointer, key), "unknown field" + suggestion(key, known) +
                                                    " (known fields here: " + join(known, ", ") +
                                                    ")"};
          }
        }
      }
      for (const json& key : n.value("required", json::array())) {
        if (!value.contains(key.get<std::string>())) {
          std::string what = "missing required field";
          if (const auto q = properties.find(key.get<std::string>());
              q != properties.end() && q->contains("description")) {
            // "(the kind of distribution)" from "The kind of distribution."
            std::string help = (*q)["description"].get<std::string>();
            if (!help.empty() && help.back() == '.') help.pop_back();
            if (!help.empty() && help[0] >= 'A' && help[0] <= 'Z') help[0] += 'a' - 'A';
            what += " (" + help + ")";
          }
          return Problem{child(pointer, key.get<std::string>()), what};
        }
      }
    }
    return std::nullopt;
  }

  // The schema node and value at `tokens`, following the anyOf branch the
  // value's type selects; nullopt if the path leaves the schema or the document.
  std::optional<std::pair<const json*, const json*>> at(
      const json& doc, const std::vector<std::string>& tokens) const {
    const json* node = &root_;
    const json* value = &doc;
    for (const std::string& token : tokens) {
      node = &select(*node, *value);
      if (value->is_object()) {
        const auto v = value->find(token);
        if (v == value->end()) return std::nullopt;
        const auto properties = node->find("properties");
        const auto extra = node->find("additionalProperties");
        if (properties != node->end() && properties->contains(token)) {
          node = &(*properties)[token];
        } else if (extra != node->end() && extra->is_object()) {
          node = &*extra;  // a map such as "expect": any key, one schema
        } else {
          return std::nullopt;
        }
        value = &*v;
      } else if (value->is_array()) {
        std::size_t index = 0;
        const auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), index);
        const auto items = node->find("items");
        if (ec != std::errc() || end != token.data() + token.size() || index >= value->size() ||
            items == node->end()) {
          return std::nullopt;
        }
        node = &*items;
        value = &(*value)[index];
      } else {
        return std::nullopt;
      }
    }
    return std::make_pair(node, value);
  }

 private:
  static bool type_matches(const std::string& type, const json& v) {
    if (type == "integer") return v.is_number_integer();
    if (type == "number") return v.is_number();
    if (type == "string") return v.is_string();
    if (type == "boolean") return v.is_boolean();
    if (type == "object") return v.is_object();
    if (type == "array") return v.is_array();
    if (type == "null") return v.is_null();
    return false;
  }

  static std::string range_text(const json& n) {
    const auto min = n.find("minimum");
    const auto max = n.find("maximum");
    const auto exclusive_min = n.find("exclusiveMinimum");
    if (min != n.end() && max != n.end()) {
      return " in [" + number_text(*min) + ", " + number_text(*max) + "]";
    }
    if (exclusive_min != n.end()) return " > " + number_text(*exclusive_min);
    if (min != n.end()) return " >= " + number_text(*min);
    if (max != n.end()) return " <= " + number_text(*max);
    return "";
  }

  static bool within_range(const json& n, const json& v) {
    // Compare unsigned values exactly: a uint64 seed past 2^53 must not round
    // onto the wrong side of a bound.
    const auto below = [&](const json& bound) {
      if (v.is_number_unsigned() && bound.is_number_integer()) {
        return bound.get<std::int64_t>() >= 0 &&
               v.get<std::uint64_t>() < bound.get<std::uint64_t>();
      }
      return v.get<double>() < bound.get<double>();
    };
    const auto above = [&](const json& bound) {
      if (v.is_number_unsigned() && bound.is_number_integer()) {
        return bound.get<std::int64_t>() < 0 || v.get<std::uint64_t>() > bound.get<std::uint64_t>();
      }
      return v.get<double>() > bound.get<double>();
    };
    if (const auto m = n.find("minimum"); m != n.end() && below(*m)) return false;
    if (const auto m = n.find("maximum"); m != n.end() && above(*m)) return false;
    if (const auto m = n.find("exclusiveMinimum"); m != n.end() && !above(*m)) return false;
    if (const auto m = n.find("exclusiveMaximum"); m != n.end() && !below(*m)) return false;
    return true;
  }

  Problem mismatch(const json& n, const json& value, const std::string& pointer) const {
    return Problem{pointer, "expected " + expectation(n) + ", got " + got(value, true)};
  }

  // Resolves $ref and picks the anyOf branch that takes the value's type.
  const json& select(const json& node, const json& value) const {
    const json* n = &resolve(node);
    while (n->contains("anyOf")) {
      const json* pick = nullptr;
      for (const json& branch : (*n)["anyOf"]) {
        if (accepts_type(branch, value)) {
          pick = &resolve(branch);
          break;
        }
      }
      if (!pick) break;
      n = pick;
    }
    return *n;
  }

  const json& root_;
};

struct CompiledSchema {
  json document;
  valijson::Schema schema;
};

const CompiledSchema& compiled_schema() {
  static const CompiledSchema* const compiled = [] {
    auto c = std::make_unique<CompiledSchema>();
    try {
      c->document = json::parse(embedded::scenario_schema);
      valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
      valijson::adapters::NlohmannJsonAdapter adapter(c->document);
      parser.populateSchema(adapter, c->schema);
    } catch (const std::exception& e) {
      // A build-time asset, not user input: this is a bug in the program.
      throw std::logic_error(std::string("embedded scenario schema is invalid: ") + e.what());
    }
    return c.release();  // lives for the program, like the text it came from
  }();
  return *compiled;
}

// valijson reads every integer as int64, so a uint64 seed past INT64_MAX would
// wrap negative and fail "minimum": 0. It sees such values clamped; the
// conversion reads the real ones.
void clamp_for_validator(json& v) {
  if (v.is_number_unsigned() &&
      v.get<std::uint64_t>() >
          static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    v = std::numeric_limits<std::int64_t>::max();
  } else if (v.is_structured()) {
    for (json& c : v) clamp_for_validator(c);
  }
}

std::optional<Problem> find_problem(const json& doc) {
  const CompiledSchema& compiled = compiled_schema();
  json seen = doc;
  clamp_for_validator(seen);
  valijson::Validator validator(valijson::Validator::kStrongTypes);
  valijson::ValidationResults results;
  if (validator.validate(compiled.schema, valijson::adapters::NlohmannJsonAdapter(seen),
                         &results)) {
    return std::nullopt;
  }

  // valijson reports a failure at every level (the value, its property, the
  // anyOf around it, ...); the deepest place is the one a user must edit.
  struct Located {
    std::vector<std::string> tokens;
    std::string description;
  };
  std::vector<Located> errors;
  for (const auto& e : results) {
    Located l;
    l.description = e.description;
    // Context is {"<root>", "[agent]", "[find_attempts]"}.
    for (std::size_t i = 1; i < e.context.size(); ++i) {
      const std::string& c = e.context[i];
      l.tokens.push_back(
          c.size() >= 2 && c.front() == '[' && c.back() == ']' ? c.substr(1, c.size() - 2) : c);
    }
    errors.push_back(std::move(l));
  }
  if (errors.empty()) return Problem{"", "does not match the scenario schema"};
  std::stable_sort(errors.begin(), errors.end(), [](const Located& a, const Located& b) {
    return a.tokens.size() > b.tokens.size();
  });

  const SchemaReader reader(compiled.document);
  for (const Located& e : errors) {
    std::string pointer;
    for (const std::string& t : e.tokens) pointer = child(pointer, t);
    if (const auto found = reader.at(doc, e.tokens)) {
      if (auto p = reader.describe(*found->first, *found->second, pointer)) return p;
    }
  }
  // Nothing more specific to say than valijson itself.
  std::string pointer;
  for (const std::string& t : errors.front().tokens) pointer = child(pointer, t);
  return Problem{pointer, errors.front().description};
}

// ---------------------------------------------------------------- parsing

std::pair<std::size_t, std::size_t> line_column(std::string_view text, std::size_t byte) {
  // nlohmann's `byte` counts the characters read, so the offending one is byte - 1.
  const std::size_t at = std::min(byte == 0 ? 0 : byte - 1, text.size());
  std::size_t line = 1;
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < at; ++i) {
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  return {line, at - line_start + 1};
}

// Tracks where the parser is, to name a duplicated key by its pointer: JSON
// allows duplicates and nlohmann silently keeps the last, which turns a pasted
// second "seed" into a quiet change of results.
class DuplicateKeyCheck {
 public:
  explicit DuplicateKeyCheck(std::string source) : source_(std::move(source)) {}

  bool operator()(int /*depth*/, json::parse_event_t event, json& parsed) {
    switch (event) {
      case json::parse_event_t::object_start: frames_.emplace_back().array = false; break;
      case json::parse_event_t::array_start: frames_.emplace_back().array = true; break;
      case json::parse_event_t::key: {
        Frame& top = frames_.back();
        top.key = parsed.get<std::string>();
        if (!top.keys.insert(top.key).second) {
          throw InputError(source_ + ": " + pointer(),
                           "duplicate field (JSON keeps only the last; remove one)");
        }
        break;
      }
      case json::parse_event_t::object_end:
      case json::parse_event_t::array_end:
        frames_.pop_back();
        next_element();
        break;
      case json::parse_event_t::value: next_element(); break;
    }
    return true;
  }

 private:
  struct Frame {
    bool array = false;
    std::size_t index = 0;
    std::string key;
    std::set<std::string> keys;
  };

  void next_element() {
    if (!frames_.empty() && frames_.back().array) ++frames_.back().index;
  }

  std::string pointer() const {
    std::string out;
    for (const Frame& f : frames_) out = f.array ? child(out, f.index) : child(out, f.key);
    return out;
  }

  std::string source_;
  std::vector<Frame> frames_;
};

json parse_document(std::string_view text, const std::string& source) {
  DuplicateKeyCheck check(source);
  try {
    return json::parse(text, [&check](int depth, json::parse_event_t event, json& parsed) {
      return check(depth, event, parsed);
    });
  } catch (const json::parse_error& e) {
    const auto [line, column] = line_column(text, e.byte);
    // Keep nlohmann's detail but not its own position prefix, which counts differently.
    std::string detail = e.what();
    if (const auto p = detail.find("parse error"); p != std::string::npos) {
      if (const auto colon = detail.find(": ", p); colon != std::string::npos) {
        detail = detail.substr(colon + 2);
      }
    }
    throw InputError(
        source + ": line " + std::to_string(line) + ", column " + std::to_string(column),
        "invalid JSON: " + detail);
  }
}

// ---------------------------------------------------------------- --set

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

// Returns the JSON pointer it wrote.
std::string apply_set_at(json& doc, std::string_view assignment) {
  const std::string where = "--set " + std::string(assignment);
  const std::size_t eq = assignment.find('=');
  if (eq == std::string_view::npos) {
    throw InputError(where, "expected PATH=VALUE, e.g. agent.find_attempts=5");
  }
  const std::string_view path = assignment.substr(0, eq);
  const std::string_view text = assignment.substr(eq + 1);
  if (path.empty()) throw InputError(where, "empty PATH; expected PATH=VALUE, e.g. trials=1000");
  const std::vector<std::string> tokens = split_path(path, where);

  json value = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) value = std::string(text);

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
  if (!value.is_string() && !value.is_structured()) {
    const SchemaReader reader(compiled_schema().document);
    *at = "";  // a string placeholder, so the walk takes a string-typed anyOf branch
    const auto found = reader.at(edited, walked);
    if (found && reader.resolve(*found->first).value("type", "") == "string") {
      value = std::string(text);
    }
  }
  *at = std::move(value);
  doc = std::move(edited);
  return pointer;
}

// ---------------------------------------------------------------- conversion

const json& member(const json& object, const char* key) {
  static const json kNull;
  if (!object.is_object()) return kNull;
  const auto it = object.find(key);
  return it == object.end() ? kNull : *it;
}

Distribution distribution(const json& j, const std::string& pointer) {
  try {
    return parse_distribution(j, pointer, /*non_negative=*/true);
  } catch (const json::exception& e) {
    // The schema types every parameter, so this is a gap in parse_distribution;
    // still the user's input, still worth a located message.
    throw InputError(pointer, std::string("invalid distribution: ") + e.what());
  }
}

Distribution distribution_or(const json& object, const char* key, const std::string& pointer,
                             Distribution fallback) {
  const json& j = member(object, key);
  return j.is_null() ? std::move(fallback) : distribution(j, child(pointer, key));
}

double number_or(const json& object, const char* key, double fallback) {
  const json& j = member(object, key);
  return j.is_null() ? fallback : j.get<double>();
}

template <class Int>
Int integer_or(const json& object, const char* key, const std::string& pointer, Int fallback) {
  const json& j = member(object, key);
  if (j.is_null()) return fallback;
  // The schema checked the lower bound; the C++ type sets the upper one.
  const bool too_big =
      j.is_number_unsigned()
          ? j.get<std::uint64_t>() > static_cast<std::uint64_t>(std::numeric_limits<Int>::max())
          : j.get<std::int64_t>() > static_cast<std::int64_t>(std::numeric_limits<Int>::max());
  if (too_big) {
    throw InputError(child(pointer, key),
                     "expected an integer <= " + std::to_string(std::numeric_limits<Int>::max()) +
                         ", got " + j.dump());
  }
  return j.is_number_unsigned() ? static_cast<Int>(j.get<std::uint64_t>())
                                : static_cast<Int>(j.get<std::int64_t>());
}

agent::Duration seconds(const json& j, const std::string& pointer) {
  const double s = j.get<double>();
  if (s > kMaxSeconds) {
    throw InputError(pointer, "expected at most 1e9 seconds (about 31 years), got " + j.dump());
  }
  return agent::from_seconds(s);
}

EndpointLatency latency_of(const json& object, const std::string& pointer,
                           const EndpointLatency& fallback) {
  return EndpointLatency{distribution_or(object, "request_s", pointer, fallback.request),
                         distribution_or(object, "response_s", pointer, fallback.response)};
}

// Throws InputError located by pointer only; the caller adds the source.
ScenarioFile convert(const json& doc) {
  ScenarioFile s;
  s.name = doc.at("name").get<std::string>();
  s.description =
      member(doc, "description").is_string() ? doc["description"].get<std::string>() : "";
  s.seed = integer_or<std::uint64_t>(doc, "seed", "", s.seed);
  s.trials = integer_or<std::int64_t>(doc, "trials", "", s.trials);
  if (const json& c = member(doc, "commit"); c.is_string()) s.commit = c.get<std::string>();

  const json& workload = member(doc, "workload");
  const json& flavors = member(workload, "flavors");
  if (flavors.is_array()) {
    for (const json& f : flavors) s.workload.flavors.push_back(f.get<std::string>());
  } else {
    const auto count = integer_or<int>(workload, "flavors", "/workload", 0);
    for (int i = 1; i <= count; ++i) s.workload.flavors.push_back("flavor-" + std::to_string(i));
  }
  s.workload.start_stagger_s = number_or(workload, "start_stagger_s", 0);
  s.workload.start_jitter =
      distribution_or(workload, "start_jitter_s", "/workload", s.workload.start_jitter);
  const json& failure = member(workload, "failure");
  FailureModel& fm = s.workload.failure;
  fm.common_mode_probability =
      number_or(failure, "common_mode_probability", fm.common_mode_probability);
  fm.per_flavor_probability =
      number_or(failure, "per_flavor_probability", fm.per_flavor_probability);
  fm.time_to_failure =
      distribution_or(failure, "time_to_failure_s", "/workload/failure", fm.time_to_failure);
  fm.flavor_delay =
      distribution_or(failure, "flavor_delay_s", "/workload/failure", fm.flavor_delay);
  s.workload.rest_of_build =
      distribution_or(workload, "rest_of_build_s", "/workload", s.workload.rest_of_build);
  if (const json& death = member(workload, "agent_death"); death.is_object()) {
    s.workload.death.probability = number_or(death, "probability", 0);
    s.workload.death.max_per_trial =
        integer_or<int>(death, "max_per_trial", "/workload/agent_death", s.workload.death.max_per_trial);
    if (const json& point = member(death, "point"); point.is_string())
      s.workload.death.point =
          point.get<std::string>() == "during_analysis" ? DeathPoint::during_analysis : DeathPoint::before_analysis;
  }

  const json& github = member(doc, "github");
  const json& latency = member(github, "latency");
  const EndpointLatency builtin{Distribution::constant(0.1), Distribution::constant(0.1)};
  const EndpointLatency fallback =
      latency_of(member(latency, "default"), "/github/latency/default", builtin);
  for (int e = 0; e < agent::kEndpointCount; ++e) {
    const char* name = agent::endpoint_name(static_cast<agent::Endpoint>(e));
    s.github.latency[static_cast<std::size_t>(e)] =
        latency_of(member(latency, name), child("/github/latency", name), fallback);
  }
  const json& lag = member(github, "visibility_lag_s");
  const std::pair<ReadPath, const char*> paths[] = {{ReadPath::get, "get"},
                                                    {ReadPath::list, "list"},
                                                    {ReadPath::search, "search"},
                                                    {ReadPath::refs, "refs"}};
  static_assert(std::size(paths) == kReadPathCount);
  for (const auto& [path, name] : paths) {
    s.github.visibility_lag[static_cast<std::size_t>(path)] =
        distribution_or(lag, name, "/github/visibility_lag_s", Distribution::constant(0));
  }

  const json& faults = member(github, "faults");
  if (faults.is_object()) {
    const json& fallback_faults = member(faults, "default");
    const EndpointFaults default_faults{number_or(fallback_faults, "server_error", 0),
                                        number_or(fallback_faults, "lost_response", 0)};
    for (int e = 0; e < agent::kEndpointCount; ++e) {
      const json& f = member(faults, agent::endpoint_name(static_cast<agent::Endpoint>(e)));
      s.github.faults.endpoint[static_cast<std::size_t>(e)] = {
          number_or(f, "server_error", default_faults.server_error),
          number_or(f, "lost_response", default_faults.lost_response)};
    }
    s.github.faults.spurious_ref_422 = number_or(faults, "spurious_ref_422", 0);
  }
  if (const json& rl = member(github, "rate_limits"); rl.is_object()) {
    RateLimitConfig& r = s.github.rate_limits;
    const std::string where = "/github/rate_limits";
    r.enabled = !member(rl, "enabled").is_boolean() || rl["enabled"].get<bool>();
    r.github_token = !member(rl, "token").is_string() || rl["token"].get<std::string>() == "github_token";
    r.primary_per_hour = integer_or<std::int64_t>(rl, "primary_per_hour", where, r.github_token ? 1000 : 5000);
    r.primary_used_at_start = distribution_or(rl, "primary_used_at_start", where, r.primary_used_at_start);
    r.primary_reset_in = distribution_or(rl, "primary_reset_in_s", where, r.primary_reset_in);
    r.secondary_writes_per_minute =
        integer_or<std::int64_t>(rl, "secondary_writes_per_minute", where, r.secondary_writes_per_minute);
    r.secondary_writes_per_hour =
        integer_or<std::int64_t>(rl, "secondary_writes_per_hour", where, r.secondary_writes_per_hour);
    r.writes_last_minute_at_start =
        distribution_or(rl, "writes_last_minute_at_start", where, r.writes_last_minute_at_start);
    r.writes_last_hour_at_start =
        distribution_or(rl, "writes_last_hour_at_start", where, r.writes_last_hour_at_start);
    r.search_per_minute = integer_or<std::int64_t>(rl, "search_per_minute", where, r.search_per_minute);
    r.secondary_retry_after_s = number_or(rl, "secondary_retry_after_s", r.secondary_retry_after_s);
  }

  const json& llm = member(doc, "llm");
  s.llm.tokens_in = distribution_or(llm, "tokens_in", "/llm", s.llm.tokens_in);
  s.llm.tokens_out = distribution_or(llm, "tokens_out", "/llm", s.llm.tokens_out);
  s.llm.usd_per_million_in = number_or(llm, "usd_per_million_in", s.llm.usd_per_million_in);
  s.llm.usd_per_million_out = number_or(llm, "usd_per_million_out", s.llm.usd_per_million_out);
  s.llm.analysis_duration =
      distribution_or(llm, "analysis_duration_s", "/llm", s.llm.analysis_duration);

  const json& agent_j = member(doc, "agent");
  if (const json& st = member(agent_j, "strategy"); st.is_string()) {
    const auto strategy = agent::parse_strategy(st.get<std::string>());
    if (!strategy) {
      // The schema's enum normally catches this first; it is here for a schema
      // that fell behind the Strategy enum.
      throw InputError("/agent/strategy", "unknown strategy " + st.dump() +
                                              "; expected one of: " + agent::strategy_names());
    }
    s.protocol.strategy = *strategy;
  }
  agent::SeedParams& seed = s.protocol.seed;
  if (const json& l = member(agent_j, "label"); l.is_string()) seed.label = l.get<std::string>();
  seed.find_attempts = integer_or<int>(agent_j, "find_attempts", "/agent", seed.find_attempts);
  if (const json& delays = member(agent_j, "retry_delays_s"); delays.is_array()) {
    seed.retry_delays.clear();
    for (std::size_t i = 0; i < delays.size(); ++i) {
      seed.retry_delays.push_back(seconds(delays[i], child("/agent/retry_delays_s", i)));
    }
  }
  if (const json& w = member(agent_j, "post_create_wait_s"); w.is_number()) {
    seed.post_create_wait = seconds(w, "/agent/post_create_wait_s");
  }
  seed.max_pages = integer_or<int>(agent_j, "max_pages", "/agent", seed.max_pages);

  agent::ProtocolConfig& pc = s.protocol;
  if (const json& k = member(agent_j, "key_by"); k.is_string())
    pc.key_by = k.get<std::string>() == "commit" ? agent::KeyBy::commit : agent::KeyBy::commit_and_signature;
  if (const json& e = member(agent_j, "on_error"); e.is_string())
    pc.on_error = e.get<std::string>() == "skip" ? agent::OnError::skip : agent::OnError::analyze;
  const auto seconds_or = [](const json& object, const char* key, const std::string& pointer,
                             agent::Duration fallback) {
    const json& j = member(object, key);
    return j.is_number() ? seconds(j, child(pointer, key)) : fallback;
  };
  if (const json& c = member(agent_j, "client"); c.is_object()) {
    const std::string where = "/agent/client";
    agent::RetryPolicy& r = pc.retry;
    s.github.request_timeout = seconds_or(c, "timeout_s", where, s.github.request_timeout);
    r.max_attempts = integer_or<int>(c, "max_attempts", where, r.max_attempts);
    r.base_delay = seconds_or(c, "base_delay_s", where, r.base_delay);
    r.max_delay = seconds_or(c, "max_delay_s", where, r.max_delay);
    r.multiplier = number_or(c, "multiplier", r.multiplier);
    r.jitter = number_or(c, "jitter", r.jitter);
    r.max_total_wait = seconds_or(c, "max_total_wait_s", where, r.max_total_wait);
    if (const json& h = member(c, "honor_retry_after"); h.is_boolean()) r.honor_retry_after = h.get<bool>();
  }
  if (const json& rl = member(agent_j, "ref_lock"); rl.is_object()) {
    const std::string where = "/agent/ref_lock";
    if (const json& prefix = member(rl, "ref_prefix"); prefix.is_string())
      pc.ref_lock.ref_prefix = prefix.get<std::string>();
    pc.ref_lock.read_back_interval = seconds_or(rl, "read_back_interval_s", where, pc.ref_lock.read_back_interval);
    pc.ref_lock.read_back_attempts =
        integer_or<int>(rl, "read_back_attempts", where, pc.ref_lock.read_back_attempts);
  }
  if (const json& l = member(agent_j, "lease"); l.is_object()) {
    const std::string where = "/agent/lease";
    pc.lease.enabled = !member(l, "enabled").is_boolean() || l["enabled"].get<bool>();
    pc.lease.ttl = seconds_or(l, "ttl_s", where, pc.lease.ttl);
    pc.lease.poll_interval = seconds_or(l, "poll_interval_s", where, pc.lease.poll_interval);
    pc.lease.max_generations = integer_or<int>(l, "max_generations", where, pc.lease.max_generations);
    pc.lease.max_wait = seconds_or(l, "max_wait_s", where, pc.lease.max_wait);
    if (pc.lease.enabled && pc.lease.poll_interval <= agent::Duration::zero())
      throw InputError(child(where, "poll_interval_s"), "expected a positive poll interval with the lease on");
  }
  if (const json& sd = member(agent_j, "scan_down"); sd.is_object()) {
    const std::string where = "/agent/scan_down";
    pc.scan_down.horizon = integer_or<int>(sd, "horizon", where, pc.scan_down.horizon);
    pc.scan_down.not_visible_retry = seconds_or(sd, "not_visible_retry_s", where, pc.scan_down.not_visible_retry);
    pc.scan_down.not_visible_attempts =
        integer_or<int>(sd, "not_visible_attempts", where, pc.scan_down.not_visible_attempts);
  }
  pc.settle.settle_time = seconds_or(member(agent_j, "settle"), "settle_time_s", "/agent/settle", pc.settle.settle_time);
  pc.fan_in.job_start_delay =
      seconds_or(member(agent_j, "fan_in"), "job_start_delay_s", "/agent/fan_in", pc.fan_in.job_start_delay);

  s.failures_per_year = number_or(member(doc, "report"), "failures_per_year", s.failures_per_year);
  s.expectations = parse_expectations(member(doc, "expect"), "/expect");
  return s;
}

ScenarioFile build(const json& doc, const std::string& source, const SetLog& sets) {
  if (auto problem = find_problem(doc)) fail(source, problem->pointer, problem->message, sets);
  ScenarioFile s;
  try {
    s = convert(doc);
  } catch (const InputError& e) {
    fail(source, e.where(), message_of(e), sets);
  }
  s.source = source;
  s.document = doc;
  return s;
}

std::string read_file(const std::string& path) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"),
                                                       &std::fclose);
  if (!file) {
    throw InputError(path, "cannot open scenario file: " + std::generic_category().message(errno));
  }
  std::string text;
  char buffer[1 << 16];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, file.get())) > 0) text.append(buffer, n);
  if (std::ferror(file.get())) {
    // A directory opens fine and fails here, with EISDIR.
    throw InputError(path, "cannot read scenario file: " + std::generic_category().message(errno));
  }
  return text;
}

}  // namespace

void apply_set(nlohmann::json& doc, std::string_view assignment) { apply_set_at(doc, assignment); }

ScenarioFile scenario_from_json(const nlohmann::json& doc, const std::string& source) {
  return build(doc, source, {});
}

void validate_scenario(const nlohmann::json& doc, const std::string& source) {
  if (auto problem = find_problem(doc)) fail(source, problem->pointer, problem->message, {});
}

const nlohmann::json& scenario_schema() { return compiled_schema().document; }

ScenarioFile load_scenario_text(std::string_view text, const std::string& source,
                            const std::vector<std::string>& sets) {
  json doc = parse_document(text, source);
  SetLog log;
  for (const std::string& set : sets) log.emplace_back(apply_set_at(doc, set), set);
  return build(doc, source, log);
}

ScenarioFile load_scenario_file(const std::string& path, const std::vector<std::string>& sets) {
  return load_scenario_text(read_file(path), path, sets);
}

ScenarioFile load_default_scenario(const std::vector<std::string>& sets) {
  return load_scenario_text(embedded::seed_reproduction, kEmbeddedSource, sets);
}

}  // namespace coordsim::sim
