#pragma once
// The fake GitHub: one repository's issues, comments and git refs, with the
// consistency model of DESIGN.md. Writes are strongly consistent (issue numbers
// are allocated at commit, strictly increasing); every write is visible on each
// read path P at commit + lag_P, drawn once per write and path by the caller. A
// read on path P with snapshot s shows, per issue, the latest version whose
// visibility time on P is <= s.
//
// The model knows nothing of clocks or randomness: callers pass the commit or
// snapshot time and the drawn lags, so the simulator and the HTTP server share it.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "agent/github_types.hpp"

namespace coordsim::sim {

struct SearchQuery;

using agent::kReadPathCount;
using agent::ReadPath;
using agent::Time;

using Lags = std::array<agent::Duration, kReadPathCount>;  // indexed by ReadPath

class GitHubModel {
 public:
  // Forgets all state, keeping capacity (one model serves many trials).
  void reset() noexcept;

  // --- writes, at commit time `c` -------------------------------------------
  // Returns the new issue's number.
  std::int64_t create_issue(Time c, const agent::NewIssue& issue, const Lags& lags);
  // Returns false (404) if no such issue exists.
  bool update_issue(Time c, std::int64_t number, const agent::IssuePatch& patch, const Lags& lags);
  // Returns the comment id, or 0 (404) if no such issue exists.
  std::int64_t add_comment(Time c, std::int64_t number, std::string_view body, const Lags& lags);
  // Create-if-absent; false (422 "Reference already exists") if the ref exists.
  bool create_ref(Time c, std::string_view ref, std::string_view sha, agent::Duration refs_lag);

  // --- reads, with snapshot time `s` ----------------------------------------
  // GitHub's list (list_query.hpp); `q.labels` names labels as labels.hpp says.
  // Inline for its common case, a list before any version shows on the list
  // path (the walk's call and frame cost 60 Ir a list).
  void list_issues(Time s, const agent::ListIssuesQuery& q, agent::IssuePage& out) const {
    if (s < list_visible_from_ && out.issues.empty()) [[likely]] {
      out.has_next = false;
      return;
    }
    list_issues_walk(s, q, out);
  }
  // False (404) if the issue is not visible on the get path at s.
  bool get_issue(Time s, std::int64_t number, agent::Issue& out) const;
  bool get_ref(Time s, std::string_view ref, agent::GitRef& out) const;
  // The issue as its latest write left it, as a write's response shows it.
  // False (404) if no such issue exists.
  bool latest_issue(std::int64_t number, agent::Issue& out) const;
  // Whether the last issue write that set labels kept them exactly as the
  // request gave them (spellings, order, no repeats): then the response may
  // copy the request's, which is cheaper than latest_issue on the hot path.
  bool labels_as_given() const noexcept { return labels_as_given_; }

  // --- the true (strongly consistent) state, for metrics ----------------------
  std::int64_t issues_created() const noexcept { return static_cast<std::int64_t>(issues_.size()); }
  std::int64_t issues_open() const noexcept;

  // --- when committed writes become visible, for replays and traces -----------
  // Per read path, when issue `number`'s latest write shows; nullptr if no such issue.
  const std::array<Time, kReadPathCount>* latest_visibility(std::int64_t number) const noexcept {
    if (number < 1 || number > issues_created()) return nullptr;
    return &versions_[static_cast<std::size_t>(issues_[static_cast<std::size_t>(number - 1)].latest)].visible;
  }
  // The same for comment `id`; nullptr if no such comment.
  const std::array<Time, kReadPathCount>* comment_visibility(std::int64_t id) const noexcept {
    if (id < 1 || id > static_cast<std::int64_t>(comments_.size())) return nullptr;
    return &comments_[static_cast<std::size_t>(id - 1)].visible;
  }
  // When `ref` shows on the refs path; false if no such ref.
  bool ref_visibility(std::string_view ref, Time& out) const noexcept {
    for (const RefRecord& r : refs_)
      if (strings_[r.name] == ref) return out = r.visible, true;
    return false;
  }
  // --- what the HTTP server needs beyond the protocols' subset -----------------
  // The simulator never calls these, and the functions above do not pay for them.
  using LabelMask = std::uint64_t;  // bit i is label_name(i)

