#include "sim/engine/replay.hpp"

#include <spdlog/fmt/fmt.h>

namespace coordsim::sim {

TrialReplay replay_trial(TrialRunner& runner, const Scenario& scenario, std::uint64_t seed, std::uint64_t index) {
  TrialRecorder recorder(scenario.workload.flavors);
  runner.set_observer(&recorder);
  TrialReplay r;
  try {
    r.outcome = runner.run(seed, index);
  } catch (...) {
    runner.set_observer(nullptr);
    throw;
  }
  runner.set_observer(nullptr);
  r.seed = seed;
  r.index = index;
  r.plan = runner.plan();
  r.reports = runner.reports();
  compute_trial_metrics(scenario, r.plan, r.reports, r.outcome, r.metrics);
  r.events = recorder.events();
  r.hash = recorder.hash();
  return r;
}

TrialReplay replay_trial(const Scenario& scenario, const agent::ProtocolConfig& protocol, std::uint64_t seed,
                         std::uint64_t index) {
  TrialRunner runner(scenario, protocol);
  return replay_trial(runner, scenario, seed, index);
}

std::size_t first_difference(const std::vector<TrialEvent>& a, const std::vector<TrialEvent>& b) {
  const std::size_t n = std::min(a.size(), b.size());
  for (std::size_t i = 0; i < n; ++i)
    if (hash_event(kHashSeed, a[i]) != hash_event(kHashSeed, b[i])) return i;
  return a.size() == b.size() ? std::string::npos : n;
}

std::string describe_event(const Scenario& scenario, const TrialEvent& e) {
  const std::string who = e.flavor >= 0 && static_cast<std::size_t>(e.flavor) < scenario.workload.flavors.size()
                              ? scenario.workload.flavors[static_cast<std::size_t>(e.flavor)]
                              : std::string("GitHub");
  return fmt::format("{:.6f} s {} {}: {}", agent::to_seconds(e.at), who, event_kind_name(e.kind), e.detail);
}

}  // namespace coordsim::sim
