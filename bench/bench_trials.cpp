// Trials per second of the simulator (issue target: >= 500,000 trials/s for
// seed-lowest on the 3-flavor seed reproduction on one core, logging off; two
// threads >= 1.8x one). Run: build/bench/bench_trials
#include <benchmark/benchmark.h>

#include "sim/engine/run_trials.hpp"
#include "sim/engine/trial_runner.hpp"
#include "sim/input/scenario_loader.hpp"

using namespace coordsim;

namespace {

const sim::Scenario& reproduction() {
  static const sim::Scenario s = sim::load_default_scenario();
  return s;
}

agent::ProtocolConfig with(agent::Strategy strategy) {
  agent::ProtocolConfig p = reproduction().protocol;
  p.strategy = strategy;
  return p;
}

// One trial at a time on this thread: the per-trial cost with nothing around it.
void BM_Trial(benchmark::State& state, agent::Strategy strategy) {
  const agent::ProtocolConfig protocol = with(strategy);
  sim::TrialRunner runner(reproduction(), protocol);
  std::uint64_t k = 0;
  std::int64_t analyses = 0;
  for (auto _ : state) analyses += runner.run(1, k++).analyses;
  benchmark::DoNotOptimize(analyses);
  state.SetItemsProcessed(state.iterations());
  state.counters["trials_per_s"] = benchmark::Counter(static_cast<double>(state.iterations()),
                                                      benchmark::Counter::kIsRate);
}
BENCHMARK_CAPTURE(BM_Trial, seed_lowest, agent::Strategy::seed_lowest);
BENCHMARK_CAPTURE(BM_Trial, seed, agent::Strategy::seed);
BENCHMARK_CAPTURE(BM_Trial, none, agent::Strategy::none);

// The whole runner (chunks, summaries, merge) on 1 and 2 threads, wall clock.
void BM_RunTrials(benchmark::State& state) {
  const agent::ProtocolConfig protocol = with(agent::Strategy::seed_lowest);
  sim::RunOptions options;
  options.trials = 400'000;
  options.threads = static_cast<int>(state.range(0));
  for (auto _ : state) {
    sim::RunResult r = sim::run_trials(reproduction(), protocol, options);
    benchmark::DoNotOptimize(r.summary.analyses);
  }
  state.counters["trials_per_s"] = benchmark::Counter(
      static_cast<double>(state.iterations() * options.trials), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_RunTrials)->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
