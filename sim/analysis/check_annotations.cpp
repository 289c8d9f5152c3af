#include "sim/analysis/check_annotations.hpp"

#include <spdlog/fmt/fmt.h>

#include "sim/output/workflow_command.hpp"

namespace coordsim::sim {

std::string check_annotations(const std::vector<ScenarioCheck>& checks) {
  std::string out;
  for (const ScenarioCheck& c : checks)
    for (const ExpectationResult& r : c.results) {
      if (r.verdict == Verdict::pass) continue;
      const bool failed = r.verdict == Verdict::fail;
      out += workflow_command(
          failed ? "error" : "warning",
          {{"file", c.source},
           {"title", fmt::format("coordsim check: {} {} {}", c.scenario, r.expectation.metric,
                                 failed ? "failed" : "inconclusive")}},
          fmt::format("{}: {} after {} trials (strategy {}, seed {})", verdict_name(r.verdict), result_summary(r),
                      c.trials, c.strategy, c.seed));
    }
  return out;
}

}  // namespace coordsim::sim
