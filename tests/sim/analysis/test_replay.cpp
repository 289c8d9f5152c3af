// Replays: the observer changes nothing, timelines tell the hand-computable
// story, traces and timelines are reproducible byte for byte, example indices
// and determinism hashes do not depend on the thread count.
#include <catch2/catch.hpp>

#include <sstream>

#include <nlohmann/json.hpp>

#include "sim/analysis/determinism.hpp"
#include "sim/engine/replay.hpp"
#include "sim/engine/run_trials.hpp"
#include "sim/input/scenario_loader.hpp"
#include "sim/output/chrome_trace.hpp"
#include "sim/output/report.hpp"
#include "sim/output/timeline.hpp"
#include "support/fixtures.hpp"
#include "support/scenario_files.hpp"

using namespace coordsim;
using agent::Strategy;

namespace {

agent::ProtocolConfig with(const sim::ScenarioFile& s, Strategy strategy) {
  agent::ProtocolConfig p = s.protocol;
  p.strategy = strategy;
  return p;
}

const sim::ScenarioFile& reproduction() {
  static const sim::ScenarioFile s = sim::load_scenario_file(COORDSIM_SOURCE_DIR "/scenarios/seed-reproduction.json");
  return s;
}

const sim::ScenarioFile& production() {
  static const sim::ScenarioFile s = sim::load_scenario_file(COORDSIM_SOURCE_DIR "/scenarios/aprapipes-production.json");
  return s;
}

// The line of `text` that holds every one of `parts`, or "" if none does.
std::string line_with(const std::string& text, std::initializer_list<std::string_view> parts) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    bool all = true;
    for (std::string_view p : parts) all = all && line.find(p) != std::string::npos;
    if (all) return line;
  }
  return "";
}

// Two flavors 0.5 s apart, zero API latency, list lag 1 s (docs/protocols.md):
// A lists at 0, 0.5, 1.5 and creates #1 at 1.5; B creates #2 at 2.0. #1 shows
// on list at 2.5, #2 at 3.0. A's re-check at 2.5 sees #1: first. B's re-check
// at 3.0 sees #2 and #1, newest first, and `seed` compares only #2: duplicate.
sim::ScenarioFile hand_computed() {
  sim::ScenarioFile s = test::as_file(test::constant_scenario({"a", "b"}));
  s.workload.start_stagger_s = 0.5;
  test::set_list_lag(s, 1.0);
  return s;
}

}  // namespace

TEST_CASE("an observer changes nothing a trial does", "[replay]") {
  const sim::ScenarioFile& s = production();
  for (Strategy strategy : {Strategy::seed, Strategy::seed_lowest, Strategy::none}) {
    const auto p = with(s, strategy);
    sim::TrialRunner plain(s, p), watched(s, p);
    sim::TrialRecorder recorder(s.workload.flavors);
    watched.set_observer(&recorder);
    for (std::uint64_t k = 0; k < 300; ++k) {
      const sim::TrialOutcome a = plain.run(s.seed, k);
      const sim::TrialOutcome& b = watched.run(s.seed, k);
      INFO(agent::strategy_name(strategy) << " trial " << k);
      CHECK(a.analyses == b.analyses);
      CHECK(a.events == b.events);
      CHECK(a.api_calls == b.api_calls);
      CHECK(a.decision_latency_us == b.decision_latency_us);
      CHECK(a.issues_left_open == b.issues_left_open);
    }
  }
}

TEST_CASE("hashing every trial leaves the run's report unchanged", "[replay]") {
  const sim::ScenarioFile& s = reproduction();
  const auto p = with(s, Strategy::seed_lowest);
  sim::RunOptions o;
  o.trials = 3000;
  o.seed = 5;
  o.threads = 2;
  const sim::RunResult plain = sim::run_trials(s, p, o);
  o.hash_trials = true;
  const sim::RunResult hashed = sim::run_trials(s, p, o);
  const auto json = [&](const sim::RunResult& r) {
    nlohmann::json j = sim::report_json(sim::RunReport{s, "x", o, r, 100});
    j.erase("wall_s");
    j.erase("trials_per_s");
    return j.dump();
  };
  CHECK(json(plain) == json(hashed));
  REQUIRE(hashed.trial_hashes.size() == 3000);
  CHECK(plain.trial_hashes.empty());
}

