// `coordsim calibrate`: measure an API's visibility lag per read path. Creates
// marker issues (and refs with --refs), polls list, search and get (and the
// ref) until each marker shows, and writes the lags as a lag model in the
// scenario's `github.visibility_lag_s` shape. Closes what it made, also on
// Ctrl-C, and stays within --max-calls.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "agent/client_policy.hpp"
#include "agent/real/http_transport.hpp"
#include "agent/real/lag_model.hpp"
#include "agent/real/rest_client.hpp"
#include "agent/real/runtime.hpp"
#include "agent/real/token.hpp"
#include "cli/api_connection.hpp"
#include "cli/commands.hpp"
#include "sim/input/input_error.hpp"

namespace coordsim::cli {

namespace {

namespace real = agent::real;
using agent::ApiResult;
using agent::Duration;
using agent::Task;
using agent::Time;
using nlohmann::json;

constexpr int kExitInterrupted = 130;

// Read paths, in the simulator's order (sim::ReadPath).
enum PathIndex : int { kGet = 0, kList = 1, kSearch = 2, kRefs = 3 };
constexpr std::array<const char*, 4> kPathNames = {"get", "list", "search", "refs"};

struct CalibrateArgs {
  ApiConnectionArgs api;
  std::string repo;
  int samples = 20;
  std::string out = "lag-model.json";
  std::int64_t max_calls = 1000;
  double poll_interval_s = 1.0;
  bool refs = false;
  std::string paths = "list,search,get";
  double search_interval_s = 2.0;
  int parallel = 5;
  double max_lag_s = 120;
  std::string label = "coordsim-calibrate";
};

struct PathState {
  bool measured = false;
  bool seen = false;
  bool censored = false;
  std::optional<real::Exchange> last_miss;
  real::Exchange first_hit;
  bool pending() const { return measured && !seen && !censored; }
};

struct Marker {
  int index = 0;
  std::int64_t number = 0;
  real::Exchange created;
  std::string ref;  // with --refs
  real::Exchange ref_created;
  bool ref_made = false;
  bool ref_deleted = false;
  bool closed = false;
  std::array<PathState, 4> paths;
  bool pending() const {
    return std::any_of(paths.begin(), paths.end(), [](const PathState& p) { return p.pending(); });
  }
};

struct Calibration {
  Calibration(const CalibrateArgs& a, real::RestClient& cl, real::AsioClock& ck) : args(a), client(cl), clock(ck) {}

  const CalibrateArgs& args;
  real::RestClient& client;
  real::AsioClock& clock;
  std::array<bool, 4> measure{};
  std::string run_id;
  std::string blob_sha;  // what the marker refs point at
  std::vector<Marker> markers;
  std::vector<std::string> attempted_refs;  // every ref a create was sent for
  bool interrupted = false;
  bool cleaning = false;
  std::string stop_reason;  // why measuring ended before every marker was measured
  std::string fatal;        // an error no retry fixes: exit 1
  std::optional<Time> last_search;
  agent::RetryPolicy policy;
  std::vector<std::string> left_behind;

  ApiResult<agent::Issue> issue;
  ApiResult<agent::IssuePage> page;
  ApiResult<agent::GitRef> ref;

