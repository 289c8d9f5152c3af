// The real runtime's pure parts, without sockets: URL and proxy settings,
// GitHub's JSON shapes, rate-limit headers -> ApiError, token handling and
// redaction, the REST client's holder-token mapping over a scripted transport,
// and calibrate's lag estimates.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <deque>
#include <fstream>
#include <functional>
#include <map>

#include <nlohmann/json.hpp>

#include "agent/client_policy.hpp"
#include "agent/real/rest_json.hpp"
#include "agent/real/lag_model.hpp"
#include "agent/real/rest_client.hpp"
#include "agent/real/token.hpp"
#include "agent/real/url.hpp"

using namespace coordsim;
using namespace coordsim::agent::real;
using nlohmann::json;

namespace {

HttpResponse response(int status, std::string body, std::vector<std::pair<std::string, std::string>> headers = {}) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

// Answers from a script, and delivers the answers only when run() is called:
// like the event loop, never from within send().
struct ScriptedTransport final : Transport {
  std::vector<HttpRequest> sent;
  std::function<HttpResponse(const HttpRequest&)> answer;
  std::deque<std::function<void()>> ready;
  void send(HttpRequest request, Callback done) override {
    sent.push_back(request);
    HttpResponse r = answer(request);
    ready.push_back([done = std::move(done), r = std::move(r)] { done(r); });
  }
  void expire(std::string) override {}
  void run() {
    while (!ready.empty()) {
      auto f = std::move(ready.front());
      ready.pop_front();
      f();
    }
  }
};

template <class T>
agent::Task<void> await_into(T awaitable, bool& done) {
  co_await std::move(awaitable);
  done = true;
}

// Runs one port call to completion through the scripted transport.
template <class Awaitable>
void complete(ScriptedTransport& t, Awaitable a) {
  bool done = false;
  auto task = await_into(std::move(a), done);
  task.start();
  CHECK_FALSE(done);  // resumed later, never from within start_*
  t.run();
  REQUIRE(done);
}

}  // namespace

TEST_CASE("api URL: scheme, host, port, base path", "[real]") {
  const Url gh = parse_api_url("https://api.github.com", "--api-url");
  CHECK(gh.tls());
  CHECK(gh.host == "api.github.com");
  CHECK(gh.port == 443);
  CHECK(gh.path.empty());
  CHECK(gh.authority() == "api.github.com");

  const Url ghe = parse_api_url("http://127.0.0.1:8080/api/v3/", "--api-url");
  CHECK_FALSE(ghe.tls());
  CHECK(ghe.port == 8080);
  CHECK(ghe.path == "/api/v3");
  CHECK(ghe.authority() == "127.0.0.1:8080");
  CHECK(ghe.display() == "http://127.0.0.1:8080/api/v3");

  CHECK(parse_api_url("HTTPS://[::1]:8443/api/v3", "--api-url").host == "::1");
  CHECK_THROWS_WITH(parse_api_url("api.github.com", "--api-url"), Catch::Contains("--api-url: expected http://"));
  CHECK_THROWS_WITH(parse_api_url("ftp://x", "--api-url"), Catch::Contains("must be http or https"));
  CHECK_THROWS_WITH(parse_api_url("http://x:0", "--api-url"), Catch::Contains("port must be a number"));
  CHECK_THROWS_WITH(parse_api_url("http://x:99999", "--api-url"), Catch::Contains("port must be a number"));
  // Credentials in the URL are refused without being repeated.
  try {
    parse_api_url("https://user:s3cr3t-pass@ghe.example/api/v3", "--api-url");
    FAIL("accepted credentials");
  } catch (const std::invalid_argument& e) {
    CHECK(std::string(e.what()).find("s3cr3t") == std::string::npos);
    CHECK_THAT(e.what(), Catch::Contains("GITHUB_TOKEN"));
  }
}

