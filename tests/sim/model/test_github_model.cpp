#include <random>

#include <catch2/catch.hpp>

#include <algorithm>
#include <set>
#include <stdexcept>

#include "sim/model/github_model.hpp"

using namespace coordsim;
using agent::Duration;
using sim::GitHubModel;
using sim::Lags;
using sim::Time;

namespace {
Lags lags(double get_s, double list_s, double search_s = 0, double refs_s = 0) {
  return {agent::from_seconds(get_s), agent::from_seconds(list_s), agent::from_seconds(search_s),
          agent::from_seconds(refs_s)};
}
agent::NewIssue coordination_issue(const std::string& title) {
  return {title, "", {"autonomous-coordination", "commit-46e71ff2"}};
}
Time at(double s) { return agent::from_seconds(s); }
std::vector<std::int64_t> numbers(const agent::IssuePage& page) {
  std::vector<std::int64_t> out;
  for (const auto& i : page.issues) out.push_back(i.number);
  return out;
}
agent::ListIssuesQuery labelled(std::string label) {
  agent::ListIssuesQuery q;
  q.labels = std::move(label);
  return q;
}
}  // namespace

TEST_CASE("issue numbers are allocated at commit, strictly increasing", "[github_model]") {
  GitHubModel m;
  REQUIRE(m.create_issue(at(5), coordination_issue("a"), lags(0, 9)) == 1);
  REQUIRE(m.create_issue(at(6), coordination_issue("b"), lags(0, 1)) == 2);
  REQUIRE(m.create_issue(at(7), coordination_issue("c"), lags(0, 0)) == 3);
  REQUIRE(m.issues_created() == 3);
  m.reset();
  REQUIRE(m.issues_created() == 0);
  REQUIRE(m.create_issue(at(1), coordination_issue("d"), lags(0, 0)) == 1);
}

TEST_CASE("a list shows an issue exactly from commit + list lag on", "[github_model]") {
  GitHubModel m;
  m.create_issue(at(2), coordination_issue("x"), lags(0.5, 3));
  const auto q = labelled("autonomous-coordination");
  agent::IssuePage page;
  m.list_issues(at(4.999999), q, page);
  REQUIRE(page.issues.empty());
  m.list_issues(at(5), q, page);  // inclusive: visible at exactly commit + lag
  REQUIRE(numbers(page) == std::vector<std::int64_t>{1});
  agent::Issue issue;
  REQUIRE_FALSE(m.get_issue(at(2.4), 1, issue));  // the get path has its own lag
  REQUIRE(m.get_issue(at(2.5), 1, issue));
  REQUIRE(issue.title == "x");
  REQUIRE(issue.labels == std::vector<std::string>{"autonomous-coordination", "commit-46e71ff2"});
}

TEST_CASE("visibility: random lags, every snapshot shows exactly the issues whose lag has passed",
          "[github_model][visibility]") {
  GitHubModel m;
  // Any fixed generator will do: the model knows no randomness of its own.
  std::mt19937_64 gen(42);
  std::uniform_real_distribution<double> unit(0, 1);
  std::vector<Time> visible_at;
  for (int i = 0; i < 60; ++i) {
    const double commit = i * 0.25;
    const double lag = unit(gen) * 10;
    m.create_issue(at(commit), coordination_issue("t"), lags(0, lag));
    visible_at.push_back(at(commit) + agent::from_seconds(lag));
  }
  auto q = labelled("autonomous-coordination");
  q.per_page = 100;
  for (int k = 0; k < 500; ++k) {
    const Time s = agent::from_seconds(unit(gen) * 30);
    agent::IssuePage page;
    m.list_issues(s, q, page);
    std::vector<std::int64_t> expected;
    for (std::int64_t n = static_cast<std::int64_t>(visible_at.size()); n >= 1; --n)
      if (visible_at[static_cast<std::size_t>(n - 1)] <= s) expected.push_back(n);
    REQUIRE(numbers(page) == expected);  // newest first, nothing early, nothing late
  }
}

TEST_CASE("versions of an issue appear per path in order of their own visibility", "[github_model]") {
  GitHubModel m;
  m.create_issue(at(0), coordination_issue("x"), lags(0, 1));
  agent::IssuePatch close;
  close.set_state = true;
  close.state = agent::IssueState::closed;
  REQUIRE(m.update_issue(at(2), 1, close, lags(0, 5)));  // the close shows on list at 7
  auto open = labelled("autonomous-coordination");
  auto closed = open;
  closed.state = agent::StateFilter::closed;
  agent::IssuePage page;
  m.list_issues(at(6.9), open, page);
  REQUIRE(numbers(page) == std::vector<std::int64_t>{1});  // still the open version
  m.list_issues(at(6.9), closed, page);
  REQUIRE(page.issues.empty());
  m.list_issues(at(7), open, page);
  REQUIRE(page.issues.empty());
  m.list_issues(at(7), closed, page);
  REQUIRE(numbers(page) == std::vector<std::int64_t>{1});
  REQUIRE(m.issues_open() == 0);  // the true state is closed from commit on
  REQUIRE_FALSE(m.update_issue(at(3), 2, close, lags(0, 0)));  // 404
}

