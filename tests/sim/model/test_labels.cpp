// GitHub's label and list rules (labels.hpp, list_query.hpp) and the model's
// use of them: names match ignoring case and the spaces around a query's name,
// an issue takes the spelling a trial first used, and pages clamp as GitHub's.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "sim/model/github_model.hpp"
#include "sim/model/labels.hpp"
#include "sim/model/list_query.hpp"

using namespace coordsim;
using sim::GitHubModel;

namespace {
std::vector<std::string> names(std::string_view list) {
  std::vector<std::string> out;
  sim::for_each_label(list, [&](std::string_view n) { out.emplace_back(n); });
  return out;
}
std::vector<std::int64_t> listed(const GitHubModel& m, std::string labels) {
  agent::ListIssuesQuery q;
  q.labels = std::move(labels);
  agent::IssuePage page;
  m.list_issues(agent::Time{100}, q, page);
  std::vector<std::int64_t> out;
  for (const auto& i : page.issues) out.push_back(i.number);
  return out;
}
}  // namespace

TEST_CASE("label names: case-insensitive, a query's names trimmed", "[labels]") {
  CHECK(sim::same_label("Lock", "lOCK"));
  CHECK_FALSE(sim::same_label("lock", "lock "));
  CHECK(sim::same_label("caf\xc3\xa9", "CAF\xc3\xa9"));  // ASCII folds; UTF-8 bytes compare as they are
  CHECK(names(" a , B,,  ,c d ") == std::vector<std::string>{"a", "B", "c d"});
  CHECK(names("").empty());
}

TEST_CASE("list rules: states, order with ties by number, pages", "[labels]") {
  CHECK(sim::clamp_per_page(0) == 1);
  CHECK(sim::clamp_per_page(1000) == 100);
  CHECK(sim::clamp_page(-3) == 1);
  CHECK(sim::state_matches(agent::StateFilter::all, agent::IssueState::closed));
  CHECK_FALSE(sim::state_matches(agent::StateFilter::open, agent::IssueState::closed));
  CHECK(sim::sorts_before(agent::SortDirection::desc, 5, 1, 4, 9));
  CHECK(sim::sorts_before(agent::SortDirection::desc, 5, 2, 5, 1));  // tie: higher number first
  CHECK(sim::sorts_before(agent::SortDirection::asc, 5, 1, 5, 2));
  const sim::PageSpan p = sim::page_span(7, 3, 3);
  CHECK(p.first == 6);
  CHECK(p.end == 7);
  CHECK(p.last == 3);
  CHECK_FALSE(p.has_next);
  CHECK(sim::page_span(7, 3, 2).has_next);
  CHECK(sim::page_span(0, 3, 5).last == 1);
  CHECK(sim::page_span(0, 3, 5).end == sim::page_span(0, 3, 5).first);
}

TEST_CASE("the model matches labels as GitHub: case, spaces, one spelling", "[labels][github_model]") {
  GitHubModel m;
  m.create_issue(agent::Time{1}, {"1", "", {"Lock", "commit-a"}}, {});
  m.create_issue(agent::Time{2}, {"2", "", {"LOCK"}}, {});
  m.create_issue(agent::Time{3}, {"3", "", {"other"}}, {});
  CHECK(m.label_count() == 3);  // "LOCK" is the label "Lock"
  CHECK(listed(m, "lock") == std::vector<std::int64_t>{2, 1});
  CHECK(listed(m, " LOCK , Commit-A ") == std::vector<std::int64_t>{1});
  CHECK(listed(m, "lock,,") == std::vector<std::int64_t>{2, 1});
  CHECK(listed(m, "lock,missing").empty());
  CHECK(m.label_bit("COMMIT-A") == 1);
  agent::Issue issue;
  REQUIRE(m.get_issue(agent::Time{100}, 2, issue));
  CHECK(issue.labels == std::vector<std::string>{"Lock"});  // the repository's spelling

  // A new trial spells it afresh: nothing of the previous trial shows.
  m.reset();
  m.create_issue(agent::Time{1}, {"1", "", {"lock"}}, {});
  REQUIRE(m.get_issue(agent::Time{100}, 1, issue));
  CHECK(issue.labels == std::vector<std::string>{"lock"});
  CHECK(listed(m, "LOCK") == std::vector<std::int64_t>{1});
}

TEST_CASE("labels_as_given: the request's labels are the answer's only when kept exactly", "[labels][github_model]") {
  // The simulated client copies a create's labels into its answer only then,
  // and otherwise answers with the issue as stored (as serve does).
  GitHubModel m;
  const auto create = [&](std::vector<std::string> labels) {
    const std::int64_t n = m.create_issue(agent::Time{1}, {"t", "", labels}, {});
    agent::Issue stored;
    REQUIRE(m.latest_issue(n, stored));
    // Whenever the model says "as given", the stored labels are the request's.
    if (m.labels_as_given()) CHECK(stored.labels == labels);
    return m.labels_as_given();
  };
  CHECK(create({"lock", "commit-a"}));      // new labels, in order
  CHECK(create({"lock", "commit-a"}));      // the same spellings, in order
  CHECK(create({"lock"}));
  CHECK(create({}));
  CHECK_FALSE(create({"LOCK"}));            // the repository's spelling wins: "lock"
  CHECK_FALSE(create({"commit-a", "lock"}));  // listed in the repository's order
  CHECK_FALSE(create({"lock", "lock"}));    // one label once
  CHECK(create({"lock", "commit-a", "new"}));
  agent::Issue stored;
  REQUIRE(m.latest_issue(5, stored));
  CHECK(stored.labels == std::vector<std::string>{"lock"});
}
