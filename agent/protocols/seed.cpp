#include "agent/protocols/seed.hpp"

#include <algorithm>
#include <string_view>

namespace coordsim::agent {
namespace {

std::string_view commit_prefix(const CoordinationKey& key) {
  return std::string_view(key.commit).substr(0, 8);
}

// Into `title`, reusing its capacity.
void write_issue_title(const CoordinationKey& key, std::string& title) {
  title.assign("[coordination] build failure on ").append(commit_prefix(key));
}

// The listing and the issue a seed protocol sends, built into `b` unless they
// were built from the same label, commit and flavor; comparing those costs a
// third of building the requests again.
void prepare_requests(const SeedParams& params, const CoordinationKey& key, AgentBuffers& b) {
  if (b.built && b.built_label == params.label && b.built_commit == key.commit &&
      b.built_flavor == key.flavor)
    return;
  b.built_label = params.label;
  b.built_commit = key.commit;
  b.built_flavor = key.flavor;
  b.built = true;

  b.find = ListIssuesQuery{};  // newest first, 30 a page
  b.find.state = StateFilter::open;
  b.find.labels = params.label;

  write_issue_title(key, b.lock.title);
  b.lock.body.assign("Coordination lock for commit ").append(key.commit).append(", taken by flavor ");
  b.lock.body.append(key.flavor).append(".");
  b.lock.labels.resize(2);
  b.lock.labels[0] = params.label;
  b.lock.labels[1].assign("commit-").append(commit_prefix(key));
}

Duration retry_delay(const SeedParams& p, int attempt) {
  if (p.retry_delays.empty()) return Duration::zero();
  const auto i = std::min<std::size_t>(static_cast<std::size_t>(attempt), p.retry_delays.size() - 1);
  return p.retry_delays[i];
}

// What a find saw: the first match in listing order (newest first) and the
// lowest-numbered match; 0 when nothing matched.
struct Found {
  std::int64_t first = 0;
  std::int64_t lowest = 0;
  bool any() const noexcept { return first != 0; }
};

// The find: list open issues with the coordination label (newest first, as
// GitHub returns them) and look for titles holding the commit prefix. With
// `first_only` it stops at the first match, as the reference does. Like the
// reference, an API error ends the find as "nothing found".
Task<Found> find_matching(const SeedParams& params, Ports ports, ListIssuesQuery& query,
                          ApiResult<IssuePage>& into, std::string_view prefix, bool first_only) {
  Found found;
  const int n = params.find_attempts;
  for (int attempt = 0; attempt < n; ++attempt) {
    for (query.page = 1; query.page <= params.max_pages; ++query.page) {
      const ApiResult<IssuePage>& page = co_await ports.github.list_issues(query, into);
      if (!page.ok()) {
        note(ports, "find: list failed (", page.status, " ", page.error.message,
             "), treated as nothing found, as the reference does");
        co_return Found{};  // swallowed: the reference logs and returns None
      }
      for (const Issue& issue : page.value.issues) {
        if (issue.title.find(prefix) == std::string::npos) continue;
        if (!found.any()) found.first = issue.number;
        found.lowest = found.lowest == 0 ? issue.number : std::min(found.lowest, issue.number);
        if (first_only) {
          note(ports, "find: first match #", found.first, " (attempt ", attempt + 1, "/", n, ")");
          co_return found;
        }
      }
      if (!page.value.has_next) break;
    }
    if (found.any()) {
      note(ports, "find: first match #", found.first, ", lowest #", found.lowest, " (attempt ", attempt + 1, "/", n,
           ")");
      co_return found;
    }
    note(ports, "find: nothing (attempt ", attempt + 1, "/", n, ")");
    if (attempt + 1 < n) co_await ports.clock.sleep(retry_delay(params, attempt));
  }
  co_return found;
}

}  // namespace

std::string seed_issue_title(const CoordinationKey& key) {
  std::string title;
  write_issue_title(key, title);
  return title;
}

Task<Decision> decide_seed(const SeedParams& params, Ports ports, const CoordinationKey& key,
                           bool lowest_wins, AgentBuffers& buffers) {
  Decision d;
  const std::string_view prefix = commit_prefix(key);
  prepare_requests(params, key, buffers);
  note(ports, "checking coordination for flavor=", key.flavor, ", commit=", prefix);
  ListIssuesQuery& query = buffers.find;  // only its page changes, set by each find
  const Found existing = co_await find_matching(params, ports, query, buffers.page, prefix, true);
  if (existing.any()) {
    note(ports, "found coordination issue #", existing.first, ": another flavor leads, skip");
    d.kind = DecisionKind::skip;
    d.reason = Reason::found_existing;
    d.leader_issue = existing.first;
    co_return d;
  }
  note(ports, "no coordination issue found after ", params.find_attempts, " attempts");

  const ApiResult<Issue>& created = co_await ports.github.create_issue(buffers.lock, buffers.issue);
  if (!created.ok()) {
    note(ports, "create failed (", created.status, " ", created.error.message,
         "): analyze anyway with issue 0 (fail-open)");
    // Fail open: the reference proceeds with issue number 0 and analyzes.
    d.kind = DecisionKind::analyze;
    d.reason = Reason::create_failed;
    co_return d;
  }
  d.own_issue = created.value.number;
  note(ports, "create → #", d.own_issue);

  co_await ports.clock.sleep(params.post_create_wait);
  note(ports, "double-check: find again");
  const Found again = co_await find_matching(params, ports, query, buffers.page, prefix, !lowest_wins);
  std::int64_t leader = d.own_issue;
  if (lowest_wins) {
    if (again.any()) leader = std::min(leader, again.lowest);
  } else if (again.any() && again.first < d.own_issue) {
    // The reference compares only the first (newest) match with its own number.
    leader = again.first;
  }
  if (leader == d.own_issue) {
    if (!again.any())
      note(ports, "double-check saw no issue, not even our own #", d.own_issue, ": confirmed we're first");
    else if (!lowest_wins && again.first != d.own_issue)
      note(ports, "double-check: newest match #", again.first, " is not lower than ours, so confirmed we're first (issue #",
           d.own_issue, ")");
    else
      note(ports, "double-check confirmed we're first (issue #", d.own_issue, ")");
    d.kind = DecisionKind::analyze;
    d.reason = Reason::confirmed_first;
    co_return d;
  }
  note(ports, "double-check: #", leader, " is lower than ours (#", d.own_issue, "): defer to it");
  d.kind = DecisionKind::skip;
  d.reason = Reason::deferred_to_lower;
  d.leader_issue = leader;
  co_return d;
}

}  // namespace coordsim::agent