  // Issue bodies are dropped unless kept: the simulator never reads them, and
  // copying one per create would be a cost on its hot path.
  void keep_bodies(bool keep) noexcept { keep_bodies_ = keep; }
  // `coordsim serve`'s indexes (github_model_serve.cpp): per label, the issues
  // that ever carried it, and per issue, its comments. With them the view_*,
  // list_views and search_views reads cost what they show rather than the
  // whole repository, and touch no mutable state, so that several threads may
  // read one model at once. Before the first write; the simulator never sets it.
  void index_for_serve(bool on) noexcept { indexed_ = on; }

  // Deletes a ref at commit `c`; reads stop showing it `refs_lag` later. False
  // (404 / 422 "Reference does not exist") if it does not exist.
  bool delete_ref(Time c, std::string_view ref, agent::Duration refs_lag);
  // Points an existing ref at `sha`; false if it does not exist. Whether the
  // move is allowed (fast-forward or force) is the caller's decision.
  bool update_ref(Time c, std::string_view ref, std::string_view sha, agent::Duration refs_lag);
  // The ref as its latest write left it. False if it does not exist.
  bool latest_ref(std::string_view ref, agent::GitRef& out) const;

  // GitHub's `state_reason` of a closed issue.
  enum class CloseReason : std::uint8_t { completed, not_planned };
  // update_issue with the reason a close records: a patch that sets the state
  // to closed records `reason` (the simulator's update_issue records
  // `completed`); any other patch keeps the version's reason (GitHub ignores
  // state_reason unless the state is set).
  bool update_issue(Time c, std::int64_t number, const agent::IssuePatch& patch, const Lags& lags,
                    CloseReason reason);
  // Whether issues may carry all of `names` (with the labels they already
  // carry): false when they would make more than 64 distinct labels. A write
  // that would throw std::length_error is refused with this before anything
  // else of it happens.
  bool accepts_labels(const std::vector<std::string>& names) const;

  // Edits and deletes of comments, at commit `c`, visible per path from c +
  // lag on (the comment's other versions until then). False (404) if the
  // comment does not exist or is deleted.
  bool update_comment(Time c, std::int64_t id, std::string_view body, const Lags& lags);
  bool delete_comment(Time c, std::int64_t id, const Lags& lags);

  // Every ref visible on the refs path at `s` whose name starts with
  // `prefix`, sorted by name (git/matching-refs, GET git/refs).
  void view_refs(Time s, std::string_view prefix, std::vector<agent::GitRef>& out) const;

  // An issue as one read path shows it at a snapshot, with the fields the REST
  // shapes carry. The string_views point into the model: valid until its next write.
  struct IssueView {
    std::int64_t number = 0;
    agent::IssueState state = agent::IssueState::open;
    bool reopened = false;  // open again after having been closed
    CloseReason close_reason = CloseReason::completed;  // meaningful while closed
    std::string_view title;
    std::string_view body;  // empty unless keep_bodies(true)
    LabelMask labels = 0;
    Time created_at{};
    Time updated_at{};     // commit of the version shown
    Time closed_at{-1};    // negative while open
    std::int64_t comments = 0;  // comments visible on the same path at the same snapshot
    std::int32_t version = -1;  // which version of the issue this is: a key for caches of its rendering
  };
  struct CommentView {
    std::int64_t id = 0;  // 1, 2, ... per model, in commit order
    std::int64_t issue = 0;
    Time created_at{};
    std::string_view body;
    Time updated_at{};  // the commit of the version shown
  };
  // False if the issue is not visible on `path` at `s` (404 on get).
  bool view_issue(ReadPath path, Time s, std::int64_t number, IssueView& out) const;
  // As the latest write left it (a write's response). False if no such issue.
  bool view_latest_issue(std::int64_t number, IssueView& out) const;
  // Every issue visible on `path` at `s`, in number order.
  void view_issues(ReadPath path, Time s, std::vector<IssueView>& out) const;
  // The REST list: list_issues' filter, order and page, and GitHub's `since`
  // (issues whose shown version was committed at or after it); `total` counts
  // the matches on every page.
  void list_views(Time s, const agent::ListIssuesQuery& q, Time since, std::vector<IssueView>& out,
                  std::int64_t& total) const;
  // The issues on the search path at `s` that `q` matches (its state, labels
  // and free text; not its repos), in number order: the caller merges
  // repositories, sorts and pages.
  void search_views(Time s, const SearchQuery& q, std::vector<IssueView>& out) const;
  // An issue's comments visible on `path` at `s`, oldest first.
  void view_comments(ReadPath path, Time s, std::int64_t number, std::vector<CommentView>& out) const;
  // Every issue's, in id order (a repository's comments).
  void view_all_comments(ReadPath path, Time s, std::vector<CommentView>& out) const;
  // One comment as `path` shows it at `s`; false if not visible (or deleted there).
  bool view_comment(ReadPath path, Time s, std::int64_t id, CommentView& out) const;
  // As its latest write left it; false if no such comment or it is deleted.
  bool view_latest_comment(std::int64_t id, CommentView& out) const;
  // The versions of an issue up to the one `path` shows at `s`, oldest
  // first (an issue's events); empty if it is not visible.
  void view_issue_history(ReadPath path, Time s, std::int64_t number, std::vector<IssueView>& out) const;
  const std::string& label_name(int bit) const { return labels_[static_cast<std::size_t>(bit)]; }
  int label_count() const noexcept { return static_cast<int>(labels_.size()); }
  // The label's bit (names match as labels.hpp says), or -1 if no issue ever carried it.
  int label_bit(std::string_view name) const noexcept { return find_label(name); }
  std::int64_t comments_created() const noexcept { return static_cast<std::int64_t>(comments_.size()); }

