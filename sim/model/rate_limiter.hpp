#pragma once
// GitHub's rate limits for one repository and token, as the fake GitHub applies
// them: the primary hourly budget (fixed window with a reset time), the
// secondary limits on content-creating requests (sliding minute and hour) and
// the search limit (sliding minute). Shared by every flavor of a trial; the
// HTTP server can drive it from the wall clock the same way.
#include <cstdint>
#include <deque>
#include <string>

#include "agent/github_types.hpp"

namespace coordsim::sim {

using agent::Duration;
using agent::Time;

// GitHub's budgets for one token (the scenario's `github.rate_limits`; its
// starting state is drawn by the caller and passed to RateLimiter::reset).
struct RateLimits {
  bool github_token = true;  // GITHUB_TOKEN (1,000/h per repository) vs a PAT (5,000/h)
  std::int64_t primary_per_hour = 1000;
  std::int64_t secondary_writes_per_minute = 80;
  std::int64_t secondary_writes_per_hour = 500;
  std::int64_t search_per_minute = 30;
  double secondary_retry_after_s = 60;
};

// What GitHub would put in the x-ratelimit-* headers after a request.
struct RateLimitHeaders {
  std::int64_t limit = 0;
  std::int64_t remaining = 0;
  std::int64_t used = 0;
  Time reset{};           // when the primary window resets
  const char* resource = "core";
};

class RateLimiter {
 public:
  explicit RateLimiter(const RateLimits& config) : config_(config) {}

  // The state at `anchor` (the simulator: the trial's first failure, when
  // coordination traffic starts): budget already spent, time to the reset,
  // content-creating requests made just before.
  void reset(Time anchor, std::int64_t primary_used, Duration reset_in, std::int64_t writes_last_minute,
             std::int64_t writes_last_hour);

  // Admits a request arriving at `t`, or fills `error` with GitHub's answer
  // (403, message, retry-after) and returns false. Requests must arrive in
  // non-decreasing time order.
  bool admit(Time t, agent::Endpoint endpoint, agent::ApiError& error);

  RateLimitHeaders headers(agent::Endpoint endpoint) const;

  // Moves the clock to `t` without a request, so that headers() shows windows
  // that have reset or emptied since (GET /rate_limit on the server is free).
  void advance(Time t);

  static bool content_creating(agent::Endpoint e);

 private:
  void roll_primary(Time t);
  static void expire(std::deque<Time>& window, Time t, Duration span);

  const RateLimits& config_;
  std::int64_t primary_used_ = 0;
  Time primary_reset_{};
  std::deque<Time> writes_minute_, writes_hour_, search_minute_;
  Time last_{};
};

}  // namespace coordsim::sim
