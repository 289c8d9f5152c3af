// One GitHub, two fronts: the same request sequence through the simulator's
// GitHub client (sim/engine, over the shared model) and through `coordsim
// serve`'s router (sim/http, reached by the real REST client over an
// in-process transport) gets the same answers: statuses, messages, issue
// numbers, titles, states, label spellings, pages, refs, and what each read
// sees while writes are still invisible on its path. With faults on, both
// sides take each request's fate from the same three uniform draws
// (sim/model/faults.hpp): the router is handed, request by request, the fate
// its own rule (admission.hpp draw_fault) gives on the simulator's fault
// stream for that seed, so a difference in how either side draws or applies
// a fault shows as a different answer.
#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include <spdlog/fmt/fmt.h>

#include "agent/github_types.hpp"
#include "agent/ports.hpp"
#include "agent/real/rest_client.hpp"
#include "agent/task.hpp"
#include "integration/router_transport.hpp"
#include "sim/engine/event_loop.hpp"
#include "sim/engine/sim_clock.hpp"
#include "sim/engine/sim_github_client.hpp"
#include "sim/http/admission.hpp"
#include "sim/http/query.hpp"
#include "sim/http/router.hpp"
#include "sim/input/scenario_loader.hpp"
#include "sim/model/github_model.hpp"
#include "sim/random/rng.hpp"

using namespace coordsim;
using agent::ApiResult;

