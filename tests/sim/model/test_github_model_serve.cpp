// GitHubModel's indexed read paths (index_for_serve, for `coordsim serve`)
// against its scans: random histories of creates, label edits, closes and
// comments (added, edited, deleted) with random lags, read at random snapshots with random queries,
// must give the same issues, versions, comment counts and totals.
#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <vector>

#include "sim/model/github_model.hpp"
#include "sim/model/search_query.hpp"

using namespace coordsim;
using sim::GitHubModel;
using sim::Lags;

namespace {

const std::vector<std::string> kLabels = {"coord", "flavor-1", "Flavor-2", "lock", "x"};

struct Row {
  std::int64_t number;
  std::int32_t version;
  std::int64_t comments;
  int state;
  GitHubModel::LabelMask labels;
  bool operator==(const Row&) const = default;
};

std::vector<Row> rows(const std::vector<GitHubModel::IssueView>& views) {
  std::vector<Row> out;
  for (const auto& v : views)
    out.push_back(Row{v.number, v.version, v.comments, static_cast<int>(v.state), v.labels});
  return out;
}

std::vector<std::string> pick_labels(std::mt19937_64& rng) {
  std::vector<std::string> out;
  for (const auto& l : kLabels)
    if (rng() % 3 == 0) out.push_back(l);
  return out;
}

Lags lags(std::mt19937_64& rng) {
  Lags l;
  for (auto& d : l) d = agent::Duration(static_cast<std::int64_t>(rng() % 50));
  return l;
}

}  // namespace

TEST_CASE("indexed reads answer as the scans do", "[model][serve_index]") {
  for (std::uint64_t seed = 1; seed <= 40; ++seed) {
    std::mt19937_64 rng(seed);
    GitHubModel plain, indexed;
    plain.keep_bodies(true);
    indexed.keep_bodies(true);
    indexed.index_for_serve(true);
    agent::Time c{0};
    const int writes = 20 + static_cast<int>(rng() % 200);
    for (int w = 0; w < writes; ++w) {
      c += agent::Duration(1 + static_cast<std::int64_t>(rng() % 5));
      const Lags l = lags(rng);
      const std::int64_t n = plain.issues_created();
      const std::int64_t comments = plain.comments_created();
      const int op = n == 0 ? 0 : static_cast<int>(rng() % (comments == 0 ? 4 : 6));
      if (op == 0) {
        const agent::NewIssue issue{"title " + std::to_string(w), rng() % 2 ? "body build" : "", pick_labels(rng)};
        REQUIRE(plain.create_issue(c, issue, l) == indexed.create_issue(c, issue, l));
      } else {
        const std::int64_t number = 1 + static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(n));
        if (op >= 4) {
          // Edit or delete a comment (of any issue): counts and comment lists must follow.
          const std::int64_t id = 1 + static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(comments));
          if (op == 4) REQUIRE(plain.update_comment(c, id, "edited build", l) == indexed.update_comment(c, id, "edited build", l));
          else REQUIRE(plain.delete_comment(c, id, l) == indexed.delete_comment(c, id, l));
        } else if (op == 3) {
          const std::string body = rng() % 2 ? "comment build" : "other";
          REQUIRE(plain.add_comment(c, number, body, l) == indexed.add_comment(c, number, body, l));
        } else {
          agent::IssuePatch p;
          if (op == 1) p.set_labels = true, p.labels = pick_labels(rng);
          else p.set_state = true, p.state = rng() % 2 ? agent::IssueState::closed : agent::IssueState::open;
          REQUIRE(plain.update_issue(c, number, p, l) == indexed.update_issue(c, number, p, l));
        }
      }
    }
    for (int r = 0; r < 60; ++r) {
      const agent::Time s{static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(c.count() + 60))};
      agent::ListIssuesQuery q;
      q.labels = r % 4 == 0 ? "" : kLabels[rng() % kLabels.size()];
      if (r % 5 == 1) q.labels += ", " + kLabels[rng() % kLabels.size()];
      if (r % 7 == 2) q.labels = "FLAVOR-2";  // case-insensitive
      if (r % 11 == 3) q.labels = "unknown";
      q.state = static_cast<agent::StateFilter>(rng() % 3);
      q.sort = static_cast<agent::IssueSort>(rng() % 3);
      q.direction = rng() % 2 ? agent::SortDirection::desc : agent::SortDirection::asc;
      q.per_page = 1 + static_cast<int>(rng() % 30);
      q.page = 1 + static_cast<int>(rng() % 4);
      const agent::Time since{r % 3 == 0 ? static_cast<std::int64_t>(rng() % 100) : -1};
      std::vector<GitHubModel::IssueView> a, b;
      std::int64_t total_a = 0, total_b = 0;
      plain.list_views(s, q, since, a, total_a);
      indexed.list_views(s, q, since, b, total_b);
      INFO("seed " << seed << " read " << r << " labels '" << q.labels << "'");
      CHECK(total_a == total_b);
      CHECK(rows(a) == rows(b));

      const std::string text = std::string(r % 2 ? "label:" + kLabels[rng() % kLabels.size()] + " " : "") +
                               (r % 3 == 0 ? "is:open " : "") + (r % 4 == 1 ? "build in:body,comments" : "");
      const auto query = sim::parse_search_query(text.empty() ? "is:issue" : text);
      REQUIRE(query);
      plain.search_views(s, *query, a);
      indexed.search_views(s, *query, b);
      CHECK(rows(a) == rows(b));

      const std::int64_t number = 1 + static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(plain.issues_created()));
      GitHubModel::IssueView va, vb;
      const auto path = static_cast<sim::ReadPath>(rng() % 4);
      REQUIRE(plain.view_issue(path, s, number, va) == indexed.view_issue(path, s, number, vb));
      CHECK(rows({va}) == rows({vb}));
      REQUIRE(plain.view_latest_issue(number, va));
      REQUIRE(indexed.view_latest_issue(number, vb));
      CHECK(rows({va}) == rows({vb}));
      std::vector<GitHubModel::CommentView> ca, cb;
      plain.view_comments(path, s, number, ca);
      indexed.view_comments(path, s, number, cb);
      REQUIRE(ca.size() == cb.size());
      for (std::size_t i = 0; i < ca.size(); ++i) CHECK(ca[i].id == cb[i].id);
    }
  }
}
