#include "sim/http/rest_render.hpp"

#include "sim/http/query.hpp"

namespace coordsim::sim::http {

using nlohmann::json;

namespace {

constexpr std::int64_t kIdStride = 1'000'000'000;  // ids per repository

std::string repo_path(const RepoInfo& r) { return "/repos/" + r.owner + "/" + r.name; }

json timestamp(std::int64_t unix_epoch_us, Time t) {
  return format_timestamp(unix_epoch_us + t.count());
}

// GitHub's node ids are opaque base64 strings; clients only pass them back.
std::string node_id(std::string_view kind, std::int64_t id) {
  return base64_encode(std::string(kind) + ":" + std::to_string(id));
}

}  // namespace

std::int64_t issue_id(const RepoInfo& r, std::int64_t number) { return r.id * kIdStride + number; }
std::int64_t comment_id(const RepoInfo& r, std::int64_t comment) {
  return r.id * kIdStride + kIdStride / 2 + comment;
}

json error_json(std::string_view message, std::string_view documentation_url) {
  return {{"message", message}, {"documentation_url", documentation_url}};
}

json validation_failed(std::string_view resource, std::string_view field, std::string_view code,
                       std::string_view message) {
  json e = {{"resource", resource}, {"field", field}, {"code", code}};
  if (!message.empty()) e["message"] = message;
  return {{"message", "Validation Failed"}, {"errors", json::array({e})}, {"documentation_url", kDocsUrl}};
}

json user_json(const Urls& u) {
  // The fake has one user: every token acts as it.
  return {{"login", "coordsim"},
          {"id", 1},
          {"node_id", node_id("User", 1)},
          {"avatar_url", ""},
          {"gravatar_id", ""},
          {"url", u.api() + "/users/coordsim"},
          {"html_url", u.origin + "/coordsim"},
          {"type", "User"},
          {"site_admin", false}};
}

json repo_json(const Urls& u, const RepoInfo& r, std::int64_t open_issues) {
  const std::string api = u.api() + repo_path(r);
  const std::string created = format_timestamp(r.created_unix_us);
  json owner = user_json(u);
  owner["login"] = r.owner;
  owner["url"] = u.api() + "/users/" + r.owner;
  owner["html_url"] = u.origin + "/" + r.owner;
  return {{"id", r.id},
          {"node_id", node_id("Repository", r.id)},
          {"name", r.name},
          {"full_name", r.owner + "/" + r.name},
          {"owner", owner},
          {"private", false},
          {"html_url", u.origin + "/" + r.owner + "/" + r.name},
          {"description", nullptr},
          {"fork", false},
          {"url", api},
          {"issues_url", api + "/issues{/number}"},
          {"issue_comment_url", api + "/issues/comments{/number}"},
          {"labels_url", api + "/labels{/name}"},
          {"git_refs_url", api + "/git/refs{/sha}"},
          {"contents_url", api + "/contents/{+path}"},
          {"created_at", created},
          {"updated_at", created},
          {"pushed_at", created},
          {"default_branch", "main"},
          {"has_issues", true},
          {"archived", false},
          {"disabled", false},
          {"visibility", "public"},
          {"open_issues_count", open_issues},
          {"open_issues", open_issues},
          {"permissions", {{"admin", true}, {"maintain", true}, {"push", true}, {"triage", true}, {"pull", true}}}};
}

json label_json(const Urls& u, const RepoInfo& r, const LabelInfo& l) {
  return {{"id", l.id},
          {"node_id", node_id("Label", l.id)},
          {"url", u.api() + repo_path(r) + "/labels/" + percent_encode(l.name)},
          {"name", l.name},
          {"color", l.color},
          {"default", false},
          {"description", l.has_description ? json(l.description) : json(nullptr)}};
}

json issue_json(const Urls& u, const RepoInfo& r, const GitHubModel::IssueView& v, json labels,
                std::int64_t unix_epoch_us) {
  const std::string repo_api = u.api() + repo_path(r);
  const std::string url = repo_api + "/issues/" + std::to_string(v.number);
  const bool closed = v.state == agent::IssueState::closed;
  json state_reason = nullptr;
  if (closed) {
    state_reason = v.close_reason == GitHubModel::CloseReason::not_planned ? "not_planned" : "completed";
  } else if (v.reopened) {
    state_reason = "reopened";
  }
  return {{"url", url},
          {"repository_url", repo_api},
          {"labels_url", url + "/labels{/name}"},
          {"comments_url", url + "/comments"},
          {"events_url", url + "/events"},
          {"html_url", u.origin + "/" + r.owner + "/" + r.name + "/issues/" + std::to_string(v.number)},
          {"id", issue_id(r, v.number)},
          {"node_id", node_id("Issue", issue_id(r, v.number))},
          {"number", v.number},
          {"title", v.title},
          {"user", user_json(u)},
          {"labels", std::move(labels)},
          {"state", closed ? "closed" : "open"},
          {"state_reason", state_reason},
          {"locked", false},
          {"assignee", nullptr},
          {"assignees", json::array()},
          {"milestone", nullptr},
          {"comments", v.comments},
          {"created_at", timestamp(unix_epoch_us, v.created_at)},
          {"updated_at", timestamp(unix_epoch_us, v.updated_at)},
          {"closed_at", closed ? timestamp(unix_epoch_us, v.closed_at) : json(nullptr)},
          {"closed_by", nullptr},
          {"author_association", "OWNER"},
          {"active_lock_reason", nullptr},
          {"body", v.body.empty() ? json(nullptr) : json(v.body)}};
}

json comment_json(const Urls& u, const RepoInfo& r, const GitHubModel::CommentView& c,
                  std::int64_t unix_epoch_us) {
  const std::string repo_api = u.api() + repo_path(r);
  const std::int64_t id = comment_id(r, c.id);
  return {{"id", id},
          {"node_id", node_id("IssueComment", id)},
          {"url", repo_api + "/issues/comments/" + std::to_string(id)},
          {"html_url", u.origin + "/" + r.owner + "/" + r.name + "/issues/" + std::to_string(c.issue) +
                           "#issuecomment-" + std::to_string(id)},
          {"issue_url", repo_api + "/issues/" + std::to_string(c.issue)},
          {"body", c.body},
          {"user", user_json(u)},
          {"created_at", timestamp(unix_epoch_us, c.created_at)},
          {"updated_at", timestamp(unix_epoch_us, c.updated_at)},
          {"author_association", "OWNER"}};
}

json ref_json(const Urls& u, const RepoInfo& r, std::string_view ref, std::string_view sha, std::string_view type) {
  const std::string repo_api = u.api() + repo_path(r);
  return {{"ref", ref},
          {"node_id", node_id("Ref", static_cast<std::int64_t>(std::hash<std::string_view>{}(ref) >> 12))},
          {"url", repo_api + "/git/" + std::string(ref)},
          {"object",
           {{"sha", sha}, {"type", type}, {"url", repo_api + "/git/" + std::string(type) + "s/" + std::string(sha)}}}};
}

json api_root_json(const Urls& u) {
  const std::string a = u.api();
  return {{"current_user_url", a + "/user"},
          {"emojis_url", a + "/emojis"},
          {"issue_search_url", a + "/search/issues?q={query}{&page,per_page,sort,order}"},
          {"rate_limit_url", a + "/rate_limit"},
          {"repository_url", a + "/repos/{owner}/{repo}"},
          {"user_url", a + "/users/{user}"}};
}

}  // namespace coordsim::sim::http
