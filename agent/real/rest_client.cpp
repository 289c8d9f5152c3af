#include "agent/real/rest_client.hpp"

#include <charconv>
#include <chrono>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "agent/real/rest_json.hpp"
#include "agent/real/url.hpp"

namespace coordsim::agent::real {

using nlohmann::json;

namespace {

bool is_2xx(int status) { return status >= 200 && status < 300; }

bool valid_repo_part(std::string_view s) {
  if (s.empty() || s == "." || s == "..") return false;
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                    c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

std::int64_t int_header(const HttpResponse& r, std::string_view name, std::int64_t fallback) {
  const std::string_view v = r.header(name);
  std::int64_t value = 0;
  const auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), value);
  return v.empty() || ec != std::errc{} || p != v.data() + v.size() ? fallback : value;
}

}  // namespace

double unix_now_s() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

RepoName parse_repo(std::string_view text, std::string_view what) {
  const auto slash = text.find('/');
  if (slash == std::string_view::npos || text.find('/', slash + 1) != std::string_view::npos)
    throw std::invalid_argument(std::string(what) + ": expected OWNER/NAME, got '" + std::string(text) + "'");
  RepoName r{std::string(text.substr(0, slash)), std::string(text.substr(slash + 1))};
  if (!valid_repo_part(r.owner) || !valid_repo_part(r.name))
    throw std::invalid_argument(std::string(what) + ": expected OWNER/NAME made of letters, digits, '-', '_' and '.', got '" +
                                std::string(text) + "'");
  return r;
}

RestClient::RestClient(Transport& transport, RepoName repo)
    : transport_(transport), repo_(std::move(repo)), repo_path_(real::repo_path(repo_.owner, repo_.name)) {}

std::string RestClient::token_for(const std::string& sha) const {
  const auto it = token_of_object_.find(sha);
  return it == token_of_object_.end() ? sha : it->second;
}

void RestClient::learn(const std::string& sha, const std::string& token) {
  token_of_object_[sha] = token;
  // The latest wins: `agent done` reads its generations oldest first, and the
  // done marker of the one it holds must point where that lock does.
  object_made_[token] = sha;
}

void RestClient::record(const char* endpoint, int status, const ApiError& error) {
  const bool ok = is_2xx(status);
  outcomes_[endpoint] = CallOutcome{status, ok ? std::string() : error.message};
  if (!ok) {
    last_error_ = error;
    last_error_endpoint_ = endpoint;
  }
}

void RestClient::observe(const HttpResponse& r) {
  if (!r.has_header("x-ratelimit-remaining")) return;
  std::string resource(r.header("x-ratelimit-resource"));
  if (resource.empty()) resource = "core";
  RateLimitSeen& seen = rate_limits_[resource];
  seen.limit = int_header(r, "x-ratelimit-limit", seen.limit);
  seen.remaining = int_header(r, "x-ratelimit-remaining", seen.remaining);
  seen.reset_unix_s = static_cast<double>(int_header(r, "x-ratelimit-reset", static_cast<std::int64_t>(seen.reset_unix_s)));
}

template <class T, class Parse, class Then>
void RestClient::call_then(const char* endpoint, HttpRequest request, ApiResult<T>& out, Parse parse, Then then) {
  ++calls_[endpoint];
  ++total_calls_;
  transport_.send(std::move(request), [this, endpoint, &out, parse = std::move(parse),
                                       then = std::move(then)](HttpResponse r) mutable {
    observe(r);
    if (is_2xx(r.status)) {
      try {
        parse(r, out.value);
        out.status = r.status;
      } catch (const std::exception& e) {
        // A 2xx we cannot read: as ambiguous as no answer at all.
        out.status = 0;
        out.error = ApiError{0, std::string("unreadable ") + endpoint + " response: " + e.what(), {}};
      }
    } else {
      out.status = r.status;
      out.error = api_error_from_response(r, unix_now_s());
    }
    record(endpoint, out.status, out.error);
    then();
  });
}

template <class T, class Parse>
void RestClient::call(const char* endpoint, HttpRequest request, ApiResult<T>& out, std::coroutine_handle<> h,
                      Parse parse) {
  call_then(endpoint, std::move(request), out, std::move(parse), [h] { h.resume(); });
}

void RestClient::start_list_issues(const ListIssuesQuery& q, ApiResult<IssuePage>& out, std::coroutine_handle<> h) {
  call("list_issues", HttpRequest{"GET", list_issues_target(repo_path_, q), {}}, out, h,
       [](const HttpResponse& r, IssuePage& page) { page = issue_page_from_response(r); });
}

