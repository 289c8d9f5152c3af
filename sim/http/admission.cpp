#include "sim/http/admission.hpp"

#include <algorithm>

#include "sim/model/search_query.hpp"

namespace coordsim::sim::http {

using agent::Duration;
using agent::Endpoint;
using agent::Time;

namespace {

// The repository a request's budget belongs to (GITHUB_TOKEN budgets are per
// repository): the path's, or the one repository a search's `repo:`
// qualifiers name, read as the search reads them; empty when there is none.
std::string repository_of(std::span<const std::string> s, const Target& t) {
  if (s.size() >= 3 && s[0] == "repos") return to_lower(s[1]) + "/" + to_lower(s[2]);
  if (s.size() == 2 && s[0] == "search") {
    const std::string* q = t.param("q");
    if (!q) return {};
    const auto query = parse_search_query(*q);
    if (!query || query->repos.empty()) return {};
    const std::string& first = query->repos.front();
    const bool single =
        std::all_of(query->repos.begin(), query->repos.end(), [&](const std::string& r) { return r == first; });
    return single ? first : std::string{};  // several repositories: no single budget
  }
  return {};
}

std::string whole_seconds_up(Duration d) {
  const std::int64_t us = std::max<std::int64_t>(0, d.count());
  return std::to_string((us + 999'999) / 1'000'000);
}

constexpr const char* kRateLimitDocs =
    "https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting";

}  // namespace

std::span<const std::string> api_segments(const Target& t) {
  std::span<const std::string> s(t.segments);
  if (s.size() >= 2 && s[0] == "api" && s[1] == "v3") s = s.subspan(2);
  return s;
}

std::optional<Endpoint> endpoint_of(std::string_view method, std::span<const std::string> s) {
  const bool get = method == "GET", post = method == "POST", patch = method == "PATCH";
  if (s.size() == 2 && s[0] == "search" && s[1] == "issues") return Endpoint::search_issues;
  if (s.size() == 1 && s[0] == "rate_limit") return Endpoint::get_issue;
  if (s.size() < 3 || s[0] != "repos") return std::nullopt;
  if (s.size() == 3) return Endpoint::get_issue;
  const std::string& kind = s[3];
  // A repository's comments and one by id; an issue's labels: edits when not read.
  if (kind == "issues" && s.size() >= 5 && (s[4] == "comments" || (s.size() >= 6 && s[5] == "labels")))
    return get ? Endpoint::get_issue : Endpoint::update_issue;
  if (kind == "issues" && s.size() == 4) return post ? Endpoint::create_issue : Endpoint::list_issues;
  if (kind == "issues" && s.size() == 5) return patch ? Endpoint::update_issue : Endpoint::get_issue;
  if (kind == "issues" && s.size() == 6) return post ? Endpoint::create_comment : Endpoint::get_issue;
  if (kind == "git" || kind == "contents" || kind == "labels") {
    // Create-if-absent primitives and their reads behave like refs.
    if (method == "DELETE") return Endpoint::delete_ref;
    return get ? Endpoint::get_ref : Endpoint::create_ref;
  }
  return std::nullopt;
}

FaultPlan draw_fault(const FaultConfig& faults, Rng& fault_rng, std::string_view method,
                     std::span<const std::string> s, Endpoint e) {
  if (s.size() == 1 && s[0] == "rate_limit") return {};
  const bool creates_ref =
      method == "POST" && s.size() == 5 && s[0] == "repos" && s[3] == "git" && s[4] == "refs";
  if (!faults.any()) return {};
  const FaultDraws u{fault_rng.uniform01(), fault_rng.uniform01(), fault_rng.uniform01()};
  return decide_fault(faults, e, creates_ref, u);
}

std::optional<std::string> bearer_token(const Request& req) {
  const std::string* auth = req.header("authorization");
  if (!auth) return std::nullopt;
  const std::size_t space = auth->find(' ');
  if (space == std::string::npos) return std::nullopt;
  const std::string scheme = to_lower(auth->substr(0, space));
  if (scheme != "token" && scheme != "bearer") return std::nullopt;
  std::string token = auth->substr(space + 1);
  while (!token.empty() && (token.back() == ' ' || token.back() == '\t')) token.pop_back();
  while (!token.empty() && token.front() == ' ') token.erase(0, 1);
  if (token.empty()) return std::nullopt;
  return token;
}

bool same_secret(std::string_view a, std::string_view b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  const std::size_t n = std::max(a.size(), b.size());
  for (std::size_t i = 0; i < n; ++i) {
    const unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
    const unsigned char y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
    diff |= static_cast<unsigned char>(x ^ y);
  }
  return diff == 0;
}

std::optional<Reply> charge_rate_limit(RateBudgets& budgets, const Request& req, const Target& t,
                                       std::span<const std::string> s, const std::string& client,
                                       bool authenticated, Time now, std::int64_t unix_epoch_us,
                                       Response& response, bool count) {
  const bool is_rate_limit = s.size() == 1 && s[0] == "rate_limit";
  if (budgets.scenario) {
    // Routes outside the simulator's endpoints (GET /user, unknown paths)
    // count against the core budget, as on GitHub.
    const Endpoint counted = endpoint_of(req.method, s).value_or(Endpoint::get_issue);
    sim::RateLimiter& limiter = is_rate_limit ? budgets.scenario->latest(client, now)
                                              : budgets.scenario->limiter(client, repository_of(s, t), now);
    agent::ApiError refusal;
    bool admitted = true;
    if (is_rate_limit || !count) limiter.advance(now);
    else admitted = limiter.admit(now, counted, refusal);
    const sim::RateLimitHeaders h = limiter.headers(is_rate_limit ? Endpoint::get_issue : counted);
    response.set("x-ratelimit-limit", std::to_string(h.limit));
    response.set("x-ratelimit-remaining", std::to_string(h.remaining));
    response.set("x-ratelimit-used", std::to_string(h.used));
    response.set("x-ratelimit-reset", std::to_string(unix_s_ceil(unix_epoch_us, h.reset)));
    response.set("x-ratelimit-resource", h.resource);
    if (admitted) return std::nullopt;
    response.set("retry-after", whole_seconds_up(refusal.retry_after));
    return Reply{refusal.status, error_json(refusal.message, kRateLimitDocs), {}};
  }
  const RateResource resource = !s.empty() && s[0] == "search" ? RateResource::search : RateResource::core;
  const std::int64_t now_s = unix_s(unix_epoch_us, now);
  const RateStatus rate = is_rate_limit ? budgets.token_limits.peek(client, RateResource::core, now_s)
                          : count       ? budgets.token_limits.take(client, resource, now_s)
                                        : budgets.token_limits.peek(client, resource, now_s);
  response.set("x-ratelimit-limit", std::to_string(rate.limit));
  response.set("x-ratelimit-remaining", std::to_string(rate.remaining));
  response.set("x-ratelimit-used", std::to_string(rate.used));
  response.set("x-ratelimit-reset", std::to_string(rate.reset_unix_s));
  response.set("x-ratelimit-resource", rate.resource);
  if (rate.allowed) return std::nullopt;
  return Reply{403, error_json(rate_limit_message(authenticated, req.remote), kRateLimitDocs), {}};
}

}  // namespace coordsim::sim::http