TEST_CASE("a hand-computed trial replays as its timeline", "[replay]") {
  const sim::ScenarioFile s = hand_computed();
  const sim::TrialReplay r = sim::replay_trial(s, with(s, Strategy::seed), 1, 0);
  const std::string t = sim::timeline_text(s, "seed", r);
  INFO(t);
  CHECK(r.outcome.duplicate);
  CHECK(!line_with(t, {"0.000 s", " a ", "checking coordination for flavor=a, commit=46e71ff0"}).empty());
  CHECK(!line_with(t, {"0.000 s", " a ", "find: nothing (attempt 1/3)"}).empty());
  CHECK(!line_with(t, {"0.500 s", " a ", "sleep 1.000 s"}).empty());
  CHECK(!line_with(t, {"1.500 s", " a ", "no coordination issue found after 3 attempts"}).empty());
  CHECK(!line_with(t, {"1.500 s", "GitHub", "#1 created by a"}).empty());
  CHECK(!line_with(t, {"1.500 s", " a ", "create → #1"}).empty());
  CHECK(!line_with(t, {"2.000 s", "GitHub", "#2 created by b"}).empty());
  CHECK(!line_with(t, {"2.500 s", "GitHub", "#1 becomes visible on list (lag 1.000 s)"}).empty());
  CHECK(!line_with(t, {"3.000 s", "GitHub", "#2 becomes visible on list"}).empty());
  CHECK(!line_with(t, {"2.500 s", " a ", "← list_issues 200: #1"}).empty());
  CHECK(!line_with(t, {"2.500 s", " a ", "double-check confirmed we're first (issue #1)"}).empty());
  // b sees both, newest first, and the reference compares only the newest.
  CHECK(!line_with(t, {"3.000 s", " b ", "← list_issues 200: #2, #1"}).empty());
  CHECK(!line_with(t, {"3.000 s", " b ", "confirmed we're first (issue #2)"}).empty());
  CHECK(!line_with(t, {"outcome: duplicate"}).empty());
  CHECK(!line_with(t, {"analyses", "2 by 2 failing flavor(s)"}).empty());

  // seed-lowest defers b to #1 and cleans up.
  const sim::TrialReplay low = sim::replay_trial(s, with(s, Strategy::seed_lowest), 1, 0);
  const std::string tl = sim::timeline_text(s, "seed-lowest", low);
  INFO(tl);
  CHECK(!low.outcome.duplicate);
  CHECK(!line_with(tl, {"3.000 s", " b ", "find: first match #2, lowest #1 (attempt 1/3)"}).empty());
  CHECK(!line_with(tl, {"3.000 s", " b ", "#1 is lower than ours (#2): defer to it"}).empty());
  CHECK(!line_with(tl, {" b ", "clean-up: close #2"}).empty());
  CHECK(!line_with(tl, {"GitHub", "#2 closed by b"}).empty());
  CHECK(!line_with(tl, {"GitHub", "the close of #2 becomes visible on list"}).empty());
  CHECK(!line_with(tl, {"outcome: clean"}).empty());
}

TEST_CASE("the seed reproduction's duplicate replays in the reference's log shape", "[replay]") {
  const sim::ScenarioFile& s = reproduction();
  const auto p = with(s, Strategy::seed);
  sim::RunOptions o;
  o.trials = 200;
  o.seed = s.seed;
  const sim::RunResult run = sim::run_trials(s, p, o);
  REQUIRE(!run.examples.duplicate.empty());
  const std::uint64_t k = run.examples.duplicate.front();
  const sim::TrialReplay r = sim::replay_trial(s, p, s.seed, k);
  CHECK(r.outcome.duplicate);
  const std::string t = sim::timeline_text(s, "seed", r);
  INFO(t);
  // [INFO] coordination: Checking coordination for flavor=linux-x64, commit=46e71ff
  // [INFO] coordination: No coordination issue found after 3 attempts
  // [INFO] coordination: Created coordination issue: #19
  // [INFO] coordination: Double-check confirmed we're first (issue #19)
  for (const char* flavor : {"linux-x64", "linux-arm64", "windows"}) {
    CHECK(!line_with(t, {flavor, "checking coordination for flavor=", "commit=46e71ff2"}).empty());
    CHECK(!line_with(t, {flavor, "find: nothing (attempt 3/3)"}).empty());
    CHECK(!line_with(t, {flavor, "no coordination issue found after 3 attempts"}).empty());
    CHECK(!line_with(t, {flavor, "create → #"}).empty());
    CHECK(!line_with(t, {flavor, "confirmed we're first"}).empty());
    CHECK(!line_with(t, {flavor, "decision: analyze (confirmed_first)"}).empty());
  }
  CHECK(!line_with(t, {"GitHub", "#1 becomes visible on list"}).empty());
  CHECK(!line_with(t, {"outcome: duplicate"}).empty());
  CHECK(!line_with(t, {"cost", "$1.80"}).empty());
}

