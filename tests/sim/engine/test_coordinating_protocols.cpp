// ref-lock, scan-down, settle and fan-in: hand-computable cases under
// constant timings, and Monte-Carlo checks of their guarantees.
#include <catch2/catch.hpp>

#include "sim/engine/trial_runner.hpp"
#include "support/fixtures.hpp"

using namespace coordsim;
using agent::Reason;
using agent::Strategy;

namespace {

agent::ProtocolConfig protocol(Strategy s) {
  agent::ProtocolConfig p;
  p.strategy = s;
  p.retry.jitter = 0;  // hand-computable sleeps
  return p;
}

void set_all_lags(sim::Scenario& s, const sim::Distribution& lag) {
  for (auto& l : s.github.visibility_lag) l = lag;
}

int endpoint_calls(const sim::TrialOutcome& o, agent::Endpoint e) { return static_cast<int>(o.api_calls[static_cast<int>(e)]); }

}  // namespace

TEST_CASE("ref-lock: exactly one analysis per failure event for any visibility lag", "[protocols][ref-lock]") {
  const auto p = protocol(Strategy::ref_lock);
  for (const auto& lag : {sim::Distribution::constant(0), sim::Distribution::constant(0.5),
                          sim::Distribution::constant(5), sim::Distribution::constant(60),
                          test::lognormal(9, 0.8)}) {
    sim::Scenario s = test::constant_scenario({"a", "b", "c", "d", "e"});
    s.workload.start_jitter = test::uniform(0, 2);  // near-simultaneous failures
    for (auto& e : s.github.latency) e.request = e.response = test::exponential(0.2);
    set_all_lags(s, lag);
    sim::TrialRunner runner(s, p);
    for (std::uint64_t k = 0; k < 500; ++k) {
      const auto& o = runner.run(3, k);
      REQUIRE(o.analyses == 1);
      REQUIRE_FALSE(o.duplicate);
      REQUIRE_FALSE(o.miss);
      // No ambiguity, no read-back: one create per flavor.
      REQUIRE(endpoint_calls(o, agent::Endpoint::create_ref) == 5);
      REQUIRE(endpoint_calls(o, agent::Endpoint::get_ref) == 0);
    }
  }
}

