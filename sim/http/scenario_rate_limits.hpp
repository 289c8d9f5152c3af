#pragma once
// The scenario's rate limits (`github.rate_limits`) as the server applies them:
// one sim::RateLimiter — the simulator's primary, secondary and search limits —
// per client budget, driven by the server's clock.
//
// Budgets follow GitHub: a GITHUB_TOKEN's (`token: github_token`) is per
// repository, so the key is (client, repository); a PAT's is per user, so the
// key is the client alone. A client is its token, or its address without one.
// Each budget starts, at its first request, in the scenario's drawn starting
// state (budget already used, time to the reset, recent writes), as a trial's
// does at its first failure.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "agent/time.hpp"
#include "sim/model/rate_limiter.hpp"
#include "sim/random/rng.hpp"
#include "sim/scenario/scenario.hpp"

namespace coordsim::sim::http {

class ScenarioRateLimits {
 public:
  ScenarioRateLimits(const sim::RateLimitConfig& config, std::uint64_t seed);

  // The budget a request of `client` on `repository` (lower-case
  // "owner/name", empty when the route names none) counts against; created at
  // `now` on first use. Remembered as the client's latest.
  sim::RateLimiter& limiter(const std::string& client, std::string_view repository, agent::Time now);
  // The budget of the client's latest request (GET /rate_limit names no
  // repository); one without a repository if the client has made none.
  sim::RateLimiter& latest(const std::string& client, agent::Time now);

  const sim::RateLimitConfig& config() const noexcept { return config_; }
  std::size_t budgets() const noexcept { return limiters_.size(); }

  // A budget unused for this long is forgotten (memory stays proportional to
  // the clients of the last hours): by then its primary window has reset and
  // its secondary windows are empty, and its next request starts it afresh,
  // from the scenario's drawn starting state, as a new client's would.
  static constexpr agent::Duration kIdleExpiry = std::chrono::hours(2);

 private:
  sim::RateLimitConfig config_;  // the limiters keep a reference: stable address
  Rng rng_;
  struct Budget {
    std::unique_ptr<sim::RateLimiter> limiter;
    agent::Time last_used{};
  };
  void expire(agent::Time now);
  std::unordered_map<std::string, Budget> limiters_;
  std::size_t expire_at_ = 1024;
  std::unordered_map<std::string, std::string> latest_;  // client -> key in limiters_
};

}  // namespace coordsim::sim::http