  Duration poll() const { return agent::from_seconds(args.poll_interval_s); }
  int in_flight() const {
    return static_cast<int>(std::count_if(markers.begin(), markers.end(), [](const Marker& m) { return m.pending(); }));
  }
  // Calls the cleanup will need: a close per open marker, a delete per ref,
  // and one list to find markers whose create went unanswered.
  std::int64_t reserve() const {
    std::int64_t n = 1;
    for (const Marker& m : markers) n += (m.closed ? 0 : 1) + (m.ref_made && !m.ref_deleted ? 1 : 0);
    return n;
  }
  // Whether `calls` more still leave enough for the cleanup, under --max-calls
  // and under the rate limit GitHub reports; if not, measuring stops.
  bool affordable(std::int64_t calls) {
    const std::int64_t needed = calls + (cleaning ? 0 : reserve());
    if (client.total_calls() + needed > args.max_calls) {
      if (stop_reason.empty()) stop_reason = "the --max-calls budget";
      return false;
    }
    const real::RateLimitSeen& core = client.rate_limit("core");
    if (!cleaning && core.remaining >= 0 && core.remaining < needed && real::unix_now_s() < core.reset_unix_s) {
      if (stop_reason.empty()) stop_reason = "the API rate limit (x-ratelimit-remaining)";
      return false;
    }
    return true;
  }
  std::string title(int index) const {
    return "[coordsim calibrate] run " + run_id + " marker " + std::to_string(index);
  }
};

std::string random_run_id() {
  std::random_device rd;
  char buf[16];
  std::snprintf(buf, sizeof buf, "%08x", static_cast<unsigned>(rd()));
  return buf;
}

// After a failed call: waits as the client policy says (retry-after,
// x-ratelimit-reset, backoff) and returns true when the call is worth
// repeating. Not while interrupted, unless cleaning up.
Task<bool> retry_wait(Calibration& c, agent::RetryBudget& budget, int status, const agent::ApiError& error) {
  if (c.interrupted && !c.cleaning) co_return false;
  const auto delay = agent::next_retry(c.policy, budget, status, error, c.clock.random01());
  if (!delay) co_return false;
  spdlog::info("{}", real::redact("status " + std::to_string(status) + " " + error.message + ": waiting " +
                                  std::to_string(agent::to_seconds(*delay)) + " s"));
  co_await c.clock.sleep(*delay);
  co_return !(c.interrupted && !c.cleaning);
}

std::string describe_error(const char* what, int status, const agent::ApiError& e) {
  return std::string(what) + ": " + std::to_string(status) + " " + e.message;
}

Task<void> create_marker(Calibration& c, int index) {
  Marker m;
  m.index = index;
  for (int p = 0; p < 4; ++p) m.paths[static_cast<std::size_t>(p)].measured = c.measure[static_cast<std::size_t>(p)] && p != kRefs;
  agent::NewIssue issue;
  issue.title = c.title(index);
  issue.body = "Visibility-lag marker of `coordsim calibrate` (run " + c.run_id +
               "). It closes its markers when it is done; close this one if it is left open.";
  issue.labels = {c.args.label};
  agent::RetryBudget budget;
  for (;;) {
    m.created.sent = c.clock.now();
    const ApiResult<agent::Issue>& r = co_await c.client.create_issue(issue, c.issue);
    m.created.received = c.clock.now();
    if (r.ok()) break;
    // An unanswered create may still have made the issue: the cleanup's
    // sweep finds it by its title.
    if (!co_await retry_wait(c, budget, r.status, r.error)) {
      if (!agent::is_transient(r.status, r.error)) c.fatal = describe_error("create_issue", r.status, r.error);
      else c.stop_reason = describe_error("create_issue kept failing", r.status, r.error);
      co_return;
    }
  }
  m.number = c.issue.value.number;
  spdlog::debug("marker {} is #{}", index, m.number);
  c.markers.push_back(m);
  if (!c.measure[kRefs]) co_return;

  // Reserved for --samples markers: the reference stays valid.
  Marker& made = c.markers.back();
  made.ref = "refs/coordsim-calibrate/" + c.run_id + "-" + std::to_string(index);
  c.attempted_refs.push_back(made.ref);
  budget = {};
  for (bool ambiguous = false;; ambiguous = true) {
    made.ref_created.sent = c.clock.now();
    const ApiResult<agent::GitRef>& r = co_await c.client.create_ref(made.ref, c.blob_sha, c.ref);
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
      if (!agent::is_transient(r.status, r.error)) c.fatal = describe_error("create_ref", r.status, r.error);
      else c.stop_reason = describe_error("create_ref kept failing", r.status, r.error);
      co_return;
    }
  }
  made.ref_made = true;
  made.paths[kRefs].measured = true;
}


void record(Marker& m, int path, bool seen, const real::Exchange& ex) {
  PathState& p = m.paths[static_cast<std::size_t>(path)];
  if (!p.pending()) return;
  if (seen) {
    p.seen = true;
    p.first_hit = ex;
  } else {
    p.last_miss = ex;
  }
}

bool any_pending(const Calibration& c, int path) {
  return std::any_of(c.markers.begin(), c.markers.end(),
                     [path](const Marker& m) { return m.paths[static_cast<std::size_t>(path)].pending(); });
}

// A failed poll: wait as the policy says (a rate limit's reset, a backoff).
// When it says not to wait that long, measuring stops; an error no retry fixes
// (permissions, a missing repository) ends the run.
Task<void> poll_failed(Calibration& c, const char* what, int status, const agent::ApiError& e) {
  agent::RetryBudget budget;
  if (co_await retry_wait(c, budget, status, e)) co_return;
  if (!agent::is_transient(status, e)) c.fatal = describe_error(what, status, e);
  else if (c.stop_reason.empty()) c.stop_reason = describe_error(what, status, e);
}

Task<void> poll_list(Calibration& c) {
  agent::ListIssuesQuery q;
  q.labels = c.args.label;
  q.per_page = 100;
  std::vector<std::int64_t> visible;
  real::Exchange ex;
  // Pending markers are the newest, so page 1 nearly always holds them all.
  for (q.page = 1; q.page <= 10; ++q.page) {
    if (!c.affordable(1)) co_return;
    const Time sent = c.clock.now();
    const ApiResult<agent::IssuePage>& r = co_await c.client.list_issues(q, c.page);
    if (q.page == 1) ex = real::Exchange{sent, c.clock.now()};
    if (!r.ok()) {
      co_await poll_failed(c, "list_issues", r.status, r.error);
      co_return;
    }
    for (const agent::Issue& i : r.value.issues) visible.push_back(i.number);
    const bool all_found = std::all_of(c.markers.begin(), c.markers.end(), [&](const Marker& m) {
      return !m.paths[kList].pending() || std::find(visible.begin(), visible.end(), m.number) != visible.end();
    });
    if (all_found || !r.value.has_next) break;
  }
  for (Marker& m : c.markers)
    record(m, kList, std::find(visible.begin(), visible.end(), m.number) != visible.end(), ex);
}

Task<void> poll_search(Calibration& c) {
  const Time now = c.clock.now();
  if (c.last_search && now - *c.last_search < agent::from_seconds(c.args.search_interval_s)) co_return;
  // The search budget (30 a minute on GitHub) is separate from the core one.
  const real::RateLimitSeen& limit = c.client.rate_limit("search");
  if (limit.remaining == 0 && real::unix_now_s() < limit.reset_unix_s) co_return;
  if (!c.affordable(1)) co_return;
  c.last_search = now;
  const std::string q = "repo:" + c.client.repo().display() + " is:issue label:\"" + c.args.label +
                        "\" in:title " + c.run_id;
  const Time sent = c.clock.now();
  const ApiResult<agent::IssuePage>& r = co_await c.client.search_issues(q, 100, c.page);
  const real::Exchange ex{sent, c.clock.now()};
  if (!r.ok()) {
    co_await poll_failed(c, "search_issues", r.status, r.error);
    co_return;
  }
  for (Marker& m : c.markers) {
    const bool seen = std::any_of(r.value.issues.begin(), r.value.issues.end(),
                                  [&](const agent::Issue& i) { return i.number == m.number; });
    record(m, kSearch, seen, ex);
  }
}

// One GET of marker i on the get or refs path.
Task<void> poll_direct(Calibration& c, std::size_t i, int path) {
  if (!c.markers[i].paths[static_cast<std::size_t>(path)].pending() || !c.fatal.empty()) co_return;
  if (!c.affordable(1)) co_return;
  const Time sent = c.clock.now();
  int status = 0;
  agent::ApiError error;
  if (path == kGet) {
    const ApiResult<agent::Issue>& r = co_await c.client.get_issue(c.markers[i].number, c.issue);
    status = r.status;
    if (!r.ok()) error = r.error;
  } else {
    const ApiResult<agent::GitRef>& r = co_await c.client.get_ref(c.markers[i].ref, c.ref);
    status = r.status;
    if (!r.ok()) error = r.error;
  }
  const real::Exchange ex{sent, c.clock.now()};
  if (status >= 200 && status < 300) record(c.markers[i], path, true, ex);
  else if (status == 404) record(c.markers[i], path, false, ex);
  else co_await poll_failed(c, path == kGet ? "get_issue" : "get_ref", status, error);
}

Task<void> poll_gets(Calibration& c) {
  for (std::size_t i = 0; i < c.markers.size() && c.stop_reason.empty(); ++i)
    for (int path : {kGet, kRefs}) co_await poll_direct(c, i, path);
}

// A new marker's first look on the primary-key paths comes at once, not at
// the next round: a lag shorter than a round (GitHub's get path is usually
// immediate) is then bounded by a round trip instead of the round's length.
Task<void> first_look(Calibration& c) {
  if (c.markers.empty()) co_return;
  const std::size_t i = c.markers.size() - 1;
  co_await poll_direct(c, i, kGet);
  co_await poll_direct(c, i, kRefs);
}

Task<bool> close_marker(Calibration& c, Marker& m) {
  agent::IssuePatch close;
  close.set_state = true;
  close.state = agent::IssueState::closed;
  agent::RetryBudget budget;
  while (!m.closed) {
    const ApiResult<agent::Issue>& r = co_await c.client.update_issue(m.number, close, c.issue);
    if (r.ok()) m.closed = true;
    else if (!co_await retry_wait(c, budget, r.status, r.error)) break;
  }
  budget = {};
  while (m.ref_made && !m.ref_deleted) {
    const ApiResult<agent::GitRef>& r = co_await c.client.delete_ref(m.ref, c.ref);
    // 422 "Reference does not exist": an earlier, unanswered delete did it.
    if (r.ok() || r.status == 422) m.ref_deleted = true;
    else if (!co_await retry_wait(c, budget, r.status, r.error)) break;
  }
  co_return m.closed && (!m.ref_made || m.ref_deleted);
}

// Closes every marker this run made, including any whose create went
// unanswered (found by its title), and deletes the refs.
Task<void> clean_up(Calibration& c) {
  c.cleaning = true;
  for (Marker& m : c.markers)
    if (!co_await close_marker(c, m)) {
      if (!m.closed) c.left_behind.push_back("issue #" + std::to_string(m.number));
      if (m.ref_made && !m.ref_deleted) c.left_behind.push_back(m.ref);
    }
  // Refs whose create never answered: delete by name (422 when absent).
  for (const std::string& name : c.attempted_refs) {
    const bool known = std::any_of(c.markers.begin(), c.markers.end(), [&](const Marker& m) { return m.ref == name && m.ref_made; });
    if (known) continue;
    (void)co_await c.client.delete_ref(name, c.ref);
  }
  agent::ListIssuesQuery q;
  q.labels = c.args.label;
  q.per_page = 100;
  const ApiResult<agent::IssuePage>& r = co_await c.client.list_issues(q, c.page);
  if (!r.ok()) co_return;
  std::vector<std::int64_t> strays;
  for (const agent::Issue& i : r.value.issues) {
    const bool ours = i.title.find("run " + c.run_id + " ") != std::string::npos;
    const bool known = std::any_of(c.markers.begin(), c.markers.end(), [&](const Marker& m) { return m.number == i.number; });
    if (ours && !known) strays.push_back(i.number);
  }
  for (std::int64_t n : strays) {
    Marker stray;
    stray.number = n;
    if (!co_await close_marker(c, stray)) c.left_behind.push_back("issue #" + std::to_string(n));
  }
}

Task<void> calibrate(Calibration& c) {
  if (c.measure[kRefs]) {
    agent::RetryBudget budget;
    for (;;) {
      const ApiResult<agent::GitRef>& r =
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
  const int marker_cost = 1 + (c.measure[kRefs] ? 1 : 0);
  while (!c.interrupted && c.fatal.empty()) {
    while (created < c.args.samples && c.in_flight() < c.args.parallel && !c.interrupted && c.fatal.empty() &&
           c.stop_reason.empty()) {
      // A marker costs its creates now, and its close (and ref delete) later.
      if (!c.affordable(2 * marker_cost)) break;
      const std::size_t before = c.markers.size();
      co_await create_marker(c, created);
      ++created;
      if (c.markers.size() > before) co_await first_look(c);
    }
    if (c.in_flight() == 0 && (created >= c.args.samples || !c.stop_reason.empty())) break;
    if (!c.fatal.empty() || c.interrupted) break;

    const Time round = c.clock.now();
    if (c.measure[kList] && any_pending(c, kList)) co_await poll_list(c);
    if (c.measure[kSearch] && any_pending(c, kSearch) && c.fatal.empty()) co_await poll_search(c);
    if (c.fatal.empty()) co_await poll_gets(c);

    // A marker not seen within --max-lag is censored on that path.
    const Time now = c.clock.now();
    for (Marker& m : c.markers)
      for (PathState& p : m.paths)
        if (p.pending() && now - m.created.received > agent::from_seconds(c.args.max_lag_s)) p.censored = true;
    if (!c.stop_reason.empty())
      for (Marker& m : c.markers)
        for (PathState& p : m.paths)
          if (p.pending()) p.censored = true;
    // Measured markers are closed at once: the open list stays short.
    for (Marker& m : c.markers)
      if (!m.pending() && !m.closed && !c.interrupted) (void)co_await close_marker(c, m);

    const Duration spent = c.clock.now() - round;
    if (spent < c.poll() && !c.interrupted) co_await c.clock.sleep(c.poll() - spent);
  }
  if (c.interrupted)
    for (Marker& m : c.markers)
      for (PathState& p : m.paths)
        if (p.pending()) p.censored = true;
}

double round_to(double x, double unit) { return std::round(x / unit) * unit; }

json model_json(const Calibration& c, const real::Url& base, double wall_s, json& summary_out) {
  const double resolution = c.args.poll_interval_s / 2;
  json lag = json::object(), empirical = json::object(), fit = json::object();
  for (int p = 0; p < 4; ++p) {
    if (!c.measure[static_cast<std::size_t>(p)]) continue;
    std::vector<double> estimates, half_widths;
    json bounds = json::array();
    int censored = 0;
    for (const Marker& m : c.markers) {
      const PathState& s = m.paths[static_cast<std::size_t>(p)];
      if (!s.measured) continue;
      if (s.censored || !s.seen) {
        ++censored;
        continue;
      }
      const real::Exchange& created = p == kRefs ? m.ref_created : m.created;
      const real::LagSample sample = real::estimate_lag(created, s.last_miss, s.first_hit);
      estimates.push_back(round_to(sample.estimate_s, 1e-4));
      half_widths.push_back((sample.upper_s - sample.lower_s) / 2);
      bounds.push_back({round_to(sample.lower_s, 1e-4), round_to(sample.upper_s, 1e-4)});
    }
    const char* name = kPathNames[static_cast<std::size_t>(p)];
    json f = {{"samples", estimates.size()}, {"censored", censored}, {"bounds_s", bounds}};
    if (!estimates.empty()) {
      // The resolution actually achieved: half the typical bracket between
      // the last miss and the first hit (rounds take longer than the poll
      // interval when there is much to poll), never finer than poll / 2.
      std::sort(half_widths.begin(), half_widths.end());
      const double path_resolution = std::max(resolution, real::quantile(half_widths, 0.5));
      f["resolution_s"] = round_to(path_resolution, 1e-4);
      const real::LagFit lf = real::fit_lognormal(estimates, path_resolution);
      f["median_s"] = round_to(lf.median_s, 1e-4);
      f["sigma"] = round_to(lf.sigma, 1e-4);
      f["mean_s"] = round_to(lf.mean_s, 1e-4);
      f["p50_s"] = round_to(lf.p50_s, 1e-4);
      f["p90_s"] = round_to(lf.p90_s, 1e-4);
      f["p95_s"] = round_to(lf.p95_s, 1e-4);
      f["p99_s"] = round_to(lf.p99_s, 1e-4);
      f["min_s"] = round_to(lf.min_s, 1e-4);
      f["max_s"] = round_to(lf.max_s, 1e-4);
      f["model"] = lf.constant ? "constant (median within the poll resolution)" : "lognormal";
      lag[name] = lf.constant ? json(round_to(lf.constant_s, 1e-3))
                              : json{{"dist", "lognormal"}, {"median", round_to(lf.median_s, 1e-4)},
                                     {"sigma", round_to(std::max(lf.sigma, 1e-4), 1e-4)}};
      empirical[name] = {{"dist", "empirical"}, {"samples", estimates}};
    }
    fit[name] = f;
  }
  summary_out = fit;
  json calls = json::object();
  for (const auto& [name, n] : c.client.calls()) calls[name] = n;
  return {{"description",
           "Visibility lag measured by coordsim calibrate. github.visibility_lag_s holds a lognormal per read path "
           "fitted by log-moments (a constant when the lag is within the poll resolution); "
           "empirical.github.visibility_lag_s holds the samples themselves. Use either in a scenario: "
           "--set github.visibility_lag_s.list='<the value>' (docs/agent.md)."},
          {"github", {{"visibility_lag_s", lag}}},
          {"empirical", {{"github", {{"visibility_lag_s", empirical}}}}},
          {"fit", fit},
          {"calibration",
           {{"api_url", base.display()},
            {"repo", c.client.repo().display()},
            {"run_id", c.run_id},
            {"markers", c.markers.size()},
            {"poll_interval_s", c.args.poll_interval_s},
            {"search_interval_s", c.args.search_interval_s},
            {"resolution_s", resolution},
            {"max_lag_s", c.args.max_lag_s},
            {"api_calls", c.client.total_calls()},
            {"api_calls_by_endpoint", calls},
            {"wall_s", round_to(wall_s, 1e-3)},
            {"complete", c.stop_reason.empty() && !c.interrupted},
            {"stopped_by", c.stop_reason.empty() ? json(nullptr) : json(c.stop_reason)}}}};
}

void print_summary(const json& fit) {
  std::printf("  %-7s %8s %9s %9s %7s %9s %9s %9s %9s\n", "path", "samples", "censored", "median", "sigma", "p50",
              "p90", "p95", "max");
  for (const auto& [name, f] : fit.items()) {
    if (f["samples"].get<int>() == 0) {
      std::printf("  %-7s %8d %9d   (never seen)\n", name.c_str(), 0, f["censored"].get<int>());
      continue;
    }
    std::printf("  %-7s %8d %9d %8.3fs %7.3f %8.3fs %8.3fs %8.3fs %8.3fs\n", name.c_str(), f["samples"].get<int>(),
                f["censored"].get<int>(), f["median_s"].get<double>(), f["sigma"].get<double>(),
                f["p50_s"].get<double>(), f["p90_s"].get<double>(), f["p95_s"].get<double>(),
                f["max_s"].get<double>());
  }
}

int run_calibrate(const CalibrateArgs& a) {
  // The token first: once read it is a secret, whatever error comes next.
  const ApiConnection connection = make_api_connection(a.api, 30.0);
  std::array<bool, 4> measure{};
  for (std::size_t pos = 0; pos <= a.paths.size();) {
    const auto comma = a.paths.find(',', pos);
    const std::string name = a.paths.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    pos = comma == std::string::npos ? a.paths.size() + 1 : comma + 1;
    if (name.empty()) continue;
    const auto it = std::find(kPathNames.begin(), kPathNames.end(), name);
    if (it == kPathNames.end() || name == "refs")
      throw sim::InputError("--paths", "expected a list of list, search, get (refs: --refs), got '" + name + "'");
    measure[static_cast<std::size_t>(it - kPathNames.begin())] = true;
  }
  if (a.refs) measure[kRefs] = true;
  if (std::none_of(measure.begin(), measure.end(), [](bool b) { return b; }))
    throw sim::InputError("--paths", "expected at least one read path");
  if (a.repo.empty()) throw sim::InputError("--repo", "required: OWNER/NAME");
  real::RepoName repo;
  try {
    repo = real::parse_repo(a.repo, "--repo");
  } catch (const std::invalid_argument& e) {
    throw sim::InputError("", e.what());
  }
  if (a.label.empty() || a.label.find(',') != std::string::npos)
    throw sim::InputError("--label", "expected a label name without commas");

  real::Runtime runtime;
  std::unique_ptr<real::HttpTransport> transport_ptr;
  try {
    transport_ptr = std::make_unique<real::HttpTransport>(runtime.io(), connection.transport);
  } catch (const std::invalid_argument& e) {
    throw sim::InputError("", e.what());  // an unusable --ca-file
  }
  real::HttpTransport& transport = *transport_ptr;
  real::RestClient client(transport, repo);
  real::AsioClock clock(runtime);
  Calibration c{a, client, clock};
  c.measure = measure;
  c.run_id = random_run_id();
  c.markers.reserve(static_cast<std::size_t>(a.samples));

  int signals = 0;
  runtime.on_signals([&](int) {
    ++signals;
    if (signals == 1) {
      print_stderr("coordsim calibrate: interrupted; closing the markers it made (Ctrl-C again to stop at once)");
      c.interrupted = true;
      clock.wake();
    } else {
      // Everything fails at once from here: the cleanup reports what is left.
      transport.expire("interrupted");
      clock.expire();
    }
  });

  std::printf("coordsim calibrate: %s on %s, run %s: %d markers, up to %lld API calls\n", repo.display().c_str(),
              connection.transport.base.display().c_str(), c.run_id.c_str(), a.samples,
              static_cast<long long>(a.max_calls));
  std::fflush(stdout);
  const Time started = clock.now();
  auto measuring = calibrate(c);
  real::run_task(runtime, measuring);
  auto cleaning = clean_up(c);
  real::run_task(runtime, cleaning);
  runtime.stop_signals();
  const double wall_s = agent::to_seconds(clock.now() - started);

  if (!c.left_behind.empty()) {
    std::string list;
    for (const std::string& s : c.left_behind) list += (list.empty() ? "" : ", ") + s;
    print_stderr("coordsim calibrate: warning: could not clean up " + list + " in " + repo.display() +
                 "; close or delete them by hand");
  }
  if (c.interrupted) {
    print_stderr("coordsim calibrate: interrupted after " + std::to_string(c.markers.size()) +
                 " markers; no lag model written");
    return kExitInterrupted;
  }
  if (!c.fatal.empty()) {
    print_stderr("coordsim calibrate: error: " + c.fatal);
    return kExitFailure;
  }
  json summary;
  const json model = model_json(c, connection.transport.base, wall_s, summary);
  write_file_atomically(a.out, real::redact(model.dump(2)) + "\n");
  print_summary(summary);
  std::printf("%lld API calls in %.1f s%s; lag model written to %s\n", static_cast<long long>(client.total_calls()),
              wall_s, c.stop_reason.empty() ? "" : (" (stopped early: " + c.stop_reason + ")").c_str(), a.out.c_str());
  return kExitOk;
}

}  // namespace

void add_calibrate_command(CLI::App& app, Action& action) {
  auto args = std::make_shared<CalibrateArgs>();
  CLI::App* cmd = app.add_subcommand(
      "calibrate",
      "Measure an API's visibility lag: create marker issues (and refs with --refs), poll list, search\n"
      "and get until each marker shows, and write the lags as a lag model (a lognormal per read path,\n"
      "plus the samples) in the scenario's github.visibility_lag_s shape. Closes what it made, also on\n"
      "Ctrl-C; stays within --max-calls and waits out rate limits. Needs `issues: write` (and\n"
      "`contents: write` for --refs). Details: docs/agent.md.\n\n"
      "Examples:\n"
      "  GITHUB_TOKEN=... coordsim calibrate --repo me/scratch --samples 30 --out lag-model.json\n"
      "  coordsim calibrate --api-url http://127.0.0.1:8080/api/v3 --repo me/demo --samples 100 \\\n"
      "                     --poll-interval 0.05 --search-interval 0.1 --parallel 20 --max-calls 20000\n"
      "  coordsim run scenarios/aprapipes-production.json \\\n"
      "      --set \"github.visibility_lag_s=$(python3 -c 'import json; print(json.dumps(json.load(open(\"lag-model.json\"))[\"github\"][\"visibility_lag_s\"]))')\"");
  add_api_connection_options(cmd, args->api);
  cmd->add_option("--repo", args->repo, "Repository OWNER/NAME to put the markers in (a scratch repository)")->required();
  cmd->add_option("--samples", args->samples, "Marker issues to create (one lag sample per read path each)")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  cmd->add_option("--out", args->out, "Lag model file to write")->capture_default_str();
  cmd->add_option("--max-calls", args->max_calls,
                  "API calls at most, cleanup included: measuring stops early to leave enough to clean up")
      ->check(CLI::Range(std::int64_t{10}, std::int64_t{10'000'000}))
      ->capture_default_str();
  cmd->add_option("--poll-interval", args->poll_interval_s,
                  "Seconds between polls; the lag's resolution is about half of it")
      ->check(CLI::Range(0.001, 3600.0))
      ->capture_default_str();
  cmd->add_flag("--refs", args->refs, "Also measure git refs (create a ref per marker; needs contents: write)");
  cmd->add_option("--paths", args->paths, "Read paths to measure: any of list, search, get")->capture_default_str();
  cmd->add_option("--search-interval", args->search_interval_s,
                  "Seconds between searches at least (GitHub allows 30 searches a minute)")
      ->check(CLI::Range(0.0, 3600.0))
      ->capture_default_str();
  cmd->add_option("--parallel", args->parallel, "Markers being measured at once")
      ->check(CLI::Range(1, 100))
      ->capture_default_str();
  cmd->add_option("--max-lag", args->max_lag_s,
                  "Seconds after which a marker not yet seen on a path counts as censored (left out of the fit)")
      ->check(CLI::Range(0.01, 86400.0))
      ->capture_default_str();
  cmd->add_option("--label", args->label, "Label of the marker issues")->capture_default_str();
  cmd->callback([args, &action] { action = [args] { return run_calibrate(*args); }; });
}

}  // namespace coordsim::cli
