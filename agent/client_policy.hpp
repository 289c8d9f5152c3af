#pragma once
// The client policy every error-handling protocol shares: which API errors are
// worth retrying, and how long to wait before the next attempt.
#include <optional>
#include <string_view>

#include "agent/github_types.hpp"
#include "agent/protocol.hpp"

namespace coordsim::agent {

// GitHub's rate-limit answers: 429, or 403 with a rate-limit message or a
// retry-after (a plain 403 is a permission problem and is not retried).
bool is_rate_limited(int status, const ApiError& error);

// No response (timeout, connection), 5xx, or rate limited: the same request
// may succeed later. For a write, "no response" is ambiguous: the effect may
// have happened, and the protocol must cope (ref-lock reads back).
bool is_transient(int status, const ApiError& error);

// Attempts and waiting spent so far within one decision.
struct RetryBudget {
  int attempts = 1;  // the attempt that just failed
  Duration waited{};
};

// The sleep before the next attempt, or nothing when the error is not
// transient or the budget (attempts, total wait) is spent. `u` is uniform in
// [0, 1) (the clock's random01()). Exponential backoff with "equal jitter"
// (delay * (1 - jitter * u)); a retry-after or x-ratelimit-reset from the
// server replaces the backoff when it is longer, as GitHub asks.
std::optional<Duration> next_retry(const RetryPolicy& policy, RetryBudget& budget, int status,
                                   const ApiError& error, double u);

}  // namespace coordsim::agent
