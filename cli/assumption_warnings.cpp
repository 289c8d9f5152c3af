#include "cli/assumption_warnings.hpp"

#include <cstdio>

#include "sim/input/broken_assumptions.hpp"

namespace coordsim::cli {

void warn_broken_assumptions(const sim::ScenarioFile& scenario, const agent::ProtocolConfig& protocol) {
  for (const std::string& w : sim::broken_assumptions(scenario, protocol))
    std::fprintf(stderr, "coordsim: warning: %s: %s\n", scenario.source.c_str(), w.c_str());
}

}  // namespace coordsim::cli
