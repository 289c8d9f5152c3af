// Shrinking: a duplicate trial of the 7-flavor production matrix becomes a
// standalone scenario with at most 3 flavors and constant distributions that
// duplicates in every trial.
#include <catch2/catch.hpp>

#include "sim/analysis/predicate.hpp"
#include "sim/analysis/shrink.hpp"
#include "sim/engine/run_trials.hpp"
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
