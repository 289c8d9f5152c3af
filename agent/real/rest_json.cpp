#include "agent/real/rest_json.hpp"

#include <openssl/evp.h>

#include <charconv>
#include <cmath>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "agent/real/url.hpp"

namespace coordsim::agent::real {

using nlohmann::json;

namespace {

const json& field(const json& j, const char* name, const char* what) {
  const auto it = j.find(name);
  if (it == j.end()) throw std::runtime_error(std::string(what) + " without \"" + name + "\"");
  return *it;
}

json parse_body(const HttpResponse& r, const char* what) {
  json j = json::parse(r.body, nullptr, false);
  if (j.is_discarded()) throw std::runtime_error(std::string(what) + ": the response is not JSON");
  return j;
}

std::optional<double> number_header(const HttpResponse& r, std::string_view name) {
  const std::string_view v = r.header(name);
  if (v.empty()) return std::nullopt;
  double value = 0;
  const auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), value);
  if (ec != std::errc{} || p != v.data() + v.size()) return std::nullopt;
  return value;
}

const char* state_name(StateFilter s) {
  switch (s) {
    case StateFilter::open: return "open";
    case StateFilter::closed: return "closed";
    case StateFilter::all: return "all";
  }
  return "open";
}
const char* sort_name(IssueSort s) {
  switch (s) {
    case IssueSort::created: return "created";
    case IssueSort::updated: return "updated";
    case IssueSort::comments: return "comments";
  }
  return "created";
}

}  // namespace

Issue issue_from_json(const json& j) {
  if (!j.is_object()) throw std::runtime_error("an issue that is not a JSON object");
  Issue issue;
  issue.number = field(j, "number", "issue").get<std::int64_t>();
  issue.title = field(j, "title", "issue").get<std::string>();
  const std::string state = field(j, "state", "issue").get<std::string>();
  issue.state = state == "closed" ? IssueState::closed : IssueState::open;
  if (const auto it = j.find("labels"); it != j.end() && it->is_array()) {
    for (const json& l : *it) {
      if (l.is_string()) issue.labels.push_back(l.get<std::string>());
      else if (l.is_object() && l.contains("name") && l["name"].is_string()) issue.labels.push_back(l["name"].get<std::string>());
    }
  }
  return issue;
}

bool is_pull_request(const json& j) { return j.is_object() && j.contains("pull_request"); }

IssuePage issue_page_from_response(const HttpResponse& r) {
  const json j = parse_body(r, "list issues");
  if (!j.is_array()) throw std::runtime_error("list issues: expected a JSON array");
  IssuePage page;
  for (const json& item : j)
    if (!is_pull_request(item)) page.issues.push_back(issue_from_json(item));
  page.has_next = link_has_next(r.header("link"));
  return page;
}

IssuePage search_page_from_response(const HttpResponse& r) {
  const json j = parse_body(r, "search issues");
  if (!j.is_object()) throw std::runtime_error("search issues: expected a JSON object");
  IssuePage page;
  for (const json& item : field(j, "items", "search result"))
    if (!is_pull_request(item)) page.issues.push_back(issue_from_json(item));
  page.has_next = link_has_next(r.header("link"));
  return page;
}

GitRef ref_from_json(const json& j) {
  if (!j.is_object()) throw std::runtime_error("a git reference that is not a JSON object");
  GitRef ref;
  ref.ref = field(j, "ref", "git reference").get<std::string>();
  ref.sha = field(field(j, "object", "git reference"), "sha", "git reference object").get<std::string>();
  return ref;
}

Comment comment_from_json(const json& j) {
  Comment c;
  c.id = field(j, "id", "comment").get<std::int64_t>();
  return c;
}

std::string new_issue_body(const NewIssue& issue) {
  json j = {{"title", issue.title}, {"body", issue.body}};
  if (!issue.labels.empty()) j["labels"] = issue.labels;
  return j.dump();
}

std::string issue_patch_body(const IssuePatch& patch) {
  json j = json::object();
  if (patch.set_state) j["state"] = patch.state == IssueState::closed ? "closed" : "open";
  if (patch.set_title) j["title"] = patch.title;
  if (patch.set_body) j["body"] = patch.body;
  if (patch.set_labels) j["labels"] = patch.labels;
  return j.dump();
}

std::string comment_body(std::string_view body) { return json{{"body", body}}.dump(); }

std::string create_ref_body(std::string_view ref, std::string_view sha) {
  return json{{"ref", ref}, {"sha", sha}}.dump();
}

std::string create_blob_body(std::string_view content) {
  return json{{"content", content}, {"encoding", "utf-8"}}.dump();
}

namespace {
constexpr std::string_view kLockCommitMarker = "coordsim ref-lock:";
}  // namespace

std::string lock_commit_message(std::string_view token) {
  return std::string(token) + "\n\n" + std::string(kLockCommitMarker) +
         " a lock ref points at this commit; the first line is its holder token.\n";
}

