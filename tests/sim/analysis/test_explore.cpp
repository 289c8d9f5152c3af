// `coordsim explore`: a depth-first search over every combination of grid
// values of a scenario's draws. A hand-countable case first, then the
// acceptance boxes: ref-lock proved duplicate-free, seed refuted with a
// counterexample that duplicates as a standalone scenario.
#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>

#include <catch2/catch.hpp>

#include "sim/analysis/explore.hpp"
#include "sim/analysis/predicate.hpp"
#include "sim/analysis/shrink.hpp"
#include "sim/engine/trial_metrics.hpp"
#include "sim/engine/trial_runner.hpp"
#include "sim/input/distribution_json.hpp"
#include "sim/input/input_error.hpp"
#include "sim/input/scenario_loader.hpp"
#include "sim/random/choice_oracle.hpp"
#include "support/fixtures.hpp"
#include "support/scenario_files.hpp"

using namespace coordsim;

namespace {
sim::ScenarioFile box(const char* name, const std::vector<std::string>& sets = {}) {
  return sim::load_scenario_file(std::string(COORDSIM_SOURCE_DIR "/scenarios/explore/") + name, sets);
}
}  // namespace

TEST_CASE("grid values: extremes and evenly spaced points; empirical samples; mixtures' union", "[explore]") {
  CHECK(sim::grid_values(test::uniform(1, 3), 2) == std::vector<double>{1, 3});
  CHECK(sim::grid_values(test::uniform(1, 3), 3) == std::vector<double>{1, 2, 3});
  CHECK(sim::grid_values(test::uniform(0, 1), 5) == std::vector<double>{0, 0.25, 0.5, 0.75, 1});
  CHECK(sim::grid_values(test::uniform(2, 2), 3) == std::vector<double>{2});
  CHECK(sim::grid_values(sim::Distribution::constant(4), 3) == std::vector<double>{4});
  const auto emp = sim::parse_distribution({{"dist", "empirical"}, {"samples", {3, 1, 3, 2}}}, "/t");
  CHECK(sim::grid_values(emp, 2) == std::vector<double>{1, 2, 3});
  const auto mix = sim::parse_distribution(
      {{"dist", "mixture"}, {"weights", {1, 1}}, {"components", {5, {{"dist", "uniform"}, {"min", 0}, {"max", 1}}}}},
      "/t");
  CHECK(sim::grid_values(mix, 2) == std::vector<double>{0, 1, 5});
  CHECK_THROWS_AS(sim::grid_values(test::lognormal(9, 0.35), 3), std::invalid_argument);
  CHECK(sim::grid_values(test::exponential(0), 3) == std::vector<double>{0});
}

TEST_CASE("two draws on a grid of 2: exactly four schedules, in depth-first order", "[explore]") {
  // Two flavors, every value constant except each flavor's start jitter: the
  // only draws of a trial are those two.
  sim::ScenarioFile s = test::as_file(test::constant_scenario({"a", "b"}, 0.1, 0.1));
  s.workload.start_jitter = test::uniform(0, 1);
  sim::ExploreOptions o;
  o.grid = 2;
  o.record_schedules = true;
  o.prune_settled = false;
  const sim::Predicate never = sim::Predicate::parse("analyses > 100");
  const sim::ExploreResult r = sim::explore(s, s.protocol, never, o);
  CHECK(r.verdict == sim::ExploreVerdict::proved);
  CHECK(r.schedules == 4);
  CHECK(r.pruned == 0);
  CHECK(r.max_choice_points == 2);
  CHECK(r.all_schedules == std::vector<std::vector<double>>{{0, 0}, {0, 1}, {1, 0}, {1, 1}});

  o.grid = 3;
  const sim::ExploreResult r3 = sim::explore(s, s.protocol, never, o);
  CHECK(r3.schedules == 9);
  CHECK(r3.all_schedules[1] == std::vector<double>{0, 0.5});
  CHECK(r3.all_schedules[8] == std::vector<double>{1, 1});
}

