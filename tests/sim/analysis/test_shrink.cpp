// Shrinking: a duplicate trial of the 7-flavor production matrix becomes a
// standalone scenario with at most 3 flavors and constant distributions that
// duplicates in every trial.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>

#include <nlohmann/json.hpp>

#include "sim/analysis/predicate.hpp"
#include "sim/analysis/shrink.hpp"
#include "sim/engine/run_trials.hpp"
#include "sim/engine/trial_metrics.hpp"
#include "sim/engine/trial_runner.hpp"
#include "sim/input/input_error.hpp"
#include "sim/input/scenario_loader.hpp"

using namespace coordsim;

namespace {
bool all_constant(const sim::ScenarioFile& s) {
  bool ok = s.workload.start_jitter.is_constant() && s.workload.failure.time_to_failure.is_constant() &&
            s.workload.failure.flavor_delay.is_constant() && s.llm.tokens_in.is_constant() &&
            s.llm.tokens_out.is_constant() && s.llm.analysis_duration.is_constant();
  for (const auto& e : s.github.latency) ok = ok && e.request.is_constant() && e.response.is_constant();
  for (const auto& l : s.github.visibility_lag) ok = ok && l.is_constant();
  const double p = s.workload.failure.common_mode_probability, q = s.workload.failure.per_flavor_probability;
  return ok && (p == 0 || p == 1) && (q == 0 || q == 1);
}
}  // namespace

TEST_CASE("a duplicate of seed on the production matrix shrinks to a small constant scenario", "[shrink]") {
  const sim::ScenarioFile s = sim::load_scenario_file(COORDSIM_SOURCE_DIR "/scenarios/aprapipes-production.json");
  for (agent::Strategy strategy : {agent::Strategy::seed, agent::Strategy::seed_lowest}) {
    agent::ProtocolConfig p = s.protocol;
    p.strategy = strategy;
    sim::RunOptions o;
    o.trials = 400;
    o.seed = s.seed;
    const sim::RunResult run = sim::run_trials(s, p, o);
    REQUIRE(run.examples.duplicate.size() >= 2);
    for (std::uint64_t k : {run.examples.duplicate[0], run.examples.duplicate[1]}) {
      INFO(agent::strategy_name(strategy) << " trial " << k);
      const sim::ShrinkResult r = sim::shrink_trial(s, p, s.seed, k, sim::Predicate::parse("duplicate"));
      CHECK(r.flavors_before == 7);
      CHECK(r.flavors_after <= 3);
      CHECK(r.flavors_after >= 2);  // a duplicate needs two analyses
      INFO(r.scenario.dump(2));

      const sim::ScenarioFile shrunk = sim::load_scenario_text(r.scenario.dump(), "<shrunk>");
      CHECK(shrunk.workload.flavors.size() == r.flavors_after);
      CHECK(all_constant(shrunk));
      CHECK(shrunk.protocol.strategy == strategy);
      // Every trial of it is the shrunk trial: all duplicate.
      sim::RunOptions all;
      all.trials = 50;
      all.seed = 12345;
      const sim::RunResult again = sim::run_trials(shrunk, shrunk.protocol, all);
      CHECK(again.summary.duplicates == 50);
    }
  }
}

TEST_CASE("shrinking keeps a custom predicate and refuses a trial that does not satisfy it", "[shrink]") {
  const sim::ScenarioFile s = sim::load_default_scenario();
  const auto where = sim::Predicate::parse("analyses == 3 && issues_created == 3");
  const sim::ShrinkResult r = sim::shrink_trial(s, s.protocol, s.seed, 0, where);
  CHECK(r.flavors_after == 3);
  const sim::ScenarioFile shrunk = sim::load_scenario_text(r.scenario.dump(), "<shrunk>");
  CHECK(all_constant(shrunk));
  CHECK(shrunk.expectations.empty());

  CHECK_THROWS_AS(sim::shrink_trial(s, s.protocol, s.seed, 0, sim::Predicate::parse("analyses > 3")),
                  sim::InputError);
}

