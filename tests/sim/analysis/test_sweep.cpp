#include <catch2/catch.hpp>

#include "sim/analysis/sweep.hpp"
#include "sim/engine/run_trials.hpp"
#include "sim/input/input_error.hpp"
#include "sim/input/scenario_loader.hpp"
#include "sim/output/report.hpp"

using namespace coordsim::sim;
using nlohmann::json;

namespace {
const std::string kScenario = COORDSIM_SOURCE_DIR "/scenarios/seed-reproduction.json";

SweepOptions small_sweep() {
  SweepOptions o;
  o.scenario_path = kScenario;
  o.strategy = "seed-lowest";
  o.trials = 3000;
  o.vary = {parse_vary("agent.post_create_wait_s=0:10:5"), parse_vary("agent.find_attempts=1,3")};
  return o;
}
}  // namespace

TEST_CASE("vary specs: ranges and lists", "[sweep]") {
  CHECK(parse_vary("a.b=0:1:0.25").values == std::vector<json>{0, 0.25, 0.5, 0.75, 1});
  CHECK(parse_vary("a.b=0:0.3:0.1").values == std::vector<json>{0, 0.1, 0.2, 0.3});  // no drift past stop
  CHECK(parse_vary("a.b=2,3,5").values == std::vector<json>{2, 3, 5});
  CHECK(parse_vary("agent.retry_delays_s=[0.5,1],[1,2]").values == std::vector<json>{json::parse("[0.5,1]"), json::parse("[1,2]")});
  CHECK(parse_vary("agent.strategy=seed,seed-lowest").values == std::vector<json>{"seed", "seed-lowest"});
  REQUIRE_THROWS_WITH(parse_vary("a.b"), Catch::Contains("--vary a.b") && Catch::Contains("PATH=SPEC"));
  REQUIRE_THROWS_WITH(parse_vary("a.b=1:2"), Catch::Contains("start:stop:step"));
  REQUIRE_THROWS_WITH(parse_vary("a.b=0:1:0"), Catch::Contains("step must be > 0"));
  REQUIRE_THROWS_WITH(parse_vary("a.b=3:1:1"), Catch::Contains("stop (1) must be >= start (3)"));
  REQUIRE_THROWS_WITH(parse_vary("a.b=x:1:1"), Catch::Contains("must be numbers"));
  REQUIRE_THROWS_WITH(parse_shard("3/2"), Catch::Contains("K/N"));
  CHECK(parse_shard("2/4") == std::pair{2, 4});
}

TEST_CASE("a sweep point equals a run with the same values set", "[sweep]") {
  const json sweep = run_sweep(small_sweep());
  REQUIRE(sweep["points"].size() == 6);
  const json& point = sweep["points"][3];  // wait 5 (slowest), attempts 3
  CHECK(point["values"] == json{{"agent.post_create_wait_s", 5}, {"agent.find_attempts", 3}});

  const ScenarioFile s = load_scenario_file(kScenario, {"agent.post_create_wait_s=5", "agent.find_attempts=3"});
  coordsim::agent::ProtocolConfig p = s.protocol;
  p.strategy = coordsim::agent::Strategy::seed_lowest;
  RunOptions o;
  o.trials = 3000;
  o.seed = s.seed;
  json run = report_json(RunReport{s, "seed-lowest", o, run_trials(s, p, o), s.failures_per_year});
  for (const char* k : {"wall_s", "trials_per_s", "scenario", "strategy", "trials", "seed"}) run.erase(k);
  CHECK(point["metrics"] == run);
}

TEST_CASE("shards merge into exactly the unsplit sweep; threads change nothing", "[sweep]") {
  SweepOptions whole = small_sweep();
  whole.threads = 1;
  const std::string expected = run_sweep(whole).dump(2);
  std::vector<json> parts;
  std::vector<std::string> names;
  for (int k : {2, 1, 3}) {  // any order
    SweepOptions o = small_sweep();
    o.threads = 2;
    o.shard = k;
    o.shards = 3;
    parts.push_back(run_sweep(o));
    names.push_back("part" + std::to_string(k));
    CHECK(parts.back()["recommendation"].is_null());
  }
  CHECK(merge_sweeps(parts, names).dump(2) == expected);

  REQUIRE_THROWS_WITH(merge_sweeps({parts[0], parts[1]}, {"a", "b"}), Catch::Contains("is missing"));
  REQUIRE_THROWS_WITH(merge_sweeps({parts[0], parts[0], parts[1], parts[2]}, {"a", "b", "c", "d"}),
                      Catch::Contains("given twice"));
  json other = parts[1];
  other["seed"] = 99;
  REQUIRE_THROWS_WITH(merge_sweeps({parts[0], other, parts[2]}, {"a", "b", "c"}),
                      Catch::Contains("b: /seed") && Catch::Contains("not shards of the same sweep"));
}

TEST_CASE("Pareto front and recommendation", "[sweep]") {
  const auto point = [](int index, double dup, double dup_high, double p95, double cost) {
    return json{{"index", index},
                {"values", {{"x", index}}},
                {"metrics",
                 {{"duplicate_rate", {{"value", dup}, {"ci95", {dup / 2, dup_high}}}},
                  {"decision_latency_s", {{"p95", p95}}},
                  {"cost_usd", {{"mean", cost}}}}}};
  };
  json sweep = {{"target_duplicate_rate", 0.05},
                {"parameters", {"x"}},
                {"points",
                 {point(0, 0.5, 0.6, 1, 2.0),    // fast but duplicates: on the front
                  point(1, 0.01, 0.02, 10, 0.7),  // meets the target
                  point(2, 0.01, 0.03, 12, 0.6),  // meets it, cheaper: recommended
                  point(3, 0.02, 0.04, 13, 0.9),  // dominated by 1
                  point(4, 0.04, 0.06, 20, 0.5)}}};  // cheapest, but its upper bound misses the target
  finish_sweep(sweep);
  std::vector<bool> front;
  for (const auto& p : sweep["points"]) front.push_back(p["pareto"].get<bool>());
  CHECK(front == std::vector<bool>{true, true, true, false, true});
  REQUIRE(sweep["recommendation"]["index"] == 2);
  sweep["target_duplicate_rate"] = 0.01;
  finish_sweep(sweep);
  CHECK(sweep["recommendation"].is_null());
}

TEST_CASE("sweep input errors name the parameter", "[sweep][input]") {
  SweepOptions o = small_sweep();
  o.vary = {parse_vary("agent.post_create_wait=1,2")};
  REQUIRE_THROWS_WITH(run_sweep(o), Catch::Contains("/agent/post_create_wait") &&
                                        Catch::Contains("--set agent.post_create_wait=1"));
  o.vary = {parse_vary("agent.find_attempts=1,-1")};
  REQUIRE_THROWS_WITH(run_sweep(o), Catch::Contains("/agent/find_attempts"));
  o.vary = {};
  REQUIRE_THROWS_WITH(run_sweep(o), Catch::Contains("one to three"));
}
