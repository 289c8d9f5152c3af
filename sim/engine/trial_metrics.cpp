#include "sim/engine/trial_metrics.hpp"

#include <algorithm>
#include <limits>

#include "sim/engine/trial_runner.hpp"

namespace coordsim::sim {

namespace {
// Ids of the metrics computed by name below; the per-endpoint call counts follow.
enum Id : int {
  failing_flavors,
  signatures,
  analyses,
  skips,
  duplicate,
  miss,
  duplicates,
  misses,
  issues_created,
  issues_open,
  api_calls,
  tokens,
  cost_usd,
  baseline_cost_usd,
  min_latency_s,
  max_latency_s,
  spread_s,
  min_gap_s,
  events,
  first_endpoint,  // api_calls.<endpoint>, kEndpointCount of them
};

std::vector<TrialMetricInfo> make_infos() {
  std::vector<TrialMetricInfo> m = {
      {"failing_flavors", "flavors whose build failed (0: not a failure event)"},
      {"signatures", "distinct failure signatures among the failing flavors"},
      {"analyses", "LLM analyses run"},
      {"skips", "failing flavors that decided to skip"},
      {"duplicate", "1 if some signature was analyzed more than once (what duplicate_rate counts), else 0"},
      {"miss", "1 if some signature was not analyzed at all (what miss_rate counts), else 0"},
      {"duplicates", "signatures analyzed more than once"},
      {"misses", "signatures not analyzed at all"},
      {"issues_created", "coordination issues created"},
      {"issues_open", "issues still open when every agent finished"},
      {"api_calls", "API requests, all flavors and endpoints"},
      {"tokens", "tokens spent on analyses (in + out)"},
      {"cost_usd", "dollars spent on analyses"},
      {"baseline_cost_usd", "dollars had every failing flavor analyzed (`none`)"},
      {"min_latency_s", "shortest decision latency, failure to decision (0 if none decided)"},
      {"max_latency_s", "longest decision latency (0 if none decided)"},
      {"spread_s", "time from the first failure to the last"},
      {"min_gap_s", "shortest time between two consecutive failures (infinite below two failures)"},
      {"events", "simulation events"},
  };
  for (int e = 0; e < agent::kEndpointCount; ++e) {
    const std::string name = agent::endpoint_name(static_cast<agent::Endpoint>(e));
    m.push_back({"api_calls." + name, name + " requests"});
  }
  return m;
}
}  // namespace

const std::vector<TrialMetricInfo>& trial_metric_infos() {
  static const std::vector<TrialMetricInfo> infos = make_infos();
  return infos;
}

std::optional<int> find_trial_metric(std::string_view name) {
  const auto& infos = trial_metric_infos();
  for (std::size_t i = 0; i < infos.size(); ++i)
    if (infos[i].name == name) return static_cast<int>(i);
  return std::nullopt;
}

std::string trial_metric_names() {
  std::string out;
  for (const TrialMetricInfo& m : trial_metric_infos()) {
    if (!out.empty()) out += ", ";
    out += m.name;
  }
  return out;
}

void compute_trial_metrics(const Scenario& scenario, const std::vector<FlavorPlan>& plan,
                           const std::vector<agent::AgentReport>& reports, const TrialOutcome& o,
                           TrialMetrics& out) {
  out.assign(trial_metric_infos().size(), 0.0);
  out[failing_flavors] = o.failing_flavors;
  out[signatures] = o.signatures;
  out[analyses] = o.analyses;
  out[duplicate] = o.duplicate ? 1 : 0;
  out[miss] = o.miss ? 1 : 0;
  out[issues_created] = static_cast<double>(o.issues_created);
  out[issues_open] = static_cast<double>(o.issues_left_open);
  std::int64_t calls = 0;
  for (int e = 0; e < agent::kEndpointCount; ++e) {
    out[static_cast<std::size_t>(first_endpoint + e)] = static_cast<double>(o.api_calls[static_cast<std::size_t>(e)]);
    calls += o.api_calls[static_cast<std::size_t>(e)];
  }
  out[api_calls] = static_cast<double>(calls);
  out[tokens] = static_cast<double>(o.tokens_in + o.tokens_out);
  const LlmModel& llm = scenario.llm;
  const auto usd = [&](std::int64_t in, std::int64_t out_tokens) {
    return (static_cast<double>(in) * llm.usd_per_million_in +
            static_cast<double>(out_tokens) * llm.usd_per_million_out) /
           1e6;
  };
  out[cost_usd] = usd(o.tokens_in, o.tokens_out);
  out[baseline_cost_usd] = usd(o.baseline_tokens_in, o.baseline_tokens_out);
  if (!o.decision_latency_us.empty()) {
    const auto [lo, hi] = std::minmax_element(o.decision_latency_us.begin(), o.decision_latency_us.end());
    out[min_latency_s] = agent::to_seconds(Duration(*lo));
    out[max_latency_s] = agent::to_seconds(Duration(*hi));
  }
  out[events] = static_cast<double>(o.events);

  // Per signature (0 shared, i + 1 flavor i's own), as the trial runner counts them.
  // Scratch kept per thread: find computes this for every trial it scans.
  thread_local std::vector<int> per_signature;
  thread_local std::vector<Time> failures;
  per_signature.assign(plan.size() + 1, -1);
  failures.clear();
  for (std::size_t i = 0; i < plan.size(); ++i) {
    if (!plan[i].fails) continue;
    failures.push_back(plan[i].fails_at);
    int& count = per_signature[static_cast<std::size_t>(plan[i].signature)];
    if (count < 0) count = 0;
    if (reports[i].analyzed) ++count;
    if (reports[i].decided && reports[i].decision.kind == agent::DecisionKind::skip) ++out[skips];
  }
  for (int count : per_signature) {
    if (count > 1) ++out[duplicates];
    if (count == 0) ++out[misses];
  }
  std::sort(failures.begin(), failures.end());
  out[min_gap_s] = std::numeric_limits<double>::infinity();
  if (!failures.empty()) out[spread_s] = agent::to_seconds(failures.back() - failures.front());
  for (std::size_t i = 1; i < failures.size(); ++i)
    out[min_gap_s] = std::min(out[min_gap_s], agent::to_seconds(failures[i] - failures[i - 1]));
}

}  // namespace coordsim::sim
