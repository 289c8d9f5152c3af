// Long because the model's reads and writes share one representation (issue
// versions, comment edits, refs, the label masks) that the simulator's hot path
// reads in place; serve's indexed reads are already apart (github_model_serve.cpp),
// and the comment history is the next seam to move out.
#include "sim/model/github_model.hpp"

#include <algorithm>
#include <bit>
#include <stdexcept>
#include <utility>

#include "sim/model/labels.hpp"
#include "sim/model/list_query.hpp"
#include "sim/model/search_query.hpp"

namespace coordsim::sim {

using agent::IssueState;

namespace {
std::array<Time, kReadPathCount> visibility(Time c, const Lags& lags) {
  std::array<Time, kReadPathCount> v;
  for (int p = 0; p < kReadPathCount; ++p) v[p] = c + lags[p];
  return v;
}
// fill_issue's copy of a string that is usually already there.
void assign_if_changed(std::string& to, const std::string& from) {
  if (to.size() != from.size() || std::char_traits<char>::compare(to.data(), from.data(), from.size()) != 0)
    to.assign(from);
}
}  // namespace

void GitHubModel::reset() noexcept {
  issues_.clear();
  versions_.clear();
  comments_.clear();
  comment_edits_.clear();
  refs_.clear();
  strings_used_ = 0;
  list_visible_from_ = kNoVisibleVersion;
  label_issues_.clear();
  issue_comments_.clear();
  // labels_ is kept: it only maps names to bits, and stable bits save work.
}

std::uint32_t GitHubModel::intern_string(std::string_view s) {
  if (strings_used_ == strings_.size()) strings_.emplace_back();
  strings_[strings_used_].assign(s.data(), s.size());
  return static_cast<std::uint32_t>(strings_used_++);
}

int GitHubModel::find_label(std::string_view name) const noexcept {
  for (std::size_t i = 0; i < labels_.size(); ++i)
    if (labels_[i] == name) return static_cast<int>(i);
  for (std::size_t i = 0; i < labels_.size(); ++i)
    if (same_label(labels_[i], name)) return static_cast<int>(i);
  return -1;
}

bool GitHubModel::on_an_issue(std::size_t bit) const noexcept {
  return std::any_of(versions_.begin(), versions_.end(),
                     [&](const Version& v) { return (v.labels & (LabelMask{1} << bit)) != 0; });
}

GitHubModel::LabelMask GitHubModel::label_mask(const std::vector<std::string>& names, bool create) {
  LabelMask mask = 0;
  bool all_as_given = true;
  std::size_t next = 0;  // as given only while indices increase: the answer lists labels in index order
  for (const std::string& name : names) {
    // The exact spelling first, in a plain loop (std::find's unrolled one cost
    // more for a handful of labels): callers almost always use it.
    std::size_t i = 0;
    while (i < labels_.size() && labels_[i] != name) ++i;
    bool as_given = true;
    if (i == labels_.size()) {
      as_given = false;  // unless it is new or renamed to this spelling, below
      const int same = find_label(name);  // the label in another case
      if (same >= 0) {
        i = static_cast<std::size_t>(same);
        // Not on an issue this trial: the name takes this trial's spelling.
        if (create && !(mask & (LabelMask{1} << i)) && !on_an_issue(i)) {
          labels_[i].assign(name);
          as_given = true;
        }
      } else {
        if (!create) return ~LabelMask{0};  // cannot match: no issue carries an unknown label
        if (labels_.size() == 64)
          throw std::length_error("the fake GitHub supports at most 64 distinct labels");
        labels_.push_back(name);
        as_given = true;
      }
    }
    all_as_given = all_as_given && as_given && i >= next;
    next = i + 1;
    mask |= LabelMask{1} << i;
  }
  if (create) labels_as_given_ = all_as_given;
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
  v.close_reason = CloseReason::completed;
  v.body = keep_bodies_ ? intern_string(issue.body) : kNoString;
  versions_.push_back(v);
  list_visible_from_ = std::min(list_visible_from_, v.visible[static_cast<int>(ReadPath::list)]);
  issues_.push_back(IssueRecord{static_cast<std::int32_t>(versions_.size() - 1)});
  if (indexed_) {
    issue_comments_.emplace_back();
    index_labels(issues_created(), v.labels);
  }
  return static_cast<std::int64_t>(issues_.size());
}

bool GitHubModel::update_issue(Time c, std::int64_t number, const agent::IssuePatch& patch,
                               const Lags& lags) {
  return update_issue(c, number, patch, lags, CloseReason::completed);
}

bool GitHubModel::update_issue(Time c, std::int64_t number, const agent::IssuePatch& patch, const Lags& lags,
                               CloseReason reason) {
  if (number < 1 || number > issues_created()) return false;
  IssueRecord& issue = issues_[static_cast<std::size_t>(number - 1)];
  Version v = versions_[static_cast<std::size_t>(issue.latest)];
  v.visible = visibility(c, lags);
  v.commit = c;
  v.previous = issue.latest;
  if (patch.set_state) v.state = patch.state;
  if (patch.set_state && patch.state == IssueState::closed) v.close_reason = reason;
  if (patch.set_title) v.title = intern_string(patch.title);
  if (patch.set_body && keep_bodies_) v.body = intern_string(patch.body);
  if (patch.set_labels) v.labels = label_mask(patch.labels, true);
  versions_.push_back(v);
  list_visible_from_ = std::min(list_visible_from_, v.visible[static_cast<int>(ReadPath::list)]);
  issue.latest = static_cast<std::int32_t>(versions_.size() - 1);
  if (indexed_) index_labels(number, v.labels);
  return true;
}

std::int64_t GitHubModel::add_comment(Time c, std::int64_t number, std::string_view body,
                                      const Lags& lags) {
  if (number < 1 || number > issues_created()) return 0;
  comments_.push_back(CommentRecord{number, visibility(c, lags), intern_string(body), -1, c});
  if (indexed_)
    issue_comments_[static_cast<std::size_t>(number - 1)].push_back(static_cast<std::int32_t>(comments_.size() - 1));
  return static_cast<std::int64_t>(comments_.size());
}

bool GitHubModel::accepts_labels(const std::vector<std::string>& names) const {
  std::vector<std::string_view> added;
  for (const std::string& name : names) {
    if (find_label(name) >= 0) continue;
    if (std::none_of(added.begin(), added.end(), [&](std::string_view a) { return same_label(a, name); }))
      added.push_back(name);
  }
  return labels_.size() + added.size() <= 64;
}

bool GitHubModel::update_comment(Time c, std::int64_t id, std::string_view body, const Lags& lags) {
  if (id < 1 || id > comments_created()) return false;
  CommentRecord& record = comments_[static_cast<std::size_t>(id - 1)];
  if (comment_deleted(record)) return false;
  comment_edits_.push_back(CommentEdit{visibility(c, lags), c, record.latest_edit, intern_string(body), false});
  record.latest_edit = static_cast<std::int32_t>(comment_edits_.size() - 1);
  return true;
}

bool GitHubModel::delete_comment(Time c, std::int64_t id, const Lags& lags) {
  if (id < 1 || id > comments_created()) return false;
  CommentRecord& record = comments_[static_cast<std::size_t>(id - 1)];
  if (comment_deleted(record)) return false;
  comment_edits_.push_back(CommentEdit{visibility(c, lags), c, record.latest_edit, kNoString, true});
  record.latest_edit = static_cast<std::int32_t>(comment_edits_.size() - 1);
  return true;
}

bool GitHubModel::comment_at(const CommentRecord& c, int p, Time s, std::uint32_t& body, Time& updated) const {
  for (std::int32_t i = c.latest_edit; i >= 0; i = comment_edits_[static_cast<std::size_t>(i)].previous) {
    const CommentEdit& e = comment_edits_[static_cast<std::size_t>(i)];
    if (e.visible[p] > s) continue;
    if (e.deleted) return false;
    body = e.body;
    updated = e.commit;
    return true;
  }
  if (c.visible[p] > s) return false;
  body = c.body;
  updated = c.commit;
  return true;
}

void GitHubModel::view_refs(Time s, std::string_view prefix, std::vector<agent::GitRef>& out) const {
  out.clear();
  std::vector<std::string_view> names;
  for (const RefRecord& r : refs_) {
    const std::string_view name = strings_[r.name];
    if (name.substr(0, prefix.size()) == prefix && std::find(names.begin(), names.end(), name) == names.end())
      names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  agent::GitRef ref;
  for (std::string_view name : names)
    if (get_ref(s, name, ref)) out.push_back(ref);
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
  // A reused issue nearly always held this very title and label (the same
  // issue listed again): comparing is cheaper than std::string's assign.
  assign_if_changed(out.title, strings_[v.title]);
  std::size_t n = 0;
  for (LabelMask m = v.labels; m != 0; m &= m - 1) {  // set bits, lowest first: index order
    const std::string& name = labels_[static_cast<std::size_t>(std::countr_zero(m))];
    if (n < out.labels.size()) {
      assign_if_changed(out.labels[n], name);
    } else {
      out.labels.push_back(name);
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
  for_each_label(labels, [&](std::string_view name) {
    const int bit = find_label(name);
    if (bit < 0) query_known_ = false;
    else query_mask_ |= LabelMask{1} << bit;
  });
}

void GitHubModel::count_visible_comments(ReadPath path, Time s) const {
  const int p = static_cast<int>(path);
  comment_counts_.assign(issues_.size() + 1, 0);
  std::uint32_t body;
  Time updated;
  for (const CommentRecord& c : comments_)
    if (c.latest_edit < 0 ? c.visible[p] <= s : comment_at(c, p, s, body, updated))
      ++comment_counts_[static_cast<std::size_t>(c.issue)];
}

template <bool kRest, class Emit>
bool GitHubModel::walk_list(Time s, const agent::ListIssuesQuery& q, LabelMask required, Time since,
                            std::size_t& shown, std::int64_t* total, Emit&& emit) const {
  const auto matches = [&](const Version& v) {
    if ((v.labels & required) != required) return false;
    if constexpr (kRest) {
      if (v.commit < since) return false;
    }
    return state_matches(q.state, v.state);
  };
  const int per_page = clamp_per_page(q.per_page);
  const std::int64_t skip = (clamp_page(q.page) - 1) * per_page;
  const auto page_size = static_cast<std::size_t>(per_page);
  bool has_next = false;

  // Creation order is number order, so the default listing needs no sort.
  if (q.sort == agent::IssueSort::created) {
    std::int64_t seen = 0;
    const std::int64_t n = issues_created();
    for (std::int64_t k = 0; k < n; ++k) {
      const std::int64_t number = q.direction == agent::SortDirection::desc ? n - k : k + 1;
      const Version* v = visible_version(issues_[static_cast<std::size_t>(number - 1)], ReadPath::list, s);
      if (!v || !matches(*v)) continue;
      if (seen++ < skip) continue;
      if (shown == page_size) {
        has_next = true;
        if constexpr (kRest) continue;
        else return true;
      }
      emit(*v, number);
      ++shown;
    }
    if constexpr (kRest) *total = seen;
    return has_next;
  }

  scratch_.clear();
  for (std::int64_t number = 1; number <= issues_created(); ++number) {
    const Version* v = visible_version(issues_[static_cast<std::size_t>(number - 1)], ReadPath::list, s);
    if (v && matches(*v)) scratch_.emplace_back(number, v);
  }
  if (q.sort == agent::IssueSort::comments) count_visible_comments(ReadPath::list, s);
  const auto key = [&](const std::pair<std::int64_t, const Version*>& e) {
    const std::int64_t comments =
        q.sort == agent::IssueSort::comments ? comment_counts_[static_cast<std::size_t>(e.first)] : 0;
    return sort_key(q.sort, Time{}, e.second->commit, comments);
  };
  std::stable_sort(scratch_.begin(), scratch_.end(), [&](const auto& a, const auto& b) {
    return sorts_before(q.direction, key(a), a.first, key(b), b.first);
  });
  if constexpr (kRest) *total = static_cast<std::int64_t>(scratch_.size());
  for (std::size_t i = static_cast<std::size_t>(skip); i < scratch_.size(); ++i) {
    if (shown == page_size) return true;
    emit(*scratch_[i].second, scratch_[i].first);
    ++shown;
  }
  return false;
}

void GitHubModel::list_issues_walk(Time s, const agent::ListIssuesQuery& q, agent::IssuePage& out) const {
  out.has_next = false;
  // Issues are written into out.issues' existing elements and the rest trimmed
  // on return, so that a reused page keeps the capacity of its strings.
  std::size_t used = 0;
  LabelMask required = 0;
  // (Storing has_next only when true keeps the common path as short as it was.)
  if (s >= list_visible_from_ &&  // else no version shows yet: an empty page
      query_mask(q.labels, required) &&  // else no issue carries an unknown label
      walk_list<false>(s, q, required, Time{}, used, nullptr, [&](const Version& v, std::int64_t number) {
        if (used == out.issues.size()) {
          if (spare_issues_.empty()) {
            out.issues.emplace_back();
          } else {
            out.issues.push_back(std::move(spare_issues_.back()));
            spare_issues_.pop_back();
          }
        }
        fill_issue(v, number, out.issues[used]);
      }))
    out.has_next = true;
  // A page shrinks and grows again nearly every call (empty while the issues
  // are not yet visible, then one or three): the trimmed issues are parked,
  // strings and label vectors with their capacity, rather than destroyed.
  // resize() freed three blocks per issue and fill_issue allocated them again
  // (floor-equivalent: 7 frees and 7 mallocs a trial).
  while (out.issues.size() > used) {
    spare_issues_.push_back(std::move(out.issues.back()));
    out.issues.pop_back();
  }
}

void GitHubModel::list_views(Time s, const agent::ListIssuesQuery& q, Time since, std::vector<IssueView>& out,
                             std::int64_t& total) const {
  if (indexed_) return list_views_indexed(s, q, since, out, total);
  out.clear();
  total = 0;
  LabelMask required = 0;
  if (!query_mask(q.labels, required)) return;
  page_.clear();
  std::size_t shown = 0;
  walk_list<true>(s, q, required, since, shown, &total,
                  [&](const Version& v, std::int64_t number) { page_.emplace_back(number, &v); });
  count_visible_comments(ReadPath::list, s);
  for (const auto& [number, v] : page_) {
    fill_view(*v, number, out.emplace_back());
    out.back().comments = comment_counts_[static_cast<std::size_t>(number)];
  }
}

void GitHubModel::search_views(Time s, const SearchQuery& q, std::vector<IssueView>& out) const {
  if (indexed_) return search_views_indexed(s, q, out);
  out.clear();
  if (q.pull_requests) return;  // the fake has none
  LabelMask required = 0;
  for (const std::string& name : q.labels) {
    const int bit = find_label(trim_label(name));
    if (bit < 0) return;  // no issue carries it
    required |= LabelMask{1} << bit;
  }
  const int p = static_cast<int>(ReadPath::search);
  count_visible_comments(ReadPath::search, s);
  const auto comment_holds = [&](std::int64_t number, const std::string& term) {
    std::uint32_t body;
    Time updated;
    for (const CommentRecord& c : comments_)
      if (c.issue == number && comment_at(c, p, s, body, updated) && holds_term(strings_[body], term)) return true;
    return false;
  };
  for (std::int64_t number = 1; number <= issues_created(); ++number) {
    const Version* v = visible_version(issues_[static_cast<std::size_t>(number - 1)], ReadPath::search, s);
    if (!v) continue;
    if (q.open && (v->state == IssueState::open) != *q.open) continue;
    if ((v->labels & required) != required) continue;
    const std::string_view title = strings_[v->title];
    const std::string_view body =
        v->body == kNoString ? std::string_view{} : std::string_view{strings_[v->body]};
    const bool all_terms = std::all_of(q.terms.begin(), q.terms.end(), [&](const std::string& term) {
      return (q.in_title && holds_term(title, term)) || (q.in_body && holds_term(body, term)) ||
             (q.in_comments && comment_holds(number, term));
    });
    if (!all_terms) continue;
    fill_view(*v, number, out.emplace_back());
    out.back().comments = comment_counts_[static_cast<std::size_t>(number)];
  }
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

void GitHubModel::fill_view(const Version& v, std::int64_t number, IssueView& out) const {
  out.number = number;
  out.version = static_cast<std::int32_t>(&v - versions_.data());
  out.state = v.state;
  out.title = strings_[v.title];
  out.body = v.body == kNoString ? std::string_view{} : std::string_view{strings_[v.body]};
  out.labels = v.labels;
  out.updated_at = v.commit;
  out.closed_at = Time{-1};
  out.reopened = false;
  out.close_reason = v.close_reason;
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
  if (indexed_) {
    out.comments = visible_comments(number, path, s);
    return true;
  }
  const int p = static_cast<int>(path);
  std::uint32_t body;
  Time updated;
  for (const CommentRecord& c : comments_)
    if (c.issue == number && comment_at(c, p, s, body, updated)) ++out.comments;
  return true;
}

bool GitHubModel::view_latest_issue(std::int64_t number, IssueView& out) const {
  if (number < 1 || number > issues_created()) return false;
  fill_view(versions_[static_cast<std::size_t>(issues_[static_cast<std::size_t>(number - 1)].latest)], number, out);
  if (indexed_) {
    out.comments = 0;
    for (const std::int32_t i : issue_comments_[static_cast<std::size_t>(number - 1)])
      if (!comment_deleted(comments_[static_cast<std::size_t>(i)])) ++out.comments;
    return true;
  }
  for (const CommentRecord& c : comments_)
    if (c.issue == number && !comment_deleted(c)) ++out.comments;
  return true;
}

void GitHubModel::view_issues(ReadPath path, Time s, std::vector<IssueView>& out) const {
  out.clear();
  count_visible_comments(path, s);
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
  std::uint32_t body;
  Time updated;
  if (indexed_) {
    if (number < 1 || number > issues_created()) return;
    for (const std::int32_t i : issue_comments_[static_cast<std::size_t>(number - 1)]) {
      const CommentRecord& c = comments_[static_cast<std::size_t>(i)];
      if (comment_at(c, p, s, body, updated))
        out.push_back(CommentView{i + 1, number, c.commit, strings_[body], updated});
    }
    return;
  }
  for (std::size_t i = 0; i < comments_.size(); ++i) {
    const CommentRecord& c = comments_[i];
    if (c.issue != number || !comment_at(c, p, s, body, updated)) continue;
    out.push_back(CommentView{static_cast<std::int64_t>(i + 1), number, c.commit, strings_[body], updated});
  }
}

void GitHubModel::view_all_comments(ReadPath path, Time s, std::vector<CommentView>& out) const {
  out.clear();
  const int p = static_cast<int>(path);
  std::uint32_t body;
  Time updated;
  for (std::size_t i = 0; i < comments_.size(); ++i) {
    const CommentRecord& c = comments_[i];
    if (comment_at(c, p, s, body, updated))
      out.push_back(CommentView{static_cast<std::int64_t>(i + 1), c.issue, c.commit, strings_[body], updated});
  }
}

bool GitHubModel::view_comment(ReadPath path, Time s, std::int64_t id, CommentView& out) const {
  if (id < 1 || id > comments_created()) return false;
  const CommentRecord& c = comments_[static_cast<std::size_t>(id - 1)];
  std::uint32_t body;
  Time updated;
  if (!comment_at(c, static_cast<int>(path), s, body, updated)) return false;
  out = CommentView{id, c.issue, c.commit, strings_[body], updated};
  return true;
}

bool GitHubModel::view_latest_comment(std::int64_t id, CommentView& out) const {
  if (id < 1 || id > comments_created()) return false;
  const CommentRecord& c = comments_[static_cast<std::size_t>(id - 1)];
  if (comment_deleted(c)) return false;
  if (c.latest_edit < 0) {
    out = CommentView{id, c.issue, c.commit, strings_[c.body], c.commit};
  } else {
    const CommentEdit& e = comment_edits_[static_cast<std::size_t>(c.latest_edit)];
    out = CommentView{id, c.issue, c.commit, strings_[e.body], e.commit};
  }
  return true;
}

void GitHubModel::view_issue_history(ReadPath path, Time s, std::int64_t number,
                                     std::vector<IssueView>& out) const {
  out.clear();
  if (number < 1 || number > issues_created()) return;
  const Version* v = visible_version(issues_[static_cast<std::size_t>(number - 1)], path, s);
  if (!v) return;
  for (std::int32_t i = static_cast<std::int32_t>(v - versions_.data()); i >= 0;
       i = versions_[static_cast<std::size_t>(i)].previous)
    fill_view(versions_[static_cast<std::size_t>(i)], number, out.emplace_back());
  std::reverse(out.begin(), out.end());
}

}  // namespace coordsim::sim
