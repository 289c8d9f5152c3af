#include "sim/http/scenario_rate_limits.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>

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
  if (it == limiters_.end() && limiters_.size() >= expire_at_) {
    expire(now);
    it = limiters_.find(key);
  }
  if (it == limiters_.end()) {
    auto l = std::make_unique<sim::RateLimiter>(config_);
    // The trial's draws, in the trial's order (sim/trial.cpp).
    const auto count = [this](const Distribution& d) { return std::llround(d.sample(rng_)); };
    const std::int64_t used = count(config_.primary_used_at_start);
    const agent::Duration reset_in = agent::from_seconds(config_.primary_reset_in.sample(rng_));
    const std::int64_t minute = count(config_.writes_last_minute_at_start);
    const std::int64_t hour = count(config_.writes_last_hour_at_start);
    l->reset(now, used, reset_in, minute, hour);
    it = limiters_.emplace(key, Budget{std::move(l), now}).first;
  }
  it->second.last_used = now;
  if (auto last = latest_.find(client); last == latest_.end()) latest_.emplace(client, key);
  else if (last->second != key) last->second = key;
  return *it->second.limiter;
}

void ScenarioRateLimits::expire(agent::Time now) {
  // A budget idle for longer than the primary window has reset and has empty
  // secondary windows; see kIdleExpiry.
  const agent::Duration idle = kIdleExpiry;
  for (auto it = limiters_.begin(); it != limiters_.end();)
    it = now - it->second.last_used > idle ? limiters_.erase(it) : std::next(it);
  for (auto it = latest_.begin(); it != latest_.end();)
    it = limiters_.count(it->second) ? std::next(it) : latest_.erase(it);
  expire_at_ = std::max<std::size_t>(1024, 2 * limiters_.size());
}

sim::RateLimiter& ScenarioRateLimits::latest(const std::string& client, agent::Time now) {
  if (auto last = latest_.find(client); last != latest_.end()) {
    Budget& b = limiters_.at(last->second);
    b.last_used = now;
    return *b.limiter;
  }
  return limiter(client, {}, now);
}

}  // namespace coordsim::sim::http