TEST_CASE("list filters: labels AND, state, sort, direction, pagination", "[github_model]") {
  GitHubModel m;
  for (int i = 0; i < 7; ++i) {
    agent::NewIssue issue{std::to_string(i + 1), "", {"a"}};  // (GCC 12 warns falsely on "i" + to_string)
    if (i % 2 == 0) issue.labels.push_back("b");
    m.create_issue(at(i), issue, lags(0, 0));
  }
  agent::IssuePage page;
  agent::ListIssuesQuery q;
  q.labels = "a,b";
  m.list_issues(at(100), q, page);
  REQUIRE(numbers(page) == std::vector<std::int64_t>{7, 5, 3, 1});
  q.direction = agent::SortDirection::asc;
  m.list_issues(at(100), q, page);
  REQUIRE(numbers(page) == std::vector<std::int64_t>{1, 3, 5, 7});
  q.labels = "a,nonexistent";
  m.list_issues(at(100), q, page);
  REQUIRE(page.issues.empty());

  agent::ListIssuesQuery paged;
  paged.per_page = 3;
  m.list_issues(at(100), paged, page);
  REQUIRE(numbers(page) == std::vector<std::int64_t>{7, 6, 5});
  REQUIRE(page.has_next);
  paged.page = 3;
  m.list_issues(at(100), paged, page);
  REQUIRE(numbers(page) == std::vector<std::int64_t>{1});
  REQUIRE_FALSE(page.has_next);
  paged.page = 2;
  paged.per_page = 1000;  // GitHub caps per_page at 100
  m.list_issues(at(100), paged, page);
  REQUIRE(page.issues.empty());

  agent::ListIssuesQuery updated;
  updated.sort = agent::IssueSort::updated;
  agent::IssuePatch noop;
  REQUIRE(m.update_issue(at(50), 2, noop, lags(0, 0)));
  m.list_issues(at(100), updated, page);
  REQUIRE(numbers(page) == std::vector<std::int64_t>{2, 7, 6, 5, 4, 3, 1});
}

TEST_CASE("git refs: create-if-absent is strongly consistent, reads lag", "[github_model]") {
  GitHubModel m;
  REQUIRE(m.create_ref(at(1), "refs/coordination/abc", "sha1", agent::from_seconds(2)));
  REQUIRE_FALSE(m.create_ref(at(1.5), "refs/coordination/abc", "sha2", Duration(0)));  // 422 at once
  agent::GitRef ref;
  REQUIRE_FALSE(m.get_ref(at(2.9), "refs/coordination/abc", ref));
  REQUIRE(m.get_ref(at(3), "refs/coordination/abc", ref));
  REQUIRE(ref.sha == "sha1");
  REQUIRE(m.create_ref(at(2), "refs/coordination/other", "sha3", Duration(0)));
}

TEST_CASE("comments need an existing issue", "[github_model]") {
  GitHubModel m;
  REQUIRE(m.add_comment(at(1), 1, "Duplicate of #0", lags(0, 0)) == 0);
  m.create_issue(at(1), coordination_issue("x"), lags(0, 0));
  REQUIRE(m.add_comment(at(2), 1, "Duplicate of #0", lags(0, 0)) == 1);
}

// --- additions for the HTTP server (views, edits, bodies, ref update/delete) ---

TEST_CASE("views: timestamps, closed_at, reopened, comments per path", "[github_model]") {
  GitHubModel m;
  m.keep_bodies(true);
  m.create_issue(at(1), {"t", "body text", {"a"}}, lags(0, 1));
  agent::IssuePatch close;
  close.set_state = true;
  close.state = agent::IssueState::closed;
  m.update_issue(at(2), 1, close, lags(0, 1));
  m.update_issue(at(3), 1, agent::IssuePatch{}, lags(0, 1));  // still closed: closed_at stays 2
  m.add_comment(at(4), 1, "c1", lags(0, 10));
  GitHubModel::IssueView v;
  REQUIRE(m.view_issue(sim::ReadPath::get, at(5), 1, v));
  CHECK(v.created_at == at(1));
  CHECK(v.updated_at == at(3));
  CHECK(v.closed_at == at(2));
  CHECK(v.body == "body text");
  CHECK(v.comments == 1);  // get lag 0
  REQUIRE(m.view_issue(sim::ReadPath::list, at(2.5), 1, v));
  CHECK(v.state == agent::IssueState::open);  // the close shows on list at 3
  CHECK(v.closed_at < Time{0});
  std::vector<GitHubModel::IssueView> all;
  m.view_issues(sim::ReadPath::list, at(5), all);
  REQUIRE(all.size() == 1);
  CHECK(all[0].comments == 0);  // the comment shows on list at 14
  agent::IssuePatch reopen;
  reopen.set_state = true;
  m.update_issue(at(6), 1, reopen, lags(0, 0));
  REQUIRE(m.view_latest_issue(1, v));
  CHECK(v.reopened);
  CHECK(v.closed_at < Time{0});
  std::vector<GitHubModel::CommentView> comments;
  m.view_comments(sim::ReadPath::get, at(6), 1, comments);
  REQUIRE(comments.size() == 1);
  CHECK(comments[0].body == "c1");
  CHECK(comments[0].created_at == at(4));
}

