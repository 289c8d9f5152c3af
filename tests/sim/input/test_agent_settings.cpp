// load_agent_settings: what `coordsim agent` reads from a scenario, through the
// simulator's loader (the same rules and the same messages).
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include "agent/protocol.hpp"
#include "agent/time.hpp"
#include "sim/input/agent_settings.hpp"
#include "sim/input/input_error.hpp"
#include "sim/input/scenario_loader.hpp"

namespace {

namespace fs = std::filesystem;
using coordsim::agent::from_seconds;
using coordsim::agent::Strategy;
using coordsim::sim::InputError;
using coordsim::sim::load_agent_settings;

// A directory of its own under the system's temporary directory, removed at the end.
struct TempDir {
  fs::path path;
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "coordsim-agent-settings-XXXXXX").string();
    if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    path = pattern;
  }
  ~TempDir() { fs::remove_all(path); }
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(path / name, std::ios::binary) << text;
    return (path / name).string();
  }
};

// The message the simulator's loader gives for the same input, or "" when it loads.
std::string loader_error(const std::string& path, const std::vector<std::string>& sets) {
  try {
    using namespace coordsim::sim;
    (void)(path.empty() ? load_default_scenario(sets) : load_scenario_file(path, sets));
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

std::string settings_error(const std::string& path, const std::vector<std::string>& sets) {
  try {
    (void)load_agent_settings(path, sets);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("agent settings: the built-in scenario's strategy is not a choice", "[input][agent]") {
  const auto s = load_agent_settings("", {});
  CHECK_FALSE(s.strategy_chosen);
  CHECK(s.protocol.strategy == Strategy::seed);  // seed-reproduction.json's
  CHECK(s.protocol.seed.find_attempts == 3);
  CHECK(s.request_timeout == coordsim::agent::Duration::zero());
}

TEST_CASE("agent settings: a --set of agent.strategy is a choice, dotted or as a pointer", "[input][agent]") {
  const auto dotted = load_agent_settings("", {"agent.strategy=scan-down"});
  CHECK(dotted.strategy_chosen);
  CHECK(dotted.protocol.strategy == Strategy::scan_down);
  const auto pointer = load_agent_settings("", {"/agent/strategy=settle"});
  CHECK(pointer.strategy_chosen);
  CHECK(pointer.protocol.strategy == Strategy::settle);
  // Other overrides leave the strategy the built-in one.
  CHECK_FALSE(load_agent_settings("", {"agent.find_attempts=5"}).strategy_chosen);
}

TEST_CASE("agent settings: a scenario file's agent section and client timeout", "[input][agent]") {
  const TempDir dir;
  const std::string path = dir.write("a.json", R"({"name": "a", "workload": {"flavors": ["x"]},
    "agent": {"label": "coord", "client": {"timeout_s": 12, "max_attempts": 7}, "lease": {"ttl_s": 90}}})");
  const auto s = load_agent_settings(path, {"agent.client.base_delay_s=0.25"});
  // A file is a choice even where it leaves the strategy at the protocol default.
  CHECK(s.strategy_chosen);
  CHECK(s.protocol.strategy == Strategy::seed);
  CHECK(s.protocol.seed.label == "coord");
  CHECK(s.protocol.retry.max_attempts == 7);
  CHECK(s.protocol.retry.base_delay == from_seconds(0.25));
  CHECK(s.protocol.lease.ttl == from_seconds(90));
  CHECK(s.request_timeout == from_seconds(12));
}

TEST_CASE("agent settings: errors are the scenario loader's, word for word", "[input][agent]") {
  const TempDir dir;
  const std::string bad_field = dir.write("b.json", R"({"name": "b", "workload": {"flavors": ["x"]},
    "agent": {"find_attempt": 3}})");
  const std::string bad_json = dir.write("c.json", "{\"name\": \"c\",\n  \"seed\": }");
  const std::string missing = (dir.path / "missing.json").string();
  const std::vector<std::pair<std::string, std::vector<std::string>>> inputs = {
      {"", {"agent.find_attempts=0"}},
      {"", {"agent.strategy=ref-lok"}},
      {"", {"agent.client.timeout_s=2e9"}},
      {"", {"agent.find_attempts"}},
      {"", {"agent..label=x"}},
      {"", {"workload.flavors.9=x"}},
      {bad_field, {}},
      {bad_json, {}},
      {missing, {}},
  };
  for (const auto& [path, sets] : inputs) {
    INFO(path << " " << (sets.empty() ? "" : sets.front()));
    const std::string want = loader_error(path, sets);
    CHECK_FALSE(want.empty());
    CHECK(settings_error(path, sets) == want);
  }
}
