#pragma once
// What a request passes before any route sees it, in GitHub's order:
// authentication (a wrong token is 401 even on a missing route), then the rate
// limits — before faults, as in the simulator: a refused request is refused
// whatever its fate, and a failed one has spent its budget — then a fault that
// strikes before the effect. Also which endpoint a route counts as, for its
// latencies, faults and budget.
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "agent/github_types.hpp"
#include "sim/http/message.hpp"
#include "sim/http/query.hpp"
#include "sim/http/reply.hpp"
#include "sim/http/scenario_rate_limits.hpp"
#include "sim/http/token_rate_limit.hpp"
#include "sim/model/faults.hpp"
#include "sim/random/rng.hpp"

namespace coordsim::sim::http {

// The scenario's limits when it has them, else the per-token fixed windows.
struct RateBudgets {
  TokenRateLimiter token_limits;
  std::unique_ptr<ScenarioRateLimits> scenario;  // null without github.rate_limits
};

// Path segments after the optional GitHub Enterprise prefix /api/v3.
std::span<const std::string> api_segments(const Target& t);
// The simulator endpoint a route counts as; routes outside the protocols'
// endpoints use the closest one (docs/serve.md). Nullopt for unknown routes.
std::optional<agent::Endpoint> endpoint_of(std::string_view method, std::span<const std::string> s);
// The request's fate: three draws from `fault_rng` whenever the scenario has
// faults, none for GET /rate_limit (bookkeeping, not the API under test).
FaultPlan draw_fault(const FaultConfig& faults, Rng& fault_rng, std::string_view method,
                     std::span<const std::string> s, agent::Endpoint e);

// "token X" or "Bearer X" (scheme case-insensitive); nullopt without a usable header.
std::optional<std::string> bearer_token(const Request& req);
// Compares in time independent of where the strings differ.
bool same_secret(std::string_view a, std::string_view b);

// Counts the request of `client` against its budget and sets the
// x-ratelimit-* headers on `response`; the 403/429 when it is refused.
// `authenticated`: it carried a token (GitHub's message differs). Without
// `count` (a 304) only the headers are set, from the budget as it stands.
std::optional<Reply> charge_rate_limit(RateBudgets& budgets, const Request& req, const Target& t,
                                       std::span<const std::string> s, const std::string& client,
                                       bool authenticated, agent::Time now, std::int64_t unix_epoch_us,
                                       Response& response, bool count = true);

// Wall-clock seconds of model time `t`, rounded down and up.
inline std::int64_t unix_s(std::int64_t unix_epoch_us, agent::Time t) {
  return (unix_epoch_us + t.count()) / 1'000'000;
}
inline std::int64_t unix_s_ceil(std::int64_t unix_epoch_us, agent::Time t) {
  return (unix_epoch_us + t.count() + 999'999) / 1'000'000;
}

}  // namespace coordsim::sim::http