namespace {

// Constant latencies and lags: both fronts draw them, each from its own
// stream, so only constants make the timelines equal. No lag is a multiple of
// the 0.15 s a request takes, so no read lands on the instant a write shows.
sim::ScenarioFile scenario(const std::string& faults) {
  return sim::load_scenario_text(R"({"name": "agree", "seed": 1, "workload": {"flavors": ["x"]},
    "github": {"latency": {"default": {"request_s": 0.1, "response_s": 0.05}},
               "visibility_lag_s": {"get": 0.32, "list": 1.7, "search": 2.5, "refs": 0.83})" +
                                     faults + R"(}})",
                                 "agree-test.json");
}

std::string error_text(int status, const agent::ApiError& e) { return fmt::format("{} {}", status, e.message); }

std::string issue_text(const agent::Issue& i) {
  return fmt::format("#{} {} '{}' [{}]", i.number, i.state == agent::IssueState::open ? "open" : "closed", i.title,
                     fmt::join(i.labels, ","));
}

std::string text(const ApiResult<agent::Issue>& r) {
  return r.ok() ? fmt::format("{} {}", r.status, issue_text(r.value)) : error_text(r.status, r.error);
}
std::string text(const ApiResult<agent::IssuePage>& r) {
  if (!r.ok()) return error_text(r.status, r.error);
  std::vector<std::string> issues;
  for (const agent::Issue& i : r.value.issues) issues.push_back(issue_text(i));
  return fmt::format("{} next={} {{{}}}", r.status, r.value.has_next, fmt::join(issues, "; "));
}
std::string text(const ApiResult<agent::Comment>& r) {
  return r.ok() ? fmt::format("{} comment", r.status) : error_text(r.status, r.error);
}
std::string text(const ApiResult<agent::GitRef>& r) {
  return r.ok() ? fmt::format("{} {} -> {}", r.status, r.value.ref, r.value.sha) : error_text(r.status, r.error);
}

agent::ListIssuesQuery query(std::string labels, agent::StateFilter state = agent::StateFilter::open,
                             agent::SortDirection direction = agent::SortDirection::desc,
                             agent::IssueSort sort = agent::IssueSort::created, int per_page = 30, int page = 1) {
  agent::ListIssuesQuery q;
  q.labels = std::move(labels);
  q.state = state;
  q.direction = direction;
  q.sort = sort;
  q.per_page = per_page;
  q.page = page;
  return q;
}

// The request sequence: label spellings and spaces, state filters, sorts,
// pages, reads before and after each path's lag, closes, comments, refs and
// their 422, and requests for what does not exist. Every answer is recorded,
// whatever it is (with faults, some are 5xx).
agent::Task<std::vector<std::string>> script(agent::GitHubApi& api, agent::Clock& clock) {
  std::vector<std::string> out;
  const auto list = [&](const agent::ListIssuesQuery& q) -> agent::Task<void> {
    out.push_back("list " + q.labels + ": " + text(co_await api.list_issues(q)));
  };
  co_await list(query("lock"));
  const std::vector<agent::NewIssue> issues = {
      {"one", "body 1", {"Lock", "commit-a"}}, {"two", "", {"LOCK"}},      {"three", "", {"other"}},
      {"four", "", {"lock", "Commit-A"}},      {"five", "", {}},           {"six", "", {"lock", "commit-a", "x"}},
  };
  std::vector<std::int64_t> numbers;
  for (const agent::NewIssue& i : issues) {
    const ApiResult<agent::Issue> created = co_await api.create_issue(i);
    out.push_back("create " + i.title + ": " + text(created));
    if (created.ok()) numbers.push_back(created.value.number);
  }
  // Right after the creates: #6 committed 0.15 s before this get's snapshot,
  // within get's lag (0.32 s); the early ones are past it, and none is past list's.
  out.push_back("get 6: " + text(co_await api.get_issue(6)));
  co_await list(query("lock"));
  for (std::int64_t n = 1; n <= 3; ++n) out.push_back(fmt::format("get {}: ", n) + text(co_await api.get_issue(n)));
  co_await clock.sleep(agent::from_seconds(2));
  for (const char* labels : {"lock", "LOCK", " lock ", "lock,commit-a", " Lock , COMMIT-A ", "lock,,commit-a", "",
                             "other", "missing", ","})
    co_await list(query(labels));
  co_await list(query("lock", agent::StateFilter::all, agent::SortDirection::asc));
  for (int page = 1; page <= 4; ++page)
    co_await list(query("lock", agent::StateFilter::open, agent::SortDirection::desc, agent::IssueSort::created, 2, page));
  co_await list(query("", agent::StateFilter::open, agent::SortDirection::asc, agent::IssueSort::created, 1, 3));

  agent::IssuePatch close;
  close.set_state = true;
  close.state = agent::IssueState::closed;
  out.push_back("close 1: " + text(co_await api.update_issue(1, close)));
  out.push_back("get 1: " + text(co_await api.get_issue(1)));  // within get's lag: still open
  out.push_back("comment 2: " + text(co_await api.create_comment(2, "taken")));
  out.push_back("comment 2: " + text(co_await api.create_comment(2, "again")));
  co_await list(query("lock"));  // the close is not on the list path yet
  out.push_back("get 1: " + text(co_await api.get_issue(1)));  // past get's lag: closed
  co_await clock.sleep(agent::from_seconds(2));
  for (agent::StateFilter state : {agent::StateFilter::open, agent::StateFilter::closed, agent::StateFilter::all})
    co_await list(query("lock", state));
  co_await list(query("lock", agent::StateFilter::all, agent::SortDirection::desc, agent::IssueSort::updated));
  co_await list(query("lock", agent::StateFilter::all, agent::SortDirection::desc, agent::IssueSort::comments));
  co_await list(query("lock", agent::StateFilter::all, agent::SortDirection::asc, agent::IssueSort::comments));

  const std::string ref = "refs/coordination/0123456789abcdef0123456789abcdef01234567";
  const std::string sha = "89abcdef0123456789abcdef0123456789abcdef";
  const std::string other = "fedcba9876543210fedcba9876543210fedcba98";
  out.push_back("get ref: " + text(co_await api.get_ref(ref)));
  out.push_back("create ref: " + text(co_await api.create_ref(ref, sha)));
  out.push_back("create ref again: " + text(co_await api.create_ref(ref, other)));
  out.push_back("get ref: " + text(co_await api.get_ref(ref)));  // within the refs lag
  co_await clock.sleep(agent::from_seconds(1));
  out.push_back("get ref: " + text(co_await api.get_ref(ref)));

  out.push_back("get 999: " + text(co_await api.get_issue(999)));
  out.push_back("close 999: " + text(co_await api.update_issue(999, close)));
  out.push_back("comment 999: " + text(co_await api.create_comment(999, "nobody")));
  co_return out;
}

// The simulator's front: one flavor's client over the model, on the event loop.
std::vector<std::string> through_simulator(const sim::Scenario& s, std::uint64_t seed) {
  sim::EventLoop loop;
  loop.set_limits(s.limits);
  sim::SimClock clock(loop);
  clock.reset(seed, 0, 0);
  sim::GitHubModel model;
  sim::SimGitHubClient client(loop, clock, model, s.github);
  sim::ApiCallCounts calls{};
  std::int64_t rate_limited = 0;
  client.begin_trial(seed, 0, 0, &calls, &rate_limited, nullptr);
  agent::Task<std::vector<std::string>> task = script(client, clock);
  task.start();
  loop.run();
  REQUIRE(task.done());
  return task.result();
}

// serve's front: the REST client, the router, and as each request's fate the
// router's own rule applied to the simulator's fault stream of (seed, trial 0,
// flavor 0).
std::vector<std::string> through_router(const sim::Scenario& s, std::uint64_t seed) {
  sim::http::RouterOptions options;
  options.rate_limit.core_per_hour = 1'000'000;  // GitHub's budgets are not under test here
  sim::http::Router router(s, options);
  test::VirtualTime time;
  test::VirtualClock clock(time);
  test::RouterTransport transport(router, time);
  sim::Rng faults = sim::make_stream(seed, 0, sim::StreamKind::flavor_faults, 0);
  transport.fault_for = [&](const sim::http::Request& r) {
    const auto target = sim::http::parse_target(r.target);
    REQUIRE(target);
    const auto segments = sim::http::api_segments(*target);
    const auto endpoint = sim::http::endpoint_of(r.method, segments);
    REQUIRE(endpoint);
    return sim::http::draw_fault(s.github.faults, faults, r.method, segments, *endpoint);
  };
  agent::real::RestClient client(transport, agent::real::RepoName{"acme", "widgets"});
  agent::Task<std::vector<std::string>> task = script(client, clock);
  return time.run(task);
}

void check_agree(const sim::Scenario& s, std::uint64_t seed) {
  const std::vector<std::string> simulated = through_simulator(s, seed);
  const std::vector<std::string> served = through_router(s, seed);
  REQUIRE(simulated.size() == served.size());
  for (std::size_t i = 0; i < simulated.size(); ++i) {
    INFO("seed " << seed << ", answer " << i);
    CHECK(simulated[i] == served[i]);
  }
}

}  // namespace

