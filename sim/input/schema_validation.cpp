// valijson decides whether a document is valid and where the deepest problem
// lies; the message is then written from the schema node at that place and the
// offending value, because valijson's own texts ("Value type not permitted by
// 'type' constraint.") tell a user neither what was expected nor what they wrote.

// Without this valijson prints and aborts on a schema it cannot parse. Only this
// file includes valijson, so the setting cannot differ between translation units.
#define VALIJSON_USE_EXCEPTIONS 1

#include "sim/input/schema_validation.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

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

#include "sim/input/schema_reader.hpp"

// Generated at build time from scenarios/ by cmake/EmbedFile.cmake.
namespace coordsim::embedded {
extern const std::string_view scenario_schema;
}  // namespace coordsim::embedded

namespace coordsim::sim::loader {

using nlohmann::json;

namespace {

struct CompiledSchema {
  json document;
  json for_valijson;  // without uniqueItems, which check_arrays checks
  valijson::Schema schema;
};

void strip_unique_items(json& node) {
  if (node.is_object()) node.erase("uniqueItems");
  if (node.is_structured()) {
    for (json& c : node) strip_unique_items(c);
  }
}

const CompiledSchema& compiled_schema() {
  static const CompiledSchema* const compiled = [] {
    auto c = std::make_unique<CompiledSchema>();
    try {
      c->document = json::parse(embedded::scenario_schema);
      c->for_valijson = c->document;
      strip_unique_items(c->for_valijson);
      valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
      valijson::adapters::NlohmannJsonAdapter adapter(c->for_valijson);
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
//
// JSON Schema counts a number with a zero fractional part as an integer
// ("trials": 1.0 is valid against the published schema), but valijson's strong
// types do not; it sees such numbers as integers (clamped the same way), so
// the embedded validator and the published schema agree. The conversion reads
// integral doubles as integers too (scenario_convert.cpp, integer_or).
//
// Recursion is bounded: parse_document refuses documents deeper than
// kMaxJsonDepth, and --set cannot make them deeper.
void clamp_for_validator(json& v) {
  constexpr auto kMax = std::numeric_limits<std::int64_t>::max();
  if (v.is_number_unsigned() && v.get<std::uint64_t>() > static_cast<std::uint64_t>(kMax)) {
    v = kMax;
  } else if (v.is_number_float()) {
    const double d = v.get<double>();
    if (std::isfinite(d) && d == std::floor(d)) {
      if (d >= 0x1p63) {
        v = kMax;
      } else if (d < -0x1p63) {
        v = std::numeric_limits<std::int64_t>::min();
      } else {
        v = static_cast<std::int64_t>(d);
      }
    }
  } else if (v.is_structured()) {
    for (json& c : v) clamp_for_validator(c);
  }
}

// The array checks valijson makes too slowly, made first: its uniqueItems
// compares every pair (20,000 flavor names took 48 s, 200,000 did not finish
// in 2 minutes, measured) and it checks maxItems only after. Walks the
// document where the schema knows it; recursion is bounded by kMaxJsonDepth.
std::optional<Problem> check_arrays(const SchemaReader& reader, const json& node, const json& value,
                                    const std::string& pointer) {
  const json& n = reader.select(node, value);
  if (value.is_array()) {
    if (const auto max = n.find("maxItems"); max != n.end() && value.size() > max->get<std::uint64_t>()) {
      return Problem{pointer, "expected " + reader.expectation(n) + ", got " + std::to_string(value.size()) + " items"};
    }
    if (auto p = reader.repeated_item(n, value, pointer)) return p;
    if (const auto items = n.find("items"); items != n.end()) {
      for (std::size_t i = 0; i < value.size(); ++i) {
        if (auto p = check_arrays(reader, *items, value[i], child(pointer, i))) return p;
      }
    }
  } else if (value.is_object()) {
    const auto properties = n.find("properties");
    const auto extra = n.find("additionalProperties");
    for (const auto& [key, v] : value.items()) {
      const json* child_node = nullptr;
      if (properties != n.end() && properties->contains(key)) {
        child_node = &(*properties)[key];
      } else if (extra != n.end() && extra->is_object()) {
        child_node = &*extra;
      }
      if (child_node) {
        if (auto p = check_arrays(reader, *child_node, v, child(pointer, key))) return p;
      }
    }
  }
  return std::nullopt;
}

}  // namespace

const json& schema_document() { return compiled_schema().document; }

std::optional<Problem> find_problem(const json& doc) {
  const CompiledSchema& compiled = compiled_schema();
  if (auto p = check_arrays(SchemaReader(compiled.document), compiled.document, doc, "")) return p;
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

}  // namespace coordsim::sim::loader