TEST_CASE("proxy from the environment: HTTPS_PROXY, HTTP_PROXY, NO_PROXY", "[real]") {
  const Url https = parse_api_url("https://api.github.com", "--api-url");
  const Url http = parse_api_url("http://127.0.0.1:8080/api/v3", "--api-url");
  std::string used;

  auto p = proxy_for(https, {{"HTTPS_PROXY", "http://proxy.corp:3128"}}, &used);
  REQUIRE(p);
  CHECK(p->host == "proxy.corp");
  CHECK(p->port == 3128);
  CHECK(used == "HTTPS_PROXY");
  // Lower case first, as curl; a scheme-less value is http://; 1080 by default.
  p = proxy_for(https, {{"HTTPS_PROXY", "http://upper:1"}, {"https_proxy", "lower"}}, &used);
  REQUIRE(p);
  CHECK(p->host == "lower");
  CHECK(p->port == 1080);
  CHECK(used == "https_proxy");
  // An http target uses HTTP_PROXY, never HTTPS_PROXY.
  CHECK_FALSE(proxy_for(http, {{"HTTPS_PROXY", "http://proxy:1"}}));
  CHECK(proxy_for(http, {{"http_proxy", "http://proxy:1"}}));
  // Empty values count as unset.
  CHECK_FALSE(proxy_for(https, {{"HTTPS_PROXY", ""}}));

  CHECK_FALSE(proxy_for(https, {{"HTTPS_PROXY", "http://p:1"}, {"NO_PROXY", "github.com"}}));
  CHECK_FALSE(proxy_for(https, {{"HTTPS_PROXY", "http://p:1"}, {"no_proxy", ".github.com"}}));
  CHECK_FALSE(proxy_for(https, {{"HTTPS_PROXY", "http://p:1"}, {"NO_PROXY", "*"}}));
  CHECK(proxy_for(https, {{"HTTPS_PROXY", "http://p:1"}, {"NO_PROXY", "hub.com,example.org"}}));

  CHECK(no_proxy_matches("localhost, 127.0.0.1", "127.0.0.1", 8080));
  CHECK(no_proxy_matches("127.0.0.1:8080", "127.0.0.1", 8080));
  CHECK_FALSE(no_proxy_matches("127.0.0.1:9090", "127.0.0.1", 8080));
  CHECK(no_proxy_matches("10.0.0.0/8", "10.1.2.3", 443));
  CHECK_FALSE(no_proxy_matches("10.0.0.0/8", "11.1.2.3", 443));
  CHECK(no_proxy_matches("[::1]", "::1", 443));
  CHECK(no_proxy_matches("EXAMPLE.com", "api.example.COM", 443));
  CHECK_FALSE(no_proxy_matches("example.com", "notexample.com", 443));

  // Proxy credentials are decoded, sent as Proxy-Authorization, and never printed.
  clear_secrets();
  p = proxy_for(https, {{"HTTPS_PROXY", "http://bob:pa%40ss-w0rd@proxy:8080"}});
  REQUIRE(p);
  CHECK(p->userinfo == "bob:pa@ss-w0rd");
  CHECK(p->display() == "http://proxy:8080");
  CHECK(redact("auth pa@ss-w0rd") == "auth ***");
  clear_secrets();
  CHECK_THROWS_WITH(proxy_for(https, {{"HTTPS_PROXY", "https://p:1"}}), Catch::Contains("only http:// proxies"));
}

