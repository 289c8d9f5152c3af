#include "sim/analysis/shrink.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <stdexcept>

#include <spdlog/fmt/fmt.h>

#include "sim/engine/replay.hpp"
#include "sim/engine/trial_runner.hpp"
#include "sim/input/input_error.hpp"
#include "sim/input/scenario_loader.hpp"

namespace coordsim::sim {

namespace {

constexpr int kMaxEvaluations = 5000;

// Everything a shrunk scenario says, as plain numbers (seconds, tokens).
struct Params {
  std::vector<std::string> flavors;  // failing, in failure order: flavor i fails at i * stagger
  double stagger = 0;
  bool common = true;  // one shared signature, or one per flavor
  std::array<double, agent::kEndpointCount> request{};
  std::array<double, agent::kEndpointCount> response{};
  std::array<double, kReadPathCount> lag{};
  double tokens_in = 0;
  double tokens_out = 0;
  double duration = 0;
};

// What the trial drew, collected from its recording.
struct Drawn {
  std::array<std::vector<double>, agent::kEndpointCount> request, response;
  std::array<std::vector<double>, kReadPathCount> lag;
};

double mean(const std::vector<double>& v, double otherwise) {
  return v.empty() ? otherwise : std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
}

// Seconds rounded to the microsecond, as the simulator will draw them.
double to_us(double s) { return agent::to_seconds(agent::from_seconds(s)); }

Drawn collect(const TrialReplay& r) {
  Drawn d;
  std::map<int, const TrialEvent*> request;  // per flavor, the call in flight
  Time commit{};
  for (const TrialEvent& e : r.events) {
    switch (e.kind) {
      case EventKind::request: request[e.flavor] = &e; break;
      case EventKind::snapshot:
      case EventKind::commit: {
        if (e.kind == EventKind::commit) commit = e.at;
        const auto it = request.find(e.flavor);
        if (it == request.end() || !it->second) break;
        const TrialEvent& q = *it->second;
        const auto ep = static_cast<std::size_t>(q.endpoint);
        d.request[ep].push_back(agent::to_seconds(e.at - q.at));
        d.response[ep].push_back(agent::to_seconds(q.at + q.duration - e.at));
        it->second = nullptr;
        break;
      }
      case EventKind::visible:
        d.lag[static_cast<std::size_t>(e.path)].push_back(agent::to_seconds(e.at - commit));
        break;
      default: break;
    }
  }
  return d;
}

Scenario to_scenario(const Scenario& base, const Params& p) {
  Scenario s = base;
  s.workload.flavors = p.flavors;
  s.workload.start_stagger_s = p.stagger;
  s.workload.start_jitter = Distribution::constant(0);
  s.workload.failure.common_mode_probability = p.common ? 1 : 0;
  s.workload.failure.per_flavor_probability = p.common ? 0 : 1;
  s.workload.failure.time_to_failure = Distribution::constant(0);
  s.workload.failure.flavor_delay = Distribution::constant(0);
  for (std::size_t e = 0; e < s.github.latency.size(); ++e)
    s.github.latency[e] = {Distribution::constant(p.request[e]), Distribution::constant(p.response[e])};
  for (std::size_t l = 0; l < s.github.visibility_lag.size(); ++l)
    s.github.visibility_lag[l] = Distribution::constant(p.lag[l]);
  s.llm.tokens_in = Distribution::constant(p.tokens_in);
  s.llm.tokens_out = Distribution::constant(p.tokens_out);
  s.llm.analysis_duration = Distribution::constant(p.duration);
  return s;
}

// Simpler values first: 0, one significant digit, whole, then 1-3 decimals.
std::vector<double> simpler(double v, bool allow_zero) {
  std::vector<double> out;
  const auto add = [&](double c) {
    c = to_us(c);
    if (c < 0 || c == v || std::find(out.begin(), out.end(), c) != out.end()) return;
    out.push_back(c);
  };
  if (allow_zero) add(0);
  if (v > 0) {
    const double magnitude = std::pow(10.0, std::floor(std::log10(v)));
    add(std::round(v / magnitude) * magnitude);
  }
  for (double scale : {1.0, 10.0, 100.0, 1000.0}) add(std::round(v * scale) / scale);
  return out;
}

class Shrinker {
 public:
  Shrinker(const Scenario& base, const agent::ProtocolConfig& protocol, std::uint64_t seed, const Predicate& where)
      : base_(base), protocol_(protocol), seed_(seed), where_(where) {}