TEST_CASE("edits of title, body and labels are versioned; bodies only when kept", "[github_model]") {
  GitHubModel m;
  m.create_issue(at(1), {"old", "dropped", {"a"}}, lags(0, 0));
  agent::IssuePatch edit;
  edit.set_title = true;
  edit.title = "new";
  edit.set_labels = true;
  edit.labels = {"b"};
  m.update_issue(at(2), 1, edit, lags(5, 5));
  GitHubModel::IssueView v;
  REQUIRE(m.view_issue(sim::ReadPath::get, at(3), 1, v));
  CHECK(v.title == "old");
  CHECK(v.body.empty());  // keep_bodies is off: the simulator's default
  CHECK(m.label_name(0) == "a");
  CHECK(v.labels == 1);
  REQUIRE(m.view_issue(sim::ReadPath::get, at(7), 1, v));
  CHECK(v.title == "new");
  CHECK(v.labels == 2);
  CHECK(m.label_bit("b") == 1);
  CHECK(m.label_bit("zzz") == -1);
}

TEST_CASE("git refs: update and delete are versioned on the refs path", "[github_model]") {
  GitHubModel m;
  REQUIRE(m.create_ref(at(1), "refs/x", "s1", Duration(0)));
  REQUIRE(m.update_ref(at(2), "refs/x", "s2", agent::from_seconds(1)));
  agent::GitRef ref;
  REQUIRE(m.get_ref(at(2.5), "refs/x", ref));
  CHECK(ref.sha == "s1");
  REQUIRE(m.get_ref(at(3), "refs/x", ref));
  CHECK(ref.sha == "s2");
  REQUIRE(m.latest_ref("refs/x", ref));
  CHECK(ref.sha == "s2");
  REQUIRE(m.delete_ref(at(4), "refs/x", agent::from_seconds(1)));
  CHECK_FALSE(m.latest_ref("refs/x", ref));
  CHECK(m.get_ref(at(4.5), "refs/x", ref));  // the delete is not visible yet
  CHECK_FALSE(m.get_ref(at(5), "refs/x", ref));
  CHECK_FALSE(m.delete_ref(at(6), "refs/x", Duration(0)));
  CHECK_FALSE(m.update_ref(at(6), "refs/x", "s3", Duration(0)));
  REQUIRE(m.create_ref(at(7), "refs/x", "s4", Duration(0)));  // free again after a delete
  REQUIRE(m.get_ref(at(7), "refs/x", ref));
  CHECK(ref.sha == "s4");
}

TEST_CASE("comments: edits and deletes are versioned per path", "[github_model]") {
  GitHubModel m;
  m.create_issue(at(1), {"t", "", {}}, lags(0, 0));
  const std::int64_t id = m.add_comment(at(2), 1, "first", lags(0, 0, 0));
  m.add_comment(at(2.5), 1, "other", lags(0, 0, 0));
  REQUIRE(m.update_comment(at(3), id, "edited", lags(1, 1, 1)));
  GitHubModel::CommentView c;
  REQUIRE(m.view_comment(sim::ReadPath::get, at(3.5), id, c));
  CHECK(c.body == "first");  // the edit shows at 4
  CHECK(c.updated_at == at(2));
  REQUIRE(m.view_comment(sim::ReadPath::get, at(4), id, c));
  CHECK(c.body == "edited");
  CHECK(c.created_at == at(2));
  CHECK(c.updated_at == at(3));
  REQUIRE(m.view_latest_comment(id, c));
  CHECK(c.body == "edited");
  REQUIRE(m.delete_comment(at(5), id, lags(2, 2, 2)));
  CHECK_FALSE(m.view_latest_comment(id, c));
  CHECK_FALSE(m.update_comment(at(6), id, "again", lags(0, 0)));  // 404 once deleted
  CHECK_FALSE(m.delete_comment(at(6), id, lags(0, 0)));
  CHECK_FALSE(m.update_comment(at(6), 99, "x", lags(0, 0)));
  REQUIRE(m.view_comment(sim::ReadPath::get, at(6.5), id, c));  // the delete shows at 7
  CHECK_FALSE(m.view_comment(sim::ReadPath::get, at(7), id, c));
  std::vector<GitHubModel::CommentView> all;
  m.view_comments(sim::ReadPath::get, at(6.5), 1, all);
  CHECK(all.size() == 2);
  m.view_comments(sim::ReadPath::get, at(7), 1, all);
  REQUIRE(all.size() == 1);
  CHECK(all[0].body == "other");
  GitHubModel::IssueView v;
  REQUIRE(m.view_issue(sim::ReadPath::get, at(6.5), 1, v));
  CHECK(v.comments == 2);
  REQUIRE(m.view_issue(sim::ReadPath::get, at(7), 1, v));
  CHECK(v.comments == 1);
  REQUIRE(m.view_latest_issue(1, v));
  CHECK(v.comments == 1);
  m.view_all_comments(sim::ReadPath::get, at(7), all);
  REQUIRE(all.size() == 1);
  CHECK(all[0].id == 2);
}