TEST_CASE("GitHub JSON shapes -> agent types", "[real]") {
  const json issue = json::parse(R"({"id": 1, "number": 42, "title": "[coordsim] abc by linux", "state": "open",
      "labels": [{"id": 7, "name": "autonomous-coordination", "color": "ededed"}, "plain"],
      "user": {"login": "x"}, "body": null})");
  const agent::Issue i = issue_from_json(issue);
  CHECK(i.number == 42);
  CHECK(i.state == agent::IssueState::open);
  CHECK(i.title == "[coordsim] abc by linux");
  CHECK(i.labels == std::vector<std::string>{"autonomous-coordination", "plain"});
  CHECK(issue_from_json(json::parse(R"({"number":1,"title":"t","state":"closed"})")).state ==
        agent::IssueState::closed);
  CHECK_THROWS(issue_from_json(json::parse(R"({"title":"t","state":"open"})")));

  // Lists hold pull requests too; the protocols want issues.
  HttpResponse list = response(200, R"([{"number":3,"title":"a","state":"open","labels":[]},
      {"number":2,"title":"pr","state":"open","labels":[],"pull_request":{"url":"x"}}])",
                               {{"link", R"(<https://api.github.com/repositories/1/issues?page=2>; rel="next", <https://api.github.com/repositories/1/issues?page=5>; rel="last")"}});
  const agent::IssuePage page = issue_page_from_response(list);
  REQUIRE(page.issues.size() == 1);
  CHECK(page.issues[0].number == 3);
  CHECK(page.has_next);
  CHECK_FALSE(link_has_next(R"(<https://x/?page=1>; rel="prev", <https://x/?page=1>; rel="first")"));
  CHECK(link_has_next(R"(<https://x/?page=3>; rel="next last")"));
  CHECK_FALSE(link_has_next(""));

  const HttpResponse search = response(200, R"({"total_count":1,"incomplete_results":false,
      "items":[{"number":9,"title":"m","state":"open","labels":[],"score":1.0}]})");
  CHECK(search_page_from_response(search).issues.at(0).number == 9);

  const agent::GitRef ref = ref_from_json(json::parse(
      R"({"ref":"refs/coordination/abc","node_id":"x","object":{"sha":"aa218f56b14c9653891f9e74264a383fa43fefbd","type":"blob"}})"));
  CHECK(ref.ref == "refs/coordination/abc");
  CHECK(ref.sha == "aa218f56b14c9653891f9e74264a383fa43fefbd");

  CHECK(json::parse(new_issue_body({"t", "b", {"l1", "l2"}})) == json::parse(R"({"title":"t","body":"b","labels":["l1","l2"]})"));
  agent::IssuePatch close;
  close.set_state = true;
  close.state = agent::IssueState::closed;
  CHECK(issue_patch_body(close) == R"({"state":"closed"})");
  CHECK(json::parse(create_ref_body("refs/x/y", "abc")) == json::parse(R"({"ref":"refs/x/y","sha":"abc"})"));
  CHECK(json::parse(create_blob_body("holder:a")) == json::parse(R"({"content":"holder:a","encoding":"utf-8"})"));

  agent::ListIssuesQuery q;
  q.labels = "autonomous-coordination,commit-46e71ff2";
  CHECK(list_issues_target("/repos/o/r", q) ==
        "/repos/o/r/issues?state=open&labels=autonomous-coordination,commit-46e71ff2&sort=created&direction=desc"
        "&per_page=30&page=1");
  q.labels = "a b&c";
  CHECK(list_issues_target("/repos/o/r", q).find("labels=a%20b%26c&") != std::string::npos);
  CHECK(get_ref_target("/repos/o/r", "refs/coordination/abc/sig") == "/repos/o/r/git/ref/coordination/abc/sig");
}