void RestClient::start_get_issue(std::int64_t number, ApiResult<Issue>& out, std::coroutine_handle<> h) {
  call("get_issue", HttpRequest{"GET", repo_path_ + "/issues/" + std::to_string(number), {}}, out, h,
       [](const HttpResponse& r, Issue& issue) { issue = issue_from_json(json::parse(r.body)); });
}

void RestClient::start_create_issue(const NewIssue& issue, ApiResult<Issue>& out, std::coroutine_handle<> h) {
  call("create_issue", HttpRequest{"POST", repo_path_ + "/issues", new_issue_body(issue)}, out, h,
       [](const HttpResponse& r, Issue& v) { v = issue_from_json(json::parse(r.body)); });
}

void RestClient::start_update_issue(std::int64_t number, const IssuePatch& patch, ApiResult<Issue>& out,
                                    std::coroutine_handle<> h) {
  call("update_issue",
       HttpRequest{"PATCH", repo_path_ + "/issues/" + std::to_string(number), issue_patch_body(patch)}, out, h,
       [](const HttpResponse& r, Issue& v) { v = issue_from_json(json::parse(r.body)); });
}

void RestClient::start_create_comment(std::int64_t number, const std::string& body, ApiResult<Comment>& out,
                                      std::coroutine_handle<> h) {
  call("create_comment",
       HttpRequest{"POST", repo_path_ + "/issues/" + std::to_string(number) + "/comments", comment_body(body)}, out,
       h, [](const HttpResponse& r, Comment& c) { c = comment_from_json(json::parse(r.body)); });
}

void RestClient::send_create_ref(const std::string& ref, const std::string& object_sha, ApiResult<GitRef>& out,
                                 std::coroutine_handle<> h) {
  call("create_ref", HttpRequest{"POST", repo_path_ + "/git/refs", create_ref_body(ref, object_sha)}, out, h,
       [this](const HttpResponse& r, GitRef& v) {
         v = ref_from_json(json::parse(r.body));
         v.sha = token_for(v.sha);
       });
}

void RestClient::start_create_ref(const std::string& ref, const std::string& sha, ApiResult<GitRef>& out,
                                  std::coroutine_handle<> h) {
  if (is_object_id(sha)) {
    // The caller's own object (calibrate's marker blob, a test's sha): no
    // token, so reading a ref at it back needs no request.
    not_lock_commit_.insert(sha);
    return send_create_ref(ref, sha, out, h);
  }
  // A holder token: the ref points at an object naming it (see the header).
  // Its blob's sha is known without a request, whichever target this client
  // uses: a flavor's earlier, blob-target lock still reads as its own.
  token_of_object_[git_blob_sha(sha)] = sha;
  if (const auto it = object_made_.find(sha); it != object_made_.end()) return send_create_ref(ref, it->second, out, h);
  if (lock_target_ == LockTarget::blob)
    return make_holder_object("create_blob", HttpRequest{"POST", repo_path_ + "/git/blobs", create_blob_body(sha)},
                              ref, sha, out, h);
  make_holder_object("create_commit",
                     HttpRequest{"POST", repo_path_ + "/git/commits", create_lock_commit_body(sha)}, ref, sha, out, h);
}

void RestClient::make_holder_object(const char* endpoint, HttpRequest request, const std::string& ref,
                                    const std::string& token, ApiResult<GitRef>& out, std::coroutine_handle<> h) {
  ++calls_[endpoint];
  ++total_calls_;
  transport_.send(std::move(request), [this, endpoint, ref, token, &out, h](HttpResponse r) {
    observe(r);
    if (is_2xx(r.status)) {
      const json j = json::parse(r.body, nullptr, false);
      if (j.is_object() && j.contains("sha") && j["sha"].is_string() && is_object_id(j["sha"].get<std::string>())) {
        // A blob's sha is the one computed above; should a server compute
        // another, its answer wins. A commit's is only known from the answer.
        learn(j["sha"].get<std::string>(), token);
        outcomes_[endpoint] = CallOutcome{r.status, ""};
        // The ref's create is a second request; it resumes the coroutine.
        send_create_ref(ref, object_made_[token], out, h);
        return;
      }
      out.status = 0;
      out.error = ApiError{0, std::string("unreadable ") + endpoint + " response: no \"sha\"", {}};
    } else {
      out.status = r.status;
      out.error = api_error_from_response(r, unix_now_s());
    }
    record(endpoint, out.status, out.error);
    h.resume();
  });
}

