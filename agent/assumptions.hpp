#pragma once
// The assumptions each protocol's guarantee needs (docs/protocols.md), checked
// against what a runtime knows of its GitHub: the simulator knows every lag's
// and the analysis's upper bound from the scenario, `coordsim agent` knows its
// deadline. One rule per assumption, written once, so that a scenario and an
// agent invocation that break the same assumption get the same words.
#include <optional>
#include <string>
#include <vector>

#include "agent/protocol.hpp"

namespace coordsim::agent {

// What is known of the conditions a protocol runs in; an empty field is unknown
// (no warning). An upper bound of +infinity is "unbounded".
struct Conditions {
  std::optional<double> list_lag_max_s;
  std::optional<double> get_lag_max_s;
  std::optional<double> refs_lag_max_s;
  std::optional<double> analysis_max_s;
  std::optional<int> flavors;
  std::optional<double> timeout_s;  // the agent's --timeout deadline
};

// One sentence per assumption the configuration or the conditions break:
// which setting, the value, what the guarantee needs and what follows.
std::vector<std::string> broken_assumptions(const ProtocolConfig& config, const Conditions& conditions);

}  // namespace coordsim::agent
