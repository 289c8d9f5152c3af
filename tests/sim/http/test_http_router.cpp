// The fake GitHub's REST surface without sockets: routes, GitHub's shapes and
// status codes, the consistency model at chosen times, malformed input, and a
// fuzz target feeding thousands of random and mutated requests through the
// request parser and the router (run under ASan/UBSan in CI).
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <random>
#include <string>

#include "sim/http/query.hpp"
#include "sim/http/router.hpp"
#include "support/http_requests.hpp"
#include "sim/http/server.hpp"
#include "sim/input/scenario_loader.hpp"

using namespace coordsim;
using namespace coordsim::sim::http;
using nlohmann::json;
using namespace coordsim::test;

namespace {

std::vector<std::int64_t> numbers(const Response& r) {
  std::vector<std::int64_t> out;
  for (const auto& i : body_of(r)) out.push_back(i["number"].get<std::int64_t>());
  return out;
}

constexpr const char* kIssues = "/api/v3/repos/acme/widgets/issues";

}  // namespace

TEST_CASE("query helpers", "[http]") {
  CHECK(percent_decode("a%20b+c", true) == "a b c");
  CHECK(percent_decode("a+b", false) == "a+b");
  CHECK_FALSE(percent_decode("%4", true));
  CHECK_FALSE(percent_decode("%zz", true));
  CHECK_FALSE(percent_decode("%00", true));
  auto t = parse_target("/api/v3/repos/o/r/issues?state=open&labels=a%2Cb&x");
  REQUIRE(t);
  CHECK(t->segments == std::vector<std::string>{"api", "v3", "repos", "o", "r", "issues"});
  CHECK(*t->param("labels") == "a,b");
  CHECK(*t->param("x") == "");
  CHECK_FALSE(parse_target("http://x/"));
  CHECK(format_timestamp(0) == "1970-01-01T00:00:00Z");
  CHECK(format_timestamp(1764756900'000000) == "2025-12-03T10:15:00Z");
  CHECK(parse_timestamp("2025-12-03T10:15:00Z") == 1764756900'000000);
  CHECK(parse_timestamp("2025-12-03T11:15:00+01:00") == 1764756900'000000);
  CHECK(parse_timestamp("2025-12-03") == 1764720000'000000);
  CHECK_FALSE(parse_timestamp("2025-13-03"));
  CHECK_FALSE(parse_timestamp("yesterday"));
  CHECK(base64_decode(base64_encode(std::string("\0\1\2xyz", 6))) == std::string("\0\1\2xyz", 6));
  CHECK(base64_decode("bGludXgteDY0\n") == "linux-x64");
  CHECK_FALSE(base64_decode("b@"));
  CHECK(valid_utf8("plain, caf\xc3\xa9, \xf0\x9f\x98\x80"));
  CHECK_FALSE(valid_utf8("\xc3"));          // truncated
  CHECK_FALSE(valid_utf8("\xc0\xaf"));      // overlong
  CHECK_FALSE(valid_utf8("\xed\xa0\x80"));  // surrogate
  CHECK_FALSE(valid_utf8("\xff"));
}

TEST_CASE("create, get and list follow the per-path lags", "[http]") {
  Router router(serve_scenario(), {});
  Response r = router.handle(req("POST", kIssues, R"({"title":"t1","body":"b","labels":["lock"]})"), at(10));
  REQUIRE(r.status == 201);
  json issue = body_of(r);
  CHECK(issue["number"] == 1);
  CHECK(issue["state"] == "open");
  CHECK(issue["url"] == "http://127.0.0.1:9999/api/v3/repos/acme/widgets/issues/1");
  CHECK(issue["labels"][0]["name"] == "lock");
  CHECK(issue["body"] == "b");
  CHECK(*header(r, "location") == issue["url"]);
  CHECK(header(r, "x-ratelimit-remaining"));

  CHECK(router.handle(req("GET", std::string(kIssues) + "/1"), at(10)).status == 200);  // get lag 0
  CHECK(numbers(router.handle(req("GET", kIssues), at(10.5))).empty());                  // list lag 1 s
  CHECK(numbers(router.handle(req("GET", kIssues), at(11))) == std::vector<std::int64_t>{1});  // inclusive
  CHECK(numbers(router.handle(req("GET", std::string(kIssues) + "?labels=LOCK"), at(11))).size() == 1);
  CHECK(numbers(router.handle(req("GET", std::string(kIssues) + "?labels=lock,other"), at(11))).empty());

  // Closing: the list shows the open version until the close is visible.
  REQUIRE(router.handle(req("PATCH", std::string(kIssues) + "/1", R"({"state":"closed"})"), at(20)).status == 200);
  CHECK(numbers(router.handle(req("GET", kIssues), at(20.5))) == std::vector<std::int64_t>{1});
  CHECK(numbers(router.handle(req("GET", kIssues), at(21))).empty());
  json closed = body_of(router.handle(req("GET", std::string(kIssues) + "/1"), at(21)));
  CHECK(closed["state"] == "closed");
  CHECK(closed["state_reason"] == "completed");
  CHECK(closed["closed_at"].is_string());
  CHECK(numbers(router.handle(req("GET", std::string(kIssues) + "?state=closed"), at(21))).size() == 1);
}

TEST_CASE("pagination: Link header with page links, per_page capped at 100", "[http]") {
  Router router(serve_scenario(), {});
  for (int i = 0; i < 7; ++i)
    REQUIRE(router.handle(req("POST", kIssues, R"({"title":"x"})"), at(1 + i)).status == 201);
  Response p1 = router.handle(req("GET", std::string(kIssues) + "?per_page=3"), at(100));
  CHECK(numbers(p1) == std::vector<std::int64_t>{7, 6, 5});
  const std::string* link = header(p1, "link");
  REQUIRE(link);
  CHECK(link->find("<http://127.0.0.1:9999/api/v3/repos/acme/widgets/issues?per_page=3&page=2>; rel=\"next\"") !=
        std::string::npos);
  CHECK(link->find("page=3>; rel=\"last\"") != std::string::npos);
  Response p3 = router.handle(req("GET", std::string(kIssues) + "?per_page=3&page=3"), at(100));
  CHECK(numbers(p3) == std::vector<std::int64_t>{1});
  CHECK(header(p3, "link")->find("rel=\"next\"") == std::string::npos);
  CHECK(numbers(router.handle(req("GET", std::string(kIssues) + "?per_page=1000"), at(100))).size() == 7);
  CHECK(numbers(router.handle(req("GET", std::string(kIssues) + "?direction=asc&per_page=2"), at(100))) ==
        std::vector<std::int64_t>{1, 2});
}

TEST_CASE("list: since, sort by updated and by comments, every match counted for the last page", "[http]") {
  Router router(serve_scenario(), {});  // unix epoch 0: timestamps are model times
  for (int i = 0; i < 5; ++i)
    REQUIRE(router.handle(req("POST", kIssues, R"({"title":"x"})"), at(1 + i)).status == 201);
  const auto comment = [&](int n, double t) {
    const std::string target = std::string(kIssues) + "/" + std::to_string(n) + "/comments";
    REQUIRE(router.handle(req("POST", target, R"({"body":"c"})"), at(t)).status == 201);
  };
  comment(2, 6);
  comment(2, 7);
  comment(4, 8);
  REQUIRE(router.handle(req("PATCH", std::string(kIssues) + "/1", R"({"title":"edited"})"), at(9)).status == 200);
  const auto list = [&](const std::string& query) {
    return numbers(router.handle(req("GET", std::string(kIssues) + "?" + query), at(100)));
  };
  CHECK(list("sort=comments") == std::vector<std::int64_t>{2, 4, 5, 3, 1});  // ties: newest first
  CHECK(list("sort=comments&direction=asc") == std::vector<std::int64_t>{1, 3, 5, 4, 2});
  CHECK(list("sort=updated") == std::vector<std::int64_t>{1, 5, 4, 3, 2});
  CHECK(list("since=1970-01-01T00:00:04Z") == std::vector<std::int64_t>{5, 4, 1});
  const Response page1 =
      router.handle(req("GET", std::string(kIssues) + "?since=1970-01-01T00:00:04Z&per_page=1"), at(100));
  CHECK(numbers(page1) == std::vector<std::int64_t>{5});
  CHECK(header(page1, "link")->find("page=3>; rel=\"last\"") != std::string::npos);
  const json most =
      body_of(router.handle(req("GET", std::string(kIssues) + "?sort=comments&per_page=1"), at(100)));
  CHECK(most[0]["comments"] == 2);
}

TEST_CASE("errors in GitHub's shapes", "[http]") {
  RouterOptions options;
  options.token = "s3cret";
  Router router(serve_scenario(), options);
  Request ok = req("GET", "/api/v3/repos/a/b");
  CHECK(router.handle(ok, at(1)).status == 401);
  ok.headers.push_back({"authorization", "token wrong"});
  Response r = router.handle(ok, at(1));
  CHECK(r.status == 401);
  CHECK(body_of(r)["message"] == "Bad credentials");
  CHECK(body_of(r).contains("documentation_url"));
  ok.headers.back().value = "Bearer s3cret";
  CHECK(router.handle(ok, at(1)).status == 200);
  ok.headers.back().value = "token s3cret";
  CHECK(router.handle(ok, at(1)).status == 200);

  const auto with_token = [](Request r) {
    r.headers.push_back({"authorization", "token s3cret"});
    return r;
  };
  r = router.handle(with_token(req("GET", "/api/v3/nothing/here")), at(1));
  CHECK(r.status == 404);
  CHECK(body_of(r)["message"] == "Not Found");
  CHECK(router.handle(with_token(req("POST", kIssues, "{not json")), at(1)).status == 400);
  CHECK(router.handle(with_token(req("POST", kIssues, "[1]")), at(1)).status == 400);
  r = router.handle(with_token(req("POST", kIssues, R"({"body":"no title"})")), at(1));
  CHECK(r.status == 422);
  CHECK(body_of(r)["message"] == "Validation Failed");
  CHECK(body_of(r)["errors"][0]["field"] == "title");
  CHECK(router.handle(with_token(req("POST", kIssues, R"({"title":5})")), at(1)).status == 422);
  CHECK(router.handle(with_token(req("POST", kIssues, R"({"title":"x","labels":"a"})")), at(1)).status == 422);
  CHECK(router.handle(with_token(req("GET", std::string(kIssues) + "?state=bogus")), at(1)).status == 422);
  CHECK(router.handle(with_token(req("GET", std::string(kIssues) + "?per_page=abc")), at(1)).status == 422);
  CHECK(router.handle(with_token(req("GET", std::string(kIssues) + "?since=never")), at(1)).status == 422);
  CHECK(router.handle(with_token(req("GET", std::string(kIssues) + "?sort=size")), at(1)).status == 422);
  CHECK(router.handle(with_token(req("GET", std::string(kIssues) + "/abc")), at(1)).status == 404);
  CHECK(router.handle(with_token(req("GET", std::string(kIssues) + "/0")), at(1)).status == 404);
  CHECK(router.handle(with_token(req("GET", "/api/v3/search/issues")), at(1)).status == 422);
  CHECK(router.handle(with_token(req("GET", "/api/v3/repos/bad%20name/r")), at(1)).status == 404);
  CHECK(router.handle(with_token(req("GET", "/api/v3/repos/a/b/issues?q=%zz")), at(1)).status == 400);
}

TEST_CASE("more than 64 distinct issue labels is a 422, not a crash", "[http]") {
  Router router(serve_scenario(), {});
  for (int i = 0; i < 64; ++i) {
    const std::string body = R"({"title":"x","labels":["l)" + std::to_string(i) + "\"]}";
    REQUIRE(router.handle(req("POST", kIssues, body), at(1)).status == 201);
  }
  CHECK(router.handle(req("POST", kIssues, R"({"title":"x","labels":["one-too-many"]})"), at(1)).status == 422);
  CHECK(router.handle(req("PATCH", std::string(kIssues) + "/1", R"({"labels":["one-too-many"]})"), at(1)).status ==
        422);
  CHECK(router.handle(req("POST", kIssues, R"({"title":"x","labels":["l3"]})"), at(1)).status == 201);
}

TEST_CASE("create-if-absent primitives: refs, contents, labels", "[http]") {
  Router router(serve_scenario(), {});
  const std::string refs = "/api/v3/repos/acme/widgets/git/refs";
  // Object ids serve does not hold: taken as the repository's own commits.
  const std::string s1(40, '1'), s2(40, '2'), s9(40, '9');
  const auto create = [](const std::string& ref, const std::string& sha) { return json{{"ref", ref}, {"sha", sha}}.dump(); };
  const auto move_to = [](const std::string& sha, bool force) {
    json j{{"sha", sha}};
    if (force) j["force"] = true;
    return j.dump();
  };
  CHECK(router.handle(req("POST", refs, create("refs/coordination/abc", s1)), at(1)).status == 201);
  Response again = router.handle(req("POST", refs, create("refs/coordination/abc", s2)), at(1));
  CHECK(again.status == 422);
  CHECK(body_of(again)["message"] == "Reference already exists");
  CHECK(router.handle(req("POST", refs, create("coordination", s1)), at(1)).status == 422);
  Response got = router.handle(req("GET", "/api/v3/repos/acme/widgets/git/ref/coordination/abc"), at(1));
  CHECK(body_of(got)["object"]["sha"] == s1);
  CHECK(router.handle(req("PATCH", refs + "/coordination/abc", move_to(s9, false)), at(2)).status == 422);
  CHECK(router.handle(req("PATCH", refs + "/coordination/abc", move_to(s9, true)), at(2)).status == 200);
  CHECK(body_of(router.handle(req("GET", refs + "/coordination/abc"), at(2)))["object"]["sha"] == s9);
  CHECK(router.handle(req("DELETE", refs + "/coordination/abc"), at(3)).status == 204);
  CHECK(router.handle(req("DELETE", refs + "/coordination/abc"), at(3)).status == 422);
  CHECK(router.handle(req("GET", refs + "/coordination/abc"), at(3)).status == 404);
  CHECK(router.handle(req("POST", refs, create("refs/coordination/abc", s1)), at(4)).status == 201);

  // Time goes forward, as on a server: commits are never earlier than the last one.
  const std::string file = "/api/v3/repos/acme/widgets/contents/locks/abc";
  Response put = router.handle(req("PUT", file, R"({"message":"m","content":"bGludXg="})"), at(10));
  CHECK(put.status == 201);
  const std::string sha = body_of(put)["content"]["sha"];
  CHECK(sha == "9c52cb36f47ec904cdc4fd9a33e000b6170bb0b0");  // printf linux | git hash-object --stdin
  CHECK(router.handle(req("PUT", file, R"({"message":"m","content":"d2luZG93cw=="})"), at(10)).status == 422);
  CHECK(router.handle(req("PUT", file, R"({"message":"m","content":"eA==","sha":"bad"})"), at(10)).status == 409);
  CHECK(router.handle(req("PUT", file, R"({"message":"m","content":"eA==","sha":")" + sha + "\"}"), at(10)).status ==
        200);
  CHECK(router.handle(req("PUT", file, R"({"message":"m","content":"!!"})"), at(10)).status == 422);
  CHECK(router.handle(req("GET", "/api/v3/repos/acme/widgets/contents/nothing"), at(11)).status == 404);
  const Response got_file = router.handle(req("GET", file), at(11));
  INFO(got_file.body);
  json content = body_of(got_file);
  CHECK(base64_decode(content["content"].get<std::string>()) == "x");

  const std::string labels = "/api/v3/repos/acme/widgets/labels";
  CHECK(router.handle(req("POST", labels, R"({"name":"lock","color":"ff0000"})"), at(1)).status == 201);
  Response dup = router.handle(req("POST", labels, R"({"name":"LOCK"})"), at(1));
  CHECK(dup.status == 422);
  CHECK(body_of(dup)["errors"][0]["code"] == "already_exists");
  CHECK(router.handle(req("POST", labels, R"({"name":"x","color":"red"})"), at(1)).status == 422);
  CHECK(body_of(router.handle(req("GET", labels), at(1))).size() == 1);
}

TEST_CASE("git blobs: content-addressed, readable at once, kept in the state", "[http]") {
  Router router(serve_scenario(), {});
  const std::string blobs = "/api/v3/repos/acme/widgets/git/blobs";
  Response made = router.handle(req("POST", blobs, R"({"content":"holder:linux","encoding":"utf-8"})"), at(1));
  CHECK(made.status == 201);
  const std::string sha = body_of(made)["sha"];
  CHECK(sha == "cf693b25841ca883caefddc2d1daa1cae56f9976");  // printf holder:linux | git hash-object --stdin
  // The same content is the same object; base64 and utf-8 agree.
  CHECK(body_of(router.handle(req("POST", blobs, R"({"content":"aG9sZGVyOmxpbnV4","encoding":"base64"})"), at(1)))["sha"] ==
        sha);
  CHECK(router.handle(req("POST", blobs, R"({"encoding":"utf-8"})"), at(1)).status == 422);
  CHECK(router.handle(req("POST", blobs, R"({"content":"x","encoding":"utf-16"})"), at(1)).status == 422);
  const Response got = router.handle(req("GET", blobs + "/" + sha), at(1));
  REQUIRE(got.status == 200);
  CHECK(base64_decode(body_of(got)["content"].get<std::string>()) == "holder:linux");
  CHECK(router.handle(req("GET", blobs + "/0000000000000000000000000000000000000000"), at(1)).status == 404);

  Router replayed(serve_scenario(), {});
  replayed.load_state(router.save_state(at(2)), "state");
  CHECK(replayed.handle(req("GET", blobs + "/" + sha), at(3)).status == 200);
}

TEST_CASE("search: qualifiers and its own lag", "[http]") {
  Router router(serve_scenario(), {});
  router.handle(req("POST", kIssues, R"({"title":"Build failure linux","body":"x","labels":["lock"]})"), at(1));
  router.handle(req("POST", kIssues, R"({"title":"Other","body":"linux in body","labels":["lock"]})"), at(1));
  router.handle(req("POST", "/api/v3/repos/acme/other/issues", R"({"title":"Build failure linux"})"), at(1));
  const auto search = [&](const std::string& q, double t) {
    Response r = router.handle(req("GET", "/api/v3/search/issues?q=" + percent_encode(q)), at(t));
    REQUIRE(r.status == 200);
    std::vector<std::int64_t> out;
    const json found = body_of(r);  // not `body_of(r)["items"]` in the for: the temporary would die first
    for (const auto& i : found["items"]) out.push_back(i["number"]);
    return out;
  };
  CHECK(search("repo:acme/widgets linux", 1.5).empty());  // search lag 1 s
  CHECK(search("repo:acme/widgets linux", 2) == std::vector<std::int64_t>{1});  // #2 committed 1 us later
  CHECK(search("repo:acme/widgets linux", 3) == std::vector<std::int64_t>{2, 1});
  CHECK(search("repo:acme/widgets in:title linux", 3) == std::vector<std::int64_t>{1});
  CHECK(search("repo:acme/widgets is:issue is:open label:lock", 3).size() == 2);
  CHECK(search("repo:acme/widgets is:closed", 3).empty());
  CHECK(search("repo:acme/widgets is:pr", 3).empty());
  CHECK(search("build failure", 3).size() == 2);  // both repositories
  CHECK(search("repo:nobody/none linux", 3).empty());
}

TEST_CASE("rate limit: x-ratelimit headers and 403 once the budget is spent", "[http]") {
  RouterOptions options;
  options.rate_limit.core_per_hour = 2;
  Router router(serve_scenario(), options);
  Request r = req("GET", "/api/v3/repos/a/b");
  r.headers.push_back({"authorization", "token t1"});
  CHECK(*header(router.handle(r, at(1)), "x-ratelimit-remaining") == "1");
  CHECK(router.handle(r, at(1)).status == 200);
  Response limited = router.handle(r, at(1));
  CHECK(limited.status == 403);
  CHECK(body_of(limited)["message"].get<std::string>().rfind("API rate limit exceeded for", 0) == 0);
  CHECK(*header(limited, "x-ratelimit-remaining") == "0");
  CHECK(router.handle(req("GET", "/api/v3/rate_limit"), at(1)).status == 200);  // free, per client
  r.headers.back().value = "token t2";  // another token has its own budget
  CHECK(router.handle(r, at(1)).status == 200);
  r.headers.back().value = "token t1";
  CHECK(router.handle(r, at(3601)).status == 200);  // the window has reset
}

TEST_CASE("state saves and replays exactly", "[http]") {
  Router a(serve_scenario(), {});
  a.handle(req("POST", kIssues, R"({"title":"one","labels":["lock"]})"), at(1));
  a.handle(req("PATCH", std::string(kIssues) + "/1", R"({"state":"closed","body":"done"})"), at(2));
  a.handle(req("POST", std::string(kIssues) + "/1/comments", R"({"body":"c"})"), at(3));
  a.handle(req("POST", "/api/v3/repos/acme/widgets/git/refs", R"({"ref":"refs/x/y","sha":"1111111111111111111111111111111111111111"})"), at(4));
  a.handle(req("PUT", "/api/v3/repos/acme/widgets/contents/f", R"({"message":"m","content":"eA=="})"), at(5));
  const json saved = a.save_state(at(6));
  Router b(serve_scenario(), {});
  CHECK(b.load_state(json::parse(saved.dump()), "state.json") == at(6));
  CHECK(b.save_state(at(6)) == saved);
  for (const char* target : {"/api/v3/repos/acme/widgets/issues?state=all", "/api/v3/repos/acme/widgets/issues/1",
                             "/api/v3/repos/acme/widgets/issues/1/comments", "/api/v3/repos/acme/widgets/git/ref/x/y",
                             "/api/v3/repos/acme/widgets/contents/f"})
    CHECK(a.handle(req("GET", target), at(7)).body == b.handle(req("GET", target), at(7)).body);
  Router c(serve_scenario(), {});
  CHECK_THROWS_AS(c.load_state(json{{"format", "other"}}, "x.json"), sim::InputError);
  json broken = saved;
  broken["repositories"][0]["journal"][1]["op"] = "explode";
  Router d(serve_scenario(), {});
  CHECK_THROWS_AS(d.load_state(broken, "x.json"), sim::InputError);
}

TEST_CASE("raw request parsing with the server's limits", "[http]") {
  auto r = parse_raw_request("POST /api/v3/x HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\n{}");
  REQUIRE(r);
  CHECK(r->method == "POST");
  CHECK(r->body == "{}");
  CHECK(*r->header("host") == "h");
  std::string why;
  CHECK_FALSE(parse_raw_request("GARBAGE\r\n\r\n", &why));
  CHECK_FALSE(why.empty());
  CHECK_FALSE(parse_raw_request("POST / HTTP/1.1\r\nContent-Length: 99999999\r\n\r\n"));  // over 1 MiB
  CHECK_FALSE(parse_raw_request("GET / HTTP/1.1\r\nX: " + std::string(70000, 'a') + "\r\n\r\n"));
  CHECK_FALSE(parse_raw_request("POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc"));  // truncated
}

namespace {

// Building blocks for the fuzz target: fragments of valid requests, to be
// combined and then mutated byte by byte.
const std::vector<std::string> kMethods = {"GET", "POST", "PATCH", "PUT", "DELETE", "HEAD", "OPTIONS", "G\x01T", ""};
const std::vector<std::string> kTargets = {
    "/api/v3/repos/o/r/issues",
    "/api/v3/repos/o/r/issues?state=all&labels=a,b&sort=updated&direction=asc&per_page=2&page=2",
    "/api/v3/repos/o/r/issues/1",
    "/api/v3/repos/o/r/issues/1/comments",
    "/api/v3/repos/o/r/labels",
    "/api/v3/repos/o/r/labels/a",
    "/api/v3/search/issues?q=repo%3Ao%2Fr+is%3Aissue+is%3Aopen+label%3Aa+in%3Atitle+x",
    "/api/v3/repos/o/r/git/refs",
    "/api/v3/repos/o/r/git/refs/heads/x",
    "/api/v3/repos/o/r/git/ref/heads/x",
    "/api/v3/repos/o/r/contents/a/b",
    "/api/v3/rate_limit",
    "/api/v3/repos/o/r",
    "/repos/o/r/issues?since=2025-01-01T00:00:00Z",
    "/",
};
const std::vector<std::string> kBodies = {
    R"({"title":"t","body":"b","labels":["a","b"]})",
    R"({"state":"closed","title":"u","labels":[]})",
    R"({"body":"comment"})",
    R"({"name":"a","color":"00ff00","description":"d"})",
    R"({"ref":"refs/heads/x","sha":"abc"})",
    R"({"sha":"def","force":true})",
    R"({"message":"m","content":"eA==","sha":null})",
    "",
    "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
    R"({"title":"\ud800","labels":[{"name":"a"},7,null]})",
};

std::string mutate(std::string s, std::mt19937_64& rng) {
  std::uniform_int_distribution<int> kind(0, 7);
  const int rounds = std::uniform_int_distribution<int>(0, 4)(rng);
  for (int k = 0; k < rounds; ++k) {
    const std::size_t pos = s.empty() ? 0 : std::uniform_int_distribution<std::size_t>(0, s.size() - 1)(rng);
    const char byte = static_cast<char>(std::uniform_int_distribution<int>(0, 255)(rng));
    switch (kind(rng)) {
      case 0: if (!s.empty()) s[pos] = byte; break;
      case 1: s.insert(pos, 1, byte); break;
      case 2: if (!s.empty()) s.erase(pos, 1); break;
      case 3: s = s.substr(0, pos); break;
      case 4: s.insert(pos, std::string(std::uniform_int_distribution<int>(1, 3000)(rng), byte)); break;
      case 5: s.insert(pos, "%"); break;
      case 6: s.insert(pos, std::to_string(std::uniform_int_distribution<std::int64_t>()(rng))); break;
      default: s.insert(pos, "\"/\\{}[],:"); break;
    }
  }
  return s;
}

template <class T>
const T& pick(const std::vector<T>& v, std::mt19937_64& rng) {
  return v[std::uniform_int_distribution<std::size_t>(0, v.size() - 1)(rng)];
}

void check_response(const Response& r) {
  INFO("status " << r.status << " body " << r.body);
  REQUIRE(r.status >= 200);
  REQUIRE(r.status < 500);  // a 500 would be a bug in the router
  if (r.status != 204) REQUIRE(json::accept(r.body));
}

}  // namespace

TEST_CASE("fuzz: random and mutated requests through the router", "[http][fuzz]") {
  RouterOptions options;
  options.rate_limit.core_per_hour = std::int64_t{1} << 40;
  options.rate_limit.search_per_minute = std::int64_t{1} << 40;
  Router router(serve_scenario(), options);
  std::mt19937_64 rng(20251203);
  for (int i = 0; i < 6000; ++i) {
    Request r = req(mutate(pick(kMethods, rng), rng), mutate(pick(kTargets, rng), rng), mutate(pick(kBodies, rng), rng));
    if (i % 7 == 0) r.headers.push_back({"authorization", mutate("token abc", rng)});
    if (i % 11 == 0) r.headers[0].value = mutate(r.headers[0].value, rng);  // Host
    const Response response = router.handle(r, at(i * 0.01));
    check_response(response);
  }
  // The state still saves and replays after all that.
  Router replayed(serve_scenario(), options);
  const json saved = router.save_state(at(100));
  CHECK_NOTHROW(saved.dump());  // nothing stored that is not UTF-8: the state file can be written
  replayed.load_state(saved, "fuzz");
  CHECK(replayed.save_state(at(100)) == saved);
}

TEST_CASE("fuzz: mutated raw bytes through the parser, then the router", "[http][fuzz]") {
  Router router(serve_scenario(), {});
  std::mt19937_64 rng(42);
  int parsed = 0;
  for (int i = 0; i < 6000; ++i) {
    const std::string body = pick(kBodies, rng);
    std::string raw = pick(kMethods, rng) + " " + pick(kTargets, rng) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    if (i % 3 == 0) raw += "Transfer-Encoding: chunked\r\n\r\n" + (body.empty() ? "" : std::to_string(body.size()) + "\r\n") ;
    if (i % 3 == 0) raw += body.empty() ? "0\r\n\r\n" : body + "\r\n0\r\n\r\n";
    else raw += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    std::string why;
    auto request = parse_raw_request(mutate(raw, rng), &why);
    if (!request) continue;
    ++parsed;
    check_response(router.handle(*request, at(i * 0.01)));
  }
  CHECK(parsed > 1000);  // the mutations leave enough valid requests to reach the router
}