TEST_CASE("ref-lock: lost responses, 5xx, spurious 422s and timeouts cause neither duplicates nor misses",
          "[protocols][ref-lock][faults]") {
  auto p = protocol(Strategy::ref_lock);
  p.retry.jitter = 0.5;
  p.retry.max_attempts = 40;  // the guarantee holds while the API answers within the budget
  p.retry.max_total_wait = agent::Duration(3'600'000'000);
  sim::Scenario s = test::constant_scenario({"a", "b", "c", "d"});
  s.workload.start_jitter = test::uniform(0, 1);
  for (auto& e : s.github.latency) {
    e.request = test::exponential(0.5);
    e.response = test::exponential(0.5);
  }
  set_all_lags(s, test::lognormal(2, 1));
  for (auto& f : s.github.faults.endpoint) f = {0.2, 0.3};
  s.github.faults.spurious_ref_422 = 0.2;
  s.github.request_timeout = agent::Duration(1'500'000);  // some answers come too late
  sim::TrialRunner runner(s, p);
  int read_backs = 0, timeouts_or_lost = 0;
  for (std::uint64_t k = 0; k < 2000; ++k) {
    const auto& o = runner.run(5, k);
    REQUIRE(o.analyses == 1);
    REQUIRE_FALSE(o.duplicate);
    REQUIRE_FALSE(o.miss);
    read_backs += endpoint_calls(o, agent::Endpoint::get_ref) > 0;
    timeouts_or_lost += endpoint_calls(o, agent::Endpoint::create_ref) > 4;
    for (const auto& r : runner.reports()) REQUIRE(r.decision.reason != Reason::error_fail_open);
  }
  // The faults did happen, and were resolved by reading back.
  REQUIRE(read_backs > 500);
  REQUIRE(timeouts_or_lost > 1000);
}

TEST_CASE("ref-lock: an ambiguous create that succeeded unseen is recognised on read-back", "[protocols][ref-lock][hand]") {
  // One flavor; every create response is lost (502) although the create
  // commits. After an ambiguous failure the protocol reads the lock back before
  // trying again, and finds its own token: it leads.
  sim::Scenario s = test::constant_scenario({"a"});
  s.github.faults.endpoint[static_cast<int>(agent::Endpoint::create_ref)].lost_response = 1;
  const auto p = protocol(Strategy::ref_lock);
  sim::TrialRunner runner(s, p);
  const auto& o = runner.run(1, 0);
  REQUIRE(o.analyses == 1);
  REQUIRE(runner.reports()[0].decision.reason == Reason::lock_read_back);
  REQUIRE(endpoint_calls(o, agent::Endpoint::create_ref) == 1);
  REQUIRE(endpoint_calls(o, agent::Endpoint::get_ref) == 1);
}

TEST_CASE("ref-lock: without a lease a dead holder is a miss; with one a follower takes over", "[protocols][ref-lock][lease][hand]") {
  // a, b, c fail at 0, 1, 2; zero latency and lag. a takes the lock and dies.
  sim::Scenario s = test::constant_scenario({"a", "b", "c"});
  s.workload.start_stagger_s = 1;
  s.workload.death.probability = 1;
  s.workload.death.max_per_trial = 1;
  auto p = protocol(Strategy::ref_lock);
  {
    sim::TrialRunner runner(s, p);
    const auto& o = runner.run(1, 0);
    REQUIRE(o.analyses == 0);
    REQUIRE(o.miss);
    REQUIRE(o.agents_died == 1);
  }
  // Lease 60 s, polls every 10 s: b follows from 1 s and polls at 11, ..., 61;
  // at 61 it has seen the holder for 60 s without a done marker, closes
  // generation 1 (its takeover creates <lock>-done: 201) and creates
  // generation 2's lock (201): it leads, analyzes and records <lock>-g2-done
  // at 61. c, polling at 12, ..., 62, sees generation 1 closed at 62, reads
  // the lock (a's token) to find it taken over, follows generation 2 (422)
  // and sees its done marker at its next poll, 72.
  p.lease.enabled = true;
  p.lease.ttl = agent::Duration(60'000'000);
  p.lease.poll_interval = agent::Duration(10'000'000);
  sim::TrialRunner runner(s, p);
  const auto& o = runner.run(1, 0);
  REQUIRE(o.analyses == 1);
  REQUIRE_FALSE(o.miss);
  REQUIRE_FALSE(o.duplicate);
  REQUIRE(o.agents_died == 1);
  const auto& r = runner.reports();
  REQUIRE(r[1].decision.reason == Reason::lease_taken_over);
  REQUIRE((r[1].decided_at - r[1].failed_at).count() == 60'000'000);
  REQUIRE(r[2].decision.reason == Reason::leader_done);
  REQUIRE((r[2].decided_at - r[2].failed_at).count() == 70'000'000);
}

TEST_CASE("ref-lock with a lease: misses stay at zero when holders die at random", "[protocols][ref-lock][lease]") {
  sim::Scenario s = test::constant_scenario({"a", "b", "c", "d"});
  s.workload.start_jitter = test::uniform(0, 5);
  s.llm.analysis_duration = test::uniform(10, 50);  // always within the TTL
  set_all_lags(s, test::exponential(1));
  s.workload.death.probability = 0.5;
  s.workload.death.point = sim::DeathPoint::during_analysis;
  auto p = protocol(Strategy::ref_lock);
  p.lease.enabled = true;
  p.lease.ttl = agent::Duration(120'000'000);
  sim::TrialRunner runner(s, p);
  int deaths = 0;
  for (std::uint64_t k = 0; k < 1000; ++k) {
    const auto& o = runner.run(2, k);
    REQUIRE_FALSE(o.miss);
    REQUIRE_FALSE(o.duplicate);
    REQUIRE(o.analyses == 1);
    deaths += o.agents_died;
  }
  // P(the holder draws death) = 1/2: 500 expected; 4 sd is about 63.
  REQUIRE(deaths > 430);
  REQUIRE(deaths < 570);
}

TEST_CASE("ref-lock: a lag past the old read-back horizon with 5xx and lost responses: neither duplicates nor misses",
          "[protocols][ref-lock][faults]") {
  // 60 read-back polls covered ~72 s of refs lag; the read-back now lasts the
  // decision's wait budget. Every request is answered within the retry budget.
  for (const bool skip_on_error : {false, true}) {
    for (const double refs_lag : {75.0, 110.0}) {
      auto p = protocol(Strategy::ref_lock);
      p.retry.jitter = 0.5;
      p.retry.max_attempts = 20;
      p.retry.max_total_wait = agent::Duration(600'000'000);
      p.on_error = skip_on_error ? agent::OnError::skip : agent::OnError::analyze;
      sim::Scenario s = test::constant_scenario({"a", "b", "c", "d", "e"});
      s.workload.start_jitter = test::uniform(0, 2);
      for (auto& e : s.github.latency) e.request = e.response = test::exponential(0.2);
      s.github.visibility_lag[static_cast<int>(sim::ReadPath::refs)] = sim::Distribution::constant(refs_lag);
      for (auto& f : s.github.faults.endpoint) f = {0.2, 0.1};
      sim::TrialRunner runner(s, p);
      int read_back_polls = 0;
      for (std::uint64_t k = 0; k < 300; ++k) {
        const auto& o = runner.run(11, k);
        INFO("refs lag " << refs_lag << ", on_error " << (skip_on_error ? "skip" : "analyze") << ", trial " << k);
        REQUIRE(o.analyses == 1);
        REQUIRE_FALSE(o.duplicate);
        REQUIRE_FALSE(o.miss);
        read_back_polls += endpoint_calls(o, agent::Endpoint::get_ref) > 60;
      }
      // The lag was in play: some trials polled longer than the old count allowed.
      REQUIRE(read_back_polls > 0);
    }
  }
}

TEST_CASE("ref-lock lease: the done marker's refs lag does not make a follower take over from a finished leader",
          "[protocols][ref-lock][lease][hand]") {
  // TTL 90 s, analysis 60 s, refs lag 35 s: the leader's marker is visible
  // only at 95 s, after the follower's TTL. The follower races the leader to
  // create the closing ref and finds it made: leader_done, no takeover.
  sim::Scenario s = test::constant_scenario({"a", "b"});
  s.workload.start_stagger_s = 1;
  s.llm.analysis_duration = sim::Distribution::constant(60);
  s.github.visibility_lag[static_cast<int>(sim::ReadPath::refs)] = sim::Distribution::constant(35);
  auto p = protocol(Strategy::ref_lock);
  p.lease.enabled = true;
  p.lease.ttl = agent::Duration(90'000'000);
  p.lease.poll_interval = agent::Duration(10'000'000);
  sim::TrialRunner runner(s, p);
  const auto& o = runner.run(1, 0);
  REQUIRE(o.analyses == 1);
  REQUIRE_FALSE(o.duplicate);
  REQUIRE(runner.reports()[1].decision.reason == Reason::leader_done);
}

TEST_CASE("ref-lock re-run: the holder's own lock without a done marker is analyzed again, with one it is not",
          "[protocols][ref-lock][rerun][hand]") {
  sim::Scenario s = test::constant_scenario({"a", "b", "c"});
  s.workload.start_stagger_s = 1;
  s.workload.rerun.probability = 1;
  s.workload.rerun.after = sim::Distribution::constant(600);
  auto p = protocol(Strategy::ref_lock);
  p.ref_lock.done_marker = true;  // the workflow runs `coordsim agent done`
  {
    // a leads and finishes: its done marker makes every re-run skip.
    sim::TrialRunner runner(s, p);
    const auto& o = runner.run(1, 0);
    REQUIRE(runner.reran());
    REQUIRE(o.analyses == 1);
    REQUIRE_FALSE(o.duplicate);
    REQUIRE(runner.rerun_reports()[0].decision.reason == Reason::leader_done);
    REQUIRE(runner.rerun_reports()[1].decision.reason == Reason::lock_held);
  }
  {
    // Without the marker (no `agent done` step) a finished analysis cannot be
    // told from a dead one: the re-run analyzes again, a duplicate, never a miss.
    auto no_marker = p;
    no_marker.ref_lock.done_marker = false;
    sim::TrialRunner runner(s, no_marker);
    const auto& o = runner.run(1, 0);
    REQUIRE(o.analyses == 2);
    REQUIRE(o.duplicate);
    REQUIRE(runner.rerun_reports()[0].decision.reason == Reason::rerun_unfinished);
  }
  // a dies in its analysis: the first attempt misses; a's re-run finds its
  // own lock and no done marker, takes its generation over and analyzes.
  s.workload.death.probability = 1;
  s.workload.death.point = sim::DeathPoint::during_analysis;
  sim::TrialRunner runner(s, p);
  const auto& o = runner.run(1, 0);
  REQUIRE(o.agents_died == 1);
  REQUIRE(o.analyses == 1);
  REQUIRE_FALSE(o.miss);
  REQUIRE_FALSE(o.duplicate);
  REQUIRE(runner.rerun_reports()[0].decision.reason == Reason::rerun_unfinished);
  REQUIRE(runner.rerun_reports()[1].decision.reason == Reason::lock_held);
  REQUIRE(runner.rerun_reports()[2].decision.reason == Reason::lock_held);
}

TEST_CASE("coordination keyed by commit misses a platform-specific failure; by signature it does not",
          "[protocols][signature]") {
  sim::Scenario s = test::constant_scenario({"linux", "windows", "macos"});
  s.workload.failure.common_mode_probability = 0;
  s.workload.failure.per_flavor_probability = 1;  // three different signatures
  auto p = protocol(Strategy::ref_lock);
  p.key_by = agent::KeyBy::commit;
  {
    sim::TrialRunner runner(s, p);
    const auto& o = runner.run(1, 0);
    REQUIRE(o.signatures == 3);
    REQUIRE(o.analyses == 1);
    REQUIRE(o.miss);
  }
  p.key_by = agent::KeyBy::commit_and_signature;
  sim::TrialRunner runner(s, p);
  const auto& o = runner.run(1, 0);
  REQUIRE(o.analyses == 3);
  REQUIRE_FALSE(o.miss);
  REQUIRE_FALSE(o.duplicate);
}

TEST_CASE("settle: a duplicate exactly when the list lag exceeds the settle time", "[protocols][settle][hand]") {
  // a and b fail together; a creates #1, b #2 (insertion order); both list at S.
  for (double lag : {0.0, 2.0, 4.9, 5.0, 5.1, 20.0}) {
    sim::Scenario s = test::constant_scenario({"a", "b"});
    test::set_list_lag(s, lag);
    auto p = protocol(Strategy::settle);
    p.settle.settle_time = agent::Duration(5'000'000);
    sim::TrialRunner runner(s, p);
    const auto& o = runner.run(1, 0);
    INFO("lag " << lag);
    REQUIRE(o.analyses == (lag > 5.0 ? 2 : 1));
    if (lag <= 5.0) {
      REQUIRE(runner.reports()[1].decision.reason == Reason::deferred_to_lower);
      REQUIRE(runner.reports()[1].decision.leader_issue == 1);
      REQUIRE(o.issues_left_open == 1);  // the loser closed its own
    }
  }
}

TEST_CASE("scan-down: exact while lower issues become visible on the get path within its polling", "[protocols][scan-down][hand]") {
  for (double get_lag : {0.0, 3.0, 19.0, 25.0}) {
    sim::Scenario s = test::constant_scenario({"a", "b", "c"});
    s.github.visibility_lag[static_cast<int>(sim::ReadPath::get)] = sim::Distribution::constant(get_lag);
    const auto p = protocol(Strategy::scan_down);  // polls a 404 every 0.5 s, 40 times: 20 s
    sim::TrialRunner runner(s, p);
    const auto& o = runner.run(1, 0);
    INFO("get lag " << get_lag);
    // b and c give up on #1 when it stays invisible for their 20 s of polling.
    // With a 25 s lag, b gives up on #1 after its 20 s of polling and leads
    // too; c gives up on #2 at 20 s, then polls #1 and sees it at 25 s.
    REQUIRE(o.analyses == (get_lag < 20 ? 1 : 2));
    if (get_lag < 20) REQUIRE(runner.reports()[0].decision.reason == Reason::lowest_issue);
  }
}

TEST_CASE("fan-in: one analysis per signature, decided when the last leg ends", "[protocols][fan-in][hand]") {
  sim::Scenario s = test::constant_scenario({"a", "b", "c"});
  s.workload.start_stagger_s = 10;
  s.workload.failure.time_to_failure = sim::Distribution::constant(100);  // fail at 100, 110, 120
  auto p = protocol(Strategy::fan_in);
  p.fan_in.job_start_delay = agent::Duration(30'000'000);
  sim::TrialRunner runner(s, p);
  const auto& o = runner.run(1, 0);
  REQUIRE(o.analyses == 1);
  REQUIRE(o.api_calls == sim::ApiCallCounts{});
  REQUIRE(o.decision_latency_us == std::vector<std::int64_t>{50'000'000, 40'000'000, 30'000'000});

  s.workload.failure.common_mode_probability = 0;
  s.workload.failure.per_flavor_probability = 1;
  sim::TrialRunner distinct(s, p);
  const auto& d = distinct.run(1, 0);
  REQUIRE(d.analyses == 3);
  REQUIRE_FALSE(d.duplicate);
  REQUIRE_FALSE(d.miss);
}
