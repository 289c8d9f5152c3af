#pragma once
// The GitHubApi port over GitHub's REST API (api.github.com, a GitHub
// Enterprise /api/v3 base, or `coordsim serve`): each start_* sends one
// request through the Transport, maps GitHub's JSON to the agent's types and
// its errors to ApiError (status 0 when no response came), and resumes the
// coroutine from the event loop. It never retries: the protocols do, under
// their client policy, so that the simulator and the real runtime retry alike.
//
// Holder tokens. ref-lock creates its lock ref "pointing at" an opaque token
// ("holder:<flavor>") and later compares the ref's sha with it. A real ref must
// point at an existing object, so a create_ref whose sha is not an object id
// first makes an object that names the token, once per token and process, and
// creates the ref at the object's sha (docs/agent.md#the-lock-target):
// * commit target (the default): POST git/commits, the empty tree, no
//   parents, the token on the message's first line. A commit's sha depends on
//   its time stamps, so it is not computed: the client remembers the sha it
//   made (or read back) for each token, and reads a ref's sha it does not know
//   back into a token with GET git/commits/{sha} (once per sha and process).
//   That read is what lets another process of the same flavor (`agent done`,
//   a re-run) see its own lock; a ref at an object that is not a lock commit
//   keeps its sha.
// * blob target: POST git/blobs, content = the token. Equal contents make
//   equal blobs, so the sha is sha1("blob <len>\0<token>") and comparing shas
//   compares tokens; no read-back request.
// get_ref and create_ref translate a sha that stands for a token back into the
// token; any other sha (another flavor's object) is passed through and
// compares unequal.
#include <coroutine>
#include <cstdint>
#include <map>
#include <set>
#include <string>

#include "agent/ports.hpp"
#include "agent/protocol.hpp"
#include "agent/real/http_types.hpp"

namespace coordsim::agent::real {

// "OWNER/NAME" -> owner and name; throws std::invalid_argument naming `what`.
struct RepoName {
  std::string owner;
  std::string name;
  std::string display() const { return owner + "/" + name; }
};
RepoName parse_repo(std::string_view text, std::string_view what);

// How the latest call to an endpoint ended: its status, and GitHub's message
// when it failed.
struct CallOutcome {
  int status = 0;
  std::string message;
};

// A GET's body as text, and whether its Link header names a next page: what
// `coordsim audit` reads (matching refs, blobs, comments) beyond the ports.
struct RawPage {
  std::string body;
  bool has_next = false;
};

// The last x-ratelimit-* a resource ("core", "search") reported.
struct RateLimitSeen {
  std::int64_t limit = -1;
  std::int64_t remaining = -1;  // -1: never reported
  double reset_unix_s = 0;
};

class RestClient final : public GitHubApi {
 public:
  RestClient(Transport& transport, RepoName repo);

  void start_list_issues(const ListIssuesQuery& q, ApiResult<IssuePage>& out, std::coroutine_handle<> h) override;
  void start_get_issue(std::int64_t number, ApiResult<Issue>& out, std::coroutine_handle<> h) override;
  void start_create_issue(const NewIssue& issue, ApiResult<Issue>& out, std::coroutine_handle<> h) override;
  void start_update_issue(std::int64_t number, const IssuePatch& patch, ApiResult<Issue>& out,
                          std::coroutine_handle<> h) override;
  void start_create_comment(std::int64_t number, const std::string& body, ApiResult<Comment>& out,
                            std::coroutine_handle<> h) override;
  void start_create_ref(const std::string& ref, const std::string& sha, ApiResult<GitRef>& out,
                        std::coroutine_handle<> h) override;
  void start_get_ref(const std::string& ref, ApiResult<GitRef>& out, std::coroutine_handle<> h) override;

  // Reads of a ref at this token's blob answer the token, as they do for
  // tokens this client wrote: ref-lock compares a closing ref with this
  // flavor's takeover token, which an earlier process (a re-run's) may have
  // written. Computed locally (a blob's sha), no request. (A lock commit an
  // earlier process made is read back instead: see above.)
  void know_token(const std::string& token);

  // What a holder token's ref points at; commit unless set.
  void set_lock_target(LockTarget target) { lock_target_ = target; }
  LockTarget lock_target() const { return lock_target_; }

  // Beyond the protocols' ports, for `coordsim calibrate`.
  // GET /search/issues?q=...&sort=created&order=desc&per_page=N
  void start_search_issues(const std::string& q, int per_page, ApiResult<IssuePage>& out,
                           std::coroutine_handle<> h);
  // DELETE git/refs/{ref}: 204 -> status 204, value untouched.
  void start_delete_ref(const std::string& ref, ApiResult<GitRef>& out, std::coroutine_handle<> h);
  // POST git/blobs with `content`: the blob's sha in value.sha.
  void start_create_blob(const std::string& content, ApiResult<GitRef>& out, std::coroutine_handle<> h);

