// A property test of issue #15's item 9: the published schema
// (scenarios/scenario.schema.json, read by editors and other tools with JSON
// Schema's own rules), the embedded validator and the loader agree on which
// scenarios are valid. Documents are generated from the schema itself, so a
// field added to it is covered without touching this test: every field gets
// random valid values, and about half of the documents one invalid value
// (wrong type, out of range, not in the enum, unknown key, ...). The verdict
// the generator expects is JSON Schema's; both the validator and the loader
// must reach it. "trials": 1.0 is valid to JSON Schema and was refused by the
// validator; a time of 2e9 s was valid to the schema and refused by the loader.
//
// The loader also has rules no JSON Schema here can state (uniform min <= max,
// normal mean >= -2 sd, one weight per mixture component, a lease's positive
// poll interval, metric names in `expect`, sums past /limits/horizon_s); valid
// documents keep them, except the horizon, whose refusal is the one loader-only
// verdict allowed and must say so.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "sim/input/input_error.hpp"
#include "sim/input/scenario_loader.hpp"

namespace {

using nlohmann::json;

class Generator {
 public:
  explicit Generator(std::uint64_t seed) : rng_(seed), root_(coordsim::sim::scenario_schema()) {}

  // A document and whether JSON Schema accepts it.
  std::pair<json, bool> document() {
    invalid_budget_ = chance(0.5) ? 1 : 0;
    const int budget = invalid_budget_;
    json doc = object(root_, "");
    return {doc, invalid_budget_ == budget};
  }

 private:
  bool chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }
  int between(int low, int high) { return std::uniform_int_distribution<int>(low, high)(rng_); }
  double real(double low, double high) { return std::uniform_real_distribution<double>(low, high)(rng_); }
  template <class T>
  const T& pick(const std::vector<T>& v) {
    return v[static_cast<std::size_t>(between(0, static_cast<int>(v.size()) - 1))];
  }

  // Spends the one invalid value of a document here, sometimes.
  bool make_invalid() {
    if (invalid_budget_ == 0 || !chance(0.06)) return false;
    --invalid_budget_;
    return true;
  }

  const json& resolve(const json& node) const {
    const json* n = &node;
    while (n->contains("$ref")) n = &root_.at(json::json_pointer((*n)["$ref"].get<std::string>().substr(1)));
    return *n;
  }

  static std::string ref_name(const json& node) {
    return node.contains("$ref") ? node["$ref"].get<std::string>() : std::string();
  }

  json value(const json& node, const std::string& path) {
    if (ref_name(node) == "#/definitions/distribution") return distribution(0);
    const json& n = resolve(node);
    if (path == "/expect") return expect();
    if (n.contains("anyOf")) {
      // Only /workload/flavors: names or a count.
      if (make_invalid()) return pick<json>({true, json::array(), 0, 10001, json::array({"a", "a"})});
      return chance(0.5) ? value(n["anyOf"][0], path) : value(n["anyOf"][1], path);
    }
    const std::string type = n.value("type", "");
    if (type == "object") return object(n, path);
    if (type == "array") return array(n, path);
    if (type == "integer") return integer(n);
    if (type == "number") return number(n, path);
    if (type == "string") return string(n);
    if (type == "boolean") return make_invalid() ? json("true") : json(chance(0.5));
    FAIL("the generator does not know the schema node at " << path);
    return nullptr;
  }

