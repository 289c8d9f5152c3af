#pragma once
// One repository of `coordsim serve`: its model, its labels, files and blobs,
// and its journal. Every write goes through an apply_* function, which applies
// it and records it (with its commit time and drawn lags) in the journal; a
// saved state replays the journal through the same functions, so a replayed
// repository is the one that was saved.
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/time.hpp"
#include "sim/http/rest_render.hpp"
#include "sim/model/github_model.hpp"

namespace coordsim::sim::http {

// One version of a file under contents/: visible on reads from `visible` on.
struct ContentVersion {
  agent::Time visible{};
  std::string content;
  std::string sha;  // the git blob sha, as GitHub reports it
  bool deleted = false;  // DELETE contents: the path reads as absent from `visible` on
};

// One issue version as issue_of renders it, split around its comment count
// (which depends on the read path and snapshot, not on the version).
struct RenderedIssue {
  std::string origin;  // the Urls it was rendered for: URLs in it lead there
  std::uint64_t labels_epoch = 0;
  std::string before_comments;  // up to and with `"comments":`
  std::string after_comments;
};

// POST git/commits: what git stores of a commit (serve's own identity as
// author and committer, at `unix_s`); its sha is git's, of exactly this.
struct StoredCommit {
  std::string tree;
  std::vector<std::string> parents;
  std::string message;
  std::int64_t unix_s = 0;
};

struct Repository {
  mutable std::shared_mutex mutex;  // shared to read, exclusive to write (serve_state.hpp)
  RepoInfo info;
  GitHubModel model;
  std::vector<LabelInfo> labels;
  std::map<std::string, std::vector<ContentVersion>> contents;
  // POST git/blobs, by sha: git objects are content-addressed and immutable,
  // so they have no lag (the agent's ref-lock points its lock ref at one).
  std::map<std::string, std::string> blobs;
  // POST git/commits, by sha: immutable too. The repository's own commits
  // (a branch's, the commit under test) are not here: serve has no copy.
  std::map<std::string, StoredCommit> commits;
  nlohmann::json journal = nlohmann::json::array();  // every write, to save and replay state
  std::uint64_t labels_epoch = 0;  // bumped when a label object changes: renderings showing it are stale
  // Renderings by version (a version never changes): a list renders its page
  // from these, as concatenated text. Its own mutex, as readers share `mutex`.
  mutable std::mutex rendered_mutex;
  mutable std::unordered_map<std::int32_t, std::shared_ptr<const RenderedIssue>> rendered;
  mutable std::size_t rendered_bytes = 0;
  std::uint64_t journal_seq = 0;  // FILE.journal's line of the latest write (0: none since start)
  agent::Time replayed_commit{-1};  // loading: the last entry's commit time, to refuse disorder

  Repository() {
    model.keep_bodies(true);
    model.index_for_serve(true);
  }
};

// The label of that name (labels.hpp: case-insensitive), or nullptr.
const LabelInfo* find_label(const Repository& r, std::string_view name);

void apply_label(Repository& r, LabelInfo l);
// Throws std::length_error past the model's 64 labels on issues.
std::int64_t apply_create_issue(Repository& r, agent::Time c, agent::NewIssue issue, const Lags& lags);
bool apply_update_issue(Repository& r, agent::Time c, std::int64_t number, agent::IssuePatch patch,
                        const Lags& lags, GitHubModel::CloseReason reason = GitHubModel::CloseReason::completed);
std::int64_t apply_comment(Repository& r, agent::Time c, std::int64_t number, const std::string& body,
                           const Lags& lags);
// False when the comment does not exist or is deleted.
bool apply_update_comment(Repository& r, agent::Time c, std::int64_t id, const std::string& body, const Lags& lags);
bool apply_delete_comment(Repository& r, agent::Time c, std::int64_t id, const Lags& lags);
// op: "create_ref", "update_ref" or "delete_ref"; false when the model refuses it.
bool apply_ref(Repository& r, const std::string& op, agent::Time c, const std::string& ref,
               const std::string& sha, agent::Duration lag);
void apply_content(Repository& r, agent::Time c, const std::string& path, const std::string& content,
                   agent::Duration lag);
// The path must exist (its latest version not deleted).
void apply_delete_content(Repository& r, agent::Time c, const std::string& path, agent::Duration lag);
// The path's latest version, or nullptr when it does not exist or is deleted.
const ContentVersion* latest_content(const Repository& r, const std::string& path);
// The blob's sha; the same content is the same object, stored once.
const std::string& apply_blob(Repository& r, const std::string& content);

// The commit's sha; the same commit is the same object, stored once.
const std::string& apply_commit(Repository& r, StoredCommit commit);
// git's commit id: sha1("commit <size>\0" + the object git writes).
std::string git_commit_sha(const StoredCommit& c);
// Who serve says made its commits.
inline constexpr std::string_view kServeCommitterName = "coordsim serve";
inline constexpr std::string_view kServeCommitterEmail = "serve@coordsim.invalid";
// git's empty tree, which every repository has without storing it.
inline constexpr std::string_view kEmptyTree = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";
// 40 (sha-1) or 64 (sha-256) lower-case hex digits.
bool is_object_id(std::string_view s);
// "blob" for a stored blob, "commit" otherwise (a ref's object.type).
std::string_view object_type(const Repository& r, std::string_view sha);

// Applies one saved journal entry; returns its commit time, or a negative
// time for entries without one. Throws on an entry that cannot apply.
agent::Time replay_entry(Repository& r, const nlohmann::json& e);

// git's id of an object: sha1("<type> <size>\0" + content).
std::string git_object_sha(std::string_view type, std::string_view content);
// git's blob id: sha1("blob <size>\0" + content), as GitHub reports contents' sha.
std::string git_blob_sha(std::string_view content);

// Appends issue_of(u, r, v, unix_epoch_us).dump() to `out`, from the
// repository's cache of renderings (~20x faster than rendering: 20 issues a
// page made a list cost 20 renders). The caller holds the repository (shared).
void append_issue_text(const Urls& u, const Repository& r, const GitHubModel::IssueView& v,
                       std::int64_t unix_epoch_us, std::string& out);

// An issue in GitHub's shape, with its labels as the repository's label objects.
nlohmann::json issue_of(const Urls& u, const Repository& r, const GitHubModel::IssueView& v,
                        std::int64_t unix_epoch_us);

}  // namespace coordsim::sim::http