TEST_CASE("the simulator's client and serve's router answer the same requests alike", "[integration][agree]") {
  const sim::ScenarioFile s = scenario("");
  const std::vector<std::string> answers = through_simulator(s, 1);
  // The sequence exercises what it says it does (a few answers, by hand).
  REQUIRE(answers.size() == 48);
  CHECK(answers[0] == "list lock: 200 next=false {}");
  CHECK(answers[1] == "create one: 201 #1 open 'one' [Lock,commit-a]");
  CHECK(answers[2] == "create two: 201 #2 open 'two' [Lock]");  // the repository's spelling
  CHECK(answers[4] == "create four: 201 #4 open 'four' [Lock,commit-a]");
  CHECK(answers[7] == "get 6: 404 Not Found");  // within get's lag
  CHECK(answers[8] == "list lock: 200 next=false {}");  // within list's lag
  CHECK(answers[9] == "get 1: 200 #1 open 'one' [Lock,commit-a]");
  const auto at = [&](const std::string& prefix, int nth = 0) {
    for (const std::string& a : answers)
      if (a.starts_with(prefix) && nth-- == 0) return a;
    return std::string("(none)");
  };
  // Every spelling and spacing of the label query lists the same four issues.
  const std::string four = "200 next=false {#6 open 'six' [Lock,commit-a,x]; #4 open 'four' [Lock,commit-a]; "
                           "#2 open 'two' [Lock]; #1 open 'one' [Lock,commit-a]}";
  CHECK(at("list lock: ", 2) == "list lock: " + four);
  CHECK(at("list LOCK: ") == "list LOCK: " + four);
  CHECK(at("list  lock : ") == "list  lock : " + four);
  CHECK(at("list  Lock , COMMIT-A : ").ends_with("{#6 open 'six' [Lock,commit-a,x]; #4 open 'four' [Lock,commit-a]; "
                                                 "#1 open 'one' [Lock,commit-a]}"));
  CHECK(at("close 1: ") == "close 1: 200 #1 closed 'one' [Lock,commit-a]");
  CHECK(at("get 1: ", 1) == "get 1: 200 #1 open 'one' [Lock,commit-a]");  // the close within get's lag
  CHECK(at("get 1: ", 2) == "get 1: 200 #1 closed 'one' [Lock,commit-a]");
  CHECK(at("create ref again: ") == "create ref again: 422 Reference already exists");
  CHECK(at("get ref: ", 1) == "get ref: 404 Not Found");  // within the refs lag
  CHECK(at("get ref: ", 2).starts_with("get ref: 200 "));
  check_agree(s, 1);
}