  json object(const json& n, const std::string& path) {
    json out = json::object();
    // A map (report.usd_per_runner_minute_by_flavor: flavor name -> price):
    // its keys are names from elsewhere in the document, which the loader
    // checks; an empty map is valid, a non-object or a non-number value is not.
    if (!n.contains("properties") && n.contains("additionalProperties")) {
      if (make_invalid()) return pick<json>({3, "an object", json::object({{"some-flavor", "not a number"}})});
      return out;
    }
    if (path != "" && make_invalid()) return pick<json>({3, "an object", json::object({{"no_such_field", 1}})});
    const json& properties = n.at("properties");
    const json required = n.value("required", json::array());
    for (const auto& [key, schema] : properties.items()) {
      const bool needed = std::find(required.begin(), required.end(), key) != required.end();
      if (!needed && !chance(0.35)) continue;
      out[key] = value(schema, path + "/" + key);
    }
    if (!required.empty() && make_invalid()) out.erase(required[0].get<std::string>());
    // A key that differs from a real one only in case is unknown too.
    if (make_invalid()) {
      std::string key = properties.begin().key();
      key[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(key[0])));
      out[key] = 1;
    }
    return out;
  }

  json array(const json& n, const std::string& path) {
    const json& items = n.at("items");
    const auto min_items = n.value("minItems", 0);
    if (make_invalid()) {
      if (min_items > 0 && chance(0.5)) return json::array();
      if (n.value("uniqueItems", false)) return json::array({"same", "same"});
      return "not an array";
    }
    json out = json::array();
    const int count = between(min_items, 3);
    for (int i = 0; i < count; ++i) {
      // Unique strings where the schema asks (flavor names).
      out.push_back(n.value("uniqueItems", false) ? json("flavor-" + std::to_string(i)) : value(items, path + "/items"));
    }
    return out;
  }

  json integer(const json& n) {
    const bool has_min = n.contains("minimum"), has_max = n.contains("maximum");
    const std::int64_t low = has_min ? n["minimum"].get<std::int64_t>() : 0;
    const std::int64_t high = has_max ? n["maximum"].get<std::int64_t>() : low + 1'000'000;
    if (make_invalid()) {
      std::vector<json> bad{1.5, "7", true, nullptr};
      if (has_min) bad.push_back(low - 1);
      if (has_max) bad.push_back(high + 1);
      return pick(bad);
    }
    const std::int64_t v = chance(0.05) ? high : low + between(0, static_cast<int>(std::min<std::int64_t>(5, high - low)));
    // JSON Schema: a number with a zero fractional part is an integer.
    if (chance(0.2) && v < (std::int64_t{1} << 53)) return static_cast<double>(v);
    return v;
  }

  json number(const json& n, const std::string& path) {
    const bool exclusive = n.contains("exclusiveMinimum");
    const double low = exclusive ? n["exclusiveMinimum"].get<double>() : n.value("minimum", -1e6);
    const double high = n.value("maximum", low + 1e6);
    if (make_invalid()) {
      std::vector<json> bad{"1", false, json::array({1})};
      if (n.contains("minimum") || exclusive) bad.push_back(exclusive ? low : low - 0.5);
      if (n.contains("maximum")) bad.push_back(high * 2 + 1);
      return pick(bad);
    }
    // The loader's rule beyond the schema: a lease polls at a positive interval.
    const double floor = path == "/agent/lease/poll_interval_s" || exclusive ? low + 0.5 : low;
    if (chance(0.15)) return std::max(high, floor);
    return real(floor, std::min(high, floor + 50));
  }

  json string(const json& n) {
    if (n.contains("enum")) {
      if (make_invalid()) return pick<json>({"not-" + n["enum"][0].get<std::string>(), 3});
      return n["enum"][static_cast<std::size_t>(between(0, static_cast<int>(n["enum"].size()) - 1))];
    }
    if (n.contains("pattern")) return make_invalid() ? json("refs-without-slash") : json("refs/coord/");
    const auto min_length = n.value("minLength", 0);
    if (make_invalid()) return min_length > 0 ? json(std::string(static_cast<std::size_t>(min_length - 1), 'x')) : json(3);
    return std::string(static_cast<std::size_t>(std::max(min_length, 1)) + 2, 'a');
  }

  // Well-formed distributions keep the rules the schema cannot state; invalid
  // ones break one the schema does state.
  json distribution(int depth) {
    if (make_invalid()) {
      return pick<json>({-1, 2e9, "fast", json{{"dist", "gamma"}}, json{{"dist", "lognormal"}, {"median", 1}, {"sigma", 6}},
                         json{{"dist", "lognormal"}, {"median", 0}, {"sigma", 1}},
                         json{{"dist", "uniform"}, {"min", -1}, {"max", 1}},
                         json{{"dist", "empirical"}, {"samples", json::array()}},
                         json{{"dist", "normal"}, {"mean", 1}, {"sd", 2e9}}});
    }
    const auto param = [&] { return chance(0.1) ? 1e9 : real(0, 100); };
    switch (between(0, depth < 2 ? 7 : 6)) {
      case 0: return param();
      case 1: return json{{"dist", "constant"}, {"value", param()}};
      case 2: {
        const double a = param(), b = param();
        return json{{"dist", "uniform"}, {"min", std::min(a, b)}, {"max", std::max(a, b)}};
      }
      case 3: return json{{"dist", "exponential"}, {"mean", param()}};
      case 4: {
        const double sd = param();
        return json{{"dist", "normal"}, {"mean", real(-2 * sd, 1e9)}, {"sd", sd}};
      }
      case 5: return json{{"dist", "lognormal"}, {"median", real(0.001, 1e9)}, {"sigma", real(0, 5)}};
      case 6: return json{{"dist", "empirical"}, {"samples", json::array({param(), param()})}};
      default: {
        json weights = json::array(), components = json::array();
        for (int i = between(1, 3); i > 0; --i) {
          weights.push_back(real(0.1, 10));
          components.push_back(distribution(depth + 1));
        }
        return json{{"dist", "mixture"}, {"weights", weights}, {"components", components}};
      }
    }
  }

  json expect() {
    if (make_invalid()) return pick<json>({json{{"duplicate_rate", {{"max", "low"}}}}, json{{"miss_rate", {{"below", 1}}}}, 3});
    json out = json::object();
    if (chance(0.5)) out["duplicate_rate"] = {{"max", real(0, 1)}};
    if (chance(0.5)) out["api_calls.mean"] = {{"min", real(0, 10)}, {"max", real(10, 20)}};
    return out;
  }

  std::mt19937_64 rng_;
  const json& root_;
  int invalid_budget_ = 0;
};

