// GitHubModel's read paths for `coordsim serve` with its indexes on
// (index_for_serve): the same answers as the scans in github_model.cpp, at the
// cost of what they show. A list by label visits the issues that ever carried
// the query's rarest label (a superset of those that can match: each is still
// checked against the version visible at the snapshot, so visibility stays
// exact), and comment counts come from each issue's own comments. Nothing here
// writes to the model: several threads may read at once.
//
// Measured (bench/serve-wrk.sh, 10,000 issues, 500 labelled): the scan took
// ~0.3 ms per list by label (every issue, and every comment for the counts).
#include <algorithm>

#include "sim/model/github_model.hpp"
#include "sim/model/labels.hpp"
#include "sim/model/list_query.hpp"
#include "sim/model/search_query.hpp"

namespace coordsim::sim {

using agent::IssueState;

void GitHubModel::index_labels(std::int64_t number, LabelMask labels) {
  if (label_issues_.size() < labels_.size()) label_issues_.resize(labels_.size());
  for (std::size_t bit = 0; bit < labels_.size(); ++bit) {
    if (!(labels & (LabelMask{1} << bit))) continue;
    auto& issues = label_issues_[bit];
    // Creates append (numbers only grow); an edit may add an older issue.
    if (issues.empty() || issues.back() < number) {
      issues.push_back(number);
    } else {
      const auto at = std::lower_bound(issues.begin(), issues.end(), number);
      if (at == issues.end() || *at != number) issues.insert(at, number);
    }
  }
}

std::int64_t GitHubModel::visible_comments(std::int64_t number, ReadPath path, Time s) const {
  const int p = static_cast<int>(path);
  std::int64_t n = 0;
  std::uint32_t body;
  Time updated;
  for (const std::int32_t i : issue_comments_[static_cast<std::size_t>(number - 1)])
    if (comment_at(comments_[static_cast<std::size_t>(i)], p, s, body, updated)) ++n;
  return n;
}

bool GitHubModel::query_mask_uncached(std::string_view labels, LabelMask& out) const {
  out = 0;
  bool known = true;
  for_each_label(labels, [&](std::string_view name) {
    const int bit = find_label(name);
    if (bit < 0) known = false;
    else out |= LabelMask{1} << bit;
  });
  return known;
}

template <class F>
void GitHubModel::for_each_candidate(LabelMask required, bool descending, F&& f) const {
  const std::vector<std::int64_t>* rarest = nullptr;
  for (std::size_t bit = 0; bit < labels_.size(); ++bit) {
    if (!(required & (LabelMask{1} << bit))) continue;
    static const std::vector<std::int64_t> kNone;
    const auto& issues = bit < label_issues_.size() ? label_issues_[bit] : kNone;
    if (!rarest || issues.size() < rarest->size()) rarest = &issues;
  }
  if (rarest) {
    if (descending) {
      for (auto it = rarest->rbegin(); it != rarest->rend(); ++it) f(*it);
    } else {
      for (const std::int64_t n : *rarest) f(n);
    }
    return;
  }
  const std::int64_t n = issues_created();
  for (std::int64_t k = 0; k < n; ++k) f(descending ? n - k : k + 1);
}

void GitHubModel::list_views_indexed(Time s, const agent::ListIssuesQuery& q, Time since,
                                     std::vector<IssueView>& out, std::int64_t& total) const {
  out.clear();
  total = 0;
  LabelMask required = 0;
  if (!query_mask_uncached(q.labels, required)) return;  // no issue carries an unknown label
  const auto matches = [&](const Version& v) {
    return (v.labels & required) == required && v.commit >= since && state_matches(q.state, v.state);
  };
  const int per_page = clamp_per_page(q.per_page);
  const std::int64_t skip = (clamp_page(q.page) - 1) * per_page;
  const auto emit = [&](const Version& v, std::int64_t number) {
    fill_view(v, number, out.emplace_back());
    out.back().comments = visible_comments(number, ReadPath::list, s);
  };

  // Creation order is number order: no sort, and only the page is rendered.
  if (q.sort == agent::IssueSort::created) {
    for_each_candidate(required, q.direction == agent::SortDirection::desc, [&](std::int64_t number) {
      const Version* v = visible_version(issues_[static_cast<std::size_t>(number - 1)], ReadPath::list, s);
      if (!v || !matches(*v)) return;
      const std::int64_t index = total++;
      if (index >= skip && index < skip + per_page) emit(*v, number);
    });
    return;
  }

  struct Match {
    std::int64_t number;
    const Version* version;
    std::int64_t key;
  };
  thread_local std::vector<Match> found;
  found.clear();
  for_each_candidate(required, false, [&](std::int64_t number) {
    const Version* v = visible_version(issues_[static_cast<std::size_t>(number - 1)], ReadPath::list, s);
    if (!v || !matches(*v)) return;
    const std::int64_t comments =
        q.sort == agent::IssueSort::comments ? visible_comments(number, ReadPath::list, s) : 0;
    found.push_back(Match{number, v, sort_key(q.sort, Time{}, v->commit, comments)});
  });
  std::stable_sort(found.begin(), found.end(), [&](const Match& a, const Match& b) {
    return sorts_before(q.direction, a.key, a.number, b.key, b.number);
  });
  total = static_cast<std::int64_t>(found.size());
  for (std::int64_t i = skip; i < total && i < skip + per_page; ++i)
    emit(*found[static_cast<std::size_t>(i)].version, found[static_cast<std::size_t>(i)].number);
}

void GitHubModel::search_views_indexed(Time s, const SearchQuery& q, std::vector<IssueView>& out) const {
  out.clear();
  if (q.pull_requests) return;  // the fake has none
  LabelMask required = 0;
  for (const std::string& name : q.labels) {
    const int bit = find_label(trim_label(name));
    if (bit < 0) return;  // no issue carries it
    required |= LabelMask{1} << bit;
  }
  const int p = static_cast<int>(ReadPath::search);
  const auto comment_holds = [&](std::int64_t number, const std::string& term) {
    for (const std::int32_t i : issue_comments_[static_cast<std::size_t>(number - 1)]) {
      std::uint32_t body;
      Time updated;
      if (comment_at(comments_[static_cast<std::size_t>(i)], p, s, body, updated) && holds_term(strings_[body], term))
        return true;
    }
    return false;
  };
  for_each_candidate(required, false, [&](std::int64_t number) {
    const Version* v = visible_version(issues_[static_cast<std::size_t>(number - 1)], ReadPath::search, s);
    if (!v) return;
    if (q.open && (v->state == IssueState::open) != *q.open) return;
    if ((v->labels & required) != required) return;
    const std::string_view title = strings_[v->title];
    const std::string_view body =
        v->body == kNoString ? std::string_view{} : std::string_view{strings_[v->body]};
    const bool all_terms = std::all_of(q.terms.begin(), q.terms.end(), [&](const std::string& term) {
      return (q.in_title && holds_term(title, term)) || (q.in_body && holds_term(body, term)) ||
             (q.in_comments && comment_holds(number, term));
    });
    if (!all_terms) return;
    fill_view(*v, number, out.emplace_back());
    out.back().comments = visible_comments(number, ReadPath::search, s);
  });
}

}  // namespace coordsim::sim
