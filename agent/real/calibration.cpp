#include "agent/real/calibration.hpp"

#include <algorithm>
#include <cstdio>
#include <random>

namespace coordsim::agent::real {

namespace {

bool measures(const Calibration& c, ReadPath p) { return c.options.measure[path_index(p)]; }

Duration poll_interval(const Calibration& c) { return from_seconds(c.options.poll_interval_s); }

int in_flight(const Calibration& c) {
  return static_cast<int>(
      std::count_if(c.markers.begin(), c.markers.end(), [](const Marker& m) { return m.pending(); }));
}

// Calls the cleanup will need: a close per open marker, a delete per ref,
// and one list to find markers whose create went unanswered.
std::int64_t reserve(const Calibration& c) {
  std::int64_t n = 1;
  for (const Marker& m : c.markers) n += (m.closed ? 0 : 1) + (m.ref_made && !m.ref_deleted ? 1 : 0);
  return n;
}

// Whether `calls` more still leave enough for the cleanup, under the call budget
// and under the rate limit GitHub reports; if not, measuring stops.
bool affordable(Calibration& c, std::int64_t calls) {
  const std::int64_t needed = calls + (c.cleaning ? 0 : reserve(c));
  if (c.client.total_calls() + needed > c.options.max_calls) {
    if (c.stop_reason.empty()) c.stop_reason = "the --max-calls budget";
    return false;
  }
  const RateLimitSeen& core = c.client.rate_limit("core");
  if (!c.cleaning && core.remaining >= 0 && core.remaining < needed && unix_now_s() < core.reset_unix_s) {
    if (c.stop_reason.empty()) c.stop_reason = "the API rate limit (x-ratelimit-remaining)";
    return false;
  }
  return true;
}

std::string title(const Calibration& c, int index) {
  return "[coordsim calibrate] run " + c.run_id + " marker " + std::to_string(index);
}

// After a failed call: waits as the client policy says (retry-after,
// x-ratelimit-reset, backoff) and returns true when the call is worth
// repeating. Not while interrupted, unless cleaning up.
Task<bool> retry_wait(Calibration& c, RetryBudget& budget, int status, const ApiError& error) {
  if (c.interrupted && !c.cleaning) co_return false;
  const auto delay = next_retry(c.policy, budget, status, error, c.clock.random01());
  if (!delay) co_return false;
  if (c.on_wait)
    c.on_wait("status " + std::to_string(status) + " " + error.message + ": waiting " +
              std::to_string(to_seconds(*delay)) + " s");
  co_await c.clock.sleep(*delay);
  co_return !(c.interrupted && !c.cleaning);
}

std::string describe_error(const char* what, int status, const ApiError& e) {
  return std::string(what) + ": " + std::to_string(status) + " " + e.message;
}

Task<void> create_marker(Calibration& c, int index) {
  Marker m;
  m.index = index;
  for (int p = 0; p < kReadPathCount; ++p) {
    const auto path = static_cast<ReadPath>(p);
    // The refs path once the ref exists, below.
    m.path(path).measured = measures(c, path) && path != ReadPath::refs;
  }
  NewIssue issue;
  issue.title = title(c, index);
  issue.body = "Visibility-lag marker of `coordsim calibrate` (run " + c.run_id +
               "). It closes its markers when it is done; close this one if it is left open.";
  issue.labels = {c.options.label};
  RetryBudget budget;
  for (;;) {
    m.created.sent = c.clock.now();
    const ApiResult<Issue>& r = co_await c.client.create_issue(issue, c.issue);
    m.created.received = c.clock.now();
    if (r.ok()) break;
    // An unanswered create may still have made the issue: the cleanup's
    // sweep finds it by its title.
    if (!co_await retry_wait(c, budget, r.status, r.error)) {
      if (!is_transient(r.status, r.error)) c.fatal = describe_error("create_issue", r.status, r.error);
      else c.stop_reason = describe_error("create_issue kept failing", r.status, r.error);
      co_return;
    }
  }
  m.number = c.issue.value.number;
  if (c.on_marker) c.on_marker(index, m.number);
  c.markers.push_back(m);
  if (!measures(c, ReadPath::refs)) co_return;

  // Reserved for every marker (measure_lags): the reference stays valid.
  Marker& made = c.markers.back();
  made.ref = "refs/coordsim-calibrate/" + c.run_id + "-" + std::to_string(index);
  c.attempted_refs.push_back(made.ref);
  budget = {};
  for (bool ambiguous = false;; ambiguous = true) {
    made.ref_created.sent = c.clock.now();
    const ApiResult<GitRef>& r = co_await c.client.create_ref(made.ref, c.blob_sha, c.ref);
    made.ref_created.received = c.clock.now();
    if (r.ok()) break;
    if (ambiguous && r.status == 422 && r.error.message == "Reference already exists") {
      // An earlier, unanswered attempt made it, at a time we do not know: it
      // is cleaned up, but not measured.
      made.ref_made = true;
      co_return;
    }
    if (!co_await retry_wait(c, budget, r.status, r.error)) {
      // An unanswered create may have made the ref: the cleanup deletes it by name.
      if (!is_transient(r.status, r.error)) c.fatal = describe_error("create_ref", r.status, r.error);
      else c.stop_reason = describe_error("create_ref kept failing", r.status, r.error);
      co_return;
    }
  }
  made.ref_made = true;
  made.path(ReadPath::refs).measured = true;
}

void record(Marker& m, ReadPath path, bool seen, const Exchange& ex) {
  PathState& p = m.path(path);
  if (!p.pending()) return;
  if (seen) {
    p.seen = true;
    p.first_hit = ex;
  } else {
    p.last_miss = ex;
  }
}

bool any_pending(const Calibration& c, ReadPath path) {
  return std::any_of(c.markers.begin(), c.markers.end(),
                     [path](const Marker& m) { return m.path(path).pending(); });
}

// A failed poll: wait as the policy says (a rate limit's reset, a backoff).
// When it says not to wait that long, measuring stops; an error no retry fixes
// (permissions, a missing repository) ends the run.
Task<void> poll_failed(Calibration& c, const char* what, int status, const ApiError& e) {
  RetryBudget budget;
  if (co_await retry_wait(c, budget, status, e)) co_return;
  if (!is_transient(status, e)) c.fatal = describe_error(what, status, e);
  else if (c.stop_reason.empty()) c.stop_reason = describe_error(what, status, e);
}

Task<void> poll_list(Calibration& c) {
  ListIssuesQuery q;
  q.labels = c.options.label;
  q.per_page = 100;
  std::vector<std::int64_t> visible;
  Exchange ex;
  // Pending markers are the newest, so page 1 nearly always holds them all.
  for (q.page = 1; q.page <= 10; ++q.page) {
    if (!affordable(c, 1)) co_return;
    const Time sent = c.clock.now();
    const ApiResult<IssuePage>& r = co_await c.client.list_issues(q, c.page);
    if (q.page == 1) ex = Exchange{sent, c.clock.now()};
    if (!r.ok()) {
      co_await poll_failed(c, "list_issues", r.status, r.error);
      co_return;
    }
    for (const Issue& i : r.value.issues) visible.push_back(i.number);
    const bool all_found = std::all_of(c.markers.begin(), c.markers.end(), [&](const Marker& m) {
      return !m.path(ReadPath::list).pending() ||
             std::find(visible.begin(), visible.end(), m.number) != visible.end();
    });
    if (all_found || !r.value.has_next) break;
  }
  for (Marker& m : c.markers)
    record(m, ReadPath::list, std::find(visible.begin(), visible.end(), m.number) != visible.end(), ex);
}

Task<void> poll_search(Calibration& c) {
  const Time now = c.clock.now();
  if (c.last_search && now - *c.last_search < from_seconds(c.options.search_interval_s)) co_return;
  // The search budget (30 a minute on GitHub) is separate from the core one.
  const RateLimitSeen& limit = c.client.rate_limit("search");
  if (limit.remaining == 0 && unix_now_s() < limit.reset_unix_s) co_return;
  if (!affordable(c, 1)) co_return;
  c.last_search = now;
  const std::string q = "repo:" + c.client.repo().display() + " is:issue label:\"" + c.options.label +
                        "\" in:title " + c.run_id;
  const Time sent = c.clock.now();
  const ApiResult<IssuePage>& r = co_await c.client.search_issues(q, 100, c.page);
  const Exchange ex{sent, c.clock.now()};
  if (!r.ok()) {
    co_await poll_failed(c, "search_issues", r.status, r.error);
    co_return;
  }
  for (Marker& m : c.markers) {
    const bool seen = std::any_of(r.value.issues.begin(), r.value.issues.end(),
                                  [&](const Issue& i) { return i.number == m.number; });
    record(m, ReadPath::search, seen, ex);
  }
}

// One GET of marker i on the get or refs path.
Task<void> poll_direct(Calibration& c, std::size_t i, ReadPath path) {
  if (!c.markers[i].path(path).pending() || !c.fatal.empty()) co_return;
  if (!affordable(c, 1)) co_return;
  const Time sent = c.clock.now();
  int status = 0;
  ApiError error;
  if (path == ReadPath::get) {
    const ApiResult<Issue>& r = co_await c.client.get_issue(c.markers[i].number, c.issue);
    status = r.status;
    if (!r.ok()) error = r.error;
  } else {
    const ApiResult<GitRef>& r = co_await c.client.get_ref(c.markers[i].ref, c.ref);
    status = r.status;
    if (!r.ok()) error = r.error;
  }
  const Exchange ex{sent, c.clock.now()};
  if (status >= 200 && status < 300) record(c.markers[i], path, true, ex);
  else if (status == 404) record(c.markers[i], path, false, ex);
  else co_await poll_failed(c, path == ReadPath::get ? "get_issue" : "get_ref", status, error);
}

Task<void> poll_gets(Calibration& c) {
  for (std::size_t i = 0; i < c.markers.size() && c.stop_reason.empty(); ++i)
    for (ReadPath path : {ReadPath::get, ReadPath::refs}) co_await poll_direct(c, i, path);
}

// A new marker's first look on the primary-key paths comes at once, not at
// the next round: a lag shorter than a round (GitHub's get path is usually
// immediate) is then bounded by a round trip instead of the round's length.
Task<void> first_look(Calibration& c) {
  if (c.markers.empty()) co_return;
  const std::size_t i = c.markers.size() - 1;
  co_await poll_direct(c, i, ReadPath::get);
  co_await poll_direct(c, i, ReadPath::refs);
}

Task<bool> close_marker(Calibration& c, Marker& m) {
  IssuePatch close;
  close.set_state = true;
  close.state = IssueState::closed;
  RetryBudget budget;
  while (!m.closed) {
    const ApiResult<Issue>& r = co_await c.client.update_issue(m.number, close, c.issue);
    if (r.ok()) m.closed = true;
    else if (!co_await retry_wait(c, budget, r.status, r.error)) break;
  }
  budget = {};
  while (m.ref_made && !m.ref_deleted) {
    const ApiResult<GitRef>& r = co_await c.client.delete_ref(m.ref, c.ref);
    // 422 "Reference does not exist": an earlier, unanswered delete did it.
    if (r.ok() || r.status == 422) m.ref_deleted = true;
    else if (!co_await retry_wait(c, budget, r.status, r.error)) break;
  }
  co_return m.closed && (!m.ref_made || m.ref_deleted);
}

}  // namespace

bool Marker::pending() const {
  return std::any_of(paths.begin(), paths.end(), [](const PathState& p) { return p.pending(); });
}

std::string random_run_id() {
  std::random_device rd;
  char buf[16];
  std::snprintf(buf, sizeof buf, "%08x", static_cast<unsigned>(rd()));
  return buf;
}

Task<void> clean_up(Calibration& c) {
  c.cleaning = true;
  for (Marker& m : c.markers)
    if (!co_await close_marker(c, m)) {
      if (!m.closed) c.left_behind.push_back("issue #" + std::to_string(m.number));
      if (m.ref_made && !m.ref_deleted) c.left_behind.push_back(m.ref);
    }
  // Refs whose create never answered: delete by name (422 when absent).
  for (const std::string& name : c.attempted_refs) {
    const bool known = std::any_of(c.markers.begin(), c.markers.end(),
                                   [&](const Marker& m) { return m.ref == name && m.ref_made; });
    if (known) continue;
    (void)co_await c.client.delete_ref(name, c.ref);
  }
  ListIssuesQuery q;
  q.labels = c.options.label;
  q.per_page = 100;
  const ApiResult<IssuePage>& r = co_await c.client.list_issues(q, c.page);
  if (!r.ok()) co_return;
  std::vector<std::int64_t> strays;
  for (const Issue& i : r.value.issues) {
    const bool ours = i.title.find("run " + c.run_id + " ") != std::string::npos;
    const bool known =
        std::any_of(c.markers.begin(), c.markers.end(), [&](const Marker& m) { return m.number == i.number; });
    if (ours && !known) strays.push_back(i.number);
  }
  for (std::int64_t n : strays) {
    Marker stray;
    stray.number = n;
    if (!co_await close_marker(c, stray)) c.left_behind.push_back("issue #" + std::to_string(n));
  }
}

Task<void> measure_lags(Calibration& c) {
  c.markers.reserve(static_cast<std::size_t>(c.options.samples));
  if (measures(c, ReadPath::refs)) {
    RetryBudget budget;
    for (;;) {
      const ApiResult<GitRef>& r =
          co_await c.client.create_blob("coordsim calibrate marker, run " + c.run_id, c.ref);
      if (r.ok()) {
        c.blob_sha = r.value.sha;
        break;
      }
      if (!co_await retry_wait(c, budget, r.status, r.error)) {
        c.fatal = describe_error("create_blob", r.status, r.error);
        co_return;
      }
    }
  }
  int created = 0;
  const int marker_cost = 1 + (measures(c, ReadPath::refs) ? 1 : 0);
  while (!c.interrupted && c.fatal.empty()) {
    while (created < c.options.samples && in_flight(c) < c.options.parallel && !c.interrupted && c.fatal.empty() &&
           c.stop_reason.empty()) {
      // A marker costs its creates now, and its close (and ref delete) later.
      if (!affordable(c, 2 * marker_cost)) break;
      const std::size_t before = c.markers.size();
      co_await create_marker(c, created);
      ++created;
      if (c.markers.size() > before) co_await first_look(c);
    }
    if (in_flight(c) == 0 && (created >= c.options.samples || !c.stop_reason.empty())) break;
    if (!c.fatal.empty() || c.interrupted) break;

    const Time round = c.clock.now();
    if (measures(c, ReadPath::list) && any_pending(c, ReadPath::list)) co_await poll_list(c);
    if (measures(c, ReadPath::search) && any_pending(c, ReadPath::search) && c.fatal.empty())
      co_await poll_search(c);
    if (c.fatal.empty()) co_await poll_gets(c);

    // A marker not seen within --max-lag is censored on that path.
    const Time now = c.clock.now();
    for (Marker& m : c.markers)
      for (PathState& p : m.paths)
        if (p.pending() && now - m.created.received > from_seconds(c.options.max_lag_s)) p.censored = true;
    if (!c.stop_reason.empty())
      for (Marker& m : c.markers)
        for (PathState& p : m.paths)
          if (p.pending()) p.censored = true;
    // Measured markers are closed at once: the open list stays short.
    for (Marker& m : c.markers)
      if (!m.pending() && !m.closed && !c.interrupted) (void)co_await close_marker(c, m);

    const Duration spent = c.clock.now() - round;
    if (spent < poll_interval(c) && !c.interrupted) co_await c.clock.sleep(poll_interval(c) - spent);
  }
  if (c.interrupted)
    for (Marker& m : c.markers)
      for (PathState& p : m.paths)
        if (p.pending()) p.censored = true;
}

}  // namespace coordsim::agent::real
