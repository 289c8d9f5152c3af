#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "agent/github_types.hpp"
#include "agent/protocol.hpp"
#include "agent/time.hpp"
#include "sim/input/input_error.hpp"
#include "sim/input/scenario_loader.hpp"

namespace {

using Catch::Contains;
using coordsim::agent::Duration;
using coordsim::agent::Endpoint;
using coordsim::sim::apply_set;
using coordsim::sim::DistKind;
using coordsim::sim::Distribution;
using coordsim::sim::InputError;
using coordsim::sim::load_scenario_text;
using coordsim::sim::ReadPath;
using coordsim::sim::ScenarioFile;
using nlohmann::json;

constexpr const char* kMinimal = R"({"name": "minimal", "workload": {"flavors": ["a", "b"]}})";

ScenarioFile load(const std::string& text, const std::vector<std::string>& sets = {}) {
  return load_scenario_text(text, "x.json", sets);
}

// The minimal scenario with one extra top-level section or field.
std::string with(const std::string& member) {
  return R"({"name": "m", "workload": {"flavors": ["a", "b"]}, )" + member + "}";
}

void require_constant(const Distribution& d, double value) {
  CHECK(d.kind == DistKind::constant);
  CHECK(d.a == value);
}

const coordsim::sim::EndpointLatency& latency(const ScenarioFile& s, Endpoint e) {
  return s.github.latency[static_cast<std::size_t>(e)];
}

const Distribution& lag(const ScenarioFile& s, ReadPath p) {
  return s.github.visibility_lag[static_cast<std::size_t>(p)];
}

std::string read(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace

TEST_CASE("a minimal scenario gets every default", "[scenario_loader]") {
  const ScenarioFile s = load(kMinimal);
  CHECK(s.name == "minimal");
  CHECK(s.description.empty());
  CHECK(s.source == "x.json");
  CHECK(s.seed == 1);
  CHECK(s.trials == 10000);
  CHECK(s.commit == "46e71ff0c0ffee0000000000000000000000cafe");
  CHECK(s.workload.flavors == std::vector<std::string>{"a", "b"});
  CHECK(s.workload.start_stagger_s == 0);
  require_constant(s.workload.start_jitter, 0);
  CHECK(s.workload.failure.common_mode_probability == 1);
  CHECK(s.workload.failure.per_flavor_probability == 0);
  require_constant(s.workload.failure.time_to_failure, 0);
  require_constant(s.workload.failure.flavor_delay, 0);
  for (int e = 0; e < coordsim::agent::kEndpointCount; ++e) {
    INFO(coordsim::agent::endpoint_name(static_cast<Endpoint>(e)));
    require_constant(latency(s, static_cast<Endpoint>(e)).request, 0.1);
    require_constant(latency(s, static_cast<Endpoint>(e)).response, 0.1);
  }
  for (ReadPath p : {ReadPath::get, ReadPath::list, ReadPath::search, ReadPath::refs}) {
    require_constant(lag(s, p), 0);
  }
  require_constant(s.llm.tokens_in, 6000);
  require_constant(s.llm.tokens_out, 2000);
  CHECK(s.llm.usd_per_million_in == 75);
  CHECK(s.llm.usd_per_million_out == 75);
  require_constant(s.llm.analysis_duration, 60);
  CHECK(s.protocol.strategy == coordsim::agent::Strategy::seed);
  CHECK(s.protocol.seed.label == "autonomous-coordination");
  CHECK(s.protocol.seed.find_attempts == 3);
  CHECK(s.protocol.seed.retry_delays ==
        std::vector<Duration>{Duration(500'000), Duration(1'000'000)});
  CHECK(s.protocol.seed.post_create_wait == Duration(1'000'000));
  CHECK(s.protocol.seed.max_pages == 10);
  CHECK(s.failures_per_year == 100);
  CHECK(s.document == json::parse(kMinimal));
}

TEST_CASE("every field is read", "[scenario_loader]") {
  const ScenarioFile s = load(R"({
    "$schema": "./scenario.schema.json",
    "name": "full", "description": "all of it", "seed": 42, "trials": 7,
    "commit": "0123456789abcdef",
    "workload": {
      "flavors": ["x", "y", "z"], "start_stagger_s": 1.5, "start_jitter_s": 0.25,
      "failure": {"common_mode_probability": 0.75, "per_flavor_probability": 0.125,
                  "time_to_failure_s": 300, "flavor_delay_s": 2}
    },
    "github": {"visibility_lag_s": {"get": 0.5, "list": 3, "search": 30, "refs": 0.25}},
    "llm": {"tokens_in": 8000, "tokens_out": 1000, "usd_per_million_in": 3,
            "usd_per_million_out": 15, "analysis_duration_s": 90},
    "agent": {"strategy": "seed-lowest", "label": "coord", "find_attempts": 5,
              "retry_delays_s": [0.0000015, 2], "post_create_wait_s": 0.75, "max_pages": 2},
    "report": {"failures_per_year": 12.5}
  })");
  CHECK(s.description == "all of it");
  CHECK(s.seed == 42);
  CHECK(s.trials == 7);
  CHECK(s.commit == "0123456789abcdef");
  CHECK(s.workload.flavors == std::vector<std::string>{"x", "y", "z"});
  CHECK(s.workload.start_stagger_s == 1.5);
  require_constant(s.workload.start_jitter, 0.25);
  CHECK(s.workload.failure.common_mode_probability == 0.75);
  CHECK(s.workload.failure.per_flavor_probability == 0.125);
  require_constant(s.workload.failure.time_to_failure, 300);
  require_constant(s.workload.failure.flavor_delay, 2);
  require_constant(lag(s, ReadPath::get), 0.5);
  require_constant(lag(s, ReadPath::list), 3);
  require_constant(lag(s, ReadPath::search), 30);
  require_constant(lag(s, ReadPath::refs), 0.25);
  require_constant(s.llm.tokens_in, 8000);
  require_constant(s.llm.tokens_out, 1000);
  CHECK(s.llm.usd_per_million_in == 3);
  CHECK(s.llm.usd_per_million_out == 15);
  require_constant(s.llm.analysis_duration, 90);
  CHECK(s.protocol.strategy == coordsim::agent::Strategy::seed_lowest);
  CHECK(s.protocol.seed.label == "coord");
  CHECK(s.protocol.seed.find_attempts == 5);
  // Seconds become microseconds, rounded to the nearest.
  CHECK(s.protocol.seed.retry_delays == std::vector<Duration>{Duration(2), Duration(2'000'000)});
  CHECK(s.protocol.seed.post_create_wait == Duration(750'000));
  CHECK(s.protocol.seed.max_pages == 2);
  CHECK(s.failures_per_year == 12.5);
}

TEST_CASE("integers use their C++ type's whole range, within the schema's caps", "[scenario_loader]") {
  // A seed drawn from 64 random bits is past INT64_MAX half of the time.
  CHECK(load(with(R"("seed": 18446744073709551615)")).seed == 18446744073709551615ULL);
  CHECK(load(with(R"("agent": {"find_attempts": 2147483647})")).protocol.seed.find_attempts == 2147483647);
  // The schema states the caps, so an editor flags these too.
  REQUIRE_THROWS_WITH(load(with(R"("agent": {"find_attempts": 4294967296})")),
                      Contains("x.json: /agent/find_attempts: expected an integer in [1, 2147483647], got 4294967296"));
  REQUIRE_THROWS_WITH(load(with(R"("trials": 9223372036854775808)")),
                      Contains("x.json: /trials: expected an integer in [1, 1099511627776], got 9223372036854775808"));
  REQUIRE_THROWS_WITH(load(with(R"("agent": {"post_create_wait_s": 1e10})")),
                      Contains("x.json: /agent/post_create_wait_s: expected a number in [0, 1e9], got 10000000000.0"));
}

TEST_CASE("flavors can be a count", "[scenario_loader]") {
  const ScenarioFile s = load(R"({"name": "n", "workload": {"flavors": 3}})");
  CHECK(s.workload.flavors == std::vector<std::string>{"flavor-1", "flavor-2", "flavor-3"});
  REQUIRE_THROWS_WITH(
      load(R"({"name": "n", "workload": {"flavors": 0}})"),
      Contains("x.json: /workload/flavors: expected an integer in [1, 10000], got 0"));
  REQUIRE_THROWS_WITH(load(R"({"name": "n", "workload": {"flavors": []}})"),
                      Contains("x.json: /workload/flavors: expected a non-empty array of unique "
                               "non-empty strings (at most 10000), got an empty array"));
  REQUIRE_THROWS_WITH(load(R"({"name": "n", "workload": {"flavors": ["a", "b", "a"]}})"),
                      Contains("x.json: /workload/flavors/2: duplicate of /workload/flavors/0"));
  REQUIRE_THROWS_WITH(
      load(R"({"name": "n", "workload": {"flavors": ["a", ""]}})"),
      Contains("x.json: /workload/flavors/1: expected a non-empty string, got \"\""));
  REQUIRE_THROWS_WITH(
      load(R"({"name": "n", "workload": {"flavors": "linux"}})"),
      Contains("x.json: /workload/flavors: expected a non-empty array of unique non-empty strings "
               "(at most 10000) or an integer in [1, 10000], got string \"linux\""));
}

TEST_CASE("endpoint latency falls back to default, half by half", "[scenario_loader]") {
  const ScenarioFile s = load(with(R"("github": {"latency": {
      "default": {"request_s": 0.2, "response_s": 0.3},
      "create_issue": {"request_s": 1},
      "search_issues": {"response_s": {"dist": "uniform", "min": 1, "max": 2}}}})"));
  require_constant(latency(s, Endpoint::create_issue).request, 1);
  require_constant(latency(s, Endpoint::create_issue).response, 0.3);
  require_constant(latency(s, Endpoint::search_issues).request, 0.2);
  const Distribution& d = latency(s, Endpoint::search_issues).response;
  CHECK(d.kind == DistKind::uniform);
  CHECK(d.a == 1);
  CHECK(d.b == 2);
  require_constant(latency(s, Endpoint::list_issues).request, 0.2);
  require_constant(latency(s, Endpoint::delete_ref).response, 0.3);

  // Without a default, the built-in 0.1 s fills in.
  const ScenarioFile t = load(with(R"("github": {"latency": {"get_issue": {"response_s": 2}}})"));
  require_constant(latency(t, Endpoint::get_issue).request, 0.1);
  require_constant(latency(t, Endpoint::get_issue).response, 2);
  require_constant(latency(t, Endpoint::get_ref).request, 0.1);
}

TEST_CASE("apply_set edits the document", "[scenario_loader]") {
  json doc = json::parse(R"({"name": "m", "workload": {"flavors": ["a", "b"]},
                             "agent": {"find_attempts": 3}})");
  SECTION("an existing field") {
    apply_set(doc, "agent.find_attempts=5");
    CHECK(doc["agent"]["find_attempts"] == 5);
  }
  SECTION("missing objects on the way are created") {
    apply_set(doc, "github.visibility_lag_s.search=30");
    CHECK(doc["github"] == json::parse(R"({"visibility_lag_s": {"search": 30}})"));
  }
  SECTION("an array element, and appending") {
    apply_set(doc, "workload.flavors.1=windows");
    apply_set(doc, "workload.flavors.-=macos");
    CHECK(doc["workload"]["flavors"] == json::parse(R"(["a", "windows", "macos"])"));
  }
  SECTION("JSON values") {
    apply_set(doc, "agent.retry_delays_s=[1, 2.5]");
    apply_set(doc, R"(llm.tokens_in={"dist":"uniform","min":1,"max":2})");
    apply_set(doc, "agent.post_create_wait_s=0.5");
    apply_set(doc, "report={}");
    CHECK(doc["agent"]["retry_delays_s"] == json::parse("[1, 2.5]"));
    CHECK(doc["llm"]["tokens_in"] == json::parse(R"({"dist":"uniform","min":1,"max":2})"));
    CHECK(doc["agent"]["post_create_wait_s"].get<double>() == 0.5);
    CHECK(doc["report"] == json::object());
  }
  SECTION("text that is not JSON is a string") {
    apply_set(doc, "agent.strategy=seed-lowest");
    apply_set(doc, "description=a b = c");
    apply_set(doc, R"(agent.label="quoted")");
    CHECK(doc["agent"]["strategy"] == "seed-lowest");
    CHECK(doc["description"] == "a b = c");
    CHECK(doc["agent"]["label"] == "quoted");
  }
  SECTION("where the schema wants a string, the text stays text") {
    apply_set(doc, "name=2024");
    apply_set(doc, "workload.flavors.0=123");
    apply_set(doc, "agent.find_attempts=7");
    CHECK(doc["name"] == "2024");
    CHECK(doc["workload"]["flavors"][0] == "123");
    CHECK(doc["agent"]["find_attempts"] == 7);
  }
  SECTION("a JSON pointer") {
    apply_set(doc, "/agent/post_create_wait_s=2.5");
    apply_set(doc, "/workload/flavors/0=linux");
    CHECK(doc["agent"]["post_create_wait_s"].get<double>() == 2.5);
    CHECK(doc["workload"]["flavors"][0] == "linux");
  }
}

TEST_CASE("overrides reach the Scenario and its document", "[scenario_loader]") {
  const ScenarioFile s = load(kMinimal, {"agent.find_attempts=1", "agent.strategy=none",
                                     "workload.flavors=4", "/trials=50", "trials=60"});
  CHECK(s.protocol.seed.find_attempts == 1);
  CHECK(s.protocol.strategy == coordsim::agent::Strategy::none);
  CHECK(s.workload.flavors.size() == 4);
  CHECK(s.trials == 60);  // in order: the last one wins
  CHECK(s.document["trials"] == 60);
}

TEST_CASE("malformed JSON names line and column", "[scenario_loader]") {
  REQUIRE_THROWS_WITH(load("{\n  \"name\": \"m\",\n  \"trials\": 10,,\n}"),
                      Contains("x.json: line 3, column 16: invalid JSON: syntax error"));
  REQUIRE_THROWS_WITH(load("{\"name\": \"m\""),
                      Contains("x.json: line 1, column 13: invalid JSON"));
  REQUIRE_THROWS_WITH(load(""), Contains("x.json: line 1, column 1: invalid JSON"));
}

TEST_CASE("a duplicated field is an error", "[scenario_loader]") {
  REQUIRE_THROWS_WITH(
      load(R"({"name": "m", "workload": {"flavors": [{"a": 1}, {"b": 1, "b": 2}]}})"),
      Contains("x.json: /workload/flavors/1/b: duplicate field"));
  REQUIRE_THROWS_WITH(load(with(R"("seed": 1, "seed": 2)")), Contains("x.json: /seed: duplicate"));
}

TEST_CASE("schema errors name the file, the pointer and what was expected", "[scenario_loader]") {
  SECTION("the example from the documentation, exactly") {
    REQUIRE_THROWS_WITH(load(with(R"("agent": {"find_attempts": -2})")),
                        "x.json: /agent/find_attempts: expected an integer in [1, 2147483647], got -2");
  }
  SECTION("unknown top-level field") {
    REQUIRE_THROWS_WITH(load(with(R"("trails": 5)")),
                        Contains("x.json: /trails: unknown field; did you mean \"trials\"?"));
  }
  SECTION("unknown nested field") {
    REQUIRE_THROWS_WITH(
        load(with(R"("agent": {"find_attempt": 5})")),
        Contains("x.json: /agent/find_attempt: unknown field; did you mean \"find_attempts\"?"));
    REQUIRE_THROWS_WITH(load(with(R"("github": {"latency": {"create_issue": {"request": 1}}})")),
                        Contains("x.json: /github/latency/create_issue/request: unknown field"));
    REQUIRE_THROWS_WITH(
        load(with(R"("llm": {"tokens_in": {"dist": "uniform", "min": 1, "max": 2, "mode": 1}})")),
        Contains("x.json: /llm/tokens_in/mode: unknown field"));
  }
  SECTION("missing required field") {
    REQUIRE_THROWS_WITH(load(R"({"workload": {"flavors": 2}})"),
                        Contains("x.json: /name: missing required field"));
  }
  SECTION("wrong type") {
    REQUIRE_THROWS_WITH(load(with(R"("trials": "many")")),
                        Contains("x.json: /trials: expected an integer in [1, 1099511627776], got string \"many\""));
    REQUIRE_THROWS_WITH(load(with(R"("trials": 2.5)")),
                        Contains("x.json: /trials: expected an integer in [1, 1099511627776], got number 2.5"));
    REQUIRE_THROWS_WITH(load(with(R"("llm": {"usd_per_million_in": "75"})")),
                        Contains("x.json: /llm/usd_per_million_in: expected a number in [0, 1e6], got "
                                 "string \"75\""));
    REQUIRE_THROWS_WITH(load(with(R"("agent": [])")),
                        Contains("x.json: /agent: expected an object, got an empty array"));
    REQUIRE_THROWS_WITH(load("[1]"), Contains("x.json: (root): expected an object {\"name\": ..., "
                                              "\"workload\": ...}, got an array"));
  }
  SECTION("negative times") {
    REQUIRE_THROWS_WITH(
        load(with(R"("agent": {"post_create_wait_s": -1})")),
        Contains("x.json: /agent/post_create_wait_s: expected a number in [0, 1e9], got -1"));
    REQUIRE_THROWS_WITH(
        load(with(R"("agent": {"retry_delays_s": [1, -0.5]})")),
        Contains("x.json: /agent/retry_delays_s/1: expected a number in [0, 1e9], got -0.5"));
    REQUIRE_THROWS_WITH(
        load(R"({"name": "m", "workload": {"flavors": 2, "start_jitter_s": -3}})"),
        Contains("x.json: /workload/start_jitter_s: expected a number in [0, 1e9], got -3"));
    REQUIRE_THROWS_WITH(load(with(R"("github": {"visibility_lag_s": {"list": "slow"}})")),
                        Contains("x.json: /github/visibility_lag_s/list: expected a number in [0, 1e9] or "
                                 "an object {\"dist\": ...}, got string \"slow\""));
  }
  SECTION("probability above 1") {
    REQUIRE_THROWS_WITH(
        load(R"({"name": "m", "workload": {"flavors": 2,)"
             R"( "failure": {"per_flavor_probability": 1.5}}})"),
        Contains("x.json: /workload/failure/per_flavor_probability: expected a number in [0, 1], "
                 "got 1.5"));
  }
  SECTION("unknown strategy lists the valid ones") {
    REQUIRE_THROWS_WITH(
        load(with(R"("agent": {"strategy": "seed-lowst"})")),
        Contains("x.json: /agent/strategy: expected one of \"none\", \"seed\", \"seed-lowest\", "
                 "\"ref-lock\", \"scan-down\", \"settle\", \"fan-in\", got \"seed-lowst\"; did you mean \"seed-lowest\"?"));
  }
  SECTION("unknown distribution kind") {
    REQUIRE_THROWS_WITH(
        load(with(R"("llm": {"tokens_in": {"dist": "gamma"}})")),
        Contains("x.json: /llm/tokens_in/dist: expected one of \"constant\", \"uniform\""));
  }
  SECTION("a too short commit") {
    REQUIRE_THROWS_WITH(load(with(R"("commit": "46e71ff")")),
                        Contains("x.json: /commit: expected a string of at least 8 characters, "
                                 "got \"46e71ff\""));
  }
}

TEST_CASE("distribution parameters are checked, under the file's name", "[scenario_loader]") {
  // Which words parse_distribution uses is its own business; where is ours.
  REQUIRE_THROWS_WITH(load(with(R"("llm": {"analysis_duration_s": {"dist": "uniform", "min": -1,
                                                                    "max": 2}})")),
                      Contains("x.json: /llm/analysis_duration_s"));
  REQUIRE_THROWS_AS(load(with(R"("llm": {"analysis_duration_s": {"dist": "uniform", "min": -1,
                                                                  "max": 2}})")),
                    InputError);
}

TEST_CASE("an error in an overridden value says so", "[scenario_loader]") {
  REQUIRE_THROWS_WITH(load(kMinimal, {"agent.find_attempts=0"}),
                      "x.json: /agent/find_attempts: expected an integer in [1, 2147483647], got 0 "
                      "(from --set agent.find_attempts=0)");
  REQUIRE_THROWS_WITH(load(kMinimal, {"agent.bogus.deep=1"}),
                      Contains("x.json: /agent/bogus: unknown field") &&
                          Contains("(from --set agent.bogus.deep=1)"));
  REQUIRE_THROWS_WITH(load(kMinimal, {"agent.strategy=fastest"}),
                      Contains("seed-lowest") && Contains("(from --set agent.strategy=fastest)"));
  // An error elsewhere is the file's.
  REQUIRE_THROWS_WITH(load(R"({"name": "m", "workload": {"flavors": 0}})", {"trials=5"}),
                      !Contains("--set"));
}

TEST_CASE("bad --set arguments are named", "[scenario_loader]") {
  json doc = json::parse(R"({"name": "m", "workload": {"flavors": ["a", "b"], "count": 3},
                             "trials": 5})");
  REQUIRE_THROWS_WITH(apply_set(doc, "agent.find_attempts"),
                      "--set agent.find_attempts: expected PATH=VALUE, e.g. agent.find_attempts=5");
  REQUIRE_THROWS_WITH(apply_set(doc, "=5"), Contains("--set =5: empty PATH"));
  REQUIRE_THROWS_WITH(apply_set(doc, "agent..x=5"), Contains("--set agent..x=5: empty segment"));
  REQUIRE_THROWS_WITH(apply_set(doc, "workload.flavors.2=c"),
                      "--set workload.flavors.2=c: index 2 is out of range: /workload/flavors has "
                      "2 items");
  REQUIRE_THROWS_WITH(apply_set(doc, "workload.flavors.x=c"),
                      Contains("--set workload.flavors.x=c: /workload/flavors is an array: "
                               "expected an index"));
  REQUIRE_THROWS_WITH(apply_set(doc, "workload.count.0=1"),
                      Contains("--set workload.count.0=1: cannot index /workload/count with 0: it "
                               "is a number, not an array"));
  REQUIRE_THROWS_WITH(apply_set(doc, "agent.retry_delays_s.0=1"),
                      Contains("cannot index /agent/retry_delays_s with 0: it is missing"));
  REQUIRE_THROWS_WITH(apply_set(doc, "workload.0=1"),
                      Contains("cannot index /workload with 0: it is an object"));
  REQUIRE_THROWS_WITH(
      apply_set(doc, "trials.x=1"),
      Contains("--set trials.x=1: cannot set \"x\" inside /trials: it is a number"));
  REQUIRE_THROWS_WITH(apply_set(doc, "/agent/~2=1"), Contains("invalid escape"));
  REQUIRE_THROWS_WITH(apply_set(doc, "workload.flavors.-.x=1"), Contains("must be the last"));
  // Nothing above may have half-applied: the document still loads as it was.
  CHECK(doc["workload"]["flavors"] == json::parse(R"(["a", "b"])"));
  CHECK(doc["trials"] == 5);
  CHECK_FALSE(doc.contains("agent"));
}

TEST_CASE("a file that cannot be read names the path and the reason", "[scenario_loader]") {
  REQUIRE_THROWS_WITH(coordsim::sim::load_scenario_file("/nonexistent/dir/s.json"),
                      "/nonexistent/dir/s.json: cannot open scenario file: No such file or "
                      "directory");
  REQUIRE_THROWS_WITH(coordsim::sim::load_scenario_file("/"), Contains("/: cannot read"));
}

TEST_CASE("a file loads with its path as source and the overrides applied", "[scenario_loader]") {
  const std::filesystem::path path =
      std::filesystem::temp_directory_path() / "coordsim_test_scenario_loader.json";
  {
    std::ofstream out(path);
    out << kMinimal;
  }
  const ScenarioFile s = coordsim::sim::load_scenario_file(path.string(), {"seed=9"});
  std::filesystem::remove(path);
  CHECK(s.source == path.string());
  CHECK(s.seed == 9);
}

TEST_CASE("the schema agrees with the C++ enums", "[scenario_loader]") {
  const json& schema = coordsim::sim::scenario_schema();
  std::vector<std::string> strategies;
  for (auto s : coordsim::agent::kAllStrategies) {
    strategies.emplace_back(coordsim::agent::strategy_name(s));
  }
  CHECK(schema["properties"]["agent"]["properties"]["strategy"]["enum"] == json(strategies));

  std::set<std::string> endpoints{"default"};
  for (int e = 0; e < coordsim::agent::kEndpointCount; ++e) {
    endpoints.insert(coordsim::agent::endpoint_name(static_cast<Endpoint>(e)));
  }
  std::set<std::string> listed;
  for (const auto& [key, unused] :
       schema["properties"]["github"]["properties"]["latency"]["properties"].items()) {
    listed.insert(key);
  }
  CHECK(listed == endpoints);
}

TEST_CASE("every schema property has a description", "[scenario_loader]") {
  std::vector<std::string> missing;
  const auto walk = [&](const auto& self, const json& node, const std::string& at) -> void {
    if (node.is_object()) {
      if (const auto p = node.find("properties"); p != node.end()) {
        for (const auto& [key, property] : p->items()) {
          if (!property.contains("description")) missing.push_back(at + "/" + key);
        }
      }
      for (const auto& [key, value] : node.items()) self(self, value, at + "/" + key);
    } else if (node.is_array()) {
      for (const json& value : node) self(self, value, at);
    }
  };
  walk(walk, coordsim::sim::scenario_schema(), "");
  INFO(nlohmann::json(missing).dump());
  CHECK(missing.empty());
}

TEST_CASE("every scenario in scenarios/ loads", "[scenario_loader]") {
  const std::filesystem::path dir = COORDSIM_SOURCE_DIR "/scenarios";
  int loaded = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::filesystem::path& p = entry.path();
    if (p.extension() != ".json" || p.filename() == "scenario.schema.json") continue;
    INFO(p.string());
    CHECK_NOTHROW(coordsim::sim::load_scenario_file(p.string()));
    ++loaded;
  }
  CHECK(loaded > 0);  // seed-reproduction.json at least
}

TEST_CASE("the built-in scenario is scenarios/seed-reproduction.json", "[scenario_loader]") {
  const std::filesystem::path file = COORDSIM_SOURCE_DIR "/scenarios/seed-reproduction.json";
  const ScenarioFile s = coordsim::sim::load_default_scenario({"trials=3"});
  CHECK(s.source == "<embedded>");
  CHECK(s.trials == 3);
  json from_file = json::parse(read(file));
  apply_set(from_file, "trials=3");
  CHECK(s.document == from_file);
}
