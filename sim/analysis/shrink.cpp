#include "sim/analysis/shrink.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <stdexcept>

#include <spdlog/fmt/fmt.h>

#include "sim/engine/replay.hpp"
#include "sim/engine/trial_runner.hpp"
#include "sim/engine/trial_progress.hpp"
#include "sim/input/input_error.hpp"
#include "sim/input/scenario_convert.hpp"
#include "sim/input/scenario_loader.hpp"

namespace coordsim::sim {

namespace {

constexpr int kMaxEvaluations = 5000;
// Seeds tried after the original one when the outcome depends on draws still
// random in the shrunk scenario (a 20% agent death reappears within 16 seeds
// 97% of the time).
constexpr std::uint64_t kExtraSeeds = 16;

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
  // What the trial had beyond constants, drawn from the seed: kept while the
  // predicate needs it (the written scenario has whatever the tested one had).
  bool faults = false;       // github.faults
  bool rate_limits = false;  // github.rate_limits
  bool death = false;        // workload.agent_death
  std::uint64_t seed = 0;    // what those are drawn from (written when not the file's own)
};

// What the trial drew, collected from its recording.
struct Drawn {
  std::array<std::vector<double>, agent::kEndpointCount> request, response;
  std::array<std::vector<double>, kReadPathCount> lag;
  std::array<bool, kReadPathCount> read{};  // some agent read through the path
};

// The read path an endpoint's snapshot reads; nullopt for writes.
std::optional<ReadPath> path_read_by(agent::Endpoint e) {
  switch (e) {
    case agent::Endpoint::list_issues: return ReadPath::list;
    case agent::Endpoint::get_issue: return ReadPath::get;
    case agent::Endpoint::search_issues: return ReadPath::search;
    case agent::Endpoint::get_ref: return ReadPath::refs;
    default: return std::nullopt;
  }
}

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
        if (e.kind == EventKind::snapshot)
          if (const auto path = path_read_by(e.endpoint)) d.read[static_cast<std::size_t>(*path)] = true;
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

// What a scenario file says about where it came from and what stays random.
struct Origin {
  const ScenarioFile& base;
  std::string strategy;
  std::uint64_t seed = 0;
  std::uint64_t index = 0;
  const Predicate& where;
  std::string origin;  // replaces "strategy S, seed N, trial K" when not empty
};

// The scenario document of `p`: the base scenario's own document with the
// shrunk values written over it, so whatever else the base had (faults, rate
// limits, agent death, trial limits, agent settings) stays as the tested
// candidate had it. Candidates are run from this document (Shrinker::holds),
// so what is written is what was tested.
nlohmann::json to_document(const Origin& o, const Params& p) {
  const ScenarioFile& base = o.base;
  nlohmann::json doc = base.document.is_object() ? base.document : nlohmann::json::object();
  doc.erase("expect");
  doc["name"] = base.name + "-shrunk";
  std::vector<std::string> random;
  if (p.faults) random.emplace_back("github.faults");
  if (p.rate_limits) random.emplace_back("github.rate_limits");
  if (p.death) random.emplace_back("workload.agent_death");
  const std::string from =
      o.origin.empty() ? fmt::format("strategy {}, seed {}, trial {}", o.strategy, o.seed, o.index) : o.origin;
  if (random.empty()) {
    doc["description"] = fmt::format(
        "Shrunk by coordsim from {} ({}), keeping `{}`: constant distributions only, so "
        "every trial is this one; {} flavor(s) failing {} s apart. Replay it: coordsim replay FILE --trial 0.",
        base.source, from, o.where.text(), p.flavors.size(), p.stagger);
  } else {
    doc["description"] = fmt::format(
        "Shrunk by coordsim from {} ({}), keeping `{}`: constant distributions, {} flavor(s) failing {} s apart; "
        "{} still drawn from the seed, so trial 0 of seed {} is the shrunk trial and other trials differ. "
        "Replay it: coordsim replay FILE --trial 0.",
        base.source, from, o.where.text(), p.flavors.size(), p.stagger, fmt::join(random, ", "), p.seed);
  }
  // The seed the candidate ran with (the file's own unless --seed or the seed
  // search chose another).
  if (p.seed != base.seed) doc["seed"] = p.seed;
  doc["trials"] = 100;
  nlohmann::json& workload = doc["workload"];
  if (!workload.is_object()) workload = nlohmann::json::object();
  workload["flavors"] = p.flavors;
  workload["start_stagger_s"] = num(p.stagger);
  workload["start_jitter_s"] = 0;
  workload["failure"] = {{"common_mode_probability", p.common ? 1 : 0},
                         {"per_flavor_probability", p.common ? 0 : 1},
                         {"time_to_failure_s", 0},
                         {"flavor_delay_s", 0}};
  if (!p.death) workload.erase("agent_death");
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
  nlohmann::json& github = doc["github"];
  if (!github.is_object()) github = nlohmann::json::object();
  github["latency"] = latency;
  github["visibility_lag_s"] = lags;
  if (!p.faults) github.erase("faults");
  if (!p.rate_limits) github.erase("rate_limits");
  nlohmann::json& llm = doc["llm"];
  if (!llm.is_object()) llm = nlohmann::json::object();
  llm["tokens_in"] = num(p.tokens_in);
  llm["tokens_out"] = num(p.tokens_out);
  llm["analysis_duration_s"] = num(p.duration);
  llm["usd_per_million_in"] = num(base.llm.usd_per_million_in);
  llm["usd_per_million_out"] = num(base.llm.usd_per_million_out);
  doc["agent"]["strategy"] = o.strategy;
  return doc;
}

// Tries candidates by running trial 0 of the document each would be written
// as, at the document's seed.
class Shrinker {
 public:
  explicit Shrinker(const Origin& origin) : origin_(origin) {}

