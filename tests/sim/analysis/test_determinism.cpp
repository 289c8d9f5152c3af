// Determinism over everything shipped: every scenario under scenarios/ (the
// guarantees and explore boxes included), under every protocol, gives the same
// events trial by trial on 1 and 2 threads and with its trials run in reverse
// order on one runner (so each trial follows a different one: state a trial
// leaves behind shows even in a short run). Few trials each, to stay fast; the
// reverse pass is what makes few trials enough.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "sim/analysis/determinism.hpp"
#include "sim/input/scenario_loader.hpp"

using namespace coordsim;

namespace {

std::vector<std::string> shipped_scenarios() {
  std::vector<std::string> out;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(COORDSIM_SOURCE_DIR "/scenarios")) {
    if (!entry.is_regular_file() || entry.path().extension() != ".json") continue;
    if (entry.path().filename() == "scenario.schema.json") continue;
    out.push_back(entry.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE("every shipped scenario under every protocol is deterministic", "[determinism]") {
  const std::vector<std::string> files = shipped_scenarios();
  REQUIRE(files.size() >= 20);
  int checked = 0;
  for (const std::string& file : files) {
    const sim::ScenarioFile s = sim::load_scenario_file(file);
    for (agent::Strategy strategy : agent::kAllStrategies) {
      agent::ProtocolConfig p = s.protocol;
      p.strategy = strategy;
      sim::RunOptions o;
      o.trials = 24;
      o.seed = s.seed;
      const sim::DeterminismCheck c = sim::check_run_determinism(s, p, o);
      INFO(file << " --strategy " << agent::strategy_name(strategy) << ": " << c.detail);
      CHECK(c.identical);
      ++checked;
    }
  }
  CHECK(checked == static_cast<int>(files.size() * std::size(agent::kAllStrategies)));
}

TEST_CASE("the slow path records no issue number left from an earlier trial", "[determinism][faults]") {
  // Lost responses put every request on the slow path; a create, list or ref
  // request names no issue, and used to record the number the flavor's last
  // get, update or comment named, maybe in the trial before.
  const sim::ScenarioFile s = sim::load_scenario_file(COORDSIM_SOURCE_DIR "/scenarios/faults-lost-responses.json");
  for (agent::Strategy strategy : {agent::Strategy::seed, agent::Strategy::scan_down, agent::Strategy::settle}) {
    agent::ProtocolConfig p = s.protocol;
    p.strategy = strategy;
    sim::RunOptions o;
    o.trials = 200;
    o.seed = s.seed;
    const sim::DeterminismCheck c = sim::check_run_determinism(s, p, o);
    INFO(agent::strategy_name(strategy) << ": " << c.detail);
    CHECK(c.identical);
  }
}
