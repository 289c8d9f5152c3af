#include "sim/model/rate_limiter.hpp"

#include <algorithm>

namespace coordsim::sim {
namespace {
constexpr Duration kMinute = Duration(60'000'000);
constexpr Duration kHour = Duration(3'600'000'000);
}  // namespace

bool RateLimiter::content_creating(agent::Endpoint e) {
  switch (e) {
    case agent::Endpoint::create_issue:
    case agent::Endpoint::update_issue:
    case agent::Endpoint::create_comment:
    case agent::Endpoint::create_ref:
    case agent::Endpoint::delete_ref: return true;
    default: return false;
  }
}

void RateLimiter::reset(Time anchor, std::int64_t primary_used, Duration reset_in,
                        std::int64_t writes_last_minute, std::int64_t writes_last_hour) {
  primary_used_ = std::max<std::int64_t>(0, primary_used);
  primary_reset_ = anchor + std::max(reset_in, Duration(1));
  writes_minute_.clear();
  writes_hour_.clear();
  search_minute_.clear();
  // Earlier work is taken as having happened just before the anchor: it leaves
  // the windows a minute (an hour) later, which makes the limits bite as hard
  // as they can for the given counts.
  writes_minute_.assign(static_cast<std::size_t>(std::max<std::int64_t>(0, writes_last_minute)), anchor);
  writes_hour_.assign(static_cast<std::size_t>(std::max<std::int64_t>(0, writes_last_hour)), anchor);
  last_ = Time{};
}

void RateLimiter::roll_primary(Time t) {
  while (t >= primary_reset_) {
    primary_used_ = 0;
    primary_reset_ += kHour;
  }
}

void RateLimiter::expire(std::deque<Time>& window, Time t, Duration span) {
  while (!window.empty() && window.front() + span <= t) window.pop_front();
}

bool RateLimiter::admit(Time t, agent::Endpoint endpoint, agent::ApiError& error) {
  last_ = std::max(last_, t);
  t = last_;
  roll_primary(t);
  const bool search = endpoint == agent::Endpoint::search_issues;
  if (search) {
    expire(search_minute_, t, kMinute);
    if (static_cast<std::int64_t>(search_minute_.size()) >= config_.search_per_minute) {
      error.status = 403;
      error.message = "API rate limit exceeded for installation. (search)";
      error.retry_after = search_minute_.front() + kMinute - t;
      return false;
    }
  } else if (primary_used_ >= config_.primary_per_hour) {
    error.status = 403;
    // GitHub's texts: GITHUB_TOKEN is an installation token, a PAT a user.
    error.message = config_.github_token ? "API rate limit exceeded for installation ID 1."
                                         : "API rate limit exceeded for user ID 1.";
    error.retry_after = primary_reset_ - t;  // from x-ratelimit-reset
    return false;
  }
  if (content_creating(endpoint)) {
    expire(writes_minute_, t, kMinute);
    expire(writes_hour_, t, kHour);
    if (static_cast<std::int64_t>(writes_minute_.size()) >= config_.secondary_writes_per_minute ||
        static_cast<std::int64_t>(writes_hour_.size()) >= config_.secondary_writes_per_hour) {
      error.status = 403;
      error.message =
          "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. "
          "If you reach out to GitHub Support for help, please include the request ID.";
      error.retry_after = agent::from_seconds(config_.secondary_retry_after_s);
      return false;
    }
    writes_minute_.push_back(t);
    writes_hour_.push_back(t);
  }
  if (search) search_minute_.push_back(t);
  else ++primary_used_;
  return true;
}

void RateLimiter::advance(Time t) {
  last_ = std::max(last_, t);
  roll_primary(last_);
  expire(search_minute_, last_, kMinute);
  expire(writes_minute_, last_, kMinute);
  expire(writes_hour_, last_, kHour);
}

RateLimitHeaders RateLimiter::headers(agent::Endpoint endpoint) const {
  RateLimitHeaders h;
  if (endpoint == agent::Endpoint::search_issues) {
    h.limit = config_.search_per_minute;
    h.used = static_cast<std::int64_t>(search_minute_.size());
    h.resource = "search";
    h.reset = search_minute_.empty() ? last_ + kMinute : search_minute_.front() + kMinute;
  } else {
    h.limit = config_.primary_per_hour;
    h.used = primary_used_;
    h.reset = primary_reset_;
  }
  h.remaining = std::max<std::int64_t>(0, h.limit - h.used);
  return h;
}

}  // namespace coordsim::sim
