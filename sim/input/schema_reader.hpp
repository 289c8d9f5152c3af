#pragma once
// Internal to the scenario loader: reads the embedded schema to say what is
// wrong with a value in words ("expected an integer >= 1, got -2"), at the
// place valijson found it, since valijson's own texts ("Value type not
// permitted by 'type' constraint.") tell a user neither what was expected nor
// what they wrote. --set also asks it which values the schema wants as strings.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/input/document_pointer.hpp"

namespace coordsim::sim::loader {

// A reader of the schema subset scenario.schema.json uses: $ref (local),
// anyOf, type, enum, minimum/maximum, minLength, minItems/maxItems/uniqueItems/items,
// properties/required/additionalProperties.
class SchemaReader {
 public:
  explicit SchemaReader(const nlohmann::json& root) : root_(root) {}

  const nlohmann::json& resolve(const nlohmann::json& node) const;

  bool accepts_type(const nlohmann::json& node, const nlohmann::json& value) const;

  // A noun phrase: "an integer >= 1", "a non-empty array of unique non-empty strings".
  std::string expectation(const nlohmann::json& node, bool plural = false) const;

  // What is wrong with `value` at `pointer` under `node`, looking at this level
  // only (its items and properties are reported at their own, deeper places).
  std::optional<Problem> describe(const nlohmann::json& node, const nlohmann::json& value,
                                  const std::string& pointer) const;

  // The schema node and value at `tokens`, following the anyOf branch the
  // value's type selects; nullopt if the path leaves the schema or the document.
  std::optional<std::pair<const nlohmann::json*, const nlohmann::json*>> at(
      const nlohmann::json& doc, const std::vector<std::string>& tokens) const;

  // Resolves $ref and picks the anyOf branch that takes the value's type.
  const nlohmann::json& select(const nlohmann::json& node, const nlohmann::json& value) const;

  // The first item of an array that repeats an earlier one, as a problem at
  // that item; O(n log n), where valijson's check is quadratic.
  std::optional<Problem> repeated_item(const nlohmann::json& node, const nlohmann::json& array,
                                       const std::string& pointer) const;

 private:
  Problem mismatch(const nlohmann::json& n, const nlohmann::json& value, const std::string& pointer) const;

  const nlohmann::json& root_;
};

}  // namespace coordsim::sim::loader