TEST_CASE("errors and rate-limit headers -> ApiError", "[real]") {
  const double now = 1'700'000'000.0;
  // No response: status 0 with the transport's words.
  HttpResponse none;
  none.error = "GET /repos/o/r/issues: receiving from h:443: timed out after 30 s";
  agent::ApiError e = api_error_from_response(none, now);
  CHECK(e.status == 0);
  CHECK(e.message == none.error);
  CHECK(agent::is_transient(0, e));

  e = api_error_from_response(response(422, R"({"message":"Reference already exists","documentation_url":"x"})"), now);
  CHECK(e.status == 422);
  CHECK(e.message == "Reference already exists");
  CHECK(e.retry_after == agent::Duration::zero());
  CHECK_FALSE(agent::is_transient(422, e));

  // retry-after wins.
  e = api_error_from_response(
      response(403, R"({"message":"You have exceeded a secondary rate limit."})",
               {{"retry-after", "17"}, {"x-ratelimit-remaining", "0"}, {"x-ratelimit-reset", "1700000100"}}),
      now);
  CHECK(e.retry_after == agent::Duration(17'000'000));
  CHECK(agent::is_rate_limited(403, e));

  // Primary limit: until x-ratelimit-reset.
  e = api_error_from_response(response(403, R"({"message":"API rate limit exceeded for user ID 1."})",
                                       {{"x-ratelimit-remaining", "0"}, {"x-ratelimit-reset", "1700000042"}}),
                              now);
  CHECK(e.retry_after == agent::Duration(42'000'000));
  agent::RetryBudget budget;
  // The client policy sleeps at least that long (its backoff would be ~1 s).
  const auto delay = agent::next_retry(agent::RetryPolicy{}, budget, 403, e, 0.5);
  REQUIRE(delay);
  CHECK(*delay == agent::Duration(42'000'000));
  // A reset already past (clock skew) is still a rate limit, with a short wait.
  e = api_error_from_response(response(429, "{}", {{"x-ratelimit-remaining", "0"}, {"x-ratelimit-reset", "1"}}), now);
  CHECK(e.retry_after == agent::Duration(1'000'000));
  // remaining > 0: not the primary limit; a secondary one says so, and gets a minute.
  e = api_error_from_response(
      response(403, R"({"message":"You have exceeded a secondary rate limit. Please wait a few minutes."})",
               {{"x-ratelimit-remaining", "4000"}, {"x-ratelimit-reset", "1700003600"}}),
      now);
  CHECK(e.retry_after == agent::Duration(60'000'000));
  // A plain 403 is a permission problem: no wait, not retried.
  e = api_error_from_response(response(403, R"({"message":"Resource not accessible by integration"})",
                                       {{"x-ratelimit-remaining", "999"}}),
                              now);
  CHECK(e.retry_after == agent::Duration::zero());
  CHECK_FALSE(agent::is_transient(403, e));
  // Not GitHub's JSON (a proxy's error page).
  e = api_error_from_response(response(502, "<html>Bad Gateway</html>"), now);
  CHECK(e.message.find("HTTP 502") == 0);
  CHECK(agent::is_transient(502, e));
}

TEST_CASE("git blob ids", "[real]") {
  CHECK(git_blob_sha("hello\n") == "ce013625030ba8dba906f756967f9e9ca394464a");  // echo hello | git hash-object --stdin
  CHECK(git_blob_sha("holder:linux") == "cf693b25841ca883caefddc2d1daa1cae56f9976");
  CHECK(git_blob_sha("") == "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391");
  CHECK(is_object_id("e69de29bb2d1d6434b8b29ae775ad8c2e48c5391"));
  CHECK(is_object_id(std::string(64, 'a')));
  CHECK_FALSE(is_object_id("holder:linux"));
  CHECK_FALSE(is_object_id("e69de29bb2d1d6434b8b29ae775ad8c2e48c539g"));
}