void RestClient::know_token(const std::string& token) { token_of_object_[git_blob_sha(token)] = token; }

void RestClient::start_get_ref(const std::string& ref, ApiResult<GitRef>& out, std::coroutine_handle<> h) {
  call_then(
      "get_ref", HttpRequest{"GET", get_ref_target(repo_path_, ref), {}}, out,
      [this](const HttpResponse& r, GitRef& v) {
        v = ref_from_json(json::parse(r.body));
        v.sha = token_for(v.sha);
      },
      [this, &out, h] {
        if (out.ok()) return read_back_token(out, h);
        h.resume();
      });
}

void RestClient::read_back_token(ApiResult<GitRef>& out, std::coroutine_handle<> h) {
  const std::string sha = out.value.sha;
  // Mapped already (a token), blob target (its shas are computed, and a
  // commit is nobody's lock under it), or read back before: nothing to ask.
  if (lock_target_ != LockTarget::commit || !is_object_id(sha) || not_lock_commit_.count(sha)) return h.resume();
  ++calls_["get_commit"];
  ++total_calls_;
  transport_.send(HttpRequest{"GET", repo_path_ + "/git/commits/" + sha, {}}, [this, sha, &out, h](HttpResponse r) {
    observe(r);
    if (is_2xx(r.status)) {
      const json j = json::parse(r.body, nullptr, false);
      std::string token;
      if (j.is_object() && j.contains("message") && j["message"].is_string())
        token = token_of_lock_commit_message(j["message"].get<std::string>());
      if (token.empty() || is_object_id(token)) {
        not_lock_commit_.insert(sha);
      } else {
        learn(sha, token);
        out.value.sha = token;
      }
      outcomes_["get_commit"] = CallOutcome{r.status, ""};
    } else if (r.status == 404 || r.status == 422) {
      // Not a commit (a blob of a flavor on the blob target, a tag): it keeps
      // its sha, which compares unequal with every token. Remembered: objects
      // are immutable, and one a visible ref points at was made before it.
      not_lock_commit_.insert(sha);
      outcomes_["get_commit"] = CallOutcome{r.status, ""};
    } else {
      // Unknown whose lock it is: the read failed, and the protocol retries it
      // under its client policy as any failed read.
      out.status = r.status;
      out.error = api_error_from_response(r, unix_now_s());
      record("get_commit", out.status, out.error);
    }
    h.resume();
  });
}

void RestClient::start_search_issues(const std::string& q, int per_page, ApiResult<IssuePage>& out,
                                     std::coroutine_handle<> h) {
  call("search_issues",
       HttpRequest{"GET",
                   "/search/issues?q=" + percent_encode(q) + "&sort=created&order=desc&per_page=" +
                       std::to_string(per_page),
                   {}},
       out, h, [](const HttpResponse& r, IssuePage& page) { page = search_page_from_response(r); });
}

void RestClient::start_get_raw(const char* endpoint, const std::string& below, ApiResult<RawPage>& out,
                               std::coroutine_handle<> h) {
  call(endpoint, HttpRequest{"GET", repo_path_ + below, {}}, out, h, [](const HttpResponse& r, RawPage& page) {
    page.body = r.body;
    page.has_next = link_has_next(r.header("link"));
  });
}

void RestClient::start_delete_ref(const std::string& ref, ApiResult<GitRef>& out, std::coroutine_handle<> h) {
  std::string_view name = ref;
  if (name.substr(0, 5) == "refs/") name.remove_prefix(5);
  call("delete_ref", HttpRequest{"DELETE", repo_path_ + "/git/refs/" + percent_encode(name, true), {}}, out, h,
       [](const HttpResponse&, GitRef&) {});
}

void RestClient::start_create_blob(const std::string& content, ApiResult<GitRef>& out, std::coroutine_handle<> h) {
  call("create_blob", HttpRequest{"POST", repo_path_ + "/git/blobs", create_blob_body(content)}, out, h,
       [this](const HttpResponse& r, GitRef& v) {
         const json j = json::parse(r.body);
         v.ref.clear();
         v.sha = j.at("sha").get<std::string>();
         not_lock_commit_.insert(v.sha);  // a blob, and ours: nobody's lock commit
       });
}

}  // namespace coordsim::agent::real