TEST_CASE("same seed and trial: identical timeline, trace and hash", "[replay]") {
  const sim::ScenarioFile& s = production();
  const auto p = with(s, Strategy::seed);
  for (std::uint64_t k : {0u, 7u, 123u}) {
    const sim::TrialReplay a = sim::replay_trial(s, p, s.seed, k);
    sim::TrialRunner used(s, p);
    for (std::uint64_t other = 0; other < 20; ++other) (void)used.run(s.seed, other + 1000);
    const sim::TrialReplay b = sim::replay_trial(used, s, s.seed, k);
    CHECK(sim::timeline_text(s, "seed", a) == sim::timeline_text(s, "seed", b));
    CHECK(sim::chrome_trace_json(s, "seed", a) == sim::chrome_trace_json(s, "seed", b));
    CHECK(a.hash == b.hash);
    CHECK(sim::first_difference(a.events, b.events) == std::string::npos);
  }
}

TEST_CASE("the trace holds one track per failing flavor and GitHub, in virtual microseconds", "[replay][trace]") {
  const sim::ScenarioFile s = hand_computed();
  const sim::TrialReplay r = sim::replay_trial(s, with(s, Strategy::seed_lowest), 1, 0);
  const nlohmann::json doc = nlohmann::json::parse(sim::chrome_trace_json(s, "seed-lowest", r));
  REQUIRE(doc["traceEvents"].is_array());
  std::map<int, std::string> tracks;
  bool visible_on_list = false, create_span = false;
  for (const auto& e : doc["traceEvents"]) {
    REQUIRE(e.contains("ph"));
    REQUIRE(e.contains("pid"));
    REQUIRE(e.contains("tid"));
    REQUIRE(e.contains("name"));
    if (e["ph"] == "M" && e["name"] == "thread_name") tracks[e["tid"].get<int>()] = e["args"]["name"];
    if (e["ph"] == "M") continue;
    REQUIRE(e.contains("ts"));
    if (e["ph"] == "X") CHECK(e["dur"].get<std::int64_t>() >= 0);
    if (e["ph"] == "i" && e["name"] == "#1 visible on list") {
      visible_on_list = true;
      CHECK(e["ts"] == 2'500'000);  // 1.5 s commit + 1 s lag
      CHECK(e["tid"] == 3);         // the GitHub track
    }
    if (e["ph"] == "X" && e["name"] == "create_issue" && e["tid"] == 1) {
      create_span = true;
      CHECK(e["ts"] == 1'500'000);
    }
  }
  CHECK(tracks == std::map<int, std::string>{{1, "a"}, {2, "b"}, {3, "GitHub"}});
  CHECK(visible_on_list);
  CHECK(create_span);
}

