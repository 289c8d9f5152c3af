#pragma once
// GitHub REST v3 JSON shapes: the fields PyGithub and Octokit read, with
// absolute URLs under the base the client used, so that a client following
// `url`, `comments_url` or a Link header stays on this server.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/model/github_model.hpp"

namespace coordsim::sim::http {

// Where the client reached us: "http://127.0.0.1:8080" + "/api/v3".
struct Urls {
  std::string origin;  // scheme://host[:port]
  std::string api() const { return origin + "/api/v3"; }
};

struct RepoInfo {
  std::int64_t id = 0;
  std::string owner;  // as first used
  std::string name;
  std::int64_t created_unix_us = 0;
};

struct LabelInfo {
  std::int64_t id = 0;
  std::string name;
  std::string color = "ededed";  // GitHub's colour for labels made by using them
  std::string description;
  bool has_description = false;
};

// GitHub's error documentation links, as its error bodies carry them.
inline constexpr const char* kDocsUrl = "https://docs.github.com/rest";

nlohmann::json error_json(std::string_view message, std::string_view documentation_url = kDocsUrl);
// 422 {"message":"Validation Failed","errors":[{resource, field, code}]}
nlohmann::json validation_failed(std::string_view resource, std::string_view field, std::string_view code,
                                 std::string_view message = {});

nlohmann::json user_json(const Urls& u);
nlohmann::json repo_json(const Urls& u, const RepoInfo& r, std::int64_t open_issues);
nlohmann::json label_json(const Urls& u, const RepoInfo& r, const LabelInfo& l);
// `labels` are the issue's label objects; `unix_epoch_us` is the wall time at
// model time 0.
nlohmann::json issue_json(const Urls& u, const RepoInfo& r, const GitHubModel::IssueView& v,
                          nlohmann::json labels, std::int64_t unix_epoch_us);
nlohmann::json comment_json(const Urls& u, const RepoInfo& r, const GitHubModel::CommentView& c,
                            std::int64_t unix_epoch_us);
// `type`: the object's ("commit", or "blob" for a ref at a stored blob).
nlohmann::json ref_json(const Urls& u, const RepoInfo& r, std::string_view ref, std::string_view sha,
                        std::string_view type = "commit");
// GET / : the API root's URL templates.
nlohmann::json api_root_json(const Urls& u);

// Unique across repositories (clients key caches on ids): the repository's id
// in the high digits.
std::int64_t issue_id(const RepoInfo& r, std::int64_t number);
std::int64_t comment_id(const RepoInfo& r, std::int64_t comment);

}  // namespace coordsim::sim::http