 private:
  static constexpr std::uint32_t kNoString = 0xffffffffu;

  struct Version {
    std::array<Time, kReadPathCount> visible;
    Time commit;
    std::int32_t previous;  // index of the older version of the same issue, -1 if none
    std::uint32_t title;    // index into strings_
    LabelMask labels;
    agent::IssueState state;
    CloseReason close_reason;  // in State's padding: a Version stays 64 bytes
    std::uint32_t body;  // index into strings_, kNoString when not kept
  };
  struct IssueRecord {
    std::int32_t latest;  // index into versions_
  };
  struct CommentRecord {
    std::int64_t issue;
    std::array<Time, kReadPathCount> visible;
    std::uint32_t body;
    std::int32_t latest_edit = -1;  // into comment_edits_; -1 while never edited (always, in the simulator)
    Time commit;
  };
  // An edit or a delete of a comment; points back to the comment's previous edit.
  struct CommentEdit {
    std::array<Time, kReadPathCount> visible;
    Time commit;
    std::int32_t previous;
    std::uint32_t body;
    bool deleted;
  };
  // The version of comment `c` that path `p` shows at `s`: false when none
  // (not visible yet, or deleted there).
  bool comment_at(const CommentRecord& c, int p, Time s, std::uint32_t& body, Time& updated) const;
  bool comment_deleted(const CommentRecord& c) const noexcept {
    return c.latest_edit >= 0 && comment_edits_[static_cast<std::size_t>(c.latest_edit)].deleted;
  }
  // One version of a ref; an update or a delete appends a version that points
  // back to the one it replaces.
  struct RefRecord {
    std::uint32_t name;
    std::uint32_t sha;
    Time visible;
    std::int32_t previous = -1;  // older version of the same ref
    bool deleted = false;
  };
  // Index of the latest version of `ref`, or -1.
  std::int32_t find_ref(std::string_view ref) const;
  void fill_view(const Version& v, std::int64_t number, IssueView& out) const;