bool validator_accepts(const json& doc, std::string& message) {
  try {
    coordsim::sim::validate_scenario(doc, "gen.json");
    return true;
  } catch (const coordsim::sim::InputError& e) {
    message = e.what();
    return false;
  }
}

bool loader_accepts(const json& doc, std::string& message) {
  try {
    (void)coordsim::sim::load_scenario_text(doc.dump(), "gen.json");
    return true;
  } catch (const coordsim::sim::InputError& e) {
    message = e.what();
    return false;
  }
}

}  // namespace

TEST_CASE("the schema, the embedded validator and the loader agree on generated documents", "[scenario_loader][property]") {
  Generator generate(20251203);
  int valid = 0, invalid = 0, past_horizon = 0;
  for (int i = 0; i < 3000; ++i) {
    const auto [doc, expected] = generate.document();
    std::string validator_message, loader_message;
    const bool validator = validator_accepts(doc, validator_message);
    const bool loader = loader_accepts(doc, loader_message);
    INFO("document " << i << ": " << doc.dump());
    INFO("validator: " << validator_message);
    INFO("loader: " << loader_message);
    REQUIRE(validator == expected);
    if (expected && !loader && loader_message.find("past the trial's horizon") != std::string::npos) {
      ++past_horizon;
      continue;
    }
    REQUIRE(loader == expected);
    // An invalid document is refused with one message, located in the file.
    if (!expected) REQUIRE(loader_message.rfind("gen.json: /", 0) == 0);
    (expected ? valid : invalid) += 1;
  }
  // Both verdicts are well represented, and the horizon rule is an exception.
  CHECK(valid > 1000);
  CHECK(invalid > 500);
  CHECK(past_horizon < 300);
}
