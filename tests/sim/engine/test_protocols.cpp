// Protocols under constant timings, where every outcome can be derived by hand.
#include <catch2/catch.hpp>

#include "sim/engine/trial_runner.hpp"
#include "support/fixtures.hpp"

using namespace coordsim;
using agent::Strategy;

namespace {

agent::ProtocolConfig protocol(Strategy s) {
  agent::ProtocolConfig p;
  p.strategy = s;
  return p;
}

const sim::TrialOutcome& run_once(sim::TrialRunner& runner) { return runner.run(1, 0); }

// Two flavors, A failing at 0 and B at delta, zero API latency, constant list
// lag L, reference parameters (3 attempts, sleeps 0.5 s and 1 s, wait 1 s).
// A lists at 0, 0.5, 1.5 and creates #1 at 1.5; B lists at delta, delta + 0.5,
// delta + 1.5, so B sees #1 (visible from 1.5 + L) iff delta >= L. Otherwise B
// creates #2 at delta + 1.5 (visible from delta + 1.5 + L) and re-checks at
// delta + 2.5, + 3, + 4, stopping at the first snapshot showing any match.
// `seed` defers only if the newest visible issue is #1; `seed-lowest` defers if
// #1 is visible at all. A never defers: nothing older than #1 exists.
int predicted_analyses(double delta, double lag, bool lowest) {
  if (delta >= lag) return 1;
  const double v1 = 1.5 + lag, v2 = delta + 1.5 + lag;
  for (double offset : {2.5, 3.0, 4.0}) {
    const double s = delta + offset;
    const bool see1 = s >= v1, see2 = s >= v2;
    if (!see1 && !see2) continue;
    if (lowest) return see1 ? 1 : 2;
    return see2 ? 2 : 1;
  }
  return 2;
}

int simulated_analyses(Strategy strategy, double delta, double lag) {
  sim::Scenario s = test::constant_scenario({"a", "b"});
  s.workload.start_stagger_s = delta;
  test::set_list_lag(s, lag);
  const auto p = protocol(strategy);
  sim::TrialRunner runner(s, p);
  return run_once(runner).analyses;
}

}  // namespace

TEST_CASE("none: every failing flavor analyzes", "[protocols]") {
  sim::Scenario s = test::constant_scenario({"a", "b", "c", "d"});
  s.workload.failure.common_mode_probability = 0;
  s.workload.failure.per_flavor_probability = 0.5;
  const auto p = protocol(Strategy::none);
  sim::TrialRunner runner(s, p);
  int failure_events = 0;
  for (std::uint64_t k = 0; k < 200; ++k) {
    const auto& o = runner.run(9, k);
    REQUIRE(o.analyses == o.failing_flavors);
    REQUIRE(o.api_calls == sim::ApiCallCounts{});
    REQUIRE(o.miss == false);
    // Independent failures carry flavor-specific signatures: each is analyzed once.
    REQUIRE_FALSE(o.duplicate);
    failure_events += o.failing_flavors > 0;
  }
  REQUIRE(failure_events > 150);  // P(no flavor fails) = 1/16

  s.workload.failure.common_mode_probability = 1;  // one shared signature
  sim::TrialRunner common(s, p);
  const auto& o = common.run(9, 0);
  REQUIRE(o.failing_flavors == 4);
  REQUIRE(o.analyses == 4);
  REQUIRE(o.duplicate);
  REQUIRE(o.decision_latency_us == std::vector<std::int64_t>{0, 0, 0, 0});
}

TEST_CASE("seed and seed-lowest: two flavors, gap delta, constant list lag", "[protocols][hand]") {
  SECTION("the worked cases") {
    // B fails after the lag has passed: it sees #1 and skips.
    CHECK(simulated_analyses(Strategy::seed, 2.0, 2.0) == 1);  // visible exactly at its last find
    CHECK(simulated_analyses(Strategy::seed, 3.0, 2.0) == 1);
    // Lag longer than B's whole window (L > delta + 2.5): nobody sees anybody.
    CHECK(simulated_analyses(Strategy::seed, 1.0, 10.0) == 2);
    CHECK(simulated_analyses(Strategy::seed_lowest, 1.0, 10.0) == 2);
    // L = 1, delta = 0.5: B's first re-check (3.0 s) shows #1 and its own #2 together.
    // seed looks at the newest (#2, its own) and analyzes; seed-lowest defers to #1.
    CHECK(simulated_analyses(Strategy::seed, 0.5, 1.0) == 2);
    CHECK(simulated_analyses(Strategy::seed_lowest, 0.5, 1.0) == 1);
    // L = 3, delta = 0.5: B's re-check at 4.5 s shows only #1 (its #2 from 5.0): both defer.
    CHECK(simulated_analyses(Strategy::seed, 0.5, 3.0) == 1);
    CHECK(simulated_analyses(Strategy::seed_lowest, 0.5, 3.0) == 1);
  }
  SECTION("the rule over a grid of gaps and lags") {
    for (double delta : {0.1, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0}) {
      for (double lag : {0.0, 0.3, 0.5, 1.0, 1.2, 2.0, 2.6, 3.0, 3.5, 4.0, 6.0, 8.0}) {
        INFO("delta " << delta << " s, lag " << lag << " s");
        CHECK(simulated_analyses(Strategy::seed, delta, lag) == predicted_analyses(delta, lag, false));
        CHECK(simulated_analyses(Strategy::seed_lowest, delta, lag) == predicted_analyses(delta, lag, true));
      }
    }
  }
}

