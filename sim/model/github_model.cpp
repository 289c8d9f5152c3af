#include "sim/model/github_model.hpp"

#include <algorithm>
#include <stdexcept>

namespace coordsim::sim {

using agent::IssueState;

namespace {
std::array<Time, kReadPathCount> visibility(Time c, const Lags& lags) {
  std::array<Time, kReadPathCount> v;
  for (int p = 0; p < kReadPathCount; ++p) v[p] = c + lags[p];
  return v;
}
}  // namespace

void GitHubModel::reset() noexcept {
  issues_.clear();
  versions_.clear();
  comments_.clear();
  refs_.clear();
  strings_used_ = 0;
  // labels_ is kept: it only maps names to bits, and stable bits save work.
}

std::uint32_t GitHubModel::intern_string(std::string_view s) {
  if (strings_used_ == strings_.size()) strings_.emplace_back();
  strings_[strings_used_].assign(s.data(), s.size());
  return static_cast<std::uint32_t>(strings_used_++);
}

GitHubModel::LabelMask GitHubModel::label_mask(const std::vector<std::string>& names, bool create) {
  LabelMask mask = 0;
  for (const std::string& name : names) {
    // A plain loop: std::find's unrolled one cost more for a handful of labels.
    std::size_t i = 0;
    while (i < labels_.size() && labels_[i] != name) ++i;
    if (i == labels_.size()) {
      if (!create) return ~LabelMask{0};  // cannot match: no issue carries an unknown label
      if (labels_.size() == 64) throw std::length_error("the fake GitHub supports at most 64 distinct labels");
      labels_.push_back(name);
    }
    mask |= LabelMask{1} << i;
  }
  return mask;
}

std::int64_t GitHubModel::create_issue(Time c, const agent::NewIssue& issue, const Lags& lags) {
  Version v;
  v.visible = visibility(c, lags);
  v.commit = c;
  v.previous = -1;
  v.title = intern_string(issue.title);
  v.labels = label_mask(issue.labels, true);
  v.state = IssueState::open;
  v.body = keep_bodies_ ? intern_string(issue.body) : kNoString;
  versions_.push_back(v);
  issues_.push_back(IssueRecord{static_cast<std::int32_t>(versions_.size() - 1)});
  return static_cast<std::int64_t>(issues_.size());
}

bool GitHubModel::update_issue(Time c, std::int64_t number, const agent::IssuePatch& patch,
                               const Lags& lags) {
  if (number < 1 || number > issues_created()) return false;
  IssueRecord& issue = issues_[static_cast<std::size_t>(number - 1)];
  Version v = versions_[static_cast<std::size_t>(issue.latest)];
  v.visible = visibility(c, lags);
  v.commit = c;
  v.previous = issue.latest;
  if (patch.set_state) v.state = patch.state;
  if (patch.set_title) v.title = intern_string(patch.title);
  if (patch.set_body && keep_bodies_) v.body = intern_string(patch.body);
  if (patch.set_labels) v.labels = label_mask(patch.labels, true);
  versions_.push_back(v);
  issue.latest = static_cast<std::int32_t>(versions_.size() - 1);
  return true;
}

std::int64_t GitHubModel::add_comment(Time c, std::int64_t number, std::string_view body,
                                      const Lags& lags) {
  if (number < 1 || number > issues_created()) return 0;
  comments_.push_back(CommentRecord{number, visibility(c, lags), intern_string(body), c});
  return static_cast<std::int64_t>(comments_.size());
}

std::int32_t GitHubModel::find_ref(std::string_view ref) const {
  for (std::size_t i = refs_.size(); i-- > 0;)
    if (strings_[refs_[i].name] == ref) return static_cast<std::int32_t>(i);
  return -1;
}

bool GitHubModel::create_ref(Time c, std::string_view ref, std::string_view sha,
                             agent::Duration refs_lag) {
  const std::int32_t latest = find_ref(ref);
  if (latest >= 0 && !refs_[static_cast<std::size_t>(latest)].deleted) return false;
  const std::uint32_t name = intern_string(ref);
  refs_.push_back(RefRecord{name, intern_string(sha), c + refs_lag, latest, false});
  return true;
}

bool GitHubModel::delete_ref(Time c, std::string_view ref, agent::Duration refs_lag) {
  const std::int32_t latest = find_ref(ref);
  if (latest < 0 || refs_[static_cast<std::size_t>(latest)].deleted) return false;
  RefRecord r = refs_[static_cast<std::size_t>(latest)];
  r.visible = c + refs_lag;
  r.previous = latest;
  r.deleted = true;
  refs_.push_back(r);
  return true;
}

bool GitHubModel::update_ref(Time c, std::string_view ref, std::string_view sha,
                             agent::Duration refs_lag) {
  const std::int32_t latest = find_ref(ref);
  if (latest < 0 || refs_[static_cast<std::size_t>(latest)].deleted) return false;
  RefRecord r = refs_[static_cast<std::size_t>(latest)];
  r.sha = intern_string(sha);
  r.visible = c + refs_lag;
  r.previous = latest;
  refs_.push_back(r);
  return true;
}

bool GitHubModel::latest_ref(std::string_view ref, agent::GitRef& out) const {
  const std::int32_t latest = find_ref(ref);
  if (latest < 0 || refs_[static_cast<std::size_t>(latest)].deleted) return false;
  out.ref = strings_[refs_[static_cast<std::size_t>(latest)].name];
  out.sha = strings_[refs_[static_cast<std::size_t>(latest)].sha];
  return true;
}

const GitHubModel::Version* GitHubModel::visible_version(const IssueRecord& issue, ReadPath path,
                                                         Time s) const {
  const int p = static_cast<int>(path);
  for (std::int32_t i = issue.latest; i >= 0; i = versions_[static_cast<std::size_t>(i)].previous) {
    const Version& v = versions_[static_cast<std::size_t>(i)];
    if (v.visible[p] <= s) return &v;
  }
  return nullptr;
}

// Assigns into `out`'s existing strings, so that a reused result keeps its capacity.
void GitHubModel::fill_issue(const Version& v, std::int64_t number, agent::Issue& out) const {
  out.number = number;
  out.state = v.state;
  out.title = strings_[v.title];
  std::size_t n = 0;
  for (std::size_t i = 0; i < labels_.size(); ++i) {
    if (!(v.labels & (LabelMask{1} << i))) continue;
    if (n < out.labels.size()) {
      out.labels[n] = labels_[i];
    } else {
      out.labels.push_back(labels_[i]);
    }
    ++n;
  }
  out.labels.resize(n);
}

void GitHubModel::parse_query(std::string_view labels) const {
  query_labels_.assign(labels);
  query_label_count_ = labels_.size();
  query_mask_ = 0;
  query_known_ = true;
  for (std::string_view rest = labels; !rest.empty();) {
    const std::size_t comma = rest.find(',');
    const std::string_view name = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    if (name.empty()) continue;
    auto it = std::find(labels_.begin(), labels_.end(), name);
    if (it == labels_.end()) {
      query_known_ = false;
      return;
    }
    query_mask_ |= LabelMask{1} << (it - labels_.begin());
  }
}

void GitHubModel::list_issues(Time s, const agent::ListIssuesQuery& q, agent::IssuePage& out) const {
  out.has_next = false;
  // Issues are written into out.issues' existing elements and the rest trimmed
  // on return, so that a reused page keeps the capacity of its strings.
  std::size_t used = 0;
  const auto add = [&](const Version& v, std::int64_t number) {
    if (used == out.issues.size()) out.issues.emplace_back();
    fill_issue(v, number, out.issues[used++]);
  };
  const auto trim = [&] { out.issues.resize(used); };
  LabelMask required = 0;
  if (!query_mask(q.labels, required)) return trim();  // no issue carries an unknown label
  const auto matches = [&](const Version& v) {
    if ((v.labels & required) != required) return false;
    switch (q.state) {
      case agent::StateFilter::open: return v.state == IssueState::open;
      case agent::StateFilter::closed: return v.state == IssueState::closed;
      case agent::StateFilter::all: return true;
    }
    return false;
  };
  const int per_page = std::clamp(q.per_page, 1, 100);
  const std::int64_t skip = static_cast<std::int64_t>(std::max(q.page, 1) - 1) * per_page;

  // Creation order is number order, so the default listing needs no sort.
  if (q.sort == agent::IssueSort::created) {
    std::int64_t seen = 0;
    const std::int64_t n = issues_created();
    for (std::int64_t k = 0; k < n; ++k) {
      const std::int64_t number = q.direction == agent::SortDirection::desc ? n - k : k + 1;
      const Version* v = visible_version(issues_[static_cast<std::size_t>(number - 1)], ReadPath::list, s);
      if (!v || !matches(*v)) continue;
      if (seen++ < skip) continue;
      if (static_cast<int>(used) == per_page) {
        out.has_next = true;
        return trim();
      }
      add(*v, number);
    }
    return trim();
  }

  scratch_.clear();
  for (std::int64_t number = 1; number <= issues_created(); ++number) {
    const Version* v = visible_version(issues_[static_cast<std::size_t>(number - 1)], ReadPath::list, s);
    if (v && matches(*v)) scratch_.emplace_back(number, v);
  }
  const auto key = [&](const std::pair<std::int64_t, const Version*>& e) -> std::int64_t {
    if (q.sort == agent::IssueSort::updated) return e.second->commit.count();
    std::int64_t visible_comments = 0;
    for (const CommentRecord& c : comments_)
      if (c.issue == e.first && c.visible[static_cast<int>(ReadPath::list)] <= s) ++visible_comments;
    return visible_comments;
  };
  std::stable_sort(scratch_.begin(), scratch_.end(), [&](const auto& a, const auto& b) {
    const std::int64_t ka = key(a), kb = key(b);
    if (ka != kb) return q.direction == agent::SortDirection::desc ? ka > kb : ka < kb;
    return q.direction == agent::SortDirection::desc ? a.first > b.first : a.first < b.first;
  });
  for (std::size_t i = static_cast<std::size_t>(skip); i < scratch_.size(); ++i) {
    if (static_cast<int>(used) == per_page) {
      out.has_next = true;
      return trim();
    }
    add(*scratch_[i].second, scratch_[i].first);
  }
  trim();
}

bool GitHubModel::get_issue(Time s, std::int64_t number, agent::Issue& out) const {
  if (number < 1 || number > issues_created()) return false;
  const Version* v = visible_version(issues_[static_cast<std::size_t>(number - 1)], ReadPath::get, s);
  if (!v) return false;
  fill_issue(*v, number, out);
  return true;
}

bool GitHubModel::latest_issue(std::int64_t number, agent::Issue& out) const {
  if (number < 1 || number > issues_created()) return false;
  fill_issue(versions_[static_cast<std::size_t>(issues_[static_cast<std::size_t>(number - 1)].latest)], number, out);
  return true;
}

bool GitHubModel::get_ref(Time s, std::string_view ref, agent::GitRef& out) const {
  // The newest version of the ref visible at s; a deleted one reads as absent.
  for (std::int32_t i = find_ref(ref); i >= 0; i = refs_[static_cast<std::size_t>(i)].previous) {
    const RefRecord& r = refs_[static_cast<std::size_t>(i)];
    if (r.visible > s) continue;
    if (r.deleted) return false;
    out.ref = strings_[r.name];
    out.sha = strings_[r.sha];
    return true;
  }
  return false;
}

std::int64_t GitHubModel::issues_open() const noexcept {
  std::int64_t open = 0;
  for (const IssueRecord& issue : issues_)
    if (versions_[static_cast<std::size_t>(issue.latest)].state == IssueState::open) ++open;
  return open;
}

int GitHubModel::label_bit(std::string_view name) const noexcept {
  for (std::size_t i = 0; i < labels_.size(); ++i)
    if (labels_[i] == name) return static_cast<int>(i);
  return -1;
}

void GitHubModel::fill_view(const Version& v, std::int64_t number, IssueView& out) const {
  out.number = number;
  out.state = v.state;
  out.title = strings_[v.title];
  out.body = v.body == kNoString ? std::string_view{} : std::string_view{strings_[v.body]};
  out.labels = v.labels;
  out.updated_at = v.commit;
  out.closed_at = Time{-1};
  out.reopened = false;
  out.comments = 0;
  // Walk back to the first version: it gives created_at, and the run of closed
  // versions ending at v gives closed_at.
  Time created = v.commit;
  Time closed_since = v.commit;
  bool in_closed_run = v.state == IssueState::closed;
  for (std::int32_t i = v.previous; i >= 0; i = versions_[static_cast<std::size_t>(i)].previous) {
    const Version& older = versions_[static_cast<std::size_t>(i)];
    created = older.commit;
    if (in_closed_run) {
      if (older.state == IssueState::closed) {
        closed_since = older.commit;
      } else {
        in_closed_run = false;
      }
    } else if (v.state == IssueState::open && older.state == IssueState::closed) {
      out.reopened = true;
    }
  }
  out.created_at = created;
  if (v.state == IssueState::closed) out.closed_at = closed_since;
}

bool GitHubModel::view_issue(ReadPath path, Time s, std::int64_t number, IssueView& out) const {
  if (number < 1 || number > issues_created()) return false;
  const Version* v = visible_version(issues_[static_cast<std::size_t>(number - 1)], path, s);
  if (!v) return false;
  fill_view(*v, number, out);
  const int p = static_cast<int>(path);
  for (const CommentRecord& c : comments_)
    if (c.issue == number && c.visible[p] <= s) ++out.comments;
  return true;
}

bool GitHubModel::view_latest_issue(std::int64_t number, IssueView& out) const {
  if (number < 1 || number > issues_created()) return false;
  fill_view(versions_[static_cast<std::size_t>(issues_[static_cast<std::size_t>(number - 1)].latest)], number, out);
  for (const CommentRecord& c : comments_)
    if (c.issue == number) ++out.comments;
  return true;
}

void GitHubModel::view_issues(ReadPath path, Time s, std::vector<IssueView>& out) const {
  out.clear();
  const int p = static_cast<int>(path);
  comment_counts_.assign(issues_.size() + 1, 0);
  for (const CommentRecord& c : comments_)
    if (c.visible[p] <= s) ++comment_counts_[static_cast<std::size_t>(c.issue)];
  for (std::int64_t number = 1; number <= issues_created(); ++number) {
    const Version* v = visible_version(issues_[static_cast<std::size_t>(number - 1)], path, s);
    if (!v) continue;
    fill_view(*v, number, out.emplace_back());
    out.back().comments = comment_counts_[static_cast<std::size_t>(number)];
  }
}

void GitHubModel::view_comments(ReadPath path, Time s, std::int64_t number,
                                std::vector<CommentView>& out) const {
  out.clear();
  const int p = static_cast<int>(path);
  for (std::size_t i = 0; i < comments_.size(); ++i) {
    const CommentRecord& c = comments_[i];
    if (c.issue != number || c.visible[p] > s) continue;
    out.push_back(CommentView{static_cast<std::int64_t>(i + 1), number, c.commit, strings_[c.body]});
  }
}

}  // namespace coordsim::sim
