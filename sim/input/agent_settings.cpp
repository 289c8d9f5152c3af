#include "sim/input/agent_settings.hpp"

#include <algorithm>

#include "sim/input/scenario_loader.hpp"
#include "sim/input/set_override.hpp"

namespace coordsim::sim {

AgentSettings load_agent_settings(const std::string& path, const std::vector<std::string>& sets) {
  const ScenarioFile scenario = path.empty() ? load_default_scenario(sets) : load_scenario_file(path, sets);
  AgentSettings out;
  out.protocol = scenario.protocol;
  out.request_timeout = scenario.github.request_timeout;
  // The load accepted every assignment, so set_pointer cannot throw here.
  out.strategy_chosen = !path.empty() || std::any_of(sets.begin(), sets.end(), [](const std::string& set) {
                          return loader::set_pointer(set) == "/agent/strategy";
                        });
  return out;
}

}  // namespace coordsim::sim
