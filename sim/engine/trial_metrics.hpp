#pragma once
// One trial's figures by name: what `coordsim find --where` predicates test and
// what a replay's outcome reports. Computed from the trial's plan, the agents'
// reports and the outcome, after the trial ran (never on the Monte-Carlo path).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/protocol.hpp"
#include "sim/engine/stats.hpp"
#include "sim/scenario/scenario.hpp"

namespace coordsim::sim {

struct FlavorPlan;

struct TrialMetricInfo {
  std::string name;
  std::string description;
};

// Every metric, in a fixed order (a metric's id is its index).
const std::vector<TrialMetricInfo>& trial_metric_infos();
std::optional<int> find_trial_metric(std::string_view name);
// "analyses, failing_flavors, ...", for error messages.
std::string trial_metric_names();

// Values indexed by metric id.
using TrialMetrics = std::vector<double>;

void compute_trial_metrics(const Scenario& scenario, const std::vector<FlavorPlan>& plan,
                           const std::vector<agent::AgentReport>& reports, const TrialOutcome& outcome,
                           TrialMetrics& out);

}  // namespace coordsim::sim