  bool holds(const Params& p) {
    if (evaluations_ >= kMaxEvaluations) return false;
    ++evaluations_;
    const Scenario s = to_scenario(base_, p);
    TrialRunner runner(s, protocol_);
    const TrialOutcome& o = runner.run(seed_, 0);
    compute_trial_metrics(s, runner.plan(), runner.reports(), o, metrics_);
    return where_.matches(metrics_);
  }

  // Tries `candidate`; keeps it in `p` and logs `what` if the predicate holds.
  bool try_keep(Params& p, const Params& candidate, const std::string& what) {
    if (!holds(candidate)) return false;
    p = candidate;
    steps.push_back(what);
    return true;
  }

  int evaluations() const noexcept { return evaluations_; }
  std::vector<std::string> steps;

 private:
  const Scenario& base_;
  const agent::ProtocolConfig& protocol_;
  std::uint64_t seed_;
  const Predicate& where_;
  TrialMetrics metrics_;
  int evaluations_ = 0;
};

// A value to simplify: its name in the scenario and where it lives in Params.
struct Knob {
  std::string name;
  double Params::*scalar = nullptr;
  std::array<double, agent::kEndpointCount> Params::*per_endpoint = nullptr;
  std::array<double, kReadPathCount> Params::*per_path = nullptr;
  std::size_t slot = 0;
  bool allow_zero = true;