TEST_CASE("with faults on every endpoint, both fronts fail the same requests the same way", "[integration][agree]") {
  const sim::ScenarioFile s = scenario(R"(, "faults": {"default": {"server_error": 0.2, "lost_response": 0.2},
                                                      "spurious_ref_422": 0.3})");
  int faulted = 0;
  for (std::uint64_t seed = 1; seed <= 24; ++seed) {
    check_agree(s, seed);
    for (const std::string& a : through_simulator(s, seed))
      faulted += a.find(": 50") != std::string::npos || a.find("Reference update failed") != std::string::npos;
  }
  // About 36% of 62 x 24 requests fail; far fewer would mean faults were not on.
  CHECK(faulted > 300);
}

TEST_CASE("serve draws each request's fate by the same rule from its own stream", "[integration][agree][faults]") {
  // For a given seed the n-th faultable request's fate is decide_fault of
  // the n-th three uniforms of the serve_faults stream, whatever the route.
  const sim::ScenarioFile s = scenario(R"(, "faults": {"default": {"server_error": 0.3, "lost_response": 0.3},
                                                      "spurious_ref_422": 0.5})");
  for (std::uint64_t seed : {1, 2, 99}) {
    sim::ScenarioFile seeded = s;
    seeded.seed = seed;
    sim::http::Router router(seeded, {});
    sim::Rng expected = sim::make_stream(seed, 0, sim::StreamKind::serve_faults, 0);
    const std::vector<std::pair<std::string, std::string>> requests = {
        {"GET", "/repos/a/b/issues?labels=x"}, {"POST", "/repos/a/b/issues"},       {"GET", "/repos/a/b/issues/1"},
        {"PATCH", "/repos/a/b/issues/1"},      {"POST", "/repos/a/b/git/refs"},     {"GET", "/repos/a/b/git/ref/x"},
        {"POST", "/repos/a/b/issues/1/comments"}};
    int failed = 0;
    for (int round = 0; round < 30; ++round)
      for (const auto& [method, path] : requests) {
        sim::http::Request r;
        r.method = method;
        r.target = path;
        const auto target = sim::http::parse_target(path);
        const auto segments = sim::http::api_segments(*target);
        const auto endpoint = sim::http::endpoint_of(method, segments);
        REQUIRE(endpoint);
        const bool creates_ref = method == "POST" && path.ends_with("/git/refs");
        const sim::FaultDraws u{expected.uniform01(), expected.uniform01(), expected.uniform01()};
        const sim::FaultPlan want = sim::decide_fault(seeded.github.faults, *endpoint, creates_ref, u);
        const sim::FaultPlan got = router.plan(r).fault;
        INFO(seed << " " << method << " " << path << " round " << round);
        CHECK(got.fate == want.fate);
        CHECK(got.status == want.status);
        failed += got.fate != sim::Fate::ok;
      }
    CHECK(failed > 60);  // of 210, about half
  }
}
