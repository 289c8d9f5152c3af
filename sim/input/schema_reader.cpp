#include "sim/input/schema_reader.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <stdexcept>
#include <string_view>
#include <system_error>

#include "sim/input/value_text.hpp"

namespace coordsim::sim::loader {

using nlohmann::json;

namespace {

bool type_matches(const std::string& type, const json& v) {
  // 3.0 is an integer to JSON Schema (and to the validator, see schema_validation.cpp).
  if (type == "integer") {
    return v.is_number_integer() ||
           (v.is_number_float() && std::isfinite(v.get<double>()) && v.get<double>() == std::floor(v.get<double>()));
  }
  if (type == "number") return v.is_number();
  if (type == "string") return v.is_string();
  if (type == "boolean") return v.is_boolean();
  if (type == "object") return v.is_object();
  if (type == "array") return v.is_array();
  if (type == "null") return v.is_null();
  return false;
}

std::string range_text(const json& n) {
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

bool within_range(const json& n, const json& v) {
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

}  // namespace

const json& SchemaReader::resolve(const json& node) const {
  const json* n = &node;
  // Bounded, so a $ref cycle in a broken schema cannot hang a load.
  for (int hops = 0; hops < 32 && n->is_object() && n->contains("$ref"); ++hops) {
    const std::string ref = (*n)["$ref"].get<std::string>();
    if (!starts_with(ref, "#")) throw std::logic_error("scenario schema: non-local $ref " + ref);
    n = &root_.at(json::json_pointer(ref.substr(1)));
  }
  return *n;
}

bool SchemaReader::accepts_type(const json& node, const json& value) const {
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

std::string SchemaReader::expectation(const json& node, bool plural) const {
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
    if (const auto max_items = n.find("maxItems"); max_items != n.end())
      suffix += " (at most " + max_items->dump() + ")";
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

std::optional<Problem> SchemaReader::describe(const json& node, const json& value,
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
    if (value.size() > n.value("maxItems", std::numeric_limits<std::uint64_t>::max())) {
      return Problem{pointer, "expected " + expectation(n) + ", got " + std::to_string(value.size()) + " items"};
    }
    if (auto p = repeated_item(n, value, pointer)) return p;
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

std::optional<std::pair<const json*, const json*>> SchemaReader::at(
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

std::optional<Problem> SchemaReader::repeated_item(const json& node, const json& array,
                                                   const std::string& pointer) const {
  const json& n = resolve(node);
  if (!array.is_array() || !n.value("uniqueItems", false)) return std::nullopt;
  std::map<std::string, std::size_t> first;  // an item's text: its first index
  for (std::size_t j = 0; j < array.size(); ++j) {
    const auto [it, fresh] = first.emplace(array[j].dump(-1, ' ', false, json::error_handler_t::replace), j);
    if (!fresh) {
      return Problem{child(pointer, j), "duplicate of " + child(pointer, it->second) + " (" + got(array[j], false) +
                                            "); expected " + expectation(n)};
    }
  }
  return std::nullopt;
}

Problem SchemaReader::mismatch(const json& n, const json& value, const std::string& pointer) const {
  return Problem{pointer, "expected " + expectation(n) + ", got " + got(value, true)};
}

const json& SchemaReader::select(const json& node, const json& value) const {
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

}  // namespace coordsim::sim::loader
