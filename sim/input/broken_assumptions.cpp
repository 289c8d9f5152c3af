#include "sim/input/broken_assumptions.hpp"

namespace coordsim::sim {

// A bound exceeded once in a million draws counts as the bound: a lognormal
// lag is unbounded, but a guarantee broken one trial in 10^6 (and a warning on
// every realistic scenario) would say less than the trial counts already do.
constexpr double kNegligible = 1e-6;

agent::Conditions conditions_of(const Scenario& s) {
  agent::Conditions k;
  const auto lag = [&](agent::ReadPath p) {
    return s.github.visibility_lag[static_cast<int>(p)].bound_except(kNegligible);
  };
  k.list_lag_max_s = lag(agent::ReadPath::list);
  k.get_lag_max_s = lag(agent::ReadPath::get);
  k.refs_lag_max_s = lag(agent::ReadPath::refs);
  k.analysis_max_s = s.llm.analysis_duration.bound_except(kNegligible);
  k.flavors = static_cast<int>(s.workload.flavors.size());
  return k;
}

std::vector<std::string> broken_assumptions(const Scenario& scenario, const agent::ProtocolConfig& protocol) {
  return agent::broken_assumptions(protocol, conditions_of(scenario));
}

}  // namespace coordsim::sim
