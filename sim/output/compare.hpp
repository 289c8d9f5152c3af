#pragma once
// Several protocols run on the same trials (common random numbers: a trial's
// workload, latencies, lags, faults and LLM draws do not depend on the
// protocol), reported side by side.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/output/report.hpp"

namespace coordsim::sim {

// {"scenario", "trials", "seed", "strategies": [...], "protocols": {name: report_json}}
nlohmann::json comparison_json(const std::vector<RunReport>& runs);
std::string comparison_markdown(const std::vector<RunReport>& runs);
std::string comparison_text(const std::vector<RunReport>& runs);

// "a,b,c" or "all" into strategies, in order, without repeats; throws
// InputError naming `where` for an unknown name.
std::vector<agent::Strategy> parse_strategy_list(const std::string& list, const std::string& where);

}  // namespace coordsim::sim
