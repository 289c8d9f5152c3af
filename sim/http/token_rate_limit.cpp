#include "sim/http/token_rate_limit.hpp"

#include <algorithm>
#include <iterator>

namespace coordsim::sim::http {

RateStatus TokenRateLimiter::status(Window& w, RateResource resource, std::int64_t now_unix_s) const {
  const bool core = resource == RateResource::core;
  const std::int64_t period = core ? 3600 : 60;
  if (!w.started || now_unix_s >= w.start_s + period) w = Window{true, now_unix_s, 0};
  RateStatus s;
  s.limit = core ? config_.core_per_hour : config_.search_per_minute;
  s.used = w.used;
  s.remaining = s.limit > w.used ? s.limit - w.used : 0;
  s.reset_unix_s = w.start_s + period;
  s.resource = core ? "core" : "search";
  return s;
}

void TokenRateLimiter::expire(std::int64_t now_unix_s) {
  for (auto* windows : {&core_, &search_}) {
    const std::int64_t period = windows == &core_ ? 3600 : 60;
    for (auto it = windows->begin(); it != windows->end();)
      it = now_unix_s >= it->second.start_s + period ? windows->erase(it) : std::next(it);
  }
  // Amortised: the next sweep waits until the live windows have doubled.
  expire_at_ = std::max<std::size_t>(1024, 2 * (core_.size() + search_.size()));
}

TokenRateLimiter::Window& TokenRateLimiter::window(std::string_view key, RateResource resource,
                                                   std::int64_t now_unix_s) {
  if (core_.size() + search_.size() >= expire_at_) expire(now_unix_s);
  auto& windows = resource == RateResource::core ? core_ : search_;
  return windows[std::string(key)];
}

RateStatus TokenRateLimiter::take(std::string_view key, RateResource resource, std::int64_t now_unix_s) {
  Window& w = window(key, resource, now_unix_s);
  RateStatus s = status(w, resource, now_unix_s);
  if (s.remaining == 0) {
    s.allowed = false;
    return s;
  }
  ++w.used;
  ++s.used;
  --s.remaining;
  return s;
}

RateStatus TokenRateLimiter::peek(std::string_view key, RateResource resource, std::int64_t now_unix_s) {
  Window& w = window(key, resource, now_unix_s);
  return status(w, resource, now_unix_s);
}

std::string rate_limit_message(bool authenticated, std::string_view remote) {
  if (authenticated) return "API rate limit exceeded for user ID 1.";
  return "API rate limit exceeded for " + std::string(remote) +
         ". (But here's the good news: Authenticated requests get a higher rate limit. Check out the "
         "documentation for more details.)";
}

}  // namespace coordsim::sim::http
