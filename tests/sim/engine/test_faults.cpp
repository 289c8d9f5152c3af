// The fake GitHub's faults and rate limits, and the client policy.
#include <catch2/catch.hpp>

#include "agent/client_policy.hpp"
#include "sim/engine/trial_runner.hpp"
#include "sim/model/rate_limiter.hpp"
#include "support/fixtures.hpp"

using namespace coordsim;
using agent::Duration;
using agent::Endpoint;
using agent::Reason;
using agent::Strategy;

namespace {
agent::ProtocolConfig protocol(Strategy s) {
  agent::ProtocolConfig p;
  p.strategy = s;
  p.retry.jitter = 0;
  return p;
}
int calls(const sim::TrialOutcome& o, Endpoint e) { return static_cast<int>(o.api_calls[static_cast<int>(e)]); }
constexpr Duration seconds(std::int64_t s) { return Duration(s * 1'000'000); }
}  // namespace

TEST_CASE("seed under lost create responses fails open", "[faults][seed][hand]") {
  // a fails at 0, b at 0.5; list lag 2 s. Without faults (see test_protocols):
  // a creates #1 at 1.5, b creates #2 at 2.0, b's re-check at 3.5 sees #1 and
  // defers; a's re-check at 4.0 sees #2 first (newest) and analyzes: 1 analysis.
  sim::Scenario s = test::constant_scenario({"a", "b"});
  s.workload.start_stagger_s = 0.5;
  test::set_list_lag(s, 2);
  const auto p = protocol(Strategy::seed);
  {
    sim::TrialRunner runner(s, p);
    REQUIRE(runner.run(1, 0).analyses == 1);
  }
  // Every create commits but its response is lost (502): both proceed with
  // issue 0 and analyze, although both issues exist.
  s.github.faults.endpoint[static_cast<int>(Endpoint::create_issue)].lost_response = 1;
  sim::TrialRunner runner(s, p);
  const auto& o = runner.run(1, 0);
  REQUIRE(o.analyses == 2);
  REQUIRE(o.duplicate);
  REQUIRE(o.issues_created == 2);
  REQUIRE(o.issues_left_open == 2);
  for (const auto& r : runner.reports()) REQUIRE(r.decision.reason == Reason::create_failed);
}

TEST_CASE("a write whose client timed out still commits", "[faults][timeout][hand]") {
  sim::Scenario s = test::constant_scenario({"a"});
  s.github.latency[static_cast<int>(Endpoint::create_issue)].request = sim::Distribution::constant(12);
  s.github.request_timeout = seconds(10);
  const auto p = protocol(Strategy::seed);
  sim::TrialRunner runner(s, p);
  const auto& o = runner.run(1, 0);
  // Lists at 0, 0.5, 1.5; create sent at 1.5 times out at 11.5 (status 0): the
  // reference analyzes with issue 0. The create commits at 13.5 anyway.
  REQUIRE(runner.reports()[0].decision.reason == Reason::create_failed);
  REQUIRE(runner.reports()[0].decided_at.count() == 11'500'000);
  REQUIRE(o.issues_created == 1);
}

TEST_CASE("server errors before the effect leave nothing behind", "[faults][hand]") {
  sim::Scenario s = test::constant_scenario({"a"});
  s.github.faults.endpoint[static_cast<int>(Endpoint::create_issue)].server_error = 1;
  const auto p = protocol(Strategy::seed);
  sim::TrialRunner runner(s, p);
  const auto& o = runner.run(1, 0);
  REQUIRE(o.issues_created == 0);
  REQUIRE(runner.reports()[0].decision.reason == Reason::create_failed);
}

TEST_CASE("faults off: turning the fault layer on at probability 0 changes nothing", "[faults]") {
  sim::Scenario s = test::constant_scenario({"a", "b", "c"});
  s.workload.start_jitter = test::uniform(0, 3);
  for (auto& e : s.github.latency) e.request = e.response = test::exponential(0.3);
  test::set_list_lag(s, 0);
  s.github.visibility_lag[static_cast<int>(sim::ReadPath::list)] = test::lognormal(2, 0.5);
  const auto p = protocol(Strategy::seed_lowest);
  sim::Scenario slow = s;
  slow.github.request_timeout = seconds(3600);  // forces the slow path, never fires
  slow.github.rate_limits.enabled = true;
  slow.github.rate_limits.primary_per_hour = 1'000'000;
  sim::TrialRunner fast_runner(s, p), slow_runner(slow, p);
  for (std::uint64_t k = 0; k < 300; ++k) {
    const auto& a = fast_runner.run(4, k);
    const auto& b = slow_runner.run(4, k);
    REQUIRE(a.analyses == b.analyses);
    REQUIRE(a.api_calls == b.api_calls);
    REQUIRE(a.decision_latency_us == b.decision_latency_us);
    REQUIRE(a.issues_left_open == b.issues_left_open);
  }
}