  bool holds(const Params& p) {
    if (evaluations_ >= limit_) return false;
    ++evaluations_;
    // Converted without the schema pass: to_document only writes values the
    // schema accepts, and the final document is loaded in full.
    const Scenario s = loader::convert(to_document(origin_, p));
    TrialRunner runner(s, s.protocol);
    const TrialOutcome& o = runner.run(s.seed, 0);
    trials_done().fetch_add(1, std::memory_order_relaxed);  // for cli/progress
    compute_trial_metrics(s, runner.plan(), runner.reports(), o, metrics_);
    return origin_.where.matches(metrics_);
  }

  // Tries `candidate`; keeps it in `p` and logs `what` if the predicate holds.
  bool try_keep(Params& p, const Params& candidate, const std::string& what) {
    if (!holds(candidate)) return false;
    p = candidate;
    steps.push_back(what);
    return true;
  }

  int evaluations() const noexcept { return evaluations_; }
  bool exhausted() const noexcept { return evaluations_ >= limit_; }
  // The simplification passes get at least `n` evaluations of their own
  // after a long search for the first candidate (over seeds).
  void allow_at_least(int n) noexcept { limit_ = std::max(limit_, evaluations_ + n); }
  std::vector<std::string> steps;

 private:
  const Origin& origin_;
  TrialMetrics metrics_;
  int evaluations_ = 0;
  int limit_ = kMaxEvaluations;
};

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

  start.faults = scenario.github.faults.any();
  start.rate_limits = scenario.github.rate_limits.enabled;
  start.death = scenario.workload.death.probability > 0;
  start.seed = seed;

  // A first constant scenario that keeps the predicate: the failing flavors
  // (or a window of consecutive ones) evenly spaced by a gap the trial had,
  // with the list lag at its mean, smallest or largest draw; failing that,
  // with every read path's lag at one of those. A counterexample may need a
  // get or refs lag the mean of its draws does not reach (scan-down with get
  // lag 40 s), and the list pass, tried first, keeps the figures of the
  // shrinks it already finds.
  const Origin from{scenario, std::string(agent::strategy_name(protocol.strategy)), seed, index, where, origin};
  Shrinker shrinker(from);
  const auto list = static_cast<std::size_t>(ReadPath::list);
  std::array<std::vector<double>, kReadPathCount> lag_options;
  for (std::size_t l = 0; l < lag_options.size(); ++l) {
    lag_options[l] = {start.lag[l]};
    const std::vector<double>& d = drawn.lag[l];
    if (d.empty() || (l != list && !drawn.read[l])) continue;
    for (double v : {*std::min_element(d.begin(), d.end()), *std::max_element(d.begin(), d.end())}) {
      v = to_us(v);
      // The list pass tries its three values as it always did, repeats included.
      if (l == list || std::find(lag_options[l].begin(), lag_options[l].end(), v) == lag_options[l].end())
        lag_options[l].push_back(v);
    }
  }
  // Pass 0: the list lag's options, the others at their means. Pass 1: every
  // combination of the options not tried in pass 0.
  std::vector<std::vector<std::array<double, kReadPathCount>>> passes(2);
  for (double v : lag_options[list]) {
    passes[0].push_back(start.lag);
    passes[0].back()[list] = v;
  }
  for (std::array<std::size_t, kReadPathCount> at{};;) {
    bool only_list = true;
    for (std::size_t l = 0; l < at.size(); ++l) only_list &= l == list || at[l] == 0;
    if (!only_list) {
      std::array<double, kReadPathCount> lags{};
      for (std::size_t l = 0; l < at.size(); ++l) lags[l] = lag_options[l][at[l]];
      passes[1].push_back(lags);
    }
    std::size_t l = 0;
    while (l < at.size() && ++at[l] == lag_options[l].size()) at[l++] = 0;
    if (l == at.size()) break;
  }

