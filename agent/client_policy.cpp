#include "agent/client_policy.hpp"

#include <algorithm>
#include <cmath>

namespace coordsim::agent {

bool is_rate_limited(int status, const ApiError& error) {
  if (status == 429) return true;
  if (status != 403) return false;
  return error.retry_after > Duration::zero() ||
         error.message.find("rate limit") != std::string::npos;
}

bool is_transient(int status, const ApiError& error) {
  return status == 0 || status >= 500 || is_rate_limited(status, error);
}

std::optional<Duration> next_retry(const RetryPolicy& policy, RetryBudget& budget, int status,
                                   const ApiError& error, double u) {
  if (!is_transient(status, error) || budget.attempts >= policy.max_attempts) return std::nullopt;
  const double exponent = static_cast<double>(budget.attempts - 1);
  const double max_us = static_cast<double>(std::max(policy.max_delay.count(), std::int64_t{0}));
  // multiplier^exponent is infinite from ~1,024 attempts (multiplier 2), and
  // 0 * infinity is NaN, which std::min passed through and the cast to an
  // integer made undefined: base_delay 0 waits 0, and growth stops at max_delay.
  double backoff_us = 0;
  if (policy.base_delay.count() > 0) {
    const double grown = static_cast<double>(policy.base_delay.count()) * std::pow(policy.multiplier, exponent);
    backoff_us = grown < max_us ? grown : max_us;  // NaN (a multiplier < 0) takes max_us too
  }
  const double factor = std::clamp(1.0 - policy.jitter * u, 0.0, 1.0);
  auto delay = Duration(static_cast<std::int64_t>(backoff_us * factor));
  if (policy.honor_retry_after && error.retry_after > delay) delay = error.retry_after;
  // A server's retry-after can be anything: a sum that wrapped would read as room left.
  if (delay > policy.max_total_wait - budget.waited) return std::nullopt;
  budget.waited += delay;
  ++budget.attempts;
  return delay;
}

}  // namespace coordsim::agent
