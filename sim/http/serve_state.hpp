#pragma once
// Everything the routes of one Router share: the scenario's GitHub settings,
// the router's options, the random streams, the rate budgets and the
// repositories. The Router holds one, behind its mutex.
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
  std::vector<GitHubModel::IssueView> views;  // scratch

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

inline agent::Duration draw(ServeState& st, const Distribution& d) {
  return agent::from_seconds(d.sample(st.rng));
}
inline Lags draw_lags(ServeState& st) {
  Lags lags;
  for (int p = 0; p < kReadPathCount; ++p)
    lags[static_cast<std::size_t>(p)] = draw(st, st.github.visibility_lag[p]);
  return lags;
}
inline agent::Duration refs_lag(ServeState& st) {
  return draw(st, st.github.visibility_lag[static_cast<int>(ReadPath::refs)]);
}

}  // namespace coordsim::sim::http
