#include "sim/output/sweep_html_data.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <spdlog/fmt/fmt.h>

namespace coordsim::sim::sweep_page {

namespace {

using nlohmann::json;

// How a person reads a JSON value; dump() would throw on invalid UTF-8.
std::string plain(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "n/a";
  return v.dump(-1, ' ', false, json::error_handler_t::replace);
}

const json* child(const json* j, std::string_view key) {
  if (j == nullptr || !j->is_object()) return nullptr;
  const auto it = j->find(std::string(key));
  return it == j->end() ? nullptr : &*it;
}

// A document built in memory can hold NaN or infinity; neither may reach the page.
std::optional<double> finite(const json* j) {
  if (j == nullptr || !j->is_number()) return std::nullopt;
  const double v = j->get<double>();
  if (!std::isfinite(v)) return std::nullopt;
  return v;
}

std::optional<double> metric_at(const json& point, std::string_view group, std::string_view field) {
  return finite(child(child(child(&point, "metrics"), group), field));
}

std::optional<double> ci_at(const json& point, std::string_view group, std::size_t side) {
  const json* ci = child(child(child(&point, "metrics"), group), "ci95");
  if (ci == nullptr || !ci->is_array() || ci->size() != 2) return std::nullopt;
  return finite(&(*ci)[side]);
}

// 1 and 1.0 are the same grid value, so numbers are keyed by value, not by spelling.
std::string key(const json& v) {
  if (v.is_number()) return fmt::format("n{}", v.get<double>());
  return "j" + v.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string text_field(const json& doc, std::string_view key) {
  const json* v = child(&doc, key);
  return v == nullptr ? std::string("n/a") : plain(*v);
}

}  // namespace

int Axis::find_or_add(const json& v) {
  const std::string k = key(v);
  const auto it = index_of.find(k);
  if (it != index_of.end()) return it->second;
  const int i = static_cast<int>(labels.size());
  index_of.emplace(k, i);
  labels.push_back(plain(v));
  const std::optional<double> n = finite(&v);
  numbers.push_back(n.value_or(0));
  numeric = numeric && n.has_value();
  return i;
}

Sweep read_sweep(const json& doc) {
  Sweep s;
  s.scenario = text_field(doc, "scenario");
  s.strategy = text_field(doc, "strategy");
  s.trials = text_field(doc, "trials_per_point");
  s.seed = text_field(doc, "seed");
  s.target = finite(child(&doc, "target_duplicate_rate"));
  if (const json* params = child(&doc, "parameters"); params != nullptr && params->is_array())
    for (const json& p : *params) s.axes.push_back(Axis{plain(p), {}, {}, true, {}});
  // The grid fixes the order of values even for those no point (in a shard) has.
  if (const json* grid = child(&doc, "grid");
      grid != nullptr && grid->is_array() && grid->size() == s.axes.size())
    for (std::size_t d = 0; d < s.axes.size(); ++d)
      if ((*grid)[d].is_array())
        for (const json& v : (*grid)[d]) s.axes[d].find_or_add(v);

  const json* rec = child(&doc, "recommendation");
  const json* rec_index = child(rec, "index");
  const json* rec_values = child(rec, "values");
  if (rec != nullptr && rec->is_object()) {
    s.has_recommendation = true;
    if (const json* reason = child(rec, "reason")) s.recommendation_reason = plain(*reason);
    if (const json* w = child(rec, "warnings"); w != nullptr && w->is_array())
      for (const json& text : *w) s.recommendation_warnings.push_back(plain(text));
    if (const json* alt = child(rec, "alternative"); alt != nullptr && alt->is_object()) {
      if (const json* values = child(alt, "values"); values != nullptr && values->is_object())
        for (const auto& [k, v] : values->items())
          s.alternative += (s.alternative.empty() ? "" : ", ") + k + "=" + plain(v);
      if (const json* why = child(alt, "reason")) s.alternative += ": " + plain(*why);
    }
    // In grid order, as the reader met the parameters; JSON objects sort their keys.
    if (rec_values != nullptr && rec_values->is_object()) {
      for (const Axis& axis : s.axes)
        if (const json* v = child(rec_values, axis.name))
          s.recommendation_values.emplace_back(axis.name, plain(*v));
      for (const auto& [k, v] : rec_values->items())
        if (std::none_of(s.axes.begin(), s.axes.end(), [&](const Axis& a) { return a.name == k; }))
          s.recommendation_values.emplace_back(k, plain(v));
    }
  }

  if (const json* points = child(&doc, "points"); points != nullptr && points->is_array()) {
    for (const json& p : *points) {
      Point pt;
      const json* index = child(&p, "index");
      pt.index = index == nullptr ? std::string("n/a") : plain(*index);
      const json* values = child(&p, "values");
      for (Axis& axis : s.axes) {
        const json* v = child(values, axis.name);
        pt.labels.push_back(v == nullptr ? std::string("n/a") : plain(*v));
        pt.coord.push_back(v == nullptr ? -1 : axis.find_or_add(*v));
      }
      pt.dup = metric_at(p, "duplicate_rate", "value");
      pt.dup_lo = ci_at(p, "duplicate_rate", 0);
      pt.dup_hi = ci_at(p, "duplicate_rate", 1);
      pt.miss = metric_at(p, "miss_rate", "value");
      pt.analyses = metric_at(p, "analyses", "mean");
      pt.cost = metric_at(p, "cost_usd", "mean");
      pt.cost_year = metric_at(p, "cost_usd", "per_year");
      if (const auto total = metric_at(p, "cost_usd", "total_mean")) {
        pt.cost = total;
        pt.cost_year = metric_at(p, "cost_usd", "total_per_year");
      }
      pt.savings = metric_at(p, "cost_usd", "savings");
      pt.p95 = metric_at(p, "decision_latency_s", "p95");
      pt.api = metric_at(p, "api_calls", "mean");
      const json* pareto = child(&p, "pareto");
      pt.pareto = pareto != nullptr && pareto->is_boolean() && pareto->get<bool>();
      if (s.has_recommendation) {
        if (rec_index != nullptr)
          pt.recommended = index != nullptr && *index == *rec_index;
        else if (rec_values != nullptr)
          pt.recommended = values != nullptr && *values == *rec_values;
      }
      s.points.push_back(std::move(pt));
    }
  }
  if (const json* w = child(&doc, "warnings"); w != nullptr && w->is_array())
    for (const json& text : *w) s.warnings.push_back(plain(text));
  if (const json* shard = child(&doc, "shard"))
    s.shard = text_field(*shard, "k") + "/" + text_field(*shard, "n");
  const std::optional<double> total = finite(child(&doc, "points_total"));
  s.points_total =
      total && *total > 0 && *total < 1e12 ? static_cast<std::size_t>(*total) : s.points.size();
  return s;
}

}  // namespace coordsim::sim::sweep_page