TEST_CASE("run keeps the smallest example indices per outcome, whatever the threads", "[replay][examples]") {
  const sim::ScenarioFile& s = production();
  const auto p = with(s, Strategy::seed_lowest);
  sim::RunOptions o;
  o.trials = 9000;  // several chunks of 2048, so two threads interleave
  o.seed = 3;
  o.examples = 5;
  o.threads = 1;
  const sim::RunResult one = sim::run_trials(s, p, o);
  o.threads = 2;
  const sim::RunResult two = sim::run_trials(s, p, o);
  CHECK(one.examples.duplicate == two.examples.duplicate);
  CHECK(one.examples.miss == two.examples.miss);
  CHECK(one.examples.clean == two.examples.clean);

  // They are the first of each class in index order.
  std::vector<std::uint64_t> duplicate, clean;
  sim::TrialRunner runner(s, p);
  for (std::uint64_t k = 0; k < 9000 && (duplicate.size() < 5 || clean.size() < 5); ++k) {
    const auto& t = runner.run(3, k);
    if (!t.failing_flavors) continue;
    if (t.duplicate && duplicate.size() < 5) duplicate.push_back(k);
    if (!t.duplicate && !t.miss && clean.size() < 5) clean.push_back(k);
  }
  CHECK(one.examples.duplicate == duplicate);
  CHECK(one.examples.clean == clean);
  REQUIRE(duplicate.size() == 5);
  REQUIRE(clean.size() == 5);

  const nlohmann::json j = sim::report_json(sim::RunReport{s, "seed-lowest", o, two, 100});
  CHECK(j["examples"]["duplicate"].get<std::vector<std::uint64_t>>() == duplicate);
  CHECK(j["examples"]["miss"].is_array());
}

TEST_CASE("determinism check passes on a normal run", "[replay][determinism]") {
  const sim::ScenarioFile& s = production();
  sim::RunOptions o;
  o.trials = 5000;
  o.seed = s.seed;
  const sim::DeterminismCheck c = sim::check_run_determinism(s, with(s, Strategy::seed), o);
  CHECK(c.identical);
  CHECK(c.trials == 5000);
  CHECK(!c.diverging_trial);
  CHECK(c.detail.empty());
}

TEST_CASE("event comparison names the first diverging event", "[replay][determinism]") {
  const sim::ScenarioFile s = hand_computed();
  const sim::TrialReplay r = sim::replay_trial(s, with(s, Strategy::seed), 1, 0);
  std::vector<sim::TrialEvent> changed = r.events;
  REQUIRE(changed.size() > 10);
  changed[7].at += agent::Duration(1);
  CHECK(sim::first_difference(r.events, changed) == 7);
  changed = r.events;
  changed[9].detail += "!";
  CHECK(sim::first_difference(r.events, changed) == 9);
  changed.resize(5);
  CHECK(sim::first_difference(r.events, changed) == 5);
  CHECK(sim::first_difference(r.events, r.events) == std::string::npos);
  CHECK(sim::describe_event(s, r.events[0]).find("0.000000 s a agent_start") == 0);

  // The run hash folds trial hashes in order: swapping two trials changes it.
  CHECK(sim::combine_trial_hashes({1, 2, 3}) != sim::combine_trial_hashes({2, 1, 3}));
  CHECK(sim::combine_trial_hashes({1, 2, 3}) == sim::combine_trial_hashes({1, 2, 3}));
}

TEST_CASE("trial metrics of a hand-computed trial", "[replay][metrics]") {
  const sim::ScenarioFile s = hand_computed();
  const sim::TrialReplay r = sim::replay_trial(s, with(s, Strategy::seed_lowest), 1, 0);
  const auto m = [&](std::string_view name) { return r.metrics[static_cast<std::size_t>(*sim::find_trial_metric(name))]; };
  CHECK(m("failing_flavors") == 2);
  CHECK(m("analyses") == 1);
  CHECK(m("skips") == 1);
  CHECK(m("duplicate") == 0);
  CHECK(m("miss") == 0);
  CHECK(m("issues_created") == 2);
  CHECK(m("issues_open") == 1);
  CHECK(m("spread_s") == Approx(0.5));
  CHECK(m("min_gap_s") == Approx(0.5));
  // a: 3 + 1 lists and a create; b: 3 + 1 lists, a create, a close and a comment.
  CHECK(m("api_calls.list_issues") == 8);
  CHECK(m("api_calls.create_issue") == 2);
  CHECK(m("api_calls.update_issue") == 1);
  CHECK(m("api_calls.create_comment") == 1);
  CHECK(m("api_calls") == 12);
  CHECK(m("max_latency_s") == Approx(2.5));  // b decides at 3.0, 2.5 s after failing
  CHECK(m("cost_usd") == Approx(0.6));
  CHECK(m("baseline_cost_usd") == Approx(1.2));
}