TEST_CASE("a probability in (0, 1) is a two-way choice; 0 and 1 are fixed", "[explore]") {
  sim::ScenarioFile s = test::as_file(test::constant_scenario({"a", "b"}));
  s.workload.failure.common_mode_probability = 0;
  s.workload.failure.per_flavor_probability = 0.3;
  sim::ExploreOptions o;
  o.grid = 2;
  o.record_schedules = true;
  o.prune_settled = false;
  // One draw per flavor (fails alone or not): 4 schedules, nobody failing first.
  const sim::ExploreResult r = sim::explore(s, s.protocol, sim::Predicate::parse("failing_flavors > 2"), o);
  CHECK(r.verdict == sim::ExploreVerdict::proved);
  CHECK(r.schedules == 4);
  CHECK(r.all_schedules.front() == std::vector<double>{0, 0});
  const sim::ExploreResult both = sim::explore(s, s.protocol, sim::Predicate::parse("failing_flavors == 2"), o);
  CHECK(both.verdict == sim::ExploreVerdict::counterexample);
  CHECK(both.schedules == 4);
}

TEST_CASE("explore proves ref-lock duplicate-free over its box", "[explore]") {
  const sim::ScenarioFile s = box("ref-lock-box.json");
  REQUIRE(s.protocol.strategy == agent::Strategy::ref_lock);
  sim::ExploreOptions o;
#ifdef COORDSIM_EXPLORE_PROOF_GRID
  o.grid = COORDSIM_EXPLORE_PROOF_GRID;  // sanitizer builds: see tests/CMakeLists.txt
#else
  o.grid = 3;
#endif
  const sim::ExploreResult r = sim::explore(s, s.protocol, sim::Predicate::parse("analyses>1 || misses>0"), o);
  CHECK(r.verdict == sim::ExploreVerdict::proved);
  CHECK(r.settled_pruning);
  // Every run draws 12 values with `grid` options each (per flavor: start jitter,
  // create_ref request and response latency, the ref's lag) and ref-lock
  // draws nothing after its decisions: the whole grid, 3^12 = 531,441 schedules.
  CHECK(r.max_choice_points == 12);
  std::int64_t whole_grid = 1;
  for (int i = 0; i < 12; ++i) whole_grid *= o.grid;
  CHECK(r.schedules == whole_grid);
  CHECK(r.pruned == 0);
}

TEST_CASE("settled pruning gives the same verdict as branching on every draw", "[explore]") {
  // seed on the box with constant request latencies, grid 2: small enough to
  // search without pruning. Its duplicates' draws after the decisions (nothing
  // else is drawn then) are what pruning skips.
  const sim::ScenarioFile s = box("seed-box.json", {"github.latency.list_issues.request_s=0.1",
                                                "github.latency.create_issue.request_s=0.1"});
  const sim::Predicate where = sim::Predicate::parse("analyses>3");
  sim::ExploreOptions o;
  o.grid = 2;
  const sim::ExploreResult pruned = sim::explore(s, s.protocol, where, o);
  o.prune_settled = false;
  const sim::ExploreResult full = sim::explore(s, s.protocol, where, o);
  CHECK(pruned.verdict == sim::ExploreVerdict::proved);
  CHECK(full.verdict == sim::ExploreVerdict::proved);
  CHECK(pruned.settled_pruning);
  CHECK(pruned.pruned > 0);
  CHECK(pruned.schedules < full.schedules);
  // "pruned" is a lower bound on the schedules covered without running them.
  CHECK(full.schedules >= pruned.schedules + pruned.pruned);
  // A predicate on API calls is not settled at the decisions: no pruning.
  o.prune_settled = true;
  const sim::ExploreResult calls = sim::explore(s, s.protocol, sim::Predicate::parse("api_calls > 1000"), o);
  CHECK_FALSE(calls.settled_pruning);
  CHECK(calls.schedules == full.schedules);
}