std::string token_of_lock_commit_message(std::string_view message) {
  const auto eol = message.find('\n');
  if (eol == std::string_view::npos || eol == 0) return "";
  std::string_view rest = message.substr(eol);
  // GitHub keeps a message as sent; a server that folds "\r\n" or trims
  // blank lines still leaves the marker's line after the token.
  while (!rest.empty() && (rest.front() == '\n' || rest.front() == '\r')) rest.remove_prefix(1);
  if (rest.substr(0, kLockCommitMarker.size()) != kLockCommitMarker) return "";
  std::string_view token = message.substr(0, eol);
  if (!token.empty() && token.back() == '\r') token.remove_suffix(1);
  return std::string(token);
}

std::string create_lock_commit_body(std::string_view token) {
  return json{{"message", lock_commit_message(token)}, {"tree", kEmptyTreeSha}, {"parents", json::array()}}.dump();
}

std::string repo_path(std::string_view owner, std::string_view name) {
  return "/repos/" + percent_encode(owner) + "/" + percent_encode(name);
}

std::string list_issues_target(std::string_view repo, const ListIssuesQuery& q) {
  std::string t(repo);
  t += "/issues?state=";
  t += state_name(q.state);
  if (!q.labels.empty()) {
    // Each name encoded, the commas kept: GitHub's documented form is labels=a,b.
    t += "&labels=";
    std::string_view rest = q.labels;
    for (bool first = true;; first = false) {
      const auto comma = rest.find(',');
      if (!first) t += ',';
      t += percent_encode(rest.substr(0, comma));
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  t += "&sort=";
  t += sort_name(q.sort);
  t += "&direction=";
  t += q.direction == SortDirection::asc ? "asc" : "desc";
  t += "&per_page=" + std::to_string(q.per_page) + "&page=" + std::to_string(q.page);
  return t;
}

std::string get_ref_target(std::string_view repo, std::string_view ref) {
  if (ref.substr(0, 5) == "refs/") ref.remove_prefix(5);
  return std::string(repo) + "/git/ref/" + percent_encode(ref, true);
}

bool link_has_next(std::string_view link) {
  // <url>; rel="next", <url>; rel="last"
  for (std::size_t pos = 0; (pos = link.find("rel=", pos)) != std::string_view::npos; pos += 4) {
    std::string_view v = link.substr(pos + 4);
    if (!v.empty() && v.front() == '"') v.remove_prefix(1);
    // rel can hold several space-separated values: rel="next last" is legal.
    const auto end = v.find_first_of("\";,");
    std::string_view rels = v.substr(0, end);
    for (std::size_t i = 0; i <= rels.size();) {
      const auto sp = rels.find(' ', i);
      if (rels.substr(i, sp == std::string_view::npos ? std::string_view::npos : sp - i) == "next") return true;
      if (sp == std::string_view::npos) break;
      i = sp + 1;
    }
  }
  return false;
}

ApiError api_error_from_response(const HttpResponse& r, double now_unix_s) {
  ApiError e;
  e.status = r.status;
  if (r.status == 0) {
    e.message = r.error.empty() ? "no response" : r.error;
    return e;
  }
  const json j = json::parse(r.body, nullptr, false);
  if (j.is_object() && j.contains("message") && j["message"].is_string()) {
    e.message = j["message"].get<std::string>();
  } else {
    e.message = "HTTP " + std::to_string(r.status) + " (no GitHub error message in the response)";
  }
  if (const auto retry_after = number_header(r, "retry-after"); retry_after && *retry_after >= 0) {
    e.retry_after = Duration(static_cast<std::int64_t>(std::ceil(*retry_after * 1e6)));
    return e;
  }
  const auto remaining = number_header(r, "x-ratelimit-remaining");
  const auto reset = number_header(r, "x-ratelimit-reset");
  if (remaining && *remaining == 0 && reset && (r.status == 403 || r.status == 429)) {
    const double wait_s = std::max(0.0, *reset - now_unix_s);
    e.retry_after = Duration(static_cast<std::int64_t>(std::ceil(wait_s * 1e6)));
    // The reset may already have passed (clock skew): still a rate limit, so
    // keep it recognisable as one with a minimal wait.
    if (e.retry_after <= Duration::zero()) e.retry_after = Duration(1'000'000);
    return e;
  }
  const bool secondary = r.status == 429 || (r.status == 403 && e.message.find("secondary rate limit") != std::string::npos);
  if (secondary) e.retry_after = Duration(60'000'000);
  return e;
}

std::string git_blob_sha(std::string_view content) {
  const std::string header = "blob " + std::to_string(content.size()) + std::string(1, '\0');
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (!ctx) throw std::bad_alloc();
  const bool ok = EVP_DigestInit_ex(ctx, EVP_sha1(), nullptr) == 1 &&
                  EVP_DigestUpdate(ctx, header.data(), header.size()) == 1 &&
                  EVP_DigestUpdate(ctx, content.data(), content.size()) == 1 &&
                  EVP_DigestFinal_ex(ctx, digest, &length) == 1;
  EVP_MD_CTX_free(ctx);
  if (!ok) throw std::runtime_error("sha1 failed");
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < length; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 15]);
  }
  return out;
}

bool is_object_id(std::string_view s) {
  if (s.size() != 40 && s.size() != 64) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) return false;
  return true;
}

}  // namespace coordsim::agent::real
