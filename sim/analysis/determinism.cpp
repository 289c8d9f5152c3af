#include "sim/analysis/determinism.hpp"

#include <algorithm>

#include <spdlog/fmt/fmt.h>

#include "sim/engine/replay.hpp"
#include "sim/engine/trial_recorder.hpp"
#include "sim/engine/trial_runner.hpp"
#include "sim/output/report.hpp"

namespace coordsim::sim {

std::uint64_t combine_trial_hashes(const std::vector<std::uint64_t>& hashes) {
  TrialEvent e;
  std::uint64_t h = kHashSeed;
  for (std::uint64_t x : hashes) {
    e.number = static_cast<std::int64_t>(x);
    h = hash_event(h, e);
  }
  return h;
}

namespace {

// Each trial's hash with the trials run in reverse index order on one runner:
// every trial then follows a different trial than in index order, so state a
// trial leaves for the next (recycled client ops, per-flavor buffers) changes
// its hash however few trials run. Two threads alone catch it only at a chunk
// boundary (2,048 trials), where the second worker starts on a fresh runner.
std::vector<std::uint64_t> reverse_order_hashes(const Scenario& scenario, const agent::ProtocolConfig& protocol,
                                                const RunOptions& options) {
  TrialRunner runner(scenario, protocol);
  TrialRecorder hasher(scenario.workload.flavors, false);
  runner.set_observer(&hasher);
  std::vector<std::uint64_t> out(static_cast<std::size_t>(std::max<std::int64_t>(options.trials, 0)));
  for (std::size_t i = out.size(); i-- > 0;) {
    (void)runner.run(options.seed, options.first_trial + i);
    out[i] = hasher.hash();
  }
  runner.set_observer(nullptr);
  return out;
}

std::string summary_json(const ScenarioFile& s, const RunOptions& o, const RunResult& r) {
  nlohmann::json j = report_json(RunReport{s, "", o, r, 100});
  j.erase("wall_s");
  j.erase("trials_per_s");
  return j.dump();
}
}  // namespace

DeterminismCheck check_run_determinism(const ScenarioFile& scenario, const agent::ProtocolConfig& protocol,
                                       RunOptions options) {
  options.hash_trials = true;
  options.threads = 1;
  const RunResult one = run_trials(scenario, protocol, options);
  options.threads = 2;
  const RunResult two = run_trials(scenario, protocol, options);

  const std::vector<std::uint64_t> reversed = reverse_order_hashes(scenario, protocol, options);

  DeterminismCheck c;
  c.trials = options.trials;
  c.hash = combine_trial_hashes(one.trial_hashes);
  for (std::size_t i = 0; i < one.trial_hashes.size(); ++i) {
    if (one.trial_hashes[i] == two.trial_hashes[i] && one.trial_hashes[i] == reversed[i]) continue;
    const std::uint64_t index = options.first_trial + i;
    c.identical = false;
    c.diverging_trial = index;
    c.detail = one.trial_hashes[i] != two.trial_hashes[i]
                   ? fmt::format("trial {}: event hash {:016x} on 1 thread, {:016x} on 2 threads", index,
                                 one.trial_hashes[i], two.trial_hashes[i])
                   : fmt::format("trial {}: event hash {:016x} in index order, {:016x} with the trials in reverse "
                                 "order on one runner",
                                 index, one.trial_hashes[i], reversed[i]);
    const TrialReplay a = replay_trial(scenario, protocol, options.seed, index);
    const TrialReplay b = replay_trial(scenario, protocol, options.seed, index);
    const std::size_t d = first_difference(a.events, b.events);
    if (d == std::string::npos) {
      c.detail += "; replayed alone twice it is identical, so the difference comes from state another trial left";
    } else {
      const auto show = [&](const TrialReplay& r) {
        return d < r.events.size() ? describe_event(scenario, r.events[d]) : std::string("(no more events)");
      };
      c.detail += fmt::format("; replayed twice it first differs at event {}:\n  {}\n  {}", d, show(a), show(b));
    }
    return c;
  }
  if (summary_json(scenario, options, one) != summary_json(scenario, options, two)) {
    c.identical = false;
    c.detail = "every trial's events agree but the merged summaries differ between 1 and 2 threads";
  }
  return c;
}

}  // namespace coordsim::sim