TEST_CASE("explore finds a seed duplicate whose scenario duplicates on its own", "[explore]") {
  const sim::ScenarioFile s = box("seed-box.json");
  const sim::Predicate where = sim::Predicate::parse("analyses>1 || misses>0");
  const sim::ExploreResult r = sim::explore(s, s.protocol, where, {});
  REQUIRE(r.verdict == sim::ExploreVerdict::counterexample);
  REQUIRE(r.replay);
  CHECK(r.replay->outcome.duplicate);
  CHECK_FALSE(r.counterexample.empty());

  // Replaying its choices gives the same trial, event for event.
  const sim::TrialReplay again = sim::replay_schedule(s, s.protocol, r.counterexample_choices, 3);
  CHECK(again.hash == r.replay->hash);

  // As a standalone constant scenario, every trial duplicates (no oracle active).
  const sim::ShrinkResult shrunk = sim::shrink_replay(s, s.protocol, *r.replay, where, "explore test");
  const sim::ScenarioFile written = sim::load_scenario_text(shrunk.scenario.dump(), "<explore counterexample>");
  sim::TrialRunner runner(written, written.protocol);
  for (std::uint64_t k : {0, 1, 7}) CHECK(runner.run(written.seed, k).duplicate);
}

TEST_CASE("every counterexample explore writes reproduces as a scenario file, over several boxes", "[explore][shrink]") {
  // Each box's counterexample, shrunk and written as explore --out writes it,
  // loaded again: its trial 0 (what `coordsim run FILE` runs first) still
  // satisfies the predicate. The scan-down box needs one write's get lag at
  // 40 s (its mean over the trial's draws, 8 s, does not fail): the shrink
  // used to try other paths' lags only at their means and gave up; the lost
  // create_ref box needs a lost response, which the shrink used to test with
  // faults on and then write without.
  struct Box {
    const char* file;
    agent::Strategy strategy;
    std::vector<std::string> sets;
    const char* where;
    int grid;
  };
  const std::string get_lag_40 = R"(github.visibility_lag_s.get={"dist":"uniform","min":0,"max":40})";
  const std::vector<Box> boxes = {
      {"seed-box.json", agent::Strategy::seed, {}, "analyses>1 || misses>0", 3},
      {"seed-box.json", agent::Strategy::seed_lowest, {}, "analyses>1 || misses>0", 3},
      {"seed-box.json", agent::Strategy::none, {}, "duplicate", 2},
      {"ref-lock-box.json", agent::Strategy::scan_down,
       {get_lag_40, "workload.start_jitter_s=0", "github.latency.create_issue.request_s=0.05",
        "github.visibility_lag_s.list=0", "github.visibility_lag_s.refs=0"},
       "analyses>1 || misses>0", 2},
      {"ref-lock-box.json", agent::Strategy::ref_lock, {R"(github.faults={"create_ref":{"lost_response":0.1}})"},
       "api_calls.get_ref > 0", 2},
      {"ref-lock-box.json", agent::Strategy::ref_lock, {R"(github.faults={"spurious_ref_422":0.2})"},
       "api_calls.get_ref > 0", 2},
  };
  for (const Box& b : boxes) {
    const sim::ScenarioFile s = box(b.file, b.sets);
    agent::ProtocolConfig p = s.protocol;
    p.strategy = b.strategy;
    const sim::Predicate where = sim::Predicate::parse(b.where);
    INFO(b.file << " --strategy " << agent::strategy_name(b.strategy) << " --where '" << b.where << "'");
    sim::ExploreOptions o;
    o.grid = b.grid;
    const sim::ExploreResult r = sim::explore(s, p, where, o);
    REQUIRE(r.verdict == sim::ExploreVerdict::counterexample);
    const sim::ShrinkResult shrunk = sim::shrink_replay(s, p, *r.replay, where, "explore test");
    INFO(shrunk.scenario.dump(2));
    const sim::ScenarioFile written = sim::load_scenario_text(shrunk.scenario.dump(), "<explore counterexample>");
    CHECK(written.protocol.strategy == b.strategy);
    sim::TrialRunner runner(written, written.protocol);
    const sim::TrialOutcome& outcome = runner.run(written.seed, 0);
    sim::TrialMetrics metrics;
    sim::compute_trial_metrics(written, runner.plan(), runner.reports(), outcome, metrics);
    CHECK(where.matches(metrics));
    // The faults the counterexample needed are in the file.
    if (!b.sets.empty() && b.sets[0].starts_with("github.faults")) {
      CHECK(written.github.faults.any());
      CHECK(shrunk.scenario["github"].contains("faults"));
    }
  }
}

