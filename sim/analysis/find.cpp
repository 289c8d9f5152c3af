#include "sim/analysis/find.hpp"

#include <memory>

#include "sim/engine/parallel_trials.hpp"
#include "sim/engine/trial_runner.hpp"

namespace coordsim::sim {

FindResult find_trials(const Scenario& scenario, const agent::ProtocolConfig& protocol, const Predicate& where,
                       const FindOptions& options) {
  const std::int64_t total = std::max<std::int64_t>(options.trials, 0);
  const int threads = trial_worker_count(total, options.threads);
  struct Share {
    std::int64_t failure_events = 0;
    std::int64_t matches = 0;
    std::vector<std::uint64_t> first;
  };
  std::vector<Share> shares(static_cast<std::size_t>(threads));

  for_each_trial_chunk(total, threads, [&](int w) {
    auto runner = std::make_unique<TrialRunner>(scenario, protocol);
    return [&, w, runner = std::move(runner), metrics = TrialMetrics{}](std::int64_t begin, std::int64_t end) mutable {
      Share& mine = shares[static_cast<std::size_t>(w)];
      for (std::int64_t k = begin; k < end; ++k) {
        const auto index = static_cast<std::uint64_t>(k);
        const TrialOutcome& o = runner->run(options.seed, index);
        if (o.failing_flavors) ++mine.failure_events;
        compute_trial_metrics(scenario, runner->plan(), runner->reports(), o, metrics);
        if (!where.matches(metrics)) continue;
        ++mine.matches;
        if (mine.first.size() < options.limit) mine.first.push_back(index);
      }
    };
  });

  FindResult r;
  r.trials = total;
  r.threads_used = threads;
  std::vector<std::vector<std::uint64_t>> lists;
  for (const Share& s : shares) {
    r.failure_events += s.failure_events;
    r.matches += s.matches;
    lists.push_back(s.first);
  }
  r.indices = merge_smallest(lists, options.limit);
  return r;
}

}  // namespace coordsim::sim
