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
  const double backoff_us = std::min(static_cast<double>(policy.base_delay.count()) *
                                         std::pow(policy.multiplier, exponent),
                                     static_cast<double>(policy.max_delay.count()));
  auto delay = Duration(static_cast<std::int64_t>(backoff_us * (1.0 - policy.jitter * u)));
  if (policy.honor_retry_after && error.retry_after > delay) delay = error.retry_after;
  if (budget.waited + delay > policy.max_total_wait) return std::nullopt;
  budget.waited += delay;
  ++budget.attempts;
  return delay;
}

}  // namespace coordsim::agent