TEST_CASE("close reasons: a close records its reason, other patches keep it", "[github_model]") {
  GitHubModel m;
  m.create_issue(at(1), {"t", "", {}}, lags(0, 0));
  agent::IssuePatch close;
  close.set_state = true;
  close.state = agent::IssueState::closed;
  REQUIRE(m.update_issue(at(2), 1, close, lags(0, 0), GitHubModel::CloseReason::not_planned));
  agent::IssuePatch title;
  title.set_title = true;
  title.title = "renamed";
  REQUIRE(m.update_issue(at(3), 1, title, lags(0, 0), GitHubModel::CloseReason::completed));
  GitHubModel::IssueView v;
  REQUIRE(m.view_latest_issue(1, v));
  CHECK(v.close_reason == GitHubModel::CloseReason::not_planned);  // a title edit keeps it
  REQUIRE(m.update_issue(at(4), 1, close, lags(0, 0)));  // the simulator's close: completed
  REQUIRE(m.view_latest_issue(1, v));
  CHECK(v.close_reason == GitHubModel::CloseReason::completed);
  std::vector<GitHubModel::IssueView> history;
  m.view_issue_history(sim::ReadPath::get, at(5), 1, history);
  REQUIRE(history.size() == 4);
  CHECK(history[0].state == agent::IssueState::open);
  CHECK(history[1].close_reason == GitHubModel::CloseReason::not_planned);
  CHECK(history[2].title == "renamed");
  CHECK(history[3].updated_at == at(4));
  m.view_issue_history(sim::ReadPath::get, at(5), 2, history);
  CHECK(history.empty());
}

TEST_CASE("accepts_labels counts the labels a write would add, ignoring case", "[github_model]") {
  GitHubModel m;
  std::vector<std::string> names;
  for (int i = 0; i < 63; ++i) names.push_back(std::string(1, 'l') += std::to_string(i));
  m.create_issue(at(1), {"t", "", names}, lags(0, 0));
  CHECK(m.accepts_labels({"L0", "l62", "new"}));     // one new label: 64
  CHECK(m.accepts_labels({"new", "NEW"}));           // one label in two spellings
  CHECK_FALSE(m.accepts_labels({"new", "newer"}));   // 65
  CHECK_THROWS_AS(m.create_issue(at(2), {"t", "", {"new", "newer"}}, lags(0, 0)), std::length_error);
}

TEST_CASE("view_refs lists refs by prefix, sorted, as the refs path shows them", "[github_model]") {
  GitHubModel m;
  REQUIRE(m.create_ref(at(1), "refs/heads/b", "s1", Duration(0)));
  REQUIRE(m.create_ref(at(1), "refs/heads/a", "s2", Duration(0)));
  REQUIRE(m.create_ref(at(1), "refs/tags/v1", "s3", agent::from_seconds(5)));
  REQUIRE(m.delete_ref(at(2), "refs/heads/b", Duration(0)));
  std::vector<agent::GitRef> refs;
  m.view_refs(at(3), "refs/heads/", refs);
  REQUIRE(refs.size() == 1);
  CHECK(refs[0].ref == "refs/heads/a");
  m.view_refs(at(3), "refs/", refs);
  CHECK(refs.size() == 1);  // the tag shows at 6
  m.view_refs(at(6), "refs/", refs);
  REQUIRE(refs.size() == 2);
  CHECK(refs[1].ref == "refs/tags/v1");
  m.view_refs(at(6), "refs/heads/a", refs);
  CHECK(refs.size() == 1);
}
