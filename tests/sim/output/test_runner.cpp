// Whole runs: determinism across thread counts, statistical checks against
// probabilities computed by hand, and the baseline's common random numbers.
#include <catch2/catch.hpp>

#include <cmath>

#include "sim/engine/run_trials.hpp"
#include "sim/output/report.hpp"
#include "support/fixtures.hpp"
#include "support/scenario_files.hpp"

using namespace coordsim;
using agent::Strategy;

namespace {
sim::RunReport run(const sim::ScenarioFile& s, Strategy strategy, std::int64_t trials, int threads,
                   std::uint64_t seed = 11) {
  agent::ProtocolConfig p = s.protocol;
  p.strategy = strategy;
  sim::RunOptions o;
  o.trials = trials;
  o.seed = seed;
  o.threads = threads;
  return sim::RunReport{s, std::string(agent::strategy_name(strategy)), o, sim::run_trials(s, p, o), 100};
}

std::string json_without_timing(const sim::RunReport& r) {
  nlohmann::json j = sim::report_json(r);
  j.erase("wall_s");
  j.erase("trials_per_s");
  return j.dump();
}

// Two flavors 0.5 s apart, zero latency, list lag uniform on [0, 4] s, drawn
// independently for #1 (L1) and #2 (L2). With the timeline of test_protocols.cpp,
// B sees #1 in its first find iff L1 <= 0.5. Otherwise B re-checks at 3, 3.5 and
// 4.5 s; #1 is visible there iff L1 <= 1.5, 2, 3 and its own #2 iff L2 <= 1, 1.5,
// 2.5. seed-lowest duplicates iff #1 is never seen or #2 shows strictly first:
//   P = 1/8 * 1/4 + 1/4 * 3/8 + 1/4 = 3/8.
// seed duplicates iff nothing is ever seen or #2 shows no later than #1:
//   P = 1/4 * 1/4 + 1/8 * 3/8 + 1/4 * 5/8 + 1/4 = 33/64.
sim::ScenarioFile uniform_lag_scenario() {
  sim::ScenarioFile s = test::as_file(test::constant_scenario({"a", "b"}));
  s.workload.start_stagger_s = 0.5;
  sim::Distribution lag;
  lag.kind = sim::DistKind::uniform;
  lag.a = 0;
  lag.b = 4;
  s.github.visibility_lag[static_cast<int>(sim::ReadPath::list)] = lag;
  return s;
}

void check_rate(const sim::RunReport& r, double expected) {
  const auto& s = r.result.summary;
  const double n = static_cast<double>(s.failure_events);
  const double observed = static_cast<double>(s.duplicates) / n;
  const double se = std::sqrt(expected * (1 - expected) / n);
  INFO(r.strategy << ": observed " << observed << ", expected " << expected << ", se " << se);
  CHECK(std::abs(observed - expected) < 4.5 * se);  // fails by chance about 1 in 150,000
  const auto ci = sim::wilson_interval(s.duplicates, s.failure_events);
  CHECK(ci.low <= expected);
  CHECK(expected <= ci.high);
}
}  // namespace

TEST_CASE("statistical: duplicate rates match the hand-derived probabilities", "[runner][statistical]") {
  const sim::ScenarioFile s = uniform_lag_scenario();
  const auto lowest = run(s, Strategy::seed_lowest, 40'000, 2);
  REQUIRE(lowest.result.summary.failure_events == 40'000);
  check_rate(lowest, 3.0 / 8);
  check_rate(run(s, Strategy::seed, 40'000, 2), 33.0 / 64);
}

TEST_CASE("output is byte-identical for any thread count", "[runner][determinism]") {
  sim::ScenarioFile s = uniform_lag_scenario();
  s.workload.flavors = {"a", "b", "c", "d", "e"};
  sim::Distribution jitter;
  jitter.kind = sim::DistKind::exponential;
  jitter.a = 1.0;
  s.workload.start_jitter = jitter;
  s.workload.failure.common_mode_probability = 0.7;
  s.workload.failure.per_flavor_probability = 0.2;
  const std::string one = json_without_timing(run(s, Strategy::seed_lowest, 9'000, 1));
  CHECK(one == json_without_timing(run(s, Strategy::seed_lowest, 9'000, 2)));
  CHECK(one == json_without_timing(run(s, Strategy::seed_lowest, 9'000, 3)));
  CHECK(one != json_without_timing(run(s, Strategy::seed_lowest, 9'000, 1, 12)));  // the seed matters
}

TEST_CASE("the baseline is the none protocol on the same trials", "[runner]") {
  sim::ScenarioFile s = uniform_lag_scenario();
  s.llm.tokens_in.kind = sim::DistKind::uniform;
  s.llm.tokens_in.a = 1000;
  s.llm.tokens_in.b = 9000;
  const auto none = run(s, Strategy::none, 3'000, 2);
  const auto seed = run(s, Strategy::seed, 3'000, 2);
  const auto none_m = sim::compute_metrics(none);
  const auto seed_m = sim::compute_metrics(seed);
  CHECK(none_m.cost_mean == none_m.baseline_cost_mean);
  CHECK(seed_m.baseline_cost_mean == none_m.cost_mean);
  CHECK(none_m.savings == 0.0);
  CHECK(seed_m.savings > 0.2);
  CHECK(none_m.analyses_mean == 2.0);
}

TEST_CASE("JSON report has the contract's fields", "[runner][report]") {
  const sim::ScenarioFile s = uniform_lag_scenario();
  const nlohmann::json j = sim::report_json(run(s, Strategy::seed, 1000, 1));
  for (const char* pointer :
       {"/scenario", "/strategy", "/trials", "/seed", "/failure_events", "/analyses/mean", "/analyses/max",
        "/duplicate_rate/value", "/duplicate_rate/ci95", "/miss_rate/value", "/miss_rate/ci95",
        "/issues_created/mean", "/issues_left_open/mean", "/api_calls/mean", "/tokens/mean", "/cost_usd/mean",
        "/cost_usd/baseline_mean", "/cost_usd/savings", "/decision_latency_s/p50", "/decision_latency_s/p95",
        "/decision_latency_s/p99", "/events", "/wall_s", "/trials_per_s"}) {
    INFO(pointer);
    CHECK(j.contains(nlohmann::json::json_pointer(pointer)));
  }
  CHECK(j["duplicate_rate"]["ci95"].size() == 2);
  CHECK(j["trials"] == 1000);
  CHECK(j["failure_events"] == 1000);
}
