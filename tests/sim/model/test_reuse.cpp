// What is kept between calls and runs for speed must never change a result:
// the agent's prepared requests, reused result slots, and the model's cached
// label query.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "agent/protocol.hpp"
#include "sim/model/github_model.hpp"

using namespace coordsim;

namespace {

// Ports that complete every call at once, recording what the agent sent. Lists
// come back empty, so a seed agent always creates its issue.
struct Recorder final : agent::Clock, agent::GitHubApi, agent::Llm {
  std::vector<agent::NewIssue> created;
  std::vector<std::string> list_labels;

  agent::Time now() const override { return {}; }
  bool sleep_then_resume(agent::Duration, std::coroutine_handle<>) override { return false; }
  double random01() override { return 0.5; }

  void start_list_issues(const agent::ListIssuesQuery& q, agent::ApiResult<agent::IssuePage>& out,
                         std::coroutine_handle<> h) override {
    list_labels.push_back(q.labels);
    out.status = 200;
    out.value.issues.clear();
    out.value.has_next = false;
    h.resume();
  }
  void start_create_issue(const agent::NewIssue& issue, agent::ApiResult<agent::Issue>& out,
                          std::coroutine_handle<> h) override {
    created.push_back(issue);
    out.status = 201;
    out.value = {static_cast<std::int64_t>(created.size()), agent::IssueState::open, issue.title, issue.labels};
    h.resume();
  }
  void start_get_issue(std::int64_t, agent::ApiResult<agent::Issue>& out, std::coroutine_handle<> h) override {
    out.status = 404;
    h.resume();
  }
  void start_update_issue(std::int64_t, const agent::IssuePatch&, agent::ApiResult<agent::Issue>& out,
                          std::coroutine_handle<> h) override {
    out.status = 404;
    h.resume();
  }
  void start_create_comment(std::int64_t, const std::string&, agent::ApiResult<agent::Comment>& out,
                            std::coroutine_handle<> h) override {
    out.status = 404;
    h.resume();
  }
  void start_create_ref(const std::string&, const std::string&, agent::ApiResult<agent::GitRef>& out,
                        std::coroutine_handle<> h) override {
    out.status = 404;
    h.resume();
  }
  void start_get_ref(const std::string&, agent::ApiResult<agent::GitRef>& out, std::coroutine_handle<> h) override {
    out.status = 404;
    h.resume();
  }
  void start_analyze(const agent::AnalysisRequest&, agent::AnalysisResult& out, std::coroutine_handle<> h) override {
    out = {};
    h.resume();
  }

  agent::Ports ports() { return {*this, *this, *this}; }
};

void run_once(const agent::ProtocolConfig& config, Recorder& ports, const agent::CoordinationKey& key,
              agent::AgentBuffers& buffers) {
  agent::AgentReport report;
  agent::Task<void> task = agent::run_agent(config, ports.ports(), key, buffers, report);
  task.start();
  REQUIRE(task.done());
  task.result();
  REQUIRE(report.decision.reason == agent::Reason::confirmed_first);
}

}  // namespace

TEST_CASE("an agent's prepared requests follow its key and label", "[reuse]") {
  agent::ProtocolConfig config;
  config.strategy = agent::Strategy::seed_lowest;
  agent::CoordinationKey key{"46e71ff2c1d3b5a79e0f4c6d8b2a1e3f5c7d9b0a", "common", "linux-x64"};
  agent::AgentBuffers buffers;
  Recorder ports;

  run_once(config, ports, key, buffers);
  key.commit = "0123456789abcdef0123456789abcdef01234567";
  run_once(config, ports, key, buffers);
  key.flavor = "windows";
  run_once(config, ports, key, buffers);
  config.seed.label = "coordination";
  run_once(config, ports, key, buffers);
  run_once(config, ports, key, buffers);  // unchanged: reused as built

  REQUIRE(ports.created.size() == 5);
  const auto& first = ports.created[0];
  CHECK(first.title == "[coordination] build failure on 46e71ff2");
  CHECK(first.body == "Coordination lock for commit 46e71ff2c1d3b5a79e0f4c6d8b2a1e3f5c7d9b0a, taken by flavor linux-x64.");
  CHECK(first.labels == std::vector<std::string>{"autonomous-coordination", "commit-46e71ff2"});
  CHECK(ports.created[1].title == "[coordination] build failure on 01234567");
  CHECK(ports.created[1].labels == std::vector<std::string>{"autonomous-coordination", "commit-01234567"});
  CHECK(ports.created[2].body ==
        "Coordination lock for commit 0123456789abcdef0123456789abcdef01234567, taken by flavor windows.");
  CHECK(ports.created[3].labels == std::vector<std::string>{"coordination", "commit-01234567"});
  CHECK(ports.created[4].title == ports.created[3].title);
  CHECK(ports.created[4].body == ports.created[3].body);
  CHECK(ports.created[4].labels == ports.created[3].labels);
  CHECK(ports.list_labels.front() == "autonomous-coordination");
  CHECK(ports.list_labels.back() == "coordination");
}

