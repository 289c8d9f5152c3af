#include "sim/input/distribution_json.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <limits>
#include <string_view>

#include <nlohmann/json.hpp>

#include "sim/input/input_error.hpp"
#include "sim/input/json_pointer.hpp"

namespace coordsim::sim {
namespace {

using nlohmann::json;

// Normal draws below 0 are redrawn. Requiring mean >= -2 sd keeps at least
// Phi(-2) = 2.3% of draws, so a draw takes at most ~44 tries on average; a
// lower mean would make sampling arbitrarily slow (or endless for sd = 0).
constexpr double kNormalMinMeanInSds = -2;

struct KindInfo {
  DistKind kind;
  std::string_view name;
  // Every field besides "dist"; all are required. "" marks an unused slot.
  std::array<std::string_view, 2> fields;
};

constexpr std::array<KindInfo, 7> kKinds{{
    {DistKind::constant, "constant", {"value", ""}},
    {DistKind::uniform, "uniform", {"min", "max"}},
    {DistKind::exponential, "exponential", {"mean", ""}},
    {DistKind::normal, "normal", {"mean", "sd"}},
    {DistKind::lognormal, "lognormal", {"median", "sigma"}},
    {DistKind::empirical, "empirical", {"samples", ""}},
    {DistKind::mixture, "mixture", {"weights", "components"}},
}};

// ---- Error-message helpers ----

// Shortest text that reads back as the same double, so messages show what the
// user wrote ("-1", "0.25") rather than a padded rendering.
std::string format_number(double v) {
  std::array<char, 32> buf{};
  const auto result = std::to_chars(buf.data(), buf.data() + buf.size(), v);
  return std::string(buf.data(), result.ptr);
}

std::string in_quotes(std::string_view s) { return "\"" + std::string(s) + "\""; }

// What a value is, for "got ..." in messages. Containers are named, not
// dumped, to keep messages one short line.
std::string describe(const json& j) {
  if (j.is_number()) return format_number(j.get<double>());
  if (j.is_string()) return "string " + in_quotes(j.get_ref<const std::string&>());
  if (j.is_boolean()) return j.get<bool>() ? "boolean true" : "boolean false";
  return j.type_name();
}

std::string child(const std::string& where, std::string_view key) {
  return where + "/" + escape_pointer_token(key);
}

std::string child(const std::string& where, std::size_t index) {
  return where + "/" + std::to_string(index);
}

std::string kind_names() {
  std::string out;
  for (const KindInfo& info : kKinds) {
    if (!out.empty()) out += ", ";
    out += info.name;
  }
  return out;
}

std::string field_list(const KindInfo& info) {
  std::string out;
  for (std::string_view f : info.fields) {
    if (f.empty()) continue;
    if (!out.empty()) out += ", ";
    out += f;
  }
  return out;
}

std::string takes(const KindInfo& info) {
  return "(" + std::string(info.name) + " takes " + field_list(info) + ")";
}

// ---- Value readers ----

enum class Bound { any, non_negative, positive };

// What one parse carries down into components: the caps and the depth.
struct Limits {
  bool non_negative = true;
  double max_value = std::numeric_limits<double>::infinity();
  int mixture_depth = 0;  // mixtures around the one being parsed
};

double read_number(const json& j, const std::string& where, Bound bound,
                   double max_value = std::numeric_limits<double>::infinity()) {
  if (!j.is_number()) throw InputError(where, "expected a number, got " + describe(j));
  // Adding 0.0 turns -0 into +0, so no draw is ever printed as "-0".
  const double v = j.get<double>() + 0.0;
  if (!std::isfinite(v)) throw InputError(where, "expected a finite number, got " + describe(j));
  if (v > max_value) {
    throw InputError(where, "expected a number <= " + format_number(max_value) + ", got " + format_number(v));
  }
  if (bound == Bound::non_negative && v < 0) {
    throw InputError(where, "expected a number >= 0, got " + format_number(v));
  }
  if (bound == Bound::positive && v <= 0) {
    throw InputError(where, "expected a number > 0, got " + format_number(v));
  }
  return v;
}

Bound sign_bound(const Limits& l) { return l.non_negative ? Bound::non_negative : Bound::any; }

const json& non_empty_array(const json& j, const std::string& where, std::string_view of_what) {
  if (!j.is_array() || j.empty()) {
    const std::string got = j.is_array() ? "an empty array" : describe(j);
    throw InputError(where,
                     "expected a non-empty array of " + std::string(of_what) + ", got " + got);
  }
  return j;
}

// ---- Object structure ----

const KindInfo& kind_of(const json& j, const std::string& where) {
  const auto it = j.find("dist");
  if (it == j.end()) {
    throw InputError(
        where, "missing field \"dist\" naming the distribution (one of " + kind_names() + ")");
  }
  const std::string at = child(where, "dist");
  if (!it->is_string()) {
    throw InputError(at, "expected a string naming the distribution, got " + describe(*it));
  }
  const auto& name = it->get_ref<const std::string&>();
  for (const KindInfo& info : kKinds) {
    if (info.name == name) return info;
  }
  throw InputError(at,
                   "unknown distribution " + in_quotes(name) + "; expected one of " + kind_names());
}

// Unknown fields are errors rather than ignored: a typo such as "maxx" would
// otherwise silently fall back to nothing sensible.
void check_fields(const json& j, const std::string& where, const KindInfo& info) {
  for (const auto& [key, value] : j.items()) {
    if (key == "dist") continue;
    if (std::find(info.fields.begin(), info.fields.end(), key) == info.fields.end() ||
        key.empty()) {
      throw InputError(child(where, key), "unknown field " + in_quotes(key) + " " + takes(info));
    }
  }
  for (std::string_view f : info.fields) {
    if (!f.empty() && !j.contains(f)) {
      throw InputError(where, "missing field " + in_quotes(f) + " " + takes(info));
    }
  }
}

// ---- Per-kind parsers (fields are known to be present) ----

Distribution parse_uniform(const json& j, const std::string& where, const Limits& l) {
  Distribution d;
  d.kind = DistKind::uniform;
  d.a = read_number(j.at("min"), child(where, "min"), sign_bound(l), l.max_value);
  d.b = read_number(j.at("max"), child(where, "max"), Bound::any, l.max_value);
  if (d.a > d.b) {
    throw InputError(child(where, "max"), "min (" + format_number(d.a) + ") must be <= max (" +
                                              format_number(d.b) + ")");
  }
  if (!std::isfinite(d.b - d.a)) {
    throw InputError(child(where, "max"),
                     "max - min must be a finite number, got " + format_number(d.b - d.a));
  }
  return d;
}

Distribution parse_exponential(const json& j, const std::string& where, const Limits& l) {
  Distribution d;
  d.kind = DistKind::exponential;
  // Mean 0 is accepted as a degenerate "always 0".
  d.a = read_number(j.at("mean"), child(where, "mean"), Bound::non_negative, l.max_value);
  return d;
}

Distribution parse_normal(const json& j, const std::string& where, const Limits& l) {
  Distribution d;
  d.kind = DistKind::normal;
  d.a = read_number(j.at("mean"), child(where, "mean"), Bound::any, l.max_value);
  d.b = read_number(j.at("sd"), child(where, "sd"), Bound::non_negative, l.max_value);
  const double lowest_mean = kNormalMinMeanInSds * d.b + 0.0;
  if (d.a < lowest_mean) {
    throw InputError(child(where, "mean"),
                     "normal mean (" + format_number(d.a) + ") must be >= -2 * sd (" +
                         format_number(lowest_mean) +
                         "): draws below 0 are redrawn, and a lower mean keeps fewer than 2.3% "
                         "of them");
  }
  return d;
}

Distribution parse_lognormal(const json& j, const std::string& where, const Limits& l) {
  Distribution d;
  d.kind = DistKind::lognormal;
  d.a = read_number(j.at("median"), child(where, "median"), Bound::positive, l.max_value);
  d.b = read_number(j.at("sigma"), child(where, "sigma"), Bound::non_negative, kMaxLognormalSigma);
  return d;
}

Distribution parse_empirical(const json& j, const std::string& where, const Limits& l) {
  Distribution d;
  d.kind = DistKind::empirical;
  const std::string at = child(where, "samples");
  const json& samples = non_empty_array(j.at("samples"), at, "numbers");
  d.samples.reserve(samples.size());
  for (std::size_t i = 0; i < samples.size(); ++i) {
    d.samples.push_back(read_number(samples[i], child(at, i), sign_bound(l), l.max_value));
  }
  return d;
}

Distribution parse_any(const json& j, const std::string& where, const Limits& l);

Distribution parse_mixture(const json& j, const std::string& where, const Limits& l) {
  if (l.mixture_depth + 1 > kMaxMixtureDepth) {
    throw InputError(where, "mixtures nest deeper than " + std::to_string(kMaxMixtureDepth) +
                                " levels (a component that is a mixture of mixtures ...)");
  }
  Distribution d;
  d.kind = DistKind::mixture;
  const std::string weights_at = child(where, "weights");
  const std::string components_at = child(where, "components");
  const json& weights = non_empty_array(j.at("weights"), weights_at, "numbers");
  const json& components = non_empty_array(j.at("components"), components_at, "distributions");
  if (weights.size() != components.size()) {
    throw InputError(components_at, "expected as many components as weights (" +
                                        std::to_string(weights.size()) + "), got " +
                                        std::to_string(components.size()));
  }
  double total = 0;
  d.cumulative_weights.reserve(weights.size());
  for (std::size_t i = 0; i < weights.size(); ++i) {
    total += read_number(weights[i], child(weights_at, i), Bound::non_negative, l.max_value);
    d.cumulative_weights.push_back(total);
  }
  if (!(total > 0) || !std::isfinite(total)) {
    throw InputError(weights_at,
                     "expected weights with a positive finite sum, got " + format_number(total));
  }
  // The last entry becomes total / total, exactly 1, so every u in [0, 1)
  // falls below it.
  for (double& c : d.cumulative_weights) c /= total;
  d.components.reserve(components.size());
  Limits inner = l;
  ++inner.mixture_depth;
  for (std::size_t i = 0; i < components.size(); ++i) {
    d.components.push_back(parse_any(components[i], child(components_at, i), inner));
  }
  return d;
}

Distribution parse_any(const json& j, const std::string& where, const Limits& l) {
  if (j.is_number()) return Distribution::constant(read_number(j, where, sign_bound(l), l.max_value));
  if (!j.is_object()) {
    throw InputError(where, "expected a number or a distribution object, got " + describe(j));
  }
  const KindInfo& info = kind_of(j, where);
  check_fields(j, where, info);
  // Normal is truncated at 0 whatever non_negative says (the struct has no
  // flag for it), so its parameters are checked the same way in both cases.
  switch (info.kind) {
    case DistKind::constant:
      return Distribution::constant(
          read_number(j.at("value"), child(where, "value"), sign_bound(l), l.max_value));
    case DistKind::uniform:
      return parse_uniform(j, where, l);
    case DistKind::exponential:
      return parse_exponential(j, where, l);
    case DistKind::normal:
      return parse_normal(j, where, l);
    case DistKind::lognormal:
      return parse_lognormal(j, where, l);
    case DistKind::empirical:
      return parse_empirical(j, where, l);
    case DistKind::mixture:
      return parse_mixture(j, where, l);
  }
  return {};
}

}  // namespace

Distribution parse_distribution(const json& j, const std::string& where, bool non_negative, double max_value) {
  return parse_any(j, where, Limits{non_negative, max_value, 0});
}

json to_json(const Distribution& d) {
  if (d.kind == DistKind::constant) return d.a;
  json out = json::object();
  switch (d.kind) {
    case DistKind::constant:
      break;
    case DistKind::uniform:
      out["dist"] = "uniform";
      out["min"] = d.a;
      out["max"] = d.b;
      break;
    case DistKind::exponential:
      out["dist"] = "exponential";
      out["mean"] = d.a;
      break;
    case DistKind::normal:
      out["dist"] = "normal";
      out["mean"] = d.a;
      out["sd"] = d.b;
      break;
    case DistKind::lognormal:
      out["dist"] = "lognormal";
      out["median"] = d.a;
      out["sigma"] = d.b;
      break;
    case DistKind::empirical:
      out["dist"] = "empirical";
      out["samples"] = d.samples;
      break;
    case DistKind::mixture: {
      // Weights are differences of the cumulative weights. Floating-point
      // subtraction is not always undone by the re-parse's running sum, so a
      // round trip may move a cumulative weight by an ulp or so (a draw changes
      // with probability ~1e-16); everything else round-trips exactly.
      json weights = json::array();
      json components = json::array();
      for (std::size_t i = 0; i < d.components.size(); ++i) {
        weights.push_back(d.cumulative_weights[i] - (i == 0 ? 0.0 : d.cumulative_weights[i - 1]));
        components.push_back(to_json(d.components[i]));
      }
      out["dist"] = "mixture";
      out["weights"] = std::move(weights);
      out["components"] = std::move(components);
      break;
    }
  }
  return out;
}

}  // namespace coordsim::sim