TEST_CASE("a counterexample that needs a get lag keeps it", "[explore][shrink]") {
  const sim::ScenarioFile s =
      box("ref-lock-box.json", {R"(github.visibility_lag_s.get={"dist":"uniform","min":0,"max":40})",
                                "workload.start_jitter_s=0", "github.latency.create_issue.request_s=0.05",
                                "github.visibility_lag_s.list=0", "github.visibility_lag_s.refs=0"});
  agent::ProtocolConfig p = s.protocol;
  p.strategy = agent::Strategy::scan_down;
  const sim::Predicate where = sim::Predicate::parse("analyses>1 || misses>0");
  sim::ExploreOptions o;
  o.grid = 2;
  const sim::ExploreResult r = sim::explore(s, p, where, o);
  REQUIRE(r.verdict == sim::ExploreVerdict::counterexample);
  // The schedule drew get lags of 0 and 40 s: constant at their mean it no longer duplicates.
  const sim::ShrinkResult shrunk = sim::shrink_replay(s, p, *r.replay, where, "explore test");
  const nlohmann::json& lags = shrunk.scenario["github"]["visibility_lag_s"];
  CHECK(lags["get"].get<double>() > 0);
  bool kept = false;
  for (const std::string& step : shrunk.steps) kept |= step.find("get lag 40 s") != std::string::npos;
  CHECK(kept);
}

TEST_CASE("explore refuses unbounded distributions, naming their JSON path", "[explore]") {
  const sim::ScenarioFile s = sim::load_scenario_file(COORDSIM_SOURCE_DIR "/scenarios/seed-reproduction.json");
  try {
    (void)sim::explore(s, s.protocol, sim::Predicate::parse("duplicate"), {});
    FAIL("expected an InputError");
  } catch (const sim::InputError& e) {
    CHECK(e.where() == "/github/visibility_lag_s/list");
    CHECK_THAT(e.what(), Catch::Contains("lognormal is unbounded") && Catch::Contains("uniform") &&
                             Catch::Contains("--set github.visibility_lag_s.list="));
  }
  sim::ExploreOptions one;
  one.grid = 1;
  CHECK_THROWS_AS(sim::explore(box("seed-box.json"), s.protocol, sim::Predicate::parse("duplicate"), one),
                  sim::InputError);
}

TEST_CASE("an exhausted budget is reported as not a proof", "[explore]") {
  const sim::ScenarioFile s = box("ref-lock-box.json");
  sim::ExploreOptions o;
  o.max_schedules = 10;
  const sim::ExploreResult r = sim::explore(s, s.protocol, sim::Predicate::parse("analyses>1 || misses>0"), o);
  CHECK(r.verdict == sim::ExploreVerdict::budget_exhausted);
  CHECK(r.schedules == 10);
  CHECK_FALSE(r.stopped_at.empty());
}

TEST_CASE("explore is deterministic", "[explore]") {
  const sim::ScenarioFile s = box("seed-box.json");
  const sim::Predicate where = sim::Predicate::parse("analyses>1 || misses>0");
  const sim::ExploreResult a = sim::explore(s, s.protocol, where, {});
  const sim::ExploreResult b = sim::explore(s, s.protocol, where, {});
  CHECK(a.schedules == b.schedules);
  CHECK(a.pruned == b.pruned);
  CHECK(a.counterexample_choices == b.counterexample_choices);
  CHECK(a.replay->hash == b.replay->hash);
}

TEST_CASE("with no oracle active, draws are the stream's as before", "[explore]") {
  // The hook must not change the Monte-Carlo path: a trial run before any
  // exploration and after one is the same trial.
  const sim::ScenarioFile s = box("seed-box.json");
  const sim::TrialReplay before = sim::replay_trial(s, s.protocol, s.seed, 3);
  (void)sim::explore(s, s.protocol, sim::Predicate::parse("analyses>1"), {});
  REQUIRE(sim::t_choice_oracle == nullptr);
  const sim::TrialReplay after = sim::replay_trial(s, s.protocol, s.seed, 3);
  CHECK(before.hash == after.hash);
}