  // GET {repo path}{below}, e.g. below = "/git/matching-refs/coordination/abc";
  // the endpoint is counted under `endpoint`.
  void start_get_raw(const char* endpoint, const std::string& below, ApiResult<RawPage>& out,
                     std::coroutine_handle<> h);

  auto get_raw(const char* endpoint, const std::string& below, ApiResult<RawPage>& into) {
    return port_call_into(into, [this, endpoint, &below](auto& out, std::coroutine_handle<> h) {
      start_get_raw(endpoint, below, out, h);
    });
  }
  auto search_issues(const std::string& q, int per_page, ApiResult<IssuePage>& into) {
    return port_call_into(into, [this, &q, per_page](auto& out, std::coroutine_handle<> h) {
      start_search_issues(q, per_page, out, h);
    });
  }
  auto delete_ref(const std::string& ref, ApiResult<GitRef>& into) {
    return port_call_into(into, [this, &ref](auto& out, std::coroutine_handle<> h) { start_delete_ref(ref, out, h); });
  }
  auto create_blob(const std::string& content, ApiResult<GitRef>& into) {
    return port_call_into(
        into, [this, &content](auto& out, std::coroutine_handle<> h) { start_create_blob(content, out, h); });
  }

  // HTTP requests sent, by endpoint name (list_issues, ..., create_blob).
  const std::map<std::string, std::int64_t>& calls() const { return calls_; }
  std::int64_t total_calls() const { return total_calls_; }
  // The last failed call's error (status 0 and empty when none failed).
  const ApiError& last_error() const { return last_error_; }
  const std::string& last_error_endpoint() const { return last_error_endpoint_; }
  // The latest call to `endpoint`, or nullptr when there was none.
  const CallOutcome* last_outcome(const std::string& endpoint) const {
    const auto it = outcomes_.find(endpoint);
    return it == outcomes_.end() ? nullptr : &it->second;
  }
  const RateLimitSeen& rate_limit(const std::string& resource) { return rate_limits_[resource]; }
  const std::string& repo_path() const { return repo_path_; }
  const RepoName& repo() const { return repo_; }

  // The token a holder object (blob or commit) stands for, as far as this
  // client knows without a request, or `sha` itself.
  std::string token_for(const std::string& sha) const;

 private:
  template <class T, class Parse>
  void call(const char* endpoint, HttpRequest request, ApiResult<T>& out, std::coroutine_handle<> h,
            Parse parse);
  // As call(), then `then` instead of resuming the coroutine.
  template <class T, class Parse, class Then>
  void call_then(const char* endpoint, HttpRequest request, ApiResult<T>& out, Parse parse, Then then);
  void send_create_ref(const std::string& ref, const std::string& object_sha, ApiResult<GitRef>& out,
                       std::coroutine_handle<> h);
  // POST `request` (git/blobs or git/commits) for `token`, then the ref's create.
  void make_holder_object(const char* endpoint, HttpRequest request, const std::string& ref,
                          const std::string& token, ApiResult<GitRef>& out, std::coroutine_handle<> h);
  // After a ref read: a commit sha this client cannot map is read back
  // (GET git/commits/{sha}) for the token its message names; then resumes.
  void read_back_token(ApiResult<GitRef>& out, std::coroutine_handle<> h);
  void learn(const std::string& sha, const std::string& token);
  void observe(const HttpResponse& r);
  // `endpoint`'s last outcome, and, when it failed, the last error the report names.
  void record(const char* endpoint, int status, const ApiError& error);

  Transport& transport_;
  RepoName repo_;
  std::string repo_path_;  // "/repos/owner/name", encoded
  std::map<std::string, std::int64_t> calls_;
  std::int64_t total_calls_ = 0;
  ApiError last_error_;
  std::string last_error_endpoint_;
  std::map<std::string, RateLimitSeen> rate_limits_;
  std::map<std::string, CallOutcome> outcomes_;
  LockTarget lock_target_ = LockTarget::commit;
  std::map<std::string, std::string> token_of_object_;  // blob or commit sha -> holder token
  // holder token -> the sha its refs point at: the object GitHub confirmed
  // making, or (commit target) the lock commit naming it read back last.
  std::map<std::string, std::string> object_made_;
  // Shas that stand for no token: read back and found no lock commit, or the
  // caller's own objects (create_blob, create_ref at an object id).
  std::set<std::string> not_lock_commit_;
};

// Seconds since the Unix epoch, from the system clock (x-ratelimit-reset).
double unix_now_s();

}  // namespace coordsim::agent::real