  std::uint32_t intern_string(std::string_view s);
  int find_label(std::string_view name) const noexcept;
  bool on_an_issue(std::size_t bit) const noexcept;  // some version since reset() carries it
  LabelMask label_mask(const std::vector<std::string>& names, bool create);
  // The mask a comma-separated label query requires; false if it names a label
  // no issue carries.
  bool query_mask(std::string_view labels, LabelMask& out) const {
    if (labels.size() != query_labels_.size() || labels_.size() != query_label_count_ ||
        labels.compare(query_labels_) != 0)
      parse_query(labels);
    out = query_mask_;
    return query_known_;
  }
  void parse_query(std::string_view labels) const;
  // One filter, order and paging for list_issues and list_views: calls
  // emit(version, number) for each issue on the page, counting them in
  // `shown`; returns whether a next page exists. kRest adds `since` and counts
  // every match in *total (the Link header's last page); the simulator's
  // instantiation pays for neither.
  template <bool kRest, class Emit>
  bool walk_list(Time s, const agent::ListIssuesQuery& q, LabelMask required, Time since, std::size_t& shown,
                 std::int64_t* total, Emit&& emit) const;
  // comment_counts_[n]: issue n's comments visible on `path` at `s`.
  void count_visible_comments(ReadPath path, Time s) const;
  void fill_issue(const Version& v, std::int64_t number, agent::Issue& out) const;
  void list_issues_walk(Time s, const agent::ListIssuesQuery& q, agent::IssuePage& out) const;
  const Version* visible_version(const IssueRecord& issue, ReadPath path, Time s) const;

  // The indexed read paths (github_model_serve.cpp).
  void index_labels(std::int64_t number, LabelMask labels);
  // Issue `number`'s comments visible on `path` at `s`.
  std::int64_t visible_comments(std::int64_t number, ReadPath path, Time s) const;
  // The required mask of a label query, without the cache; false if it names
  // a label no issue carries.
  bool query_mask_uncached(std::string_view labels, LabelMask& out) const;
  // Calls f(number) for the issues that can match `required`, ascending or
  // descending: every issue, or those that ever carried its rarest label.
  template <class F>
  void for_each_candidate(LabelMask required, bool descending, F&& f) const;
  void list_views_indexed(Time s, const agent::ListIssuesQuery& q, Time since, std::vector<IssueView>& out,
                          std::int64_t& total) const;
  void search_views_indexed(Time s, const SearchQuery& q, std::vector<IssueView>& out) const;

  bool indexed_ = false;
  std::vector<std::vector<std::int64_t>> label_issues_;  // by label bit: ascending issue numbers
  std::vector<std::vector<std::int32_t>> issue_comments_;  // by number - 1: indices into comments_

  std::vector<IssueRecord> issues_;  // issue n is issues_[n - 1]
  std::vector<Version> versions_;
  std::vector<CommentRecord> comments_;
  std::vector<CommentEdit> comment_edits_;
  std::vector<RefRecord> refs_;
  // Bit i of a LabelMask is labels_[i], one spelling per name. labels_
  // outlives trials; a label's spelling is the first one this trial used
  // (label_mask renames a label no issue of this trial carries).
  std::vector<std::string> labels_;
  bool labels_as_given_ = true;  // of the last write that set labels (label_mask with create)
  // String storage recycled across trials: assigning into a string that has
  // capacity does not allocate.
  std::vector<std::string> strings_;
  std::size_t strings_used_ = 0;
  // Scratch for sorted listings.
  mutable std::vector<std::pair<std::int64_t, const Version*>> scratch_;
  // The last label query and what it parsed to: an agent sends the same query
  // on every list call, and parsing it (a search of labels_ per name) cost half
  // of a short listing. Valid while labels_ has the size it had then: labels
  // are only ever added, and an added one can make an unknown name known (a
  // renamed one keeps its bit, and names match ignoring case).
  mutable std::string query_labels_;
  mutable std::size_t query_label_count_ = 0;
  mutable LabelMask query_mask_ = 0;
  mutable bool query_known_ = true;  // the empty query, on no labels
  bool keep_bodies_ = false;
  mutable std::vector<std::int64_t> comment_counts_;  // scratch: count_visible_comments
  mutable std::vector<std::pair<std::int64_t, const Version*>> page_;  // scratch for list_views
  // Issues list_issues trimmed off a page, kept with their strings' capacity
  // for the next page that grows (list_issues).
  mutable std::vector<agent::Issue> spare_issues_;
  // The earliest time any version shows on the list path (kNoVisibleVersion
  // while there is none): a list before it is empty without a walk. Seed's
  // finds mostly list before any issue shows (a 3-5 s list lag on
  // floor-equivalent): skipping those walks saved 1600 of 19000 Ir a trial.
  static constexpr Time kNoVisibleVersion = Time::max();
  Time list_visible_from_ = kNoVisibleVersion;
};

}  // namespace coordsim::sim