namespace {
// The first trial of `s` (under `p`) that satisfies `where`.
std::uint64_t first_match(const sim::ScenarioFile& s, const agent::ProtocolConfig& p, const sim::Predicate& where) {
  sim::TrialRunner runner(s, p);
  sim::TrialMetrics m;
  for (std::uint64_t k = 0; k < 5000; ++k) {
    const sim::TrialOutcome& o = runner.run(s.seed, k);
    sim::compute_trial_metrics(s, runner.plan(), runner.reports(), o, m);
    if (where.matches(m)) return k;
  }
  FAIL("no trial matches " << where.text());
  return 0;
}

// Trial 0 of the written document, loaded as `coordsim run FILE` loads it.
bool reproduces(const nlohmann::json& doc, const sim::Predicate& where) {
  const sim::ScenarioFile written = sim::load_scenario_text(doc.dump(), "<shrunk>");
  sim::TrialRunner runner(written, written.protocol);
  const sim::TrialOutcome& o = runner.run(written.seed, 0);
  sim::TrialMetrics m;
  sim::compute_trial_metrics(written, runner.plan(), runner.reports(), o, m);
  return where.matches(m);
}
}  // namespace

TEST_CASE("a trial that needs its faults shrinks to a file that has them and still fails", "[shrink][faults]") {
  // Both read the lock back only after an ambiguous create: a lost response
  // or a spurious 422. The candidates used to run with github.faults on while
  // the file was written without them; reloaded, it no longer read back, and
  // the shrink stopped with an internal error.
  for (const char* file : {"faults-lost-responses.json", "faults-spurious-422.json"}) {
    INFO(file);
    const sim::ScenarioFile s = sim::load_scenario_file(std::string(COORDSIM_SOURCE_DIR "/scenarios/") + file);
    const auto where = sim::Predicate::parse("api_calls.get_ref > 0");
    const std::uint64_t k = first_match(s, s.protocol, where);
    const sim::ShrinkResult r = sim::shrink_trial(s, s.protocol, s.seed, k, where);
    INFO(r.scenario.dump(2));
    CHECK(r.scenario["github"]["faults"] == s.document["github"]["faults"]);
    CHECK_THAT(r.scenario["description"].get<std::string>(), Catch::Contains("github.faults still drawn from the seed"));
    CHECK(reproduces(r.scenario, where));
    // Run as a file: trial 0 is the shrunk one.
    const sim::ScenarioFile written = sim::load_scenario_text(r.scenario.dump(), "<shrunk>");
    sim::RunOptions o;
    o.trials = 1;
    o.seed = written.seed;
    CHECK(sim::run_trials(written, written.protocol, o).summary.api_calls[static_cast<int>(agent::Endpoint::get_ref)] > 0);
  }
}

TEST_CASE("a miss that needs an agent death keeps the death, at a seed where it happens", "[shrink][faults]") {
  // Without the lease every death of the holder is a miss. Trial 0 of a
  // shrunk candidate draws its deaths anew, so other seeds are tried; the one
  // that keeps the miss is written.
  const sim::ScenarioFile s = sim::load_scenario_file(COORDSIM_SOURCE_DIR "/scenarios/faults-agent-death.json",
                                                      {"agent.lease.enabled=false"});
  const auto where = sim::Predicate::parse("miss");
  const std::uint64_t k = first_match(s, s.protocol, where);
  const sim::ShrinkResult r = sim::shrink_trial(s, s.protocol, s.seed, k, where);
  INFO(r.scenario.dump(2));
  CHECK(r.scenario["workload"]["agent_death"] == s.document["workload"]["agent_death"]);
  CHECK(r.scenario["agent"]["lease"]["enabled"] == false);
  CHECK(reproduces(r.scenario, where));
}

TEST_CASE("what a trial does not need is dropped: faults that change nothing", "[shrink][faults]") {
  // seed duplicates on the production matrix by timing alone: with lost
  // responses on, the shrink removes github.faults, and the file says every
  // trial is the same.
  const sim::ScenarioFile s = sim::load_scenario_file(COORDSIM_SOURCE_DIR "/scenarios/faults-lost-responses.json");
  agent::ProtocolConfig p = s.protocol;
  p.strategy = agent::Strategy::seed;
  const auto where = sim::Predicate::parse("duplicate");
  const std::uint64_t k = first_match(s, p, where);
  const sim::ShrinkResult r = sim::shrink_trial(s, p, s.seed, k, where);
  INFO(r.scenario.dump(2));
  CHECK_FALSE(r.scenario["github"].contains("faults"));
  CHECK(std::find(r.steps.begin(), r.steps.end(), "removed github.faults") != r.steps.end());
  CHECK_THAT(r.scenario["description"].get<std::string>(), Catch::Contains("every trial is this one"));
  CHECK(reproduces(r.scenario, where));
  // And it is: any seed, any trial.
  const sim::ScenarioFile written = sim::load_scenario_text(r.scenario.dump(), "<shrunk>");
  sim::RunOptions o;
  o.trials = 50;
  o.seed = 4242;
  CHECK(sim::run_trials(written, written.protocol, o).summary.duplicates == 50);
}