TEST_CASE("seed: the reference timeline with its logged latencies", "[protocols][hand]") {
  // List 0.274 s a call (0.137 each way), create 0.14 s, lag longer than everything:
  // find 3 x 0.274 + 0.5 + 1 = 2.322 s, create 0.14, wait 1, find again 2.322:
  // every flavor decides 5.784 s after failing, having made 7 calls.
  sim::Scenario s = test::constant_scenario({"linux-x64", "linux-arm64", "windows"});
  s.workload.start_stagger_s = 1;
  s.github.latency[static_cast<int>(agent::Endpoint::list_issues)] = {sim::Distribution::constant(0.137),
                                                                      sim::Distribution::constant(0.137)};
  s.github.latency[static_cast<int>(agent::Endpoint::create_issue)] = {sim::Distribution::constant(0.07),
                                                                       sim::Distribution::constant(0.07)};
  test::set_list_lag(s, 60);
  const auto p = protocol(Strategy::seed);
  sim::TrialRunner runner(s, p);
  const auto& o = run_once(runner);
  REQUIRE(o.analyses == 3);
  REQUIRE(o.duplicate);
  REQUIRE_FALSE(o.miss);
  REQUIRE(o.issues_created == 3);
  REQUIRE(o.issues_left_open == 3);
  REQUIRE(o.api_calls[static_cast<int>(agent::Endpoint::list_issues)] == 18);
  REQUIRE(o.api_calls[static_cast<int>(agent::Endpoint::create_issue)] == 3);
  REQUIRE(o.decision_latency_us == std::vector<std::int64_t>{5'784'000, 5'784'000, 5'784'000});
  for (const auto& r : runner.reports()) {
    REQUIRE(r.decision.kind == agent::DecisionKind::analyze);
    REQUIRE(r.decision.reason == agent::Reason::confirmed_first);
  }
  // Issue numbers follow commit order: linux-x64 #1, linux-arm64 #2, windows #3.
  REQUIRE(runner.reports()[0].decision.own_issue == 1);
  REQUIRE(runner.reports()[2].decision.own_issue == 3);
}

TEST_CASE("seed-lowest: a loser closes its issue and comments, after deciding", "[protocols]") {
  sim::Scenario s = test::constant_scenario({"a", "b"}, 0.05, 0.05);
  s.workload.start_stagger_s = 0.5;
  test::set_list_lag(s, 1.0);
  const auto p = protocol(Strategy::seed_lowest);
  sim::TrialRunner runner(s, p);
  const auto& o = run_once(runner);
  REQUIRE(o.analyses == 1);
  REQUIRE(o.issues_created == 2);
  REQUIRE(o.issues_left_open == 1);
  REQUIRE(o.api_calls[static_cast<int>(agent::Endpoint::update_issue)] == 1);
  REQUIRE(o.api_calls[static_cast<int>(agent::Endpoint::create_comment)] == 1);
  const auto& loser = runner.reports()[1];
  REQUIRE(loser.decision.kind == agent::DecisionKind::skip);
  REQUIRE(loser.decision.reason == agent::Reason::deferred_to_lower);
  REQUIRE(loser.decision.leader_issue == 1);
  REQUIRE(loser.decision.own_issue == 2);
}

TEST_CASE("seed: only the newest visible issue is compared, so early creators cannot defer",
          "[protocols][hand]") {
  // Zero lag, 0.1 s each way, three flavors 0.05 s apart. A lists at 0.1, 0.8, 2.0 and
  // its create commits at 2.2; B's and C's last first-find snapshots (2.05, 2.1) come
  // before that, so all three create: #1 at 2.2, #2 at 2.25, #3 at 2.3. Every re-check
  // (from 3.4 s) shows all three; newest-first, each flavor sees #3, which is not lower
  // than its own: seed keeps all three. seed-lowest defers B and C to #1.
  sim::Scenario s = test::constant_scenario({"a", "b", "c"}, 0.1, 0.1);
  s.workload.start_stagger_s = 0.05;
  test::set_list_lag(s, 0);
  const auto seed = protocol(Strategy::seed);
  sim::TrialRunner runner(s, seed);
  const auto& o = run_once(runner);
  REQUIRE(o.issues_created == 3);
  REQUIRE(o.analyses == 3);
  const auto lowest = protocol(Strategy::seed_lowest);
  sim::TrialRunner runner2(s, lowest);
  const auto& o2 = run_once(runner2);
  REQUIRE(o2.analyses == 1);
  REQUIRE(o2.issues_left_open == 1);
  REQUIRE(runner2.reports()[0].decision.kind == agent::DecisionKind::analyze);
}
