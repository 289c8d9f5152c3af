#pragma once
// A scenario's conditions against the assumptions of the protocol it runs
// (agent/assumptions.hpp): the warnings a command prints after loading, so a
// scenario that leaves a protocol's guarantee says so before its numbers do.
#include <string>
#include <vector>

#include "agent/assumptions.hpp"
#include "sim/scenario/scenario.hpp"

namespace coordsim::sim {

// Upper bounds of the scenario's lags and analysis time (each exceeded at most
// once in a million draws), and its flavor count.
agent::Conditions conditions_of(const Scenario& scenario);

// One line per broken assumption of `protocol` under `scenario`.
std::vector<std::string> broken_assumptions(const Scenario& scenario, const agent::ProtocolConfig& protocol);

}  // namespace coordsim::sim
