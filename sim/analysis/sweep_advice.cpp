// What a finished sweep advises: the Pareto front, the recommended point and
// the rule that chose it, and the warnings a reader needs before trusting it
// (a choice on the grid's edge, a parameter that changes nothing). Used by
// run_sweep and merge_sweeps, so a merged sweep advises as the unsplit one.
#include <algorithm>
#include <array>
#include <map>
#include <string>
#include <vector>

#include <spdlog/fmt/fmt.h>

#include "sim/analysis/sweep.hpp"
#include "sim/input/input_error.hpp"

namespace coordsim::sim {

namespace {

double number_at(const nlohmann::json& metrics, const char* a, const char* b) {
  return metrics.at(a).at(b).get<double>();
}

// (duplicate rate, p95 decision latency, cost per failure): all minimised.
// The cost is the total (LLM + runner) when the scenario prices runner time.
double cost_of(const nlohmann::json& m) {
  const auto& c = m.at("cost_usd");
  const auto total = c.find("total_mean");
  return total != c.end() && total->is_number() ? total->get<double>() : c.at("mean").get<double>();
}

std::array<double, 3> key(const nlohmann::json& p) {
  const auto& m = p.at("metrics");
  return {number_at(m, "duplicate_rate", "value"), number_at(m, "decision_latency_s", "p95"), cost_of(m)};
}

std::string value_text(const nlohmann::json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

// A recommendation at the smallest or largest value swept of a numeric
// parameter may only be the best of a grid that stops too early: what lies
// beyond was not measured. (The tuning sweep recommended the largest wait
// every time.)
// A parameter that changes nothing has no edge worth widening.
std::vector<std::string> edge_warnings(const nlohmann::json& sweep, const nlohmann::json& best,
                                       const std::vector<std::string>& inert) {
  std::vector<std::string> out;
  for (const auto& name_json : sweep.at("parameters")) {
    const std::string name = name_json.get<std::string>();
    if (std::find(inert.begin(), inert.end(), name) != inert.end()) continue;
    const nlohmann::json& v = best.at("values").at(name);
    if (!v.is_number()) continue;
    double lo = v.get<double>(), hi = lo;
    for (const auto& p : sweep.at("points")) {
      const nlohmann::json& pv = p.at("values").at(name);
      if (!pv.is_number()) continue;
      lo = std::min(lo, pv.get<double>());
      hi = std::max(hi, pv.get<double>());
    }
    if (lo == hi) continue;
    const double x = v.get<double>();
    if (x == hi || x == lo)
      out.push_back(fmt::format("on the edge of the grid: {}={} is the {} value swept; points beyond it were not "
                                "measured, so widen the grid before trusting this choice",
                                name, v.dump(), x == hi ? "largest" : "smallest"));
  }
  return out;
}

// A parameter the protocol never reads gives identical rows (retry delays
// under ref-lock: every row the same, every row "Pareto"). It changes nothing
// when every set of points that differ only in it has identical metrics.
std::vector<std::string> inert_parameters(const nlohmann::json& sweep) {
  std::vector<std::string> out;
  const auto& parameters = sweep.at("parameters");
  const auto& points = sweep.at("points");
  for (std::size_t d = 0; d < parameters.size(); ++d) {
    // (One value swept: no two points differ only in it, so nothing is compared.)
    const std::string name = parameters[d].get<std::string>();
    // The other parameters' values -> the first such point's metrics.
    std::map<std::string, const nlohmann::json*> first;
    bool inert = true, compared = false;
    for (const auto& p : points) {
      nlohmann::json others = p.at("values");
      others.erase(name);
      const auto [it, added] = first.emplace(others.dump(), &p.at("metrics"));
      if (added) continue;
      compared = true;
      if (*it->second != p.at("metrics")) {
        inert = false;
        break;
      }
    }
    if (inert && compared) out.push_back(name);
  }
  return out;
}

struct Rule {
  std::string name = "cheapest";
  double cost_tolerance = 0;
};

Rule rule_of(const nlohmann::json& sweep) {
  Rule r;
  if (const auto it = sweep.find("recommendation_rule"); it != sweep.end() && it->is_object()) {
    r.name = it->value("name", std::string("cheapest"));
    r.cost_tolerance = it->value("cost_tolerance", 0.0);
  }
  return r;
}

// The points under the target, in grid order.
std::vector<const nlohmann::json*> qualifying(const nlohmann::json& sweep, double target) {
  std::vector<const nlohmann::json*> out;
  for (const auto& p : sweep.at("points"))
    if (p.at("metrics").at("duplicate_rate").at("ci95").at(1).get<double>() < target) out.push_back(&p);
  return out;
}

// cheapest: least cost, ties to the lower p95. lowest-p95: least p95 among the
// points costing at most (1 + tolerance) x the cheapest, ties to the cheaper.
const nlohmann::json* choose(const std::vector<const nlohmann::json*>& under, const Rule& rule) {
  const nlohmann::json* cheapest = nullptr;
  for (const nlohmann::json* p : under) {
    const auto kb = cheapest ? key(*cheapest) : std::array<double, 3>{}, kp = key(*p);
    if (!cheapest || kp[2] < kb[2] || (kp[2] == kb[2] && kp[1] < kb[1])) cheapest = p;
  }
  if (!cheapest || rule.name == "cheapest") return cheapest;
  const double limit = key(*cheapest)[2] * (1 + rule.cost_tolerance);
  const nlohmann::json* best = cheapest;
  for (const nlohmann::json* p : under) {
    const auto kb = key(*best), kp = key(*p);
    if (kp[2] <= limit && (kp[1] < kb[1] || (kp[1] == kb[1] && kp[2] < kb[2]))) best = p;
  }
  return best;
}

std::string reason(const nlohmann::json& p, const Rule& rule, double target, double cheapest_cost) {
  const auto& m = p.at("metrics");
  const double bound = m.at("duplicate_rate").at("ci95").at(1).get<double>();
  if (rule.name == "cheapest")
    return fmt::format("rule `cheapest`: the cheapest point (${:.4f} per failure, p95 decision {:.2f} s) whose "
                       "duplicate-rate upper 95% bound ({:.4f}) is under the target {:g}",
                       cost_of(m), number_at(m, "decision_latency_s", "p95"), bound, target);
  return fmt::format("rule `lowest-p95`: the lowest p95 decision latency ({:.2f} s, ${:.4f} per failure) among the "
                     "points whose duplicate-rate upper 95% bound is under the target {:g} (this one's: {:.4f}) and "
                     "whose cost is within {:g}% of the cheapest such point's (${:.4f})",
                     number_at(m, "decision_latency_s", "p95"), cost_of(m), target, bound,
                     100 * rule.cost_tolerance, cheapest_cost);
}

nlohmann::json describe(const nlohmann::json& p, const Rule& rule, double target, double cheapest_cost) {
  return {{"index", p.at("index")}, {"values", p.at("values")}, {"rule", rule.name},
          {"reason", reason(p, rule, target, cheapest_cost)}};
}

}  // namespace

void check_recommendation_rule(const std::string& name, double cost_tolerance) {
  if (name != "cheapest" && name != "lowest-p95")
    throw InputError("--recommend", "unknown rule \"" + name + "\"; expected cheapest or lowest-p95");
  if (!(cost_tolerance >= 0 && cost_tolerance <= 10))
    throw InputError("--cost-tolerance", fmt::format("expected a fraction in [0, 10], got {:g}", cost_tolerance));
}

void finish_sweep(nlohmann::json& sweep) {
  // A shard cannot know the front or the recommendation: they need every point.
  if (sweep.contains("shard")) {
    sweep["recommendation"] = nullptr;
    return;
  }
  auto& points = sweep["points"];
  for (auto& p : points) {
    const auto kp = key(p);
    bool dominated = false;
    for (const auto& q : points) {
      const auto kq = key(q);
      const bool no_worse = kq[0] <= kp[0] && kq[1] <= kp[1] && kq[2] <= kp[2];
      const bool better = kq[0] < kp[0] || kq[1] < kp[1] || kq[2] < kp[2];
      if (no_worse && better) {
        dominated = true;
        break;
      }
    }
    p["pareto"] = !dominated;
  }
  const std::vector<std::string> inert = inert_parameters(sweep);
  for (const std::string& name : inert)
    sweep["warnings"].push_back(fmt::format("`{}` changes nothing under `{}`: points that differ only in it have "
                                            "identical metrics, so the protocol does not read it here; drop it "
                                            "from the sweep or choose another --strategy",
                                            name, sweep.value("strategy", std::string("the chosen protocol"))));
  const double target = sweep.value("target_duplicate_rate", 0.05);
  const Rule rule = rule_of(sweep);
  const auto under = qualifying(sweep, target);
  const nlohmann::json* best = choose(under, rule);
  if (!best) {
    sweep["recommendation"] = nullptr;
    return;
  }
  const double cheapest_cost = key(*choose(under, Rule{}))[2];
  sweep["recommendation"] = describe(*best, rule, target, cheapest_cost);
  if (rule.name == "lowest-p95") sweep["recommendation"]["cost_tolerance"] = rule.cost_tolerance;
  const std::vector<std::string> edges = edge_warnings(sweep, *best, inert);
  if (!edges.empty()) sweep["recommendation"]["warnings"] = edges;
  // The cheapest point ignores latency: name what the latency-aware rule (at
  // its default 10% tolerance) would choose when that is another point, so a
  // reader sees the trade (the tuning sweep: 6 s of p95 for a few cents).
  if (rule.name == "cheapest") {
    const Rule latency{"lowest-p95", kDefaultCostTolerance};
    const nlohmann::json* other = choose(under, latency);
    if (other != best) {
      nlohmann::json alt = describe(*other, latency, target, cheapest_cost);
      alt["cost_tolerance"] = latency.cost_tolerance;
      sweep["recommendation"]["alternative"] = alt;
    }
  }
}

std::string recommendation_markdown(const nlohmann::json& sweep) {
  const auto& rec = sweep.at("recommendation");
  const auto values = [](const nlohmann::json& point) {
    std::string out;
    for (const auto& [k, v] : point.at("values").items())
      out += (out.empty() ? "`" : ", `") + k + "=" + value_text(v) + "`";
    return out;
  };
  std::string out = "**Recommendation:** " + values(rec) + " — " + rec.at("reason").get<std::string>() + ".\n\n";
  if (rec.contains("warnings"))
    for (const auto& w : rec.at("warnings")) out += "⚠️ The recommended point is " + w.get<std::string>() + ".\n\n";
  if (rec.contains("alternative")) {
    const auto& alt = rec.at("alternative");
    const auto* chosen = &sweep.at("points").at(0);
    const auto* other = chosen;
    for (const auto& p : sweep.at("points")) {
      if (p.at("index") == rec.at("index")) chosen = &p;
      if (p.at("index") == alt.at("index")) other = &p;
    }
    const auto kc = key(*chosen), ko = key(*other);
    out += fmt::format("Latency-aware alternative: {} has a p95 decision {:.2f} s lower for ${:.4f} more per failure "
                       "(within {:g}% of the cheapest; `--recommend lowest-p95` chooses it).\n\n",
                       values(alt), kc[1] - ko[1], ko[2] - kc[2], 100 * alt.at("cost_tolerance").get<double>());
  }
  return out;
}

std::string sweep_warnings_markdown(const nlohmann::json& sweep) {
  std::string out;
  if (const auto it = sweep.find("warnings"); it != sweep.end() && it->is_array())
    for (const auto& w : *it) out += "⚠️ " + w.get<std::string>() + ".\n\n";
  return out;
}

}  // namespace coordsim::sim