  // What is still drawn from the seed (faults, rate-limit budgets, agent
  // death) differs between the original trial and trial 0 of a candidate, so
  // when no candidate keeps the property at the original seed, a few more
  // seeds are tried; the one that does is written into the file.
  std::vector<std::uint64_t> seeds = {seed};
  if (start.faults || start.rate_limits || start.death)
    for (std::uint64_t k = 1; k <= kExtraSeeds; ++k) seeds.push_back(seed + k);
  std::optional<Params> found;
  for (std::size_t attempt = 0; attempt < seeds.size() * passes.size() && !found; ++attempt) {
    const auto& lag_choices = passes[attempt % passes.size()];
    start.seed = seeds[attempt / passes.size()];
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
          for (const auto& lags : lag_choices) {
            Params p = start;
            p.flavors.clear();
            for (std::size_t j = first; j < first + width; ++j)
              p.flavors.push_back(scenario.workload.flavors[failing[j]]);
            p.stagger = stagger;
            p.lag = lags;
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
  }
  if (!found)
    throw std::runtime_error(fmt::format(
        "could not shrink trial {}: no scenario with constant distributions built from its draws keeps `{}` "
        "(tried {}{}); the outcome depends on draws that differ from call to call",
        index, where.text(), shrinker.evaluations(),
        seeds.size() > 1 ? fmt::format(", at seeds {} to {}", seeds.front(), seeds.back()) : std::string()));

  Params p = *found;
  std::string lags_kept = fmt::format("list lag {} s", p.lag[list]);
  for (std::size_t l = 0; l < p.lag.size(); ++l)
    if (l != list && p.lag[l] != start.lag[l])
      lags_kept += fmt::format(", {} lag {} s", read_path_name(static_cast<ReadPath>(l)), p.lag[l]);
  if (p.seed != seed) lags_kept += fmt::format(", seed {}", p.seed);
  shrinker.steps.push_back(fmt::format("constants from the trial's draws: {} flavor(s) {} s apart, {}",
                                       p.flavors.size(), p.stagger, lags_kept));
  const std::vector<Knob> all = knobs();
  shrinker.allow_at_least(1000);
  for (bool changed = true; changed && !shrinker.exhausted();) {
    changed = false;
    // Fewer flavors, the latest failures first.
    for (std::size_t j = p.flavors.size(); j-- > 0 && p.flavors.size() > 1;) {
      Params c = p;
      c.flavors.erase(c.flavors.begin() + static_cast<std::ptrdiff_t>(j));
      changed |= shrinker.try_keep(p, c, "dropped flavor " + p.flavors[j]);
    }
    // What is still drawn from the seed, each dropped if the predicate holds without it.
    for (auto [flag, what] : {std::pair{&Params::faults, "github.faults"}, std::pair{&Params::rate_limits, "github.rate_limits"},
                              std::pair{&Params::death, "workload.agent_death"}}) {
      if (!(p.*flag)) continue;
      Params c = p;
      c.*flag = false;
      changed |= shrinker.try_keep(p, c, fmt::format("removed {}", what));
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
  result.scenario = to_document(from, p);

  // The document must load and reproduce on its own.
  const Scenario reloaded = load_scenario_text(result.scenario.dump(), "<shrunk scenario>");
  TrialRunner check(reloaded, reloaded.protocol);
  TrialMetrics m;
  const TrialOutcome& o = check.run(reloaded.seed, 0);
  compute_trial_metrics(reloaded, check.plan(), check.reports(), o, m);
  // Candidates run from the document itself, so this holds unless the text
  // form changed a value.
  if (!where.matches(m))
    throw std::logic_error("the shrunk scenario, written out and loaded again, no longer satisfies the predicate");
  return result;
}

}  // namespace coordsim::sim
