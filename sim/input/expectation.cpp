#include "sim/input/expectation.hpp"

#include <cmath>

#include <nlohmann/json.hpp>

#include "sim/input/input_error.hpp"
#include "sim/input/json_pointer.hpp"
#include "sim/input/value_text.hpp"

namespace coordsim::sim {

const std::vector<MetricInfo>& known_metrics() {
  static const std::vector<MetricInfo> metrics = {
      {"duplicate_rate", MetricKind::rate},
      {"miss_rate", MetricKind::rate},
      {"analyses.mean", MetricKind::estimate},
      {"analyses.max", MetricKind::extreme},
      {"failing_flavors.mean", MetricKind::estimate},
      {"issues_created.mean", MetricKind::estimate},
      {"issues_left_open.mean", MetricKind::estimate},
      {"api_calls.mean", MetricKind::estimate},
      {"rate_limited.mean", MetricKind::estimate},
      {"agents_died.mean", MetricKind::estimate},
      {"tokens.mean", MetricKind::estimate},
      {"cost_usd.mean", MetricKind::estimate},
      {"cost_usd.baseline_mean", MetricKind::estimate},
      {"cost_usd.savings", MetricKind::estimate},
      {"cost_usd.per_year", MetricKind::estimate},
      {"decision_latency_s.p50", MetricKind::estimate},
      {"decision_latency_s.p95", MetricKind::estimate},
      {"decision_latency_s.p99", MetricKind::estimate},
  };
  return metrics;
}

const MetricInfo* find_metric(std::string_view name) {
  // "duplicate_rate.value" is what the JSON output calls it; accept both.
  if (name.ends_with(".value")) name.remove_suffix(6);
  for (const MetricInfo& m : known_metrics())
    if (m.name == name) return &m;
  return nullptr;
}

namespace {

std::string metric_list() {
  std::string out;
  for (const MetricInfo& m : known_metrics()) {
    if (!out.empty()) out += ", ";
    out += m.name;
  }
  return out;
}

std::optional<double> bound(const nlohmann::json& spec, const char* key, const std::string& where) {
  auto it = spec.find(key);
  if (it == spec.end() || it->is_null()) return std::nullopt;
  if (!it->is_number())
    throw InputError(where + "/" + key, std::string("expected a number, got ") + it->type_name());
  const double v = it->get<double>();
  if (!std::isfinite(v)) throw InputError(where + "/" + key, "expected a finite number");
  return v;
}

}  // namespace

std::vector<Expectation> parse_expectations(const nlohmann::json& expect, const std::string& where) {
  std::vector<Expectation> out;
  if (expect.is_null()) return out;
  if (!expect.is_object())
    throw InputError(where, std::string("expected an object of metric bounds, got ") + expect.type_name());
  for (const auto& [name, spec] : expect.items()) {
    const std::string pointer = where + "/" + escape_pointer_token(name);
    const MetricInfo* info = find_metric(name);
    if (!info) {
      std::vector<std::string> names;
      for (const MetricInfo& m : known_metrics()) names.emplace_back(m.name);
      throw InputError(pointer, "unknown metric \"" + name + "\"" + loader::suggestion(name, names) +
                                    " (expected one of " + metric_list() + ")");
    }
    if (!spec.is_object())
      throw InputError(pointer, std::string("expected {\"min\": x} and/or {\"max\": y}, got ") + spec.type_name());
    for (const auto& [key, value] : spec.items()) {
      (void)value;
      if (key != "min" && key != "max" && key != "tolerance")
        throw InputError(pointer + "/" + escape_pointer_token(key),
                         "unknown field \"" + key + "\"; a bound takes min and/or max (and a zero bound a tolerance)");
    }
    Expectation e;
    e.metric = std::string(info->name);
    e.kind = info->kind;
    e.pointer = pointer;
    e.min = bound(spec, "min", pointer);
    e.max = bound(spec, "max", pointer);
    if (!e.min && !e.max) throw InputError(pointer, "expected a bound: min, max or both");
    if (e.min && e.max && *e.min > *e.max)
      throw InputError(pointer, "min (" + nlohmann::json(*e.min).dump() + ") must be <= max (" +
                                    nlohmann::json(*e.max).dump() + ")");
    if (e.kind == MetricKind::rate) {
      for (const auto& [b, key] : {std::pair{e.min, "min"}, std::pair{e.max, "max"}})
        if (b && (*b < 0 || *b > 1))
          throw InputError(pointer + "/" + key, "a rate bound must be within [0, 1], got " + nlohmann::json(*b).dump());
    }
    e.tolerance = bound(spec, "tolerance", pointer);
    if (e.tolerance) {
      if (!e.zero_bound())
        throw InputError(pointer + "/tolerance",
                         "a tolerance applies only to a rate bound that allows no violation (max 0 or min 1)");
      if (*e.tolerance <= 0 || *e.tolerance >= 1)
        throw InputError(pointer + "/tolerance",
                         "expected a rate in (0, 1), got " + nlohmann::json(*e.tolerance).dump());
    }
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace coordsim::sim
