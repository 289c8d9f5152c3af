// The search language GET search/issues speaks, and what GitHubModel::search_views
// matches with it.
#include <catch2/catch.hpp>

#include "sim/model/github_model.hpp"
#include "sim/model/search_query.hpp"

using namespace coordsim;
using sim::GitHubModel;
using sim::Lags;

namespace {
Lags no_lags() { return {}; }
std::vector<std::int64_t> numbers(const std::vector<GitHubModel::IssueView>& views) {
  std::vector<std::int64_t> out;
  for (const auto& v : views) out.push_back(v.number);
  return out;
}
std::vector<std::int64_t> search(const GitHubModel& m, std::string_view q) {
  const auto query = sim::parse_search_query(q);
  REQUIRE(query);
  std::vector<GitHubModel::IssueView> views;
  m.search_views(agent::Time{100}, *query, views);
  return numbers(views);
}
}  // namespace

TEST_CASE("search query: qualifiers, quotes, free text", "[search_query]") {
  auto q =
      sim::parse_search_query("repo:Acme/W is:issue is:open label:\"needs triage\" in:title Build  failure");
  REQUIRE(q);
  CHECK(q->repos == std::vector<std::string>{"acme/w"});
  CHECK(q->labels == std::vector<std::string>{"needs triage"});
  CHECK(q->terms == std::vector<std::string>{"build", "failure"});
  CHECK(q->open == true);
  CHECK(q->in_title);
  CHECK_FALSE(q->in_body);
  CHECK_FALSE(sim::parse_search_query("label:\"unbalanced"));
  CHECK(sim::parse_search_query("REPO:a/b")->repos == std::vector<std::string>{"a/b"});
  CHECK(sim::parse_search_query("nope:x")->terms == std::vector<std::string>{"nope:x"});
  CHECK(sim::holds_term("Build FAILURE on linux", "failure"));
  CHECK_FALSE(sim::holds_term("Build", "builds"));
}

TEST_CASE("search_views: state, labels as GitHub matches them, text where in: says", "[search_query]") {
  GitHubModel m;
  m.keep_bodies(true);
  m.create_issue(agent::Time{1}, {"Build failure linux", "x", {"Lock"}}, no_lags());
  m.create_issue(agent::Time{2}, {"Other", "linux in body", {"lock", "b"}}, no_lags());
  m.create_issue(agent::Time{3}, {"Third", "", {}}, no_lags());
  m.add_comment(agent::Time{4}, 3, "LINUX in a comment", no_lags());
  agent::IssuePatch close;
  close.set_state = true;
  close.state = agent::IssueState::closed;
  m.update_issue(agent::Time{5}, 2, close, no_lags());

  CHECK(search(m, "linux") == std::vector<std::int64_t>{1, 2});
  CHECK(search(m, "linux in:title") == std::vector<std::int64_t>{1});
  CHECK(search(m, "linux in:comments") == std::vector<std::int64_t>{3});
  CHECK(search(m, "is:open linux") == std::vector<std::int64_t>{1});
  CHECK(search(m, "is:closed") == std::vector<std::int64_t>{2});
  CHECK(search(m, "label:LOCK") == std::vector<std::int64_t>{1, 2});
  CHECK(search(m, "label:\" lock \" label:B") == std::vector<std::int64_t>{2});
  CHECK(search(m, "label:missing").empty());
  CHECK(search(m, "is:pr").empty());
}
