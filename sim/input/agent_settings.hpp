#pragma once
// What `coordsim agent` takes from a scenario: the protocol parameters (the
// `agent` section) and the client's request timeout. Read through the whole
// scenario loader, so a file or --set `coordsim run` rejects, the agent
// rejects with the same message; the caller sees no Scenario.
#include <string>
#include <vector>

#include "agent/protocol.hpp"
#include "agent/time.hpp"

namespace coordsim::sim {

struct AgentSettings {
  agent::ProtocolConfig protocol;
  agent::Duration request_timeout{};  // agent.client.timeout_s; zero when not set
  // A scenario file was given, or a --set wrote agent.strategy. Otherwise the
  // strategy is the built-in scenario's (seed), the simulator's default rather
  // than a choice.
  bool strategy_chosen = false;
};

// `path` names a scenario file; empty: the built-in scenario. Applies `sets`
// as load_scenario_file does; throws the InputError it would.
AgentSettings load_agent_settings(const std::string& path, const std::vector<std::string>& sets);

}  // namespace coordsim::sim
