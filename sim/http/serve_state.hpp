#pragma once
// Everything the routes of one Router share: the scenario's GitHub settings,
// the router's options, the random streams, the rate budgets and the
// repositories. The Router holds one.
//
// Locking (the server runs several threads): `store_mutex` guards the set of
// repositories (shared to use one, exclusive to add one); each Repository's
// own `mutex` guards it (shared to read, exclusive to write); `rng_mutex` the
// random streams; `budgets_mutex` the rate budgets. A thread holds at most one
// repository exclusively, and several shared only in address order.
#include <mutex>
#include <shared_mutex>
#include <vector>

#include "agent/time.hpp"
#include "sim/http/admission.hpp"
#include "sim/http/repository_store.hpp"
#include "sim/http/router.hpp"
#include "sim/random/rng.hpp"
#include "sim/scenario/scenario.hpp"

namespace coordsim::sim::http {

struct ServeState {
  GitHubConfig github;
  RouterOptions options;
  Rng rng;        // latencies and lags
  Rng fault_rng;  // faults only: a request's fate never shifts a latency
  RateBudgets budgets;
  RepositoryStore store;
  Journal* journal = nullptr;  // --state's FILE.journal; null without --state
  std::shared_mutex store_mutex;
  std::mutex rng_mutex;
  std::mutex budgets_mutex;
  // Scratch, one per thread: the views point into a model, valid under its lock.
  inline static thread_local std::vector<GitHubModel::IssueView> views;

  ServeState(const Scenario& scenario, RouterOptions o)
      : github(scenario.github),
        options(std::move(o)),
        rng(make_stream(scenario.seed, 0, StreamKind::serve)),
        fault_rng(make_stream(scenario.seed, 0, StreamKind::serve_faults, 0)),
        budgets{TokenRateLimiter(options.rate_limit), nullptr} {
    if (github.rate_limits.enabled)
      budgets.scenario = std::make_unique<ScenarioRateLimits>(github.rate_limits, scenario.seed);
  }
};

// The caller holds rng_mutex.
inline agent::Duration draw_locked(ServeState& st, const Distribution& d) {
  return agent::from_seconds(d.sample(st.rng));
}
inline agent::Duration draw(ServeState& st, const Distribution& d) {
  std::lock_guard lock(st.rng_mutex);
  return draw_locked(st, d);
}
inline Lags draw_lags(ServeState& st) {
  Lags lags;
  std::lock_guard lock(st.rng_mutex);
  for (int p = 0; p < kReadPathCount; ++p)
    lags[static_cast<std::size_t>(p)] = draw_locked(st, st.github.visibility_lag[p]);
  return lags;
}
inline agent::Duration refs_lag(ServeState& st) {
  return draw(st, st.github.visibility_lag[static_cast<int>(ReadPath::refs)]);
}

}  // namespace coordsim::sim::http