TEST_CASE("primary rate limit: seed swallows the 403s, ref-lock waits for the reset", "[faults][rate-limit][hand]") {
  sim::Scenario s = test::constant_scenario({"a", "b", "c"});
  s.workload.start_stagger_s = 1;
  s.github.rate_limits.enabled = true;
  s.github.rate_limits.primary_per_hour = 1000;
  s.github.rate_limits.primary_used_at_start = sim::Distribution::constant(1000);
  s.github.rate_limits.primary_reset_in = sim::Distribution::constant(5);
  {
    // Every seed call before 5 s is refused: a find that errors is "nothing
    // found", a create that errors is "analyze". a: list at 0, create at 0;
    // b at 1; c at 2: all three analyze, six 403s.
    const auto seed = protocol(Strategy::seed);
    sim::TrialRunner runner(s, seed);
    const auto& o = runner.run(1, 0);
    REQUIRE(o.analyses == 3);
    REQUIRE(o.rate_limited == 6);
    REQUIRE(o.issues_created == 0);
  }
  // ref-lock honours x-ratelimit-reset: a (403 at 0), b (403 at 1) and c (403
  // at 2) all wait until 5, then read the lock back before creating again.
  // a's read is first at 5 (404) and its create commits at once (201); b's and
  // c's reads, next at 5, show a's lock: they follow without creating again.
  const auto ref_lock = protocol(Strategy::ref_lock);
  sim::TrialRunner runner(s, ref_lock);
  const auto& o = runner.run(1, 0);
  REQUIRE(o.analyses == 1);
  REQUIRE(o.rate_limited == 3);
  REQUIRE(runner.reports()[0].decision.reason == Reason::lock_acquired);
  REQUIRE(runner.reports()[0].decided_at.count() == 5'000'000);
  REQUIRE(calls(o, Endpoint::create_ref) == 4);
  REQUIRE(calls(o, Endpoint::get_ref) == 3);
}

TEST_CASE("secondary rate limit on content creation, with retry-after", "[faults][rate-limit][hand]") {
  sim::Scenario s = test::constant_scenario({"a"});
  s.github.rate_limits.enabled = true;
  s.github.rate_limits.writes_last_minute_at_start = sim::Distribution::constant(80);
  const auto ref_lock = protocol(Strategy::ref_lock);
  sim::TrialRunner runner(s, ref_lock);
  const auto& o = runner.run(1, 0);
  // 403 at 0 with retry-after 60; the earlier writes leave the window at 60.
  REQUIRE(o.rate_limited == 1);
  REQUIRE(runner.reports()[0].decided_at.count() == 60'000'000);
  REQUIRE(o.analyses == 1);
}

TEST_CASE("rate limiter windows and headers", "[faults][rate-limit]") {
  sim::RateLimitConfig c;
  c.enabled = true;
  c.primary_per_hour = 3;
  c.search_per_minute = 2;
  sim::RateLimiter rl(c);
  rl.reset(sim::Time{}, 1, seconds(100), 0, 0);
  agent::ApiError e;
  const sim::Time t0{};
  REQUIRE(rl.admit(t0, Endpoint::list_issues, e));
  REQUIRE(rl.headers(Endpoint::list_issues).remaining == 1);
  REQUIRE(rl.admit(t0 + seconds(1), Endpoint::get_issue, e));
  REQUIRE_FALSE(rl.admit(t0 + seconds(2), Endpoint::get_issue, e));
  REQUIRE(e.status == 403);
  REQUIRE(e.message.find("API rate limit exceeded") == 0);
  REQUIRE(e.retry_after == seconds(98));
  REQUIRE(agent::is_rate_limited(e.status, e));
  REQUIRE(rl.admit(t0 + seconds(100), Endpoint::get_issue, e));  // the window reset
  REQUIRE(rl.headers(Endpoint::get_issue).used == 1);
  REQUIRE(rl.headers(Endpoint::get_issue).reset == t0 + seconds(3700));
  // Search has its own budget.
  REQUIRE(rl.admit(t0 + seconds(101), Endpoint::search_issues, e));
  REQUIRE(rl.admit(t0 + seconds(102), Endpoint::search_issues, e));
  REQUIRE_FALSE(rl.admit(t0 + seconds(103), Endpoint::search_issues, e));
  REQUIRE(e.retry_after == seconds(58));
  REQUIRE(rl.admit(t0 + seconds(161), Endpoint::search_issues, e));
  REQUIRE(std::string(rl.headers(Endpoint::search_issues).resource) == "search");
}

TEST_CASE("client policy: backoff, jitter, retry-after and the budget", "[client-policy]") {
  agent::RetryPolicy p;  // 6 attempts, 1 s doubling to 30 s, jitter 0.5, 120 s total
  agent::RetryBudget b;
  const agent::ApiError none{};
  REQUIRE(agent::next_retry(p, b, 502, none, 0.0) == seconds(1));
  REQUIRE(agent::next_retry(p, b, 0, none, 0.0) == seconds(2));
  REQUIRE(agent::next_retry(p, b, 503, none, 0.999999).value().count() == Approx(2'000'000).epsilon(0.001));
  REQUIRE(b.attempts == 4);
  // Not transient: 404, 422, a plain 403.
  agent::RetryBudget fresh;
  REQUIRE_FALSE(agent::next_retry(p, fresh, 404, none, 0));
  REQUIRE_FALSE(agent::next_retry(p, fresh, 422, none, 0));
  REQUIRE_FALSE(agent::next_retry(p, fresh, 403, agent::ApiError{403, "Resource not accessible by integration", {}}, 0));
  // retry-after wins when longer.
  const agent::ApiError limited{403, "You have exceeded a secondary rate limit.", seconds(60)};
  REQUIRE(agent::next_retry(p, fresh, 403, limited, 0) == seconds(60));
  REQUIRE(agent::next_retry(p, fresh, 429, agent::ApiError{429, "", {}}, 0) == seconds(2));
  // The total-wait cap.
  REQUIRE_FALSE(agent::next_retry(p, fresh, 403, agent::ApiError{403, "rate limit", seconds(100)}, 0));
  // The attempt cap.
  agent::RetryBudget many;
  p.max_total_wait = seconds(100000);
  int retries = 0;
  while (agent::next_retry(p, many, 500, none, 0)) ++retries;
  REQUIRE(retries == 5);
  REQUIRE(many.waited == seconds(1 + 2 + 4 + 8 + 16));
}