  double& of(Params& p) const {
    if (scalar) return p.*scalar;
    if (per_endpoint) return (p.*per_endpoint)[slot];
    return (p.*per_path)[slot];
  }
};

std::vector<Knob> knobs() {
  std::vector<Knob> k;
  k.push_back({"workload.start_stagger_s", &Params::stagger});
  for (std::size_t l = 0; l < static_cast<std::size_t>(kReadPathCount); ++l)
    k.push_back({fmt::format("github.visibility_lag_s.{}", read_path_name(static_cast<ReadPath>(l))), nullptr, nullptr,
                 &Params::lag, l});
  for (std::size_t e = 0; e < static_cast<std::size_t>(agent::kEndpointCount); ++e) {
    const std::string name = agent::endpoint_name(static_cast<agent::Endpoint>(e));
    k.push_back({"github.latency." + name + ".request_s", nullptr, &Params::request, nullptr, e});
    k.push_back({"github.latency." + name + ".response_s", nullptr, &Params::response, nullptr, e});
  }
  k.push_back({"llm.analysis_duration_s", &Params::duration});
  k.push_back({"llm.tokens_in", &Params::tokens_in, nullptr, nullptr, 0, false});
  k.push_back({"llm.tokens_out", &Params::tokens_out, nullptr, nullptr, 0, false});
  return k;
}

// Whole numbers as integers, so the file reads 8 rather than 8.0.
nlohmann::json num(double v) {
  if (std::abs(v) < 1e15 && v == std::floor(v)) return static_cast<std::int64_t>(v);
  return v;
}

nlohmann::json constant_latency(double request, double response) {
  return {{"request_s", num(request)}, {"response_s", num(response)}};
}

nlohmann::json to_document(const ScenarioFile& base, const Params& p, const std::string& strategy, std::uint64_t seed,
                           std::uint64_t index, const Predicate& where, const std::string& origin) {
  nlohmann::json doc = base.document.is_object() ? base.document : nlohmann::json::object();
  doc.erase("expect");
  doc["name"] = base.name + "-shrunk";
  doc["description"] = fmt::format(
      "Shrunk by coordsim from {} ({}), keeping `{}`: constant distributions only, so "
      "every trial is this one; {} flavor(s) failing {} s apart. Replay it: coordsim replay FILE --trial 0.",
      base.source, origin.empty() ? fmt::format("strategy {}, seed {}, trial {}", strategy, seed, index) : origin,
      where.text(), p.flavors.size(), p.stagger);
  doc["trials"] = 100;
  doc["workload"] = {{"flavors", p.flavors},
                     {"start_stagger_s", num(p.stagger)},
                     {"start_jitter_s", 0},
                     {"failure",
                      {{"common_mode_probability", p.common ? 1 : 0},
                       {"per_flavor_probability", p.common ? 0 : 1},
                       {"time_to_failure_s", 0},
                       {"flavor_delay_s", 0}}}};
  // The most common (request, response) pair becomes the default; endpoints
  // that differ are listed.
  std::map<std::pair<double, double>, int> counts;
  for (std::size_t e = 0; e < p.request.size(); ++e) ++counts[{p.request[e], p.response[e]}];
  const auto common = std::max_element(counts.begin(), counts.end(), [](const auto& a, const auto& b) {
                        return a.second < b.second;
                      })->first;
  nlohmann::json latency = {{"default", constant_latency(common.first, common.second)}};
  for (std::size_t e = 0; e < p.request.size(); ++e)
    if (std::pair(p.request[e], p.response[e]) != common)
      latency[agent::endpoint_name(static_cast<agent::Endpoint>(e))] = constant_latency(p.request[e], p.response[e]);
  nlohmann::json lags = nlohmann::json::object();
  for (std::size_t l = 0; l < p.lag.size(); ++l) lags[std::string(read_path_name(static_cast<ReadPath>(l)))] = num(p.lag[l]);
  doc["github"] = {{"latency", latency}, {"visibility_lag_s", lags}};
  nlohmann::json& llm = doc["llm"];
  if (!llm.is_object()) llm = nlohmann::json::object();
  llm["tokens_in"] = num(p.tokens_in);
  llm["tokens_out"] = num(p.tokens_out);
  llm["analysis_duration_s"] = num(p.duration);
  llm["usd_per_million_in"] = num(base.llm.usd_per_million_in);
  llm["usd_per_million_out"] = num(base.llm.usd_per_million_out);
  doc["agent"]["strategy"] = strategy;
  return doc;
}

}  // namespace

ShrinkResult shrink_trial(const ScenarioFile& scenario, const agent::ProtocolConfig& protocol, std::uint64_t seed,
                          std::uint64_t index, const Predicate& where) {
  return shrink_replay(scenario, protocol, replay_trial(scenario, protocol, seed, index), where);
}

ShrinkResult shrink_replay(const ScenarioFile& scenario, const agent::ProtocolConfig& protocol, const TrialReplay& r,
                           const Predicate& where, const std::string& origin) {
  const std::uint64_t seed = r.seed;
  const std::uint64_t index = r.index;
  if (!where.matches(r.metrics))
    throw InputError("--shrink", fmt::format("trial {} does not satisfy `{}`: nothing to shrink", index, where.text()));

  // The failing flavors in failure order, and what the trial drew.
  std::vector<std::size_t> failing;
  for (std::size_t i = 0; i < r.plan.size(); ++i)
    if (r.plan[i].fails) failing.push_back(i);
  std::stable_sort(failing.begin(), failing.end(),
                   [&](std::size_t a, std::size_t b) { return r.plan[a].fails_at < r.plan[b].fails_at; });
  const Drawn drawn = collect(r);

  Params start;
  start.common = failing.empty() || r.plan[failing.front()].signature == 0;
  for (std::size_t e = 0; e < start.request.size(); ++e) {
    start.request[e] = to_us(mean(drawn.request[e], scenario.github.latency[e].request.mean()));
    start.response[e] = to_us(mean(drawn.response[e], scenario.github.latency[e].response.mean()));
  }
  for (std::size_t l = 0; l < start.lag.size(); ++l)
    start.lag[l] = to_us(mean(drawn.lag[l], scenario.github.visibility_lag[l].mean()));
  std::vector<double> tokens_in, tokens_out, durations;
  for (std::size_t i : failing) {
    tokens_in.push_back(static_cast<double>(r.plan[i].analysis.tokens_in));
    tokens_out.push_back(static_cast<double>(r.plan[i].analysis.tokens_out));
    durations.push_back(agent::to_seconds(r.plan[i].analysis_duration));
  }
  start.tokens_in = std::round(mean(tokens_in, scenario.llm.tokens_in.mean()));
  start.tokens_out = std::round(mean(tokens_out, scenario.llm.tokens_out.mean()));
  start.duration = to_us(mean(durations, scenario.llm.analysis_duration.mean()));

  // A first constant scenario that keeps the predicate: the failing flavors
  // (or a window of consecutive ones) evenly spaced by a gap the trial had,
  // with the list lag at its mean, smallest or largest draw.
  Shrinker shrinker(scenario, protocol, seed, where);
  const auto list = static_cast<std::size_t>(ReadPath::list);
  std::vector<double> lag_choices = {start.lag[list]};
  if (!drawn.lag[list].empty()) {
    lag_choices.push_back(*std::min_element(drawn.lag[list].begin(), drawn.lag[list].end()));
    lag_choices.push_back(*std::max_element(drawn.lag[list].begin(), drawn.lag[list].end()));
  }
  std::optional<Params> found;
  for (std::size_t width = failing.size(); width >= 1 && !found; --width) {
    for (std::size_t first = 0; first + width <= failing.size() && !found; ++first) {
      std::vector<double> gaps;
      for (std::size_t j = first + 1; j < first + width; ++j)
        gaps.push_back(agent::to_seconds(r.plan[failing[j]].fails_at - r.plan[failing[j - 1]].fails_at));
      std::vector<double> staggers = {to_us(mean(gaps, 0))};
      if (!gaps.empty()) {
        std::vector<double> sorted = gaps;
        std::sort(sorted.begin(), sorted.end());
        staggers.push_back(to_us(sorted.front()));
        staggers.push_back(to_us(sorted[sorted.size() / 2]));
        staggers.push_back(to_us(sorted.back()));
      }
      staggers.push_back(0);
      for (double stagger : staggers) {
        for (double lag : lag_choices) {
          Params p = start;
          p.flavors.clear();
          for (std::size_t j = first; j < first + width; ++j) p.flavors.push_back(scenario.workload.flavors[failing[j]]);
          p.stagger = stagger;
          p.lag[list] = to_us(lag);
          if (shrinker.holds(p)) {
            found = p;
            break;
          }
        }
        if (found) break;
      }
    }
    if (width == 1) break;
  }
  if (!found)
    throw std::runtime_error(fmt::format(
        "could not shrink trial {}: no scenario with constant distributions built from its draws keeps `{}` "
        "(tried {}); the outcome depends on draws that differ from call to call",
        index, where.text(), shrinker.evaluations()));

  Params p = *found;
  shrinker.steps.push_back(fmt::format("constants from the trial's draws: {} flavor(s) {} s apart, list lag {} s",
                                       p.flavors.size(), p.stagger, p.lag[list]));
  const std::vector<Knob> all = knobs();
  for (bool changed = true; changed && shrinker.evaluations() < kMaxEvaluations;) {
    changed = false;
    // Fewer flavors, the latest failures first.
    for (std::size_t j = p.flavors.size(); j-- > 0 && p.flavors.size() > 1;) {
      Params c = p;
      c.flavors.erase(c.flavors.begin() + static_cast<std::ptrdiff_t>(j));
      changed |= shrinker.try_keep(p, c, "dropped flavor " + p.flavors[j]);
    }
    // Every latency at once to zero, then each value toward a simpler one.
    {
      Params c = p;
      c.request.fill(0);
      c.response.fill(0);
      if (c.request != p.request || c.response != p.response)
        changed |= shrinker.try_keep(p, c, "every API latency set to 0");
    }
    for (const Knob& k : all) {
      const double v = k.of(p);
      for (double s : simpler(v, k.allow_zero)) {
        Params c = p;
        k.of(c) = s;
        if (shrinker.try_keep(p, c, fmt::format("{}: {} -> {}", k.name, v, s))) {
          changed = true;
          break;
        }
      }
    }
  }

  ShrinkResult result;
  result.flavors_before = failing.size();
  result.flavors_after = p.flavors.size();
  result.evaluations = shrinker.evaluations();
  result.steps = std::move(shrinker.steps);
  result.scenario =
      to_document(scenario, p, std::string(agent::strategy_name(protocol.strategy)), seed, index, where, origin);

  // The document must load and reproduce on its own.
  const Scenario reloaded = load_scenario_text(result.scenario.dump(), "<shrunk scenario>");
  TrialRunner check(reloaded, reloaded.protocol);
  TrialMetrics m;
  const TrialOutcome& o = check.run(reloaded.seed, 0);
  compute_trial_metrics(reloaded, check.plan(), check.reports(), o, m);
  if (!where.matches(m))
    throw std::logic_error("the shrunk scenario, written out and loaded again, no longer satisfies the predicate");
  return result;
}

}  // namespace coordsim::sim