TEST_CASE("token: sources, validation, redaction", "[real]") {
  clear_secrets();
  const std::string secret = "ghp_TestToken0123456789abcdef";
  const std::string file = "test-token-file.txt";
  {
    std::ofstream out(file);
    out << secret << "\n";
  }
  const Token t = load_token(file);
  CHECK(t.value == secret);
  CHECK(t.source == TokenSource::token_file);
  CHECK(redact("Authorization: Bearer " + secret + " twice " + secret) == "Authorization: Bearer *** twice ***");
  CHECK(redact("nothing secret") == "nothing secret");

  {
    std::ofstream out(file);
    out << "ghp_bad token\n";
  }
  try {
    load_token(file);
    FAIL("accepted a token with a space");
  } catch (const std::invalid_argument& e) {
    CHECK_THAT(e.what(), Catch::Contains("spaces or control characters"));
    CHECK(std::string(e.what()).find("ghp_bad") == std::string::npos);
  }
  {
    std::ofstream out(file);
    out << "\n";
  }
  CHECK_THROWS_WITH(load_token(file), Catch::Contains("the token is empty"));
  // Read up to 64 KiB, never more (a wrong file or a device read until bad_alloc).
  {
    std::ofstream out(file);
    out << std::string(70'000, 'a');
  }
  CHECK_THROWS_WITH(load_token(file), Catch::Contains("larger than 64 KiB"));
  {
    std::ofstream out(file);
    out << std::string(64 << 10, 'a');
  }
  CHECK(load_token(file).value.size() == std::size_t{64} << 10);
  std::remove(file.c_str());
  CHECK_THROWS_WITH(load_token(file), Catch::Contains("cannot be read"));

  // GITHUB_TOKEN before GH_TOKEN; neither: anonymous.
  const char* saved_github = std::getenv("GITHUB_TOKEN");
  const char* saved_gh = std::getenv("GH_TOKEN");
  const std::string keep_github = saved_github ? saved_github : "", keep_gh = saved_gh ? saved_gh : "";
  ::setenv("GITHUB_TOKEN", "from-github-token-env", 1);
  ::setenv("GH_TOKEN", "from-gh-token-env", 1);
  CHECK(load_token("").value == "from-github-token-env");
  CHECK(load_token("").source == TokenSource::github_token_env);
  ::setenv("GITHUB_TOKEN", "", 1);
  CHECK(load_token("").source == TokenSource::gh_token_env);
  ::unsetenv("GITHUB_TOKEN");
  ::unsetenv("GH_TOKEN");
  CHECK(load_token("").source == TokenSource::none);
  if (saved_github) ::setenv("GITHUB_TOKEN", keep_github.c_str(), 1);
  if (saved_gh) ::setenv("GH_TOKEN", keep_gh.c_str(), 1);
  clear_secrets();
}

TEST_CASE("REST client, blob target: holder tokens become blobs, and blob shas tokens again", "[real]") {
  ScriptedTransport t;
  const std::string blob_a = git_blob_sha("holder:linux");
  const std::string blob_b = git_blob_sha("holder:windows");
  t.answer = [&](const HttpRequest& r) {
    if (r.method == "POST" && r.target == "/repos/acme/widgets/git/blobs")
      return response(201, json{{"sha", git_blob_sha(json::parse(r.body)["content"].get<std::string>())}}.dump());
    if (r.method == "POST" && r.target == "/repos/acme/widgets/git/refs") {
      const json b = json::parse(r.body);
      if (b["ref"] == "refs/coordination/taken") return response(422, R"({"message":"Reference already exists"})");
      return response(201, json{{"ref", b["ref"]}, {"object", {{"sha", b["sha"]}, {"type", "blob"}}}}.dump());
    }
    if (r.method == "GET" && r.target == "/repos/acme/widgets/git/ref/coordination/mine")
      return response(200, json{{"ref", "refs/coordination/mine"}, {"object", {{"sha", blob_a}}}}.dump());
    if (r.method == "GET" && r.target == "/repos/acme/widgets/git/ref/coordination/theirs")
      return response(200, json{{"ref", "refs/coordination/theirs"}, {"object", {{"sha", blob_b}}}}.dump());
    return response(404, R"({"message":"Not Found"})");
  };
  RestClient client(t, parse_repo("acme/widgets", "--repo"));
  client.set_lock_target(agent::LockTarget::blob);
  agent::ApiResult<agent::GitRef> out;
  const std::string token = "holder:linux";
  const std::string lock = "refs/coordination/mine";
  complete(t, client.create_ref(lock, token, out));
  CHECK(out.status == 201);
  CHECK(out.value.sha == token);
  REQUIRE(t.sent.size() == 2);
  CHECK(t.sent[0].target == "/repos/acme/widgets/git/blobs");
  CHECK(json::parse(t.sent[1].body)["sha"] == blob_a);

  // The blob is made once per token.
  const std::string taken = "refs/coordination/taken";
  complete(t, client.create_ref(taken, token, out));
  CHECK(t.sent.size() == 3);
  CHECK(out.status == 422);
  CHECK(out.error.message == "Reference already exists");

  complete(t, client.get_ref(lock, out));
  CHECK(out.ok());
  CHECK(out.value.sha == token);
  // Another flavor's blob is not a token this client knows: it stays a sha,
  // and compares unequal with ours.
  const std::string theirs = "refs/coordination/theirs";
  complete(t, client.get_ref(theirs, out));
  CHECK(out.value.sha == blob_b);
  const std::string missing = "refs/coordination/none";
  complete(t, client.get_ref(missing, out));
  CHECK(out.status == 404);
  CHECK(client.calls().at("create_blob") == 1);
  CHECK(client.calls().at("create_ref") == 2);
  CHECK(client.calls().at("get_ref") == 3);
  CHECK(client.total_calls() == 6);

  // No response at all: status 0 with the transport's description.
  t.answer = [](const HttpRequest&) {
    HttpResponse r;
    r.error = "connection refused";
    return r;
  };
  agent::ApiResult<agent::Issue> issue;
  complete(t, client.get_issue(7, issue));
  CHECK(issue.status == 0);
  CHECK(issue.error.message == "connection refused");
  // A 2xx that cannot be read is as ambiguous as no answer.
  t.answer = [](const HttpRequest&) { return response(201, "not json"); };
  agent::NewIssue n{"t", "b", {}};
  complete(t, client.create_issue(n, issue));
  CHECK(issue.status == 0);
  CHECK_THAT(issue.error.message, Catch::Contains("unreadable create_issue response"));
}

TEST_CASE("lock commit messages name their token", "[real]") {
  const std::string m = lock_commit_message("holder:linux");
  CHECK(m.rfind("holder:linux\n\ncoordsim ref-lock:", 0) == 0);
  CHECK(token_of_lock_commit_message(m) == "holder:linux");
  CHECK(token_of_lock_commit_message("takeover:a b\r\n\r\ncoordsim ref-lock: x") == "takeover:a b");
  CHECK(token_of_lock_commit_message("Initial commit") == "");
  CHECK(token_of_lock_commit_message("holder:linux\n\nsomething else") == "");
  CHECK(token_of_lock_commit_message("\ncoordsim ref-lock:") == "");
  const json body = json::parse(create_lock_commit_body("holder:linux"));
  CHECK(body["tree"] == "4b825dc642cb6eb9a060e54bf8d69288fbee4904");
  CHECK(body["parents"] == json::array());
  CHECK(body["message"] == m);
}

TEST_CASE("REST client, commit target: tokens become lock commits, read back once per sha", "[real]") {
  ScriptedTransport t;
  const std::string ours = std::string(39, 'a') + "1";
  const std::string theirs = std::string(39, 'b') + "2";
  const std::string plain = std::string(39, 'c') + "3";  // a commit that is nobody's lock
  const std::string blob = git_blob_sha("something");      // not a commit at all
  int made = 0;
  int commit_5xx = 0;  // GET git/commits answers 502 this many times first
  const auto message_of = [&](const std::string& sha) -> std::string {
    if (sha == ours) return lock_commit_message("holder:linux");
    if (sha == theirs) return lock_commit_message("holder:windows");
    return "Initial commit\n";
  };
  std::map<std::string, std::string> refs{{"refs/coordination/theirs", theirs},
                                          {"refs/coordination/plain", plain},
                                          {"refs/coordination/blob", blob}};
  t.answer = [&](const HttpRequest& r) {
    const std::string repo = "/repos/acme/widgets";
    if (r.method == "POST" && r.target == repo + "/git/commits") {
      ++made;
      return response(201, json{{"sha", ours}}.dump());
    }
    if (r.method == "POST" && r.target == repo + "/git/refs") {
      const json b = json::parse(r.body);
      if (refs.count(b["ref"])) return response(422, R"({"message":"Reference already exists"})");
      refs[b["ref"]] = b["sha"];
      return response(201, json{{"ref", b["ref"]}, {"object", {{"sha", b["sha"]}, {"type", "commit"}}}}.dump());
    }
    const std::string ref_prefix = repo + "/git/ref/";
    if (r.method == "GET" && r.target.rfind(ref_prefix, 0) == 0) {
      const std::string ref = "refs/" + r.target.substr(ref_prefix.size());
      if (!refs.count(ref)) return response(404, R"({"message":"Not Found"})");
      return response(200, json{{"ref", ref}, {"object", {{"sha", refs[ref]}, {"type", "commit"}}}}.dump());
    }
    const std::string commits = repo + "/git/commits/";
    if (r.method == "GET" && r.target.rfind(commits, 0) == 0) {
      const std::string sha = r.target.substr(commits.size());
      if (commit_5xx > 0) {
        --commit_5xx;
        return response(502, R"({"message":"Bad Gateway"})");
      }
      if (sha == blob) return response(422, R"({"message":"Object is not a commit"})");
      return response(200, json{{"sha", sha}, {"message", message_of(sha)}}.dump());
    }
    return response(404, R"({"message":"Not Found"})");
  };
  const auto count = [](const RestClient& c, const char* endpoint) {
    const auto it = c.calls().find(endpoint);
    return it == c.calls().end() ? 0 : it->second;
  };

  RestClient client(t, parse_repo("acme/widgets", "--repo"));
  CHECK(client.lock_target() == agent::LockTarget::commit);  // the default
  agent::ApiResult<agent::GitRef> out;
  const std::string token = "holder:linux";
  complete(t, client.create_ref("refs/coordination/mine", token, out));
  CHECK(out.status == 201);
  CHECK(out.value.sha == token);
  REQUIRE(t.sent.size() == 2);
  const json commit = json::parse(t.sent[0].body);
  CHECK(commit["tree"] == "4b825dc642cb6eb9a060e54bf8d69288fbee4904");
  CHECK(commit["parents"] == json::array());
  CHECK(token_of_lock_commit_message(commit["message"].get<std::string>()) == token);
  CHECK(json::parse(t.sent[1].body)["sha"] == ours);
  // Once per token: the done marker points where the lock does.
  complete(t, client.create_ref("refs/coordination/mine-done", token, out));
  CHECK(out.status == 201);
  CHECK(made == 1);
  CHECK(refs["refs/coordination/mine-done"] == ours);
  // Our own lock reads as our token without a request beyond the ref's.
  complete(t, client.get_ref("refs/coordination/mine", out));
  CHECK(out.value.sha == token);
  CHECK(count(client, "get_commit") == 0);

  // Another flavor's lock commit reads as its token, once per sha.
  complete(t, client.get_ref("refs/coordination/theirs", out));
  CHECK(out.ok());
  CHECK(out.value.sha == "holder:windows");
  complete(t, client.get_ref("refs/coordination/theirs", out));
  CHECK(out.value.sha == "holder:windows");
  CHECK(count(client, "get_commit") == 1);
  // A commit that is no lock, and an object that is no commit, keep their shas (once each).
  complete(t, client.get_ref("refs/coordination/plain", out));
  CHECK(out.value.sha == plain);
  complete(t, client.get_ref("refs/coordination/plain", out));
  complete(t, client.get_ref("refs/coordination/blob", out));
  CHECK(out.ok());
  CHECK(out.value.sha == blob);
  complete(t, client.get_ref("refs/coordination/blob", out));
  CHECK(count(client, "get_commit") == 3);
  // A ref this client made at an object id of its own (calibrate's marker
  // blob) names no token: no read-back.
  complete(t, client.create_ref("refs/coordination/own", plain.substr(0, 39) + "9", out));
  complete(t, client.get_ref("refs/coordination/own", out));
  CHECK(out.value.sha == plain.substr(0, 39) + "9");
  CHECK(count(client, "get_commit") == 3);
  // A missing ref is the ref's 404, not a commit read.
  complete(t, client.get_ref("refs/coordination/none", out));
  CHECK(out.status == 404);
  CHECK(count(client, "get_commit") == 3);

  // Another process of this flavor (`agent done`, a re-run) knows no sha: it
  // reads the lock back as its own token, and its next ref with that token
  // points at the same commit, without making one.
  RestClient later(t, parse_repo("acme/widgets", "--repo"));
  commit_5xx = 1;
  complete(t, later.get_ref("refs/coordination/mine", out));
  // A failed read of the commit fails the ref's read (the protocol retries it).
  CHECK(out.status == 502);
  CHECK(later.last_error_endpoint() == "get_commit");
  complete(t, later.get_ref("refs/coordination/mine", out));
  CHECK(out.ok());
  CHECK(out.value.sha == token);
  complete(t, later.create_ref("refs/coordination/mine-g2", token, out));
  CHECK(out.status == 201);
  CHECK(made == 1);
  CHECK(refs["refs/coordination/mine-g2"] == ours);
  CHECK(count(later, "create_commit") == 0);
  CHECK(count(later, "get_commit") == 2);

  // A failed commit create fails the ref's create, and names the endpoint.
  RestClient failing(t, parse_repo("acme/widgets", "--repo"));
  const auto keep = t.answer;
  t.answer = [](const HttpRequest&) { return response(500, R"({"message":"Server Error"})"); };
  complete(t, failing.create_ref("refs/coordination/x", "holder:mac", out));
  CHECK(out.status == 500);
  CHECK(failing.last_error_endpoint() == "create_commit");
  CHECK(count(failing, "create_ref") == 0);
  t.answer = keep;
}

TEST_CASE("repository names", "[real]") {
  CHECK(parse_repo("acme/widgets.js", "--repo").display() == "acme/widgets.js");
  CHECK_THROWS_WITH(parse_repo("acme", "--repo"), Catch::Contains("--repo: expected OWNER/NAME"));
  CHECK_THROWS_WITH(parse_repo("a/b/c", "--repo"), Catch::Contains("expected OWNER/NAME"));
  CHECK_THROWS(parse_repo("a/../b", "--repo"));
  CHECK_THROWS(parse_repo("a/b c", "--repo"));
}

TEST_CASE("calibrate: lag estimates and the lognormal fit", "[real]") {
  const auto s = [](double x) { return agent::from_seconds(x); };
  // Create answered within [0, 0.1]; a miss at [1.0, 1.1]; a hit at [1.5, 1.6].
  const LagSample lag = estimate_lag({s(0), s(0.1)}, Exchange{s(1.0), s(1.1)}, {s(1.5), s(1.6)});
  CHECK(lag.lower_s == Approx(0.9));
  CHECK(lag.upper_s == Approx(1.6));
  CHECK(lag.estimate_s == Approx(1.25));  // (1.0 + 1.5) / 2
  // Seen at the first poll: somewhere between 0 and the poll.
  const LagSample quick = estimate_lag({s(0), s(0.1)}, std::nullopt, {s(0.2), s(0.3)});
  CHECK(quick.lower_s == 0);
  CHECK(quick.estimate_s == Approx(0.1));

  const std::vector<double> sorted = {1, 2, 3, 4, 5};
  CHECK(quantile(sorted, 0.5) == 3);
  CHECK(quantile(sorted, 0.9) == Approx(4.6));

  // exp(mu ± sigma) pairs: log-moments give median e^mu exactly.
  std::vector<double> samples;
  for (double z : {-1.5, -0.5, 0.5, 1.5}) samples.push_back(2.0 * std::exp(0.4 * z));
  const LagFit f = fit_lognormal(samples, 0.01);
  CHECK(f.median_s == Approx(2.0));
  CHECK(f.sigma == Approx(0.4 * std::sqrt(5.0 / 3.0)));  // sd of {-1.5,-0.5,0.5,1.5} with n-1 is sqrt(5/3)
  CHECK_FALSE(f.constant);
  // Lags within the resolution: a constant.
  const LagFit zero = fit_lognormal({0.0, 0.001, 0.002}, 0.025);
  CHECK(zero.constant);
  CHECK(zero.constant_s == Approx(0.001));
}
