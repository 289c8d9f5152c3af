#include "sim/http/scenario_rate_limits.hpp"

#include <cmath>

namespace coordsim::sim::http {

ScenarioRateLimits::ScenarioRateLimits(const sim::RateLimitConfig& config, std::uint64_t seed)
    : config_(config), rng_(make_stream(seed, 0, StreamKind::serve_faults, 1)) {}

sim::RateLimiter& ScenarioRateLimits::limiter(const std::string& client, std::string_view repository,
                                              agent::Time now) {
  // A PAT's budget covers every repository.
  std::string key = client;
  if (config_.github_token) {
    key += '\n';  // cannot occur in a token or an address: keys never collide
    key += repository;
  }
  auto it = limiters_.find(key);
  if (it == limiters_.end()) {
    auto l = std::make_unique<sim::RateLimiter>(config_);
    // The trial's draws, in the trial's order (sim/trial.cpp).
    const auto count = [this](const Distribution& d) { return std::llround(d.sample(rng_)); };
    const std::int64_t used = count(config_.primary_used_at_start);
    const agent::Duration reset_in = agent::from_seconds(config_.primary_reset_in.sample(rng_));
    const std::int64_t minute = count(config_.writes_last_minute_at_start);
    const std::int64_t hour = count(config_.writes_last_hour_at_start);
    l->reset(now, used, reset_in, minute, hour);
    it = limiters_.emplace(key, std::move(l)).first;
  }
  if (auto last = latest_.find(client); last == latest_.end()) latest_.emplace(client, key);
  else if (last->second != key) last->second = key;
  return *it->second;
}

sim::RateLimiter& ScenarioRateLimits::latest(const std::string& client, agent::Time now) {
  if (auto last = latest_.find(client); last != latest_.end()) return *limiters_.at(last->second);
  return limiter(client, {}, now);
}

}  // namespace coordsim::sim::http
