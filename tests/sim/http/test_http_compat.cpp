// The fake GitHub's routes and behaviours that real clients (Octokit, PyGithub,
// gh) need beyond the protocols' subset (issue #16 items 9-13): refused writes
// change nothing, limits in characters, encoded paths and refs, an issue's
// labels and events, comments by id, ref listings, directories and deletes in
// contents, the API root, conditional requests, raw contents, state_reason,
// and rate-limit headers on a 401.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <cstdio>
#include <ctime>
#include <functional>
#include <random>
#include <string>
#include <string_view>

#include "sim/http/conditional.hpp"
#include "sim/http/query.hpp"
#include "sim/http/router.hpp"
#include "support/http_requests.hpp"
#include "sim/input/scenario_loader.hpp"

using namespace coordsim;
using namespace coordsim::sim::http;
using nlohmann::json;
using namespace coordsim::test;

namespace {

std::vector<std::string> names(const json& labels) {
  std::vector<std::string> out;
  for (const auto& l : labels) out.push_back(l["name"].get<std::string>());
  return out;
}

constexpr const char* kRepo = "/api/v3/repos/acme/widgets";

std::string repo(const std::string& rest) { return std::string(kRepo) + rest; }

}  // namespace

TEST_CASE("a refused write changes nothing: no labels from a create refused at the 65th", "[http][compat]") {
  Router router(serve_scenario(), {});
  json labels = json::array();
  for (int i = 0; i < 64; ++i) labels.push_back(std::string(1, 'l') += std::to_string(i));
  REQUIRE(router.handle(req("POST", repo("/issues"), json{{"title", "t"}, {"labels", labels}}.dump()), at(0)).status ==
          201);
  const std::string before = router.save_state(at(1)).dump();
  const auto listed = [&] {
    return body_of(router.handle(req("GET", repo("/labels?per_page=100")), at(1))).size();
  };
  REQUIRE(listed() == 64);
  // Create, edit and the issue-label routes, each refused at the 65th label
  // (labels once on an issue keep their place in the model's 64).
  Response r = router.handle(req("POST", repo("/issues"), R"({"title":"u","labels":["l0","new-a"]})"), at(1));
  CHECK(r.status == 422);
  CHECK(body_of(r)["errors"][0]["field"] == "name");
  CHECK(router.handle(req("PATCH", repo("/issues/1"), R"({"labels":["new-b"]})"), at(1)).status == 422);
  CHECK(router.handle(req("POST", repo("/issues/1/labels"), R"({"labels":["new-c"]})"), at(1)).status == 422);
  CHECK(router.handle(req("PUT", repo("/issues/1/labels"), R"(["new-d"])"), at(1)).status == 422);
  CHECK(listed() == 64);
  CHECK(router.save_state(at(1)).dump() == before);  // nothing journaled either
  // Known names in another case still work: they add no label.
  CHECK(router.handle(req("POST", repo("/issues"), R"({"title":"v","labels":["L1"]})"), at(1)).status == 201);
  CHECK(listed() == 64);
}

