#pragma once
// After loading: a scenario that breaks an assumption of the protocol it runs
// says so on stderr, once per assumption (agent/assumptions.hpp).
#include "agent/protocol.hpp"
#include "sim/input/scenario_file.hpp"

namespace coordsim::cli {

void warn_broken_assumptions(const sim::ScenarioFile& scenario, const agent::ProtocolConfig& protocol);

}  // namespace coordsim::cli
