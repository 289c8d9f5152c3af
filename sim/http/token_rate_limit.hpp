#pragma once
// GitHub's primary rate limits, per client: `core` (5,000 requests an hour per
// token) and `search` (30 a minute), in fixed windows that start with a
// client's first request, as GitHub's x-ratelimit-reset shows them. `serve`
// uses these only when the scenario has no `github.rate_limits`; with them,
// the simulator's sim::RateLimiter applies (scenario_rate_limits.hpp).
// Secondary limits are not modelled here.
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

namespace coordsim::sim::http {

struct TokenRateLimits {
  std::int64_t core_per_hour = 5000;
  std::int64_t search_per_minute = 30;
};

enum class RateResource { core, search };

struct RateStatus {
  bool allowed = true;
  std::int64_t limit = 0;
  std::int64_t remaining = 0;
  std::int64_t used = 0;
  std::int64_t reset_unix_s = 0;  // when the window ends
  const char* resource = "core";
};

class TokenRateLimiter {
 public:
  explicit TokenRateLimiter(TokenRateLimits config = {}) : config_(config) {}

  // Counts one request of client `key` (a token, or "ip:" + address) at
  // `now_unix_s` against `resource`; not allowed once the window's budget is spent.
  RateStatus take(std::string_view key, RateResource resource, std::int64_t now_unix_s);
  // The state without counting (GET /rate_limit is free on GitHub too).
  RateStatus peek(std::string_view key, RateResource resource, std::int64_t now_unix_s);

  const TokenRateLimits& config() const noexcept { return config_; }
  // Windows held (core and search), for tests of the bound.
  std::size_t windows() const noexcept { return core_.size() + search_.size(); }

 private:
  struct Window {
    bool started = false;
    std::int64_t start_s = 0;
    std::int64_t used = 0;
  };
  RateStatus status(Window& w, RateResource resource, std::int64_t now_unix_s) const;
  Window& window(std::string_view key, RateResource resource, std::int64_t now_unix_s);
  // Forgets windows that have ended: one that has ended reads as a fresh one
  // (status() restarts it), so forgetting it changes no answer, and memory
  // stays proportional to the clients of the last hour, not of all time.
  void expire(std::int64_t now_unix_s);

  TokenRateLimits config_;
  std::unordered_map<std::string, Window> core_;
  std::unordered_map<std::string, Window> search_;
  std::size_t expire_at_ = 1024;  // sweep when the windows outnumber this
};

// GitHub's message for a spent budget: per user for a token, per address
// (with its advice to authenticate) for anonymous clients.
std::string rate_limit_message(bool authenticated, std::string_view remote);

}  // namespace coordsim::sim::http
