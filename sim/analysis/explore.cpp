#include "sim/analysis/explore.hpp"

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <utility>

#include <spdlog/fmt/fmt.h>

#include "sim/engine/trial_metrics.hpp"
#include "sim/engine/trial_runner.hpp"
#include "sim/engine/trial_progress.hpp"
#include "sim/input/distribution_json.hpp"
#include "sim/input/input_error.hpp"
#include "sim/random/choice_oracle.hpp"

namespace coordsim::sim {

namespace {

using Labelled = std::vector<std::pair<const Distribution*, std::string>>;

bool has_pointer(const nlohmann::json& doc, const std::string& pointer) {
  if (!doc.is_object()) return false;
  try {
    return doc.contains(nlohmann::json::json_pointer(pointer));
  } catch (const nlohmann::json::exception&) {
    return false;
  }
}

// Every distribution a trial may draw from, with the JSON pointer a user would
// edit. A latency that was not given per endpoint comes from the default.
Labelled labelled_distributions(const ScenarioFile& s) {
  Labelled out;
  out.emplace_back(&s.workload.start_jitter, "/workload/start_jitter_s");
  out.emplace_back(&s.workload.failure.time_to_failure, "/workload/failure/time_to_failure_s");
  out.emplace_back(&s.workload.failure.flavor_delay, "/workload/failure/flavor_delay_s");
  out.emplace_back(&s.workload.rest_of_build, "/workload/rest_of_build_s");
  for (int e = 0; e < agent::kEndpointCount; ++e) {
    const std::string name = agent::endpoint_name(static_cast<agent::Endpoint>(e));
    const EndpointLatency& l = s.github.latency[static_cast<std::size_t>(e)];
    for (const auto& [d, field] : {std::pair{&l.request, "request_s"}, std::pair{&l.response, "response_s"}}) {
      std::string at = "/github/latency/" + name + "/" + field;
      if (!has_pointer(s.document, at) && has_pointer(s.document, std::string("/github/latency/default/") + field))
        at = std::string("/github/latency/default/") + field;
      out.emplace_back(d, at);
    }
  }
  for (int p = 0; p < kReadPathCount; ++p)
    out.emplace_back(&s.github.visibility_lag[static_cast<std::size_t>(p)],
                     "/github/visibility_lag_s/" + std::string(read_path_name(static_cast<ReadPath>(p))));
  if (s.github.rate_limits.enabled) {
    const RateLimitConfig& r = s.github.rate_limits;
    out.emplace_back(&r.primary_used_at_start, "/github/rate_limits/primary_used_at_start");
    out.emplace_back(&r.primary_reset_in, "/github/rate_limits/primary_reset_in_s");
    out.emplace_back(&r.writes_last_minute_at_start, "/github/rate_limits/writes_last_minute_at_start");
    out.emplace_back(&r.writes_last_hour_at_start, "/github/rate_limits/writes_last_hour_at_start");
  }
  out.emplace_back(&s.llm.tokens_in, "/llm/tokens_in");
  out.emplace_back(&s.llm.tokens_out, "/llm/tokens_out");
  out.emplace_back(&s.llm.analysis_duration, "/llm/analysis_duration_s");
  return out;
}

std::string dist_name(const Distribution& d) {
  const nlohmann::json j = to_json(d);
  return j.is_object() ? j.value("dist", "distribution") : "constant";
}

// "/github/visibility_lag_s/list" -> "github.visibility_lag_s.list", as --set takes it.
std::string set_path(std::string pointer) {
  if (!pointer.empty() && pointer.front() == '/') pointer.erase(0, 1);
  std::replace(pointer.begin(), pointer.end(), '/', '.');
  return pointer;
}

// Metrics fixed once every failing flavor has decided (no agent can die, so
// an `analyze` decision is an analysis): whether a duplicate or a miss
// happened, and what the plan drew. API calls, issues and events are not:
// clean-up and lease traffic still follows.
bool settled_at_decisions(const std::string& name) {
  static const char* const kSettled[] = {"failing_flavors", "signatures",  "analyses",         "skips",
                                         "duplicate",       "miss",        "duplicates",       "misses",
                                         "tokens",          "cost_usd",    "baseline_cost_usd", "min_latency_s",
                                         "max_latency_s",   "spread_s",    "min_gap_s"};
  return std::find(std::begin(kSettled), std::end(kSettled), name) != std::end(kSettled);
}

// Why settled pruning cannot apply here; empty when it can.
std::string settled_pruning_blocker(const Scenario& s, const agent::ProtocolConfig& protocol, const Predicate& where) {
  if (protocol.strategy == agent::Strategy::fan_in) return "fan-in decides after every leg, nothing to prune";
  if (s.workload.death.probability > 0) return "an agent may die after deciding to analyze";
  for (int id : where.metrics_used()) {
    const std::string& name = trial_metric_infos()[static_cast<std::size_t>(id)].name;
    if (!settled_at_decisions(name)) return "the predicate reads " + name + ", which changes after the decisions";
  }
  return {};
}

std::vector<ExploredDraw> describe(const std::vector<Choice>& trace, const Labelled& labels) {
  std::vector<ExploredDraw> out;
  for (const Choice& c : trace) {
    ExploredDraw d;
    d.value = c.value;
    d.option = c.chosen;
    d.options = c.options;
    if (c.dist) {
      const auto it = std::find_if(labels.begin(), labels.end(), [&](const auto& l) { return l.first == c.dist; });
      d.what = it != labels.end() ? it->second : "a distribution";
    } else {
      d.what = c.what ? c.what : "a draw";
    }
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace

void check_explorable(const ScenarioFile& scenario, int grid) {
  if (grid < 2) throw InputError("--grid", fmt::format("expected at least 2 values per draw (min and max), got {}", grid));
  for (const auto& [d, at] : labelled_distributions(scenario)) {
    try {
      (void)grid_values(*d, grid);
    } catch (const std::invalid_argument&) {
      throw InputError(at, fmt::format("explore enumerates bounded draws only, and this {} is unbounded; give it a "
                                       "range such as {{\"dist\": \"uniform\", \"min\": 0, \"max\": 5}} in the "
                                       "scenario or with --set {}=...",
                                       dist_name(*d), set_path(at)));
    }
  }
}

ExploreResult explore(const ScenarioFile& scenario, const agent::ProtocolConfig& protocol, const Predicate& where,
                      const ExploreOptions& options) {
  check_explorable(scenario, options.grid);
  const auto started = std::chrono::steady_clock::now();
  const Labelled labels = labelled_distributions(scenario);
  ExploreResult result;

  TrialRunner runner(scenario, protocol);
  ChoiceOracle oracle(options.grid, options.max_faults);
  result.pruning_note = options.prune_settled ? settled_pruning_blocker(scenario, protocol, where) : "turned off";
  result.settled_pruning = result.pruning_note.empty();
  if (result.settled_pruning) {
    oracle.set_settled([&runner] {
      const auto& plan = runner.plan();
      const auto& reports = runner.reports();
      for (std::size_t i = 0; i < plan.size(); ++i)
        if (plan[i].fails && !reports[i].decided) return false;
      return true;
    });
  }

  // Every draw comes from the oracle, so seed and index change nothing; the
  // scenario's own are used so that messages and recordings name them.
  const std::uint64_t seed = scenario.seed;
  TrialMetrics metrics;
  std::vector<int> prefix;
  {
    ActiveOracle active(oracle);
    for (;;) {
      if (result.schedules >= options.max_schedules) {
        result.verdict = ExploreVerdict::budget_exhausted;
        result.stopped_at = prefix;
        break;
      }
      oracle.begin(prefix);
      const TrialOutcome& o = runner.run(seed, 0);
      ++result.schedules;
      // For cli/progress: one relaxed add per schedule (a schedule is ~100 us).
      trials_done().fetch_add(1, std::memory_order_relaxed);
      const std::vector<Choice>& trace = oracle.trace();
      result.max_choice_points = std::max(result.max_choice_points, trace.size());
      for (const Choice& c : trace)
        if (c.frozen) result.pruned += c.options - 1;
      if (options.record_schedules) {
        std::vector<double> values;
        for (const Choice& c : trace) values.push_back(c.value);
        result.all_schedules.push_back(std::move(values));
      }
      compute_trial_metrics(scenario, runner.plan(), runner.reports(), o, metrics);
      if (where.matches(metrics)) {
        result.verdict = ExploreVerdict::counterexample;
        for (const Choice& c : trace) result.counterexample_choices.push_back(c.chosen);
        result.counterexample = describe(trace, labels);
        break;
      }
      // Backtrack to the deepest branching point with an untried option.
      std::size_t j = trace.size();
      while (j > 0 && (trace[j - 1].frozen || trace[j - 1].chosen + 1 >= trace[j - 1].options)) --j;
      if (j == 0) {
        result.verdict = ExploreVerdict::proved;
        break;
      }
      prefix.clear();
      for (std::size_t i = 0; i + 1 < j; ++i) prefix.push_back(trace[i].chosen);
      prefix.push_back(trace[j - 1].chosen + 1);
    }
  }
  if (result.verdict == ExploreVerdict::counterexample) {
    result.replay = replay_schedule(scenario, protocol, result.counterexample_choices, options.grid, options.max_faults);
    if (!where.matches(result.replay->metrics))
      throw std::logic_error("explore: the counterexample, run again recorded, no longer satisfies the predicate");
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

TrialReplay replay_schedule(const ScenarioFile& scenario, const agent::ProtocolConfig& protocol,
                            const std::vector<int>& choices, int grid, int max_faults) {
  check_explorable(scenario, grid);
  ChoiceOracle oracle(grid, max_faults);
  oracle.begin(choices);
  TrialRunner runner(scenario, protocol);
  ActiveOracle active(oracle);
  return replay_trial(runner, scenario, scenario.seed, 0);
}

}  // namespace coordsim::sim