TEST_CASE("a cached label query sees labels created after it", "[reuse][github_model]") {
  sim::GitHubModel m;
  const sim::Lags zero{};
  agent::ListIssuesQuery q;
  q.labels = "bug";
  agent::IssuePage page;
  m.list_issues(agent::Time{}, q, page);  // "bug" is unknown: nothing can match
  REQUIRE(page.issues.empty());
  m.create_issue(agent::Time{}, {"first", "", {"bug"}}, zero);
  m.list_issues(agent::Time{}, q, page);  // the same query, now naming a known label
  REQUIRE(page.issues.size() == 1);
  m.reset();  // labels are kept across trials; the issue is not
  m.list_issues(agent::Time{}, q, page);
  REQUIRE(page.issues.empty());
  q.labels = "bug,other";  // same prefix, different query
  m.create_issue(agent::Time{}, {"second", "", {"bug"}}, zero);
  m.list_issues(agent::Time{}, q, page);
  REQUIRE(page.issues.empty());
}

TEST_CASE("a reused page holds exactly the latest listing", "[reuse][github_model]") {
  sim::GitHubModel m;
  const sim::Lags zero{};
  m.create_issue(agent::Time{}, {"one", "", {"a", "b"}}, zero);
  m.create_issue(agent::Time{}, {"two", "", {"a"}}, zero);
  agent::ListIssuesQuery q;
  q.labels = "a";
  agent::IssuePage page;
  m.list_issues(agent::Time{}, q, page);
  REQUIRE(page.issues.size() == 2);
  REQUIRE(page.issues[1].labels == std::vector<std::string>{"a", "b"});

  q.labels = "b";
  m.list_issues(agent::Time{}, q, page);
  REQUIRE(page.issues.size() == 1);
  CHECK(page.issues[0].number == 1);
  CHECK(page.issues[0].title == "one");
  CHECK(page.issues[0].labels == std::vector<std::string>{"a", "b"});

  q.labels = "a";
  q.per_page = 1;
  m.list_issues(agent::Time{}, q, page);
  REQUIRE(page.issues.size() == 1);
  CHECK(page.issues[0].title == "two");
  CHECK(page.issues[0].labels == std::vector<std::string>{"a"});  // not the previous issue's two labels
  CHECK(page.has_next);
}

TEST_CASE("issues trimmed off a page come back holding only the next listing", "[reuse][github_model]") {
  // list_issues parks the issues a shorter page drops and fills them again
  // when a page grows, copying a title or label only when it differs.
  sim::GitHubModel m;
  const sim::Lags zero{};
  m.create_issue(agent::Time{}, {"one", "", {"a", "b"}}, zero);
  m.create_issue(agent::Time{}, {"two", "", {"a"}}, zero);
  m.create_issue(agent::Time{}, {"three!", "", {"c"}}, zero);
  agent::ListIssuesQuery q;
  q.labels = "a";
  agent::IssuePage page;
  m.list_issues(agent::Time{}, q, page);
  REQUIRE(page.issues.size() == 2);  // two, one: newest first
  q.labels = "nothing-carries-this";
  m.list_issues(agent::Time{}, q, page);
  REQUIRE(page.issues.empty());  // both parked
  q.labels = "";
  q.direction = agent::SortDirection::asc;
  m.list_issues(agent::Time{}, q, page);  // one, two, three!: the parked two refilled in another order
  REQUIRE(page.issues.size() == 3);
  CHECK(page.issues[0].title == "one");  // same length as the parked "two"
  CHECK(page.issues[0].labels == std::vector<std::string>{"a", "b"});
  CHECK(page.issues[1].title == "two");
  CHECK(page.issues[1].labels == std::vector<std::string>{"a"});
  CHECK(page.issues[2].title == "three!");
  CHECK(page.issues[2].labels == std::vector<std::string>{"c"});
  agent::IssuePage other;  // a second page draws on the same parked issues
  q.labels = "c";
  m.list_issues(agent::Time{}, q, other);
  REQUIRE(other.issues.size() == 1);
  CHECK(other.issues[0].title == "three!");
  CHECK(page.issues.size() == 3);
}

TEST_CASE("a list is empty before the earliest version shows, whichever write it is", "[reuse][github_model]") {
  // list_issues skips the walk while no version shows on the list path: the
  // earliest is not always the first write's.
  sim::GitHubModel m;
  const auto list_lag = [](double s) {
    sim::Lags l{};
    l[static_cast<int>(agent::ReadPath::list)] = agent::from_seconds(s);
    return l;
  };
  const auto at = [](double s) { return agent::from_seconds(s); };
  agent::ListIssuesQuery q;
  q.state = agent::StateFilter::all;
  agent::IssuePage page;
  m.create_issue(at(0), {"slow", "", {}}, list_lag(10));
  m.create_issue(at(1), {"fast", "", {}}, list_lag(2));
  m.list_issues(at(2.999999), q, page);
  CHECK(page.issues.empty());
  m.list_issues(at(3), q, page);
  REQUIRE(page.issues.size() == 1);
  CHECK(page.issues[0].title == "fast");

  m.reset();  // forgets the earliest time with the issues
  m.list_issues(at(100), q, page);
  CHECK(page.issues.empty());
  m.create_issue(at(0), {"created", "", {}}, list_lag(10));
  agent::IssuePatch patch;
  patch.set_title = true;
  patch.title = "renamed";
  REQUIRE(m.update_issue(at(1), 1, patch, list_lag(1)));  // an update that shows before the create
  m.list_issues(at(1.999999), q, page);
  CHECK(page.issues.empty());
  m.list_issues(at(2), q, page);
  REQUIRE(page.issues.size() == 1);
  CHECK(page.issues[0].title == "renamed");
}
