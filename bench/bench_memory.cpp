// Peak memory is flat in the number of trials (target: 10 million trials of the
// seed reproduction under 50 MB peak RSS). Runs the given trial counts in one
// process, smallest first, and prints the peak RSS after each: if memory grew
// with trials, the peak would grow with them.
// Usage: bench_memory [TRIALS...]   (default: 100000 10000000)
#include <sys/resource.h>

#include <cstdio>
#include <cstdlib>
#include <vector>

#include "sim/engine/run_trials.hpp"
#include "sim/input/scenario_loader.hpp"

using namespace coordsim;

static double peak_rss_mb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

int main(int argc, char** argv) {
  std::vector<long long> counts;
  for (int i = 1; i < argc; ++i) counts.push_back(std::atoll(argv[i]));
  if (counts.empty()) counts = {100'000, 10'000'000};
  const sim::Scenario scenario = sim::load_default_scenario();
  agent::ProtocolConfig protocol = scenario.protocol;
  protocol.strategy = agent::Strategy::seed_lowest;
  std::printf("%12s %10s %14s %12s\n", "trials", "wall_s", "trials_per_s", "peak_rss_mb");
  for (long long n : counts) {
    sim::RunOptions options;
    options.trials = n;
    const sim::RunResult r = sim::run_trials(scenario, protocol, options);
    std::printf("%12lld %10.2f %14.0f %12.1f\n", n, r.wall_seconds, static_cast<double>(n) / r.wall_seconds,
                peak_rss_mb());
  }
  return 0;
}