TEST_CASE("fault probabilities are choice points: ref-lock past its retry budget", "[explore]") {
  // Two flavors, fixed timings, create_ref failing half the time, two attempts.
  // Every create_ref of one flavor failing is one of the schedules: it then
  // fails open (duplicate) or closed (miss), as docs/protocols.md says.
  for (const auto& [on_error, outcome] : {std::pair{"analyze", "duplicate"}, std::pair{"skip", "miss"}}) {
    INFO(on_error);
    const sim::ScenarioFile s = box("ref-lock-box.json", {"workload.flavors=[\"a\",\"b\"]", "workload.start_jitter_s=0",
                                                      "github.latency.create_ref.request_s=0.1",
                                                      "github.latency.create_ref.response_s=0.1",
                                                      "github.faults={\"create_ref\":{\"server_error\":0.5}}",
                                                      "agent.client.max_attempts=2",
                                                      std::string("agent.on_error=") + on_error});
    sim::ExploreOptions o;
    o.grid = 2;
    const sim::ExploreResult r = sim::explore(s, s.protocol, sim::Predicate::parse("analyses>1 || misses>0"), o);
    REQUIRE(r.verdict == sim::ExploreVerdict::counterexample);
    CHECK((std::string(outcome) == "duplicate" ? r.replay->outcome.duplicate : r.replay->outcome.miss));
    const auto failed = std::count_if(r.counterexample.begin(), r.counterexample.end(), [](const sim::ExploredDraw& d) {
      return d.what == "github.faults.server_error" && d.value == 1;
    });
    CHECK(failed >= 2);
  }
}

TEST_CASE("a fault budget below the retry budget proves ref-lock exact; at the retry budget it is refuted",
          "[explore]") {
  // docs/protocols.md: ref-lock is exact "as long as the API answers within
  // the retry budget". With two attempts per request, a run of at most one
  // fault can never exhaust it; two faults can (both attempts of one create).
  const std::vector<std::string> sets = {"workload.flavors=[\"a\",\"b\"]", "workload.start_jitter_s=0",
                                         "github.latency.create_ref.request_s=0.1",
                                         "github.latency.create_ref.response_s=0.1",
                                         "agent.client.max_attempts=2"};
  const sim::ScenarioFile s = box("ref-lock-faults-box.json", sets);
  const sim::Predicate bad = sim::Predicate::parse("analyses>1 || misses>0");
  sim::ExploreOptions o;
  o.grid = 2;
  o.max_faults = 1;
  const sim::ExploreResult one = sim::explore(s, s.protocol, bad, o);
  CHECK(one.verdict == sim::ExploreVerdict::proved);
  o.max_faults = 2;
  const sim::ExploreResult two = sim::explore(s, s.protocol, bad, o);
  REQUIRE(two.verdict == sim::ExploreVerdict::counterexample);
  const auto faults = std::count_if(two.counterexample.begin(), two.counterexample.end(), [](const sim::ExploredDraw& d) {
    return d.what.rfind("github.faults.", 0) == 0 && d.value == 1;
  });
  CHECK(faults == 2);
  // The replay of the counterexample honours the same budget.
  CHECK(two.replay->outcome.duplicate);
  // Budget 0 is faults off: the same search as the box without faults.
  o.max_faults = 0;
  o.record_schedules = true;
  const sim::ExploreResult none = sim::explore(s, s.protocol, bad, o);
  sim::ScenarioFile quiet = box("ref-lock-faults-box.json", sets);
  quiet.github.faults = {};
  o.max_faults = -1;
  const sim::ExploreResult off = sim::explore(quiet, quiet.protocol, bad, o);
  CHECK(none.verdict == sim::ExploreVerdict::proved);
  CHECK(none.schedules == off.schedules);
  CHECK(none.all_schedules == off.all_schedules);
}

TEST_CASE("the shipped faults box is proved exact for ref-lock under two faults a run", "[explore][.slow]") {
  const sim::ScenarioFile s = box("ref-lock-faults-box.json");
  sim::ExploreOptions o;
  o.grid = 2;
  o.max_faults = 2;
  const sim::ExploreResult r = sim::explore(s, s.protocol, sim::Predicate::parse("analyses>1 || misses>0"), o);
  CHECK(r.verdict == sim::ExploreVerdict::proved);
}