TEST_CASE("titles and bodies are limited in characters, not bytes", "[http][compat]") {
  Router router(serve_scenario(), {});
  std::string title;
  for (int i = 0; i < 256; ++i) title += "\xc3\xa9";  // 256 × "é": 512 bytes
  Response r = router.handle(req("POST", repo("/issues"), json{{"title", title}}.dump()), at(0));
  REQUIRE(r.status == 201);
  CHECK(body_of(r)["title"] == title);
  r = router.handle(req("POST", repo("/issues"), json{{"title", title + "e"}}.dump()), at(0));
  CHECK(r.status == 422);
  CHECK(body_of(r)["errors"][0]["message"] == "title is too long (maximum is 256 characters)");
  CHECK(router.handle(req("PATCH", repo("/issues/1"), json{{"title", title + "\xe2\x82\xac"}}.dump()), at(0)).status ==
        422);
  std::string body;
  for (int i = 0; i < 65'536 / 4; ++i) body += "\xf0\x9f\x98\x80";  // 16,384 emoji: 65,536 bytes
  CHECK(router.handle(req("POST", repo("/issues"), json{{"title", "t"}, {"body", body + body}}.dump()), at(0))
            .status == 201);  // 32,768 characters
  CHECK(utf8_length("a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80") == 4);
}

TEST_CASE("contents paths: an encoded .. or empty component is refused like a literal one", "[http][compat]") {
  Router router(serve_scenario(), {});
  const std::string put = R"({"message":"m","content":"eA=="})";
  REQUIRE(router.handle(req("PUT", repo("/contents/a/b"), put), at(0)).status == 201);
  for (const char* bad : {"/contents/a/../b", "/contents/a%2F..%2Fb", "/contents/%2E%2E/a/b", "/contents/a%2F%2Fb",
                          "/contents/a/.%2Fb", "/contents/a%2F.%2E"}) {
    INFO(bad);
    CHECK(router.handle(req("GET", repo(bad)), at(0)).status == 404);
    CHECK(router.handle(req("PUT", repo(bad), put), at(0)).status == 404);
  }
  // An encoded slash is a slash: a%2Fb is a/b.
  Response r = router.handle(req("GET", repo("/contents/a%2Fb")), at(0));
  REQUIRE(r.status == 200);
  CHECK(body_of(r)["path"] == "a/b");
}

TEST_CASE("git refs with the slash encoded, as Octokit sends them", "[http][compat]") {
  Router router(serve_scenario(), {});
  REQUIRE(router.handle(req("POST", repo("/git/refs"), R"({"ref":"refs/heads/lock","sha":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"})"), at(0)).status ==
          201);
  for (const char* get : {"/git/ref/heads%2Flock", "/git/ref/heads/lock", "/git/refs/heads%2Flock"}) {
    INFO(get);
    Response r = router.handle(req("GET", repo(get)), at(0));
    REQUIRE(r.status == 200);
    CHECK(body_of(r)["ref"] == "refs/heads/lock");
  }
  Response r = router.handle(req("PATCH", repo("/git/refs/heads%2Flock"), R"({"sha":"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb","force":true})"), at(0));
  REQUIRE(r.status == 200);
  CHECK(body_of(router.handle(req("GET", repo("/git/ref/heads/lock")), at(1)))["object"]["sha"] == "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
  CHECK(router.handle(req("DELETE", repo("/git/refs/heads%2Flock")), at(1)).status == 204);
  CHECK(router.handle(req("GET", repo("/git/ref/heads%2Flock")), at(2)).status == 404);
  CHECK(router.handle(req("DELETE", repo("/git/refs/heads%2Flock")), at(2)).status == 422);
}

TEST_CASE("ref listings: GET git/refs, git/refs/<prefix>, git/matching-refs", "[http][compat]") {
  Router router(serve_scenario(), {});
  for (const char* ref : {"refs/heads/main", "refs/heads/feature-a", "refs/heads/feature-b", "refs/tags/v1"})
    REQUIRE(router.handle(req("POST", repo("/git/refs"), json{{"ref", ref}, {"sha", "abc0000000000000000000000000000000000000"}}.dump()), at(0)).status ==
            201);
  const auto refs_of = [](const Response& r) {
    std::vector<std::string> out;
    for (const auto& g : body_of(r)) out.push_back(g["ref"].get<std::string>());
    return out;
  };
  Response r = router.handle(req("GET", repo("/git/refs")), at(1));
  REQUIRE(r.status == 200);
  CHECK(refs_of(r) == std::vector<std::string>{"refs/heads/feature-a", "refs/heads/feature-b", "refs/heads/main",
                                              "refs/tags/v1"});
  r = router.handle(req("GET", repo("/git/refs?per_page=3")), at(1));
  CHECK(refs_of(r).size() == 3);
  REQUIRE(header(r, "link"));
  CHECK(header(r, "link")->find("rel=\"next\"") != std::string::npos);
  r = router.handle(req("GET", repo("/git/matching-refs/heads%2Ffeature")), at(1));
  CHECK(refs_of(r) == std::vector<std::string>{"refs/heads/feature-a", "refs/heads/feature-b"});
  r = router.handle(req("GET", repo("/git/matching-refs/heads/feature-a")), at(1));
  CHECK(refs_of(r) == std::vector<std::string>{"refs/heads/feature-a"});
  r = router.handle(req("GET", repo("/git/matching-refs/heads/nothing")), at(1));
  REQUIRE(r.status == 200);
  CHECK(body_of(r).empty());
  r = router.handle(req("GET", repo("/git/refs/tags")), at(1));  // a prefix, not a ref: the refs under it
  CHECK(refs_of(r) == std::vector<std::string>{"refs/tags/v1"});
  CHECK(router.handle(req("GET", repo("/git/ref/tags")), at(1)).status == 404);
}

TEST_CASE("an issue's labels: list, add (object or array body), set, remove one, remove all", "[http][compat]") {
  Router router(serve_scenario(), {});
  REQUIRE(router.handle(req("POST", repo("/labels"), R"({"name":"Bug","color":"d73a4a"})"), at(0)).status == 201);
  REQUIRE(router.handle(req("POST", repo("/issues"), R"({"title":"t","labels":["a"]})"), at(0)).status == 201);
  Response r = router.handle(req("GET", repo("/issues/1/labels")), at(0));
  REQUIRE(r.status == 200);
  CHECK(names(body_of(r)) == std::vector<std::string>{"a"});
  r = router.handle(req("POST", repo("/issues/1/labels"), R"({"labels":["bug","b"]})"), at(1));
  REQUIRE(r.status == 200);
  CHECK(names(body_of(r)) == std::vector<std::string>{"a", "Bug", "b"});  // the repository's spelling
  CHECK(body_of(r)[1]["color"] == "d73a4a");
  r = router.handle(req("POST", repo("/issues/1/labels"), R"(["c","A"])"), at(2));  // PyGithub's add_to_labels
  REQUIRE(r.status == 200);
  CHECK(names(body_of(r)).size() == 4);
  r = router.handle(req("DELETE", repo("/issues/1/labels/BUG")), at(3));
  REQUIRE(r.status == 200);
  CHECK(names(body_of(r)) == std::vector<std::string>{"a", "b", "c"});
  r = router.handle(req("DELETE", repo("/issues/1/labels/bug")), at(3));
  CHECK(r.status == 404);
  CHECK(body_of(r)["message"] == "Label does not exist");
  r = router.handle(req("PUT", repo("/issues/1/labels"), R"({"labels":["z"]})"), at(4));
  REQUIRE(r.status == 200);
  CHECK(names(body_of(r)) == std::vector<std::string>{"z"});
  CHECK(router.handle(req("DELETE", repo("/issues/1/labels")), at(5)).status == 204);
  CHECK(body_of(router.handle(req("GET", repo("/issues/1")), at(5)))["labels"].empty());
  // The list path sees label writes after its lag, as any edit.
  CHECK(body_of(router.handle(req("GET", repo("/issues?labels=z")), at(5.5))).size() == 1);
  CHECK(body_of(router.handle(req("GET", repo("/issues?labels=z")), at(6))).empty());
  CHECK(router.handle(req("GET", repo("/issues/9/labels")), at(6)).status == 404);
  CHECK(router.handle(req("POST", repo("/issues/9/labels"), R"(["x"])"), at(6)).status == 404);
  CHECK(router.handle(req("POST", repo("/issues"), R"(["x"])"), at(6)).status == 400);  // arrays only there
  CHECK(router.handle(req("POST", repo("/issues/1/labels"), R"([7])"), at(6)).status == 422);
}

TEST_CASE("comments by id, a repository's comments, their edits and deletes", "[http][compat]") {
  Router router(serve_scenario(), {});
  REQUIRE(router.handle(req("POST", repo("/issues"), R"({"title":"one"})"), at(0)).status == 201);
  REQUIRE(router.handle(req("POST", repo("/issues"), R"({"title":"two"})"), at(0)).status == 201);
  const json c1 = body_of(router.handle(req("POST", repo("/issues/1/comments"), R"({"body":"first"})"), at(1)));
  const json c2 = body_of(router.handle(req("POST", repo("/issues/2/comments"), R"({"body":"second"})"), at(2)));
  const std::string id1 = std::to_string(c1["id"].get<std::int64_t>());
  Response r = router.handle(req("GET", repo("/issues/comments/" + id1)), at(2));
  REQUIRE(r.status == 200);
  CHECK(body_of(r)["body"] == "first");
  CHECK(body_of(r)["issue_url"].get<std::string>().ends_with("/issues/1"));
  CHECK(body_of(r)["url"] == c1["url"]);
  r = router.handle(req("PATCH", repo("/issues/comments/" + id1), R"({"body":"edited"})"), at(3));
  REQUIRE(r.status == 200);
  CHECK(body_of(r)["body"] == "edited");
  CHECK(body_of(r)["updated_at"] != body_of(r)["created_at"]);
  r = router.handle(req("GET", repo("/issues/comments")), at(3));
  REQUIRE(r.status == 200);
  REQUIRE(body_of(r).size() == 2);
  CHECK(body_of(r)[0]["body"] == "edited");
  CHECK(body_of(r)[1]["body"] == "second");
  r = router.handle(req("GET", repo("/issues/comments?sort=updated&direction=desc")), at(3));
  CHECK(body_of(r)[0]["body"] == "edited");
  r = router.handle(req("GET", repo("/issues/comments?since=1970-01-01T00:00:03Z")), at(3));
  CHECK(body_of(r).size() == 1);  // updated at or after 3 s (unix epoch 0)
  CHECK(router.handle(req("PATCH", repo("/issues/comments/" + id1), R"({"body":""})"), at(3)).status == 422);
  CHECK(router.handle(req("DELETE", repo("/issues/comments/" + id1)), at(4)).status == 204);
  CHECK(router.handle(req("GET", repo("/issues/comments/" + id1)), at(4)).status == 404);
  CHECK(router.handle(req("DELETE", repo("/issues/comments/" + id1)), at(4)).status == 404);
  CHECK(router.handle(req("PATCH", repo("/issues/comments/" + id1), R"({"body":"x"})"), at(4)).status == 404);
  CHECK(body_of(router.handle(req("GET", repo("/issues/1")), at(4)))["comments"] == 0);
  CHECK(body_of(router.handle(req("GET", repo("/issues/1/comments")), at(4))).empty());
  CHECK(router.handle(req("GET", repo("/issues/comments/1")), at(4)).status == 404);  // not an id of this repository
  const std::string id2 = std::to_string(c2["id"].get<std::int64_t>());
  CHECK(router.handle(req("GET", "/api/v3/repos/acme/other/issues/comments/" + id2), at(4)).status == 404);
  // Kept in the state: a replayed router answers the same.
  Router replayed(serve_scenario(), {});
  replayed.load_state(router.save_state(at(5)), "state");
  CHECK(replayed.handle(req("GET", repo("/issues/comments/" + id1)), at(5)).status == 404);
  CHECK(body_of(replayed.handle(req("GET", repo("/issues/comments/" + id2)), at(5)))["body"] == "second");
}

TEST_CASE("an issue's events: labeled, renamed, closed (with its reason), reopened", "[http][compat]") {
  Router router(serve_scenario(), {});
  REQUIRE(router.handle(req("POST", repo("/issues"), R"({"title":"t","labels":["a"]})"), at(0)).status == 201);
  REQUIRE(router.handle(req("PATCH", repo("/issues/1"), R"({"title":"t2","labels":["b"]})"), at(1)).status == 200);
  REQUIRE(router.handle(req("PATCH", repo("/issues/1"), R"({"state":"closed","state_reason":"not_planned"})"), at(2))
              .status == 200);
  REQUIRE(router.handle(req("PATCH", repo("/issues/1"), R"({"state":"open"})"), at(3)).status == 200);
  Response r = router.handle(req("GET", repo("/issues/1/events")), at(4));
  REQUIRE(r.status == 200);
  std::vector<std::string> kinds;
  for (const auto& e : body_of(r)) kinds.push_back(e["event"].get<std::string>());
  CHECK(kinds == std::vector<std::string>{"labeled", "renamed", "unlabeled", "labeled", "closed", "reopened"});
  const json events = body_of(r);
  CHECK(events[0]["label"]["name"] == "a");
  CHECK(events[1]["rename"] == json{{"from", "t"}, {"to", "t2"}});
  CHECK(events[4]["state_reason"] == "not_planned");
  CHECK(events[4]["created_at"] == "1970-01-01T00:00:02Z");
  CHECK(router.handle(req("GET", repo("/issues/2/events")), at(4)).status == 404);
}

TEST_CASE("state_reason: not_planned is kept, and only with a state", "[http][compat]") {
  Router router(serve_scenario(), {});
  REQUIRE(router.handle(req("POST", repo("/issues"), R"({"title":"t"})"), at(0)).status == 201);
  Response r = router.handle(req("PATCH", repo("/issues/1"), R"({"state":"closed","state_reason":"not_planned"})"),
                             at(1));
  REQUIRE(r.status == 200);
  CHECK(body_of(r)["state_reason"] == "not_planned");
  CHECK(body_of(router.handle(req("GET", repo("/issues/1")), at(1)))["state_reason"] == "not_planned");
  r = router.handle(req("PATCH", repo("/issues/1"), R"({"title":"x","state_reason":"completed"})"), at(2));
  CHECK(body_of(r)["state_reason"] == "not_planned");  // ignored without `state`
  r = router.handle(req("PATCH", repo("/issues/1"), R"({"state":"closed"})"), at(3));
  CHECK(body_of(r)["state_reason"] == "completed");
  CHECK(router.handle(req("PATCH", repo("/issues/1"), R"({"state":"closed","state_reason":"wontfix"})"), at(3))
            .status == 422);
  CHECK(router.handle(req("PATCH", repo("/issues/1"), R"({"state":"closed","state_reason":"reopened"})"), at(3))
            .status == 422);
  r = router.handle(req("PATCH", repo("/issues/1"), R"({"state":"open","state_reason":"reopened"})"), at(4));
  CHECK(body_of(r)["state_reason"] == "reopened");
  REQUIRE(router.handle(req("PATCH", repo("/issues/1"), R"({"state":"closed","state_reason":"not_planned"})"), at(5))
              .status == 200);
  Router replayed(serve_scenario(), {});
  replayed.load_state(router.save_state(at(6)), "state");
  CHECK(body_of(replayed.handle(req("GET", repo("/issues/1")), at(6)))["state_reason"] == "not_planned");
}

TEST_CASE("contents: directories, deletes, raw", "[http][compat]") {
  Router router(serve_scenario(), {});
  const auto put = [&](const std::string& path, const std::string& text) {
    return router.handle(req("PUT", repo("/contents/" + path),
                             json{{"message", "m"}, {"content", base64_encode(text)}}.dump()),
                         at(0));
  };
  // Writes at one instant commit a microsecond apart: read after them.
  REQUIRE(put("locks/a", "linux").status == 201);
  REQUIRE(put("locks/b", "windows").status == 201);
  REQUIRE(put("locks/deep/c", "mac").status == 201);
  REQUIRE(put("README", "hi").status == 201);
  Response r = router.handle(req("GET", repo("/contents/locks")), at(1));
  REQUIRE(r.status == 200);
  json listing = body_of(r);
  REQUIRE(listing.size() == 3);
  CHECK(listing[0]["name"] == "a");
  CHECK(listing[0]["type"] == "file");
  CHECK(listing[0]["size"] == 5);
  CHECK_FALSE(listing[0].contains("content"));
  CHECK(listing[2]["name"] == "deep");
  CHECK(listing[2]["type"] == "dir");
  CHECK(listing[2]["path"] == "locks/deep");
  r = router.handle(req("GET", repo("/contents")), at(1));  // the root
  REQUIRE(r.status == 200);
  CHECK(body_of(r).size() == 2);
  CHECK(router.handle(req("GET", repo("/contents/lock")), at(1)).status == 404);  // not a prefix match

  Request raw = req("GET", repo("/contents/locks/a"));
  raw.headers.push_back({"accept", "application/vnd.github.raw"});
  r = router.handle(raw, at(1));
  REQUIRE(r.status == 200);
  CHECK(r.body == "linux");
  REQUIRE(header(r, "content-type"));
  CHECK(header(r, "content-type")->starts_with("application/vnd.github.raw"));
  raw.headers.back().value = "application/vnd.github.v3.raw";
  CHECK(router.handle(raw, at(1)).body == "linux");

  const std::string sha = body_of(router.handle(req("GET", repo("/contents/locks/a")), at(1)))["sha"];
  CHECK(router.handle(req("DELETE", repo("/contents/locks/a"), R"({"message":"m"})"), at(1)).status == 422);
  CHECK(router.handle(req("DELETE", repo("/contents/locks/a"), R"({"message":"m","sha":"bad"})"), at(1)).status ==
        409);
  CHECK(router.handle(req("DELETE", repo("/contents/locks/zz"), R"({"message":"m","sha":"x"})"), at(1)).status ==
        404);
  r = router.handle(req("DELETE", repo("/contents/locks/a"), json{{"message", "m"}, {"sha", sha}}.dump()), at(1));
  REQUIRE(r.status == 200);
  CHECK(body_of(r)["content"].is_null());
  CHECK(body_of(r)["commit"]["sha"].is_string());
  CHECK(router.handle(req("GET", repo("/contents/locks/a")), at(1)).status == 404);
  CHECK(body_of(router.handle(req("GET", repo("/contents/locks")), at(1))).size() == 2);
  // Free again: a create without sha, as for a path never used.
  CHECK(put("locks/a", "again").status == 201);
  Router replayed(serve_scenario(), {});
  replayed.load_state(router.save_state(at(2)), "state");
  CHECK(base64_decode(body_of(replayed.handle(req("GET", repo("/contents/locks/a")), at(2)))["content"].get<std::string>()) ==
        "again");
}

TEST_CASE("contents deletes lag like writes on the refs path; the path is free at once", "[http][compat]") {
  const sim::ScenarioFile scenario = sim::load_scenario_file(COORDSIM_SOURCE_DIR "/tests/data/serve-test.json",
                                                             {"github.visibility_lag_s.refs=2"});
  Router router(scenario, {});
  Response r = router.handle(req("PUT", repo("/contents/f"), R"({"message":"m","content":"eA=="})"), at(0));
  REQUIRE(r.status == 201);
  const std::string sha = body_of(r)["content"]["sha"];
  CHECK(router.handle(req("GET", repo("/contents/f")), at(1.9)).status == 404);
  CHECK(router.handle(req("GET", repo("/contents/f")), at(2)).status == 200);
  REQUIRE(router.handle(req("DELETE", repo("/contents/f"), json{{"message", "m"}, {"sha", sha}}.dump()), at(3))
              .status == 200);
  CHECK(router.handle(req("GET", repo("/contents/f")), at(4.9)).status == 200);  // the delete shows at 5
  CHECK(router.handle(req("GET", repo("/contents/f")), at(5)).status == 404);
  CHECK(router.handle(req("PUT", repo("/contents/f"), R"({"message":"m","content":"eQ=="})"), at(4)).status == 201);
}

TEST_CASE("the API root, as gh auth status reads it", "[http][compat]") {
  Router router(serve_scenario(), {});
  for (const char* root : {"/api/v3/", "/api/v3", "/"}) {
    Response r = router.handle(req("GET", root), at(0));
    REQUIRE(r.status == 200);
    CHECK(body_of(r)["current_user_url"] == "http://127.0.0.1:9999/api/v3/user");
    REQUIRE(header(r, "x-oauth-scopes"));
    CHECK(header(r, "x-oauth-scopes")->find("read:org") != std::string::npos);
  }
  // gh's GraphQL endpoint: a 404 that says why.
  Response r = router.handle(req("POST", "/api/graphql", R"({"query":"{viewer{login}}"})"), at(0));
  CHECK(r.status == 404);
  CHECK(body_of(r)["message"].get<std::string>().find("no GraphQL") != std::string::npos);
}

TEST_CASE("conditional requests: ETag, Last-Modified, 304 not counted", "[http][compat]") {
  RouterOptions options;
  options.rate_limit.core_per_hour = 7;
  Router router(serve_scenario(), options);
  REQUIRE(router.handle(req("POST", repo("/issues"), R"({"title":"t"})"), at(0)).status == 201);  // 1 used
  Response r = router.handle(req("GET", repo("/issues/1")), at(0));                                // 2 used
  REQUIRE(r.status == 200);
  REQUIRE(header(r, "etag"));
  const std::string etag = *header(r, "etag");
  CHECK(etag.starts_with("W/\""));
  REQUIRE(header(r, "last-modified"));
  CHECK(*header(r, "last-modified") == "Thu, 01 Jan 1970 00:00:00 GMT");
  CHECK(*header(r, "x-ratelimit-remaining") == "5");
  for (int i = 0; i < 10; ++i) {  // more than the budget: none counted
    Request again = req("GET", repo("/issues/1"));
    again.headers.push_back({"if-none-match", i % 2 ? etag : "\"other\", " + etag.substr(2)});
    r = router.handle(again, at(0));
    REQUIRE(r.status == 304);
    CHECK(r.body.empty());
    CHECK(*header(r, "etag") == etag);
    CHECK(*header(r, "x-ratelimit-remaining") == "5");
  }
  Request since = req("GET", repo("/issues/1"));
  since.headers.push_back({"if-modified-since", "Thu, 01 Jan 1970 00:00:00 GMT"});
  CHECK(router.handle(since, at(0)).status == 304);
  // A change makes a new ETag: the old one gets the full answer, counted.
  REQUIRE(router.handle(req("PATCH", repo("/issues/1"), R"({"title":"u"})"), at(1)).status == 200);
  Request stale = req("GET", repo("/issues/1"));
  stale.headers.push_back({"if-none-match", etag});
  r = router.handle(stale, at(1));
  REQUIRE(r.status == 200);
  CHECK(*header(r, "etag") != etag);
  CHECK(*header(r, "x-ratelimit-remaining") == "3");
  since.headers.back().value = "Thu, 01 Jan 1970 00:00:00 GMT";
  CHECK(router.handle(since, at(1)).status == 200);  // modified at 1 s
  // Lists have ETags too; a 404 has none (the budget lasts exactly to here).
  CHECK(header(router.handle(req("GET", repo("/issues")), at(2)), "etag"));
  CHECK_FALSE(header(router.handle(req("GET", repo("/issues/9")), at(2)), "etag"));
  CHECK(parse_http_date(format_http_date(1764756900'000000)) == 1764756900'000000);
  CHECK(format_http_date(1764756900'000000) == "Wed, 03 Dec 2025 10:15:00 GMT");
  CHECK_FALSE(parse_http_date("Wed, 03 Dec 2025 10:15:00 UTC"));
}

// Dates and ETags are formatted by hand (every GET carries both): the text must be what
// the printf formats they replaced give, over times and bodies of every size.
TEST_CASE("Last-Modified dates and ETags read as their printf formats", "[http][compat]") {
  std::mt19937_64 rng(16);
  const auto printf_date = [](std::int64_t unix_us) {
    const std::int64_t secs = unix_us / 1'000'000;
    const std::time_t t = static_cast<std::time_t>(secs);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    return std::string(buf);
  };
  for (int i = 0; i < 20000; ++i) {
    // 1970 to 9999: the hand-written range (other years keep snprintf).
    const std::int64_t us = static_cast<std::int64_t>(rng() % 253'402'300'799ULL) * 1'000'000 +
                            static_cast<std::int64_t>(rng() % 1'000'000);
    INFO(us);
    REQUIRE(format_http_date(us) == printf_date(us));
    REQUIRE(parse_http_date(format_http_date(us)) == us / 1'000'000 * 1'000'000);
  }
  CHECK(format_http_date(0) == "Thu, 01 Jan 1970 00:00:00 GMT");
  CHECK(format_http_date(253'402'300'799'000000) == "Fri, 31 Dec 9999 23:59:59 GMT");
  CHECK(format_http_date(253'402'300'800'000000) == "Sat, 01 Jan 10000 00:00:00 GMT");  // snprintf's path
  for (std::size_t size : {0, 1, 15, 16, 17, 255, 256, 4096, 100000}) {
    std::string body(size, 'x');
    for (char& c : body) c = static_cast<char>(rng());
    char buf[48];
    std::snprintf(buf, sizeof buf, "W/\"%016zx%zx\"", std::hash<std::string_view>{}(body), body.size());
    CHECK(etag_of(body) == buf);
  }
}

TEST_CASE("a 401 carries x-ratelimit headers, from the address's budget", "[http][compat]") {
  RouterOptions options;
  options.token = "right";
  Router router(serve_scenario(), options);
  Request bad = req("GET", repo("/issues"));
  bad.headers.push_back({"authorization", "token wrong"});
  Response r = router.handle(bad, at(0));
  REQUIRE(r.status == 401);
  for (const char* h : {"x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-used", "x-ratelimit-reset",
                        "x-ratelimit-resource"})
    CHECK(header(r, h));
  CHECK(*header(r, "x-ratelimit-used") == "1");
  CHECK(*header(router.handle(bad, at(0)), "x-ratelimit-used") == "2");
}
