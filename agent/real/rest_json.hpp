#pragma once
// GitHub's REST shapes <-> the agent's plain types, and GitHub's error and
// rate-limit answers -> ApiError. Pure functions over strings: the REST client
// calls them, the unit tests check them against GitHub's documented shapes.
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "agent/github_types.hpp"
#include "agent/real/http_types.hpp"

namespace coordsim::agent::real {

// An issue object: number, state, title, labels (objects with "name", or
// plain strings). Throws std::runtime_error when a required field is missing.
Issue issue_from_json(const nlohmann::json& j);
// Whether an item of GET /issues is a pull request (GitHub lists both).
bool is_pull_request(const nlohmann::json& j);
// GET /repos/{o}/{r}/issues: the array (pull requests left out) and whether
// the Link header has rel="next".
IssuePage issue_page_from_response(const HttpResponse& r);
// GET /search/issues: {"total_count", "incomplete_results", "items": [...]}.
IssuePage search_page_from_response(const HttpResponse& r);
// A git reference: {"ref": "refs/...", "object": {"sha": ..., "type": ...}}.
GitRef ref_from_json(const nlohmann::json& j);
Comment comment_from_json(const nlohmann::json& j);

// Request bodies.
std::string new_issue_body(const NewIssue& issue);
std::string issue_patch_body(const IssuePatch& patch);  // only the fields set
std::string comment_body(std::string_view body);
std::string create_ref_body(std::string_view ref, std::string_view sha);
std::string create_blob_body(std::string_view content);  // utf-8 encoding
// POST git/commits for a lock target: {message: lock_commit_message(token),
// tree: the empty tree, parents: []}.
std::string create_lock_commit_body(std::string_view token);

// git's empty tree: every repository knows it without storing it (git
// hard-codes it), so a commit of it needs no tree made first and no commit
// under test to exist.
inline constexpr std::string_view kEmptyTreeSha = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";
// A lock commit's message: the token on its first line, then a line saying
// what the commit is for (a reader of the repository's refs sees it).
std::string lock_commit_message(std::string_view token);
// The token a lock commit's message names, or "" when the message is not one
// (its second paragraph does not start with the marker lock_commit_message writes).
std::string token_of_lock_commit_message(std::string_view message);

// Targets (below the API base).
std::string repo_path(std::string_view owner, std::string_view name);  // "/repos/o/r", encoded
std::string list_issues_target(std::string_view repo, const ListIssuesQuery& q);
// GET git/ref/{ref without "refs/"}: the exact-match endpoint.
std::string get_ref_target(std::string_view repo, std::string_view ref);

// Whether a Link header has a rel="next" link.
bool link_has_next(std::string_view link);

// The error a non-2xx response (or no response) means to a protocol: status,
// GitHub's "message" (or the transport's description), and how long to wait:
// `retry-after` seconds when present; else, when x-ratelimit-remaining is 0,
// x-ratelimit-reset (UTC epoch seconds) minus `now_unix_s`; else, for a
// secondary rate limit (429, or a 403 saying so), GitHub's "at least one
// minute". `now_unix_s` is passed in so tests can fix it.
ApiError api_error_from_response(const HttpResponse& r, double now_unix_s);

// git's object id of a blob: sha1("blob <size>\0<content>"), lower-case hex.
std::string git_blob_sha(std::string_view content);
// Whether `s` is an object id (40 or 64 hex digits) rather than a holder token
// such as "holder:linux" (see RestClient).
bool is_object_id(std::string_view s);

}  // namespace coordsim::agent::real
