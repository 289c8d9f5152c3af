// A trial's limits (sim::TrialLimits) and time arithmetic that cannot wrap:
// issue #15's "virtual time overflows silently" and "a single trial can run
// forever", checked where the engine forms times.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "sim/engine/event_loop.hpp"
#include "sim/engine/stats.hpp"
#include "sim/engine/trial_runner.hpp"
#include "support/fixtures.hpp"

using namespace coordsim;
using agent::Duration;
using agent::Strategy;

namespace {
void nothing(void*) {}

agent::ProtocolConfig protocol(Strategy s) {
  agent::ProtocolConfig p;
  p.strategy = s;
  return p;
}
}  // namespace

TEST_CASE("from_seconds saturates instead of wrapping, and rounds as before below the limit", "[limits]") {
  CHECK(agent::from_seconds(1.5e-6).count() == 2);  // halves away from zero
  CHECK(agent::from_seconds(-1.5e-6).count() == -2);
  CHECK(agent::from_seconds(1e9).count() == 1'000'000'000'000'000);
  CHECK(agent::from_seconds(1e13).count() == agent::kSaturatedUs);
  CHECK(agent::from_seconds(1e308).count() == agent::kSaturatedUs);
  CHECK(agent::from_seconds(std::numeric_limits<double>::infinity()).count() == agent::kSaturatedUs);
  CHECK(agent::from_seconds(-1e308).count() == -agent::kSaturatedUs);
  CHECK(agent::from_seconds(std::nan("")).count() == agent::kSaturatedUs);
  // Two saturated values add up without overflow, and sums saturate too.
  const Duration big(agent::kSaturatedUs);
  CHECK((big + big).count() > 0);
  CHECK(agent::add_saturated(Duration(std::numeric_limits<std::int64_t>::max() - 1), big).count() ==
        std::int64_t{1} << 62);
  CHECK(agent::add_saturated(Duration(5), Duration(-7)).count() == -2);
}

TEST_CASE("the event loop refuses an event in the past in every build", "[limits]") {
  sim::EventLoop loop;
  loop.schedule(Duration(10), sim::Phase::deliver, &nothing, nullptr);
  loop.run();
  CHECK(loop.now() == Duration(10));
  CHECK_THROWS_AS(loop.schedule(Duration(9), sim::Phase::deliver, &nothing, nullptr), std::logic_error);
}

TEST_CASE("the event loop refuses a time past the horizon and counts events against the limit", "[limits]") {
  sim::EventLoop loop;
  sim::TrialLimits limits;
  limits.horizon = Duration(1000);
  limits.max_events = 3;
  loop.set_limits(limits);
  CHECK_NOTHROW(loop.schedule(Duration(1000), sim::Phase::deliver, &nothing, nullptr));
  CHECK_THROWS_AS(loop.schedule(Duration(1001), sim::Phase::deliver, &nothing, nullptr), sim::TrialLimitError);
  for (int i = 0; i < 3; ++i) loop.schedule(Duration(i), sim::Phase::deliver, &nothing, nullptr);
  CHECK_THROWS_WITH(loop.run(), Catch::Contains("ran 3 events") && Catch::Contains("limits.max_events_per_trial"));
}

TEST_CASE("an endless retry loop stops at the event limit, with an error naming it", "[limits]") {
  // seed with 2^31 - 1 find attempts and no delay between them, and a lag that
  // hides every issue: schema-valid, and without a limit it runs for hours.
  sim::Scenario s = test::constant_scenario({"a", "b"}, 0.001, 0.001);
  test::set_list_lag(s, 1e6);
  s.limits.max_events = 100'000;
  agent::ProtocolConfig p = protocol(Strategy::seed);
  p.seed.find_attempts = 2'147'483'647;
  p.seed.retry_delays = {Duration(0)};
  sim::TrialRunner runner(s, p);
  CHECK_THROWS_AS(runner.run(1, 0), sim::TrialLimitError);
  // The runner is usable again: a sane trial after the refused one.
  p.seed.find_attempts = 3;
  sim::TrialRunner sane(s, p);
  CHECK(sane.run(1, 0).analyses == 2);
}

TEST_CASE("a visibility lag beyond every trial means never visible, however large", "[limits]") {
  // Before saturation a lag of 1e13 s wrapped to a negative time: every issue
  // visible at once, 0% duplicates instead of 100%.
  for (const double lag : {1e6, 1e13, 1e300}) {
    sim::Scenario s = test::constant_scenario({"a", "b", "c"});
    s.workload.start_stagger_s = 1;
    test::set_list_lag(s, lag);
    const auto p = protocol(Strategy::seed_lowest);
    sim::TrialRunner runner(s, p);
    INFO("lag " << lag);
    CHECK(runner.run(1, 0).analyses == 3);
  }
}

TEST_CASE("a start offset past the horizon is refused, not wrapped into the past", "[limits]") {
  // 3 flavors 1e13 s apart: flavor 2 would start at 2e13 s, past the horizon
  // (1e10 s); before, i * stagger overflowed into negative start times.
  sim::Scenario s = test::constant_scenario({"a", "b", "c"});
  s.workload.start_stagger_s = 1e13;
  const auto p = protocol(Strategy::seed_lowest);
  sim::TrialRunner runner(s, p);
  CHECK_THROWS_WITH(runner.run(1, 0), Catch::Contains("past its horizon"));
}

TEST_CASE("token counts from a lognormal's tail are clamped, and run totals saturate", "[limits][tokens]") {
  // A count parameter is capped at 1e9 and sigma at 5, where 2.3e-6 of the
  // draws pass 2^63 (z > 4.58): a long run meets them. llround of those was
  // undefined (-2^63 on x86): negative token totals, which then overflowed.
  // A median of 1e18 (past the loader's cap: the engine must not care) makes
  // it a third of the draws.
  sim::Scenario s = test::constant_scenario({"a", "b", "c", "d"});
  s.llm.tokens_in = test::lognormal(1e18, 5);
  s.llm.tokens_out = test::lognormal(1e9, 5);
  const agent::ProtocolConfig p = protocol(Strategy::none);  // every failing flavor analyzes
  sim::TrialRunner runner(s, p);
  sim::Summary total;
  std::int64_t most = 0;
  constexpr std::int64_t kCap = std::int64_t{1} << 40;
  for (std::uint64_t i = 0; i < 200; ++i) {
    const sim::TrialOutcome o = runner.run(7, i);
    REQUIRE(o.tokens_in >= 0);
    REQUIRE(o.tokens_out >= 0);
    REQUIRE(o.tokens_in <= o.analyses * kCap);
    REQUIRE(o.tokens_out <= o.analyses * kCap);
    most = std::max(most, o.tokens_in);
    total.add(o);
    REQUIRE(total.tokens_in >= 0);
  }
  CHECK(most == 4 * kCap);  // four clamped draws in one trial
  // Run totals saturate at 2^63 - 1 instead of overflowing, in add and merge.
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  sim::Summary big;
  sim::TrialOutcome huge;
  huge.failing_flavors = 1;
  huge.tokens_in = huge.baseline_tokens_in = kMax / 2 + 1;
  for (int i = 0; i < 3; ++i) big.add(huge);
  CHECK(big.tokens_in == kMax);
  CHECK(big.baseline_tokens_in == kMax);
  sim::Summary merged;
  merged.merge(big);
  merged.merge(big);
  CHECK(merged.tokens_in == kMax);
  CHECK(merged.baseline_tokens_in == kMax);
}
