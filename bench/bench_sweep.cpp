// A 20-point sweep of aprapipes-production with 100,000 trials per point
// (issue target: under 15 s on this 2-core machine, peak memory independent of
// trials). Run: build/bench/bench_sweep [--benchmark_filter=...]
#include <sys/resource.h>

#include <benchmark/benchmark.h>

#include "sim/analysis/sweep.hpp"

using namespace coordsim;

namespace {

void BM_Sweep20Points(benchmark::State& state) {
  sim::SweepOptions o;
  o.scenario_path = COORDSIM_SOURCE_DIR "/scenarios/aprapipes-production.json";
  o.strategy = "seed-lowest";
  o.trials = state.range(0);
  o.vary = {sim::parse_vary("agent.post_create_wait_s=0:19:1")};
  for (auto _ : state) benchmark::DoNotOptimize(sim::run_sweep(o));
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  state.counters["peak_rss_mb"] = static_cast<double>(usage.ru_maxrss) / 1024.0;
  state.counters["trials_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations() * 20 * state.range(0)), benchmark::Counter::kIsRate);
}
// Peak RSS at 10,000 and at 100,000 trials per point: it must not grow with trials.
BENCHMARK(BM_Sweep20Points)->Arg(10'000)->Arg(100'000)->Iterations(1)->UseRealTime()->Unit(benchmark::kSecond);

}  // namespace

BENCHMARK_MAIN();
