// serve's git objects beyond blobs: POST and GET git/commits (what the agent's
// ref-lock points its lock ref at by default), the check a ref's sha gets
// (an object id, or 422 "Object does not exist"), a ref's object.type, and
// commits surviving --state's save and replay (and being refused there when
// their sha is not their content's).
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <string>

#include "sim/http/repository.hpp"
#include "sim/http/router.hpp"
#include "sim/input/input_error.hpp"
#include "support/http_requests.hpp"

using namespace coordsim;
using namespace coordsim::sim::http;
using nlohmann::json;
using namespace coordsim::test;

namespace {

constexpr const char* kCommits = "/api/v3/repos/acme/widgets/git/commits";
constexpr const char* kRefs = "/api/v3/repos/acme/widgets/git/refs";
constexpr const char* kEmpty = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";
// What the agent writes for holder:linux (agent/real/rest_json.cpp's lock_commit_message).
const std::string kLockMessage =
    "holder:linux\n\ncoordsim ref-lock: a lock ref points at this commit; the first line is its holder token.\n";

std::string commit_body(const std::string& message, const std::string& tree, const json& parents = json::array()) {
  return json{{"message", message}, {"tree", tree}, {"parents", parents}}.dump();
}

}  // namespace

TEST_CASE("git commit ids are git's", "[http]") {
  // printf 'tree 4b82...\nauthor coordsim serve <serve@coordsim.invalid> 1800000000 +0000\n...' | git hash-object -t commit --stdin
  CHECK(git_commit_sha(StoredCommit{kEmpty, {}, kLockMessage, 1'800'000'000}) ==
        "d5d8b604ad9126e8f74d73d4ee33f18b6fb8d538");
  CHECK(git_commit_sha(StoredCommit{kEmpty, {"46e71ff2c1d3b5a79e0f4c6d8b2a1e3f5c7d9b0a"}, "m", 0}) ==
        "3ed985a85ced7513bba8f879bd5998084a1d511a");
  CHECK(is_object_id("46e71ff2c1d3b5a79e0f4c6d8b2a1e3f5c7d9b0a"));
  CHECK(is_object_id(std::string(64, 'a')));
  CHECK_FALSE(is_object_id("46e71ff2"));
  CHECK_FALSE(is_object_id("46E71FF2C1D3B5A79E0F4C6D8B2A1E3F5C7D9B0A"));
  CHECK_FALSE(is_object_id("holder:linux"));
}

TEST_CASE("git commits: made, read at once, refs at them", "[http]") {
  Router router(serve_scenario(), {});
  router.set_unix_epoch_us(1'800'000'000'000'000);
  const Response made = router.handle(req("POST", kCommits, commit_body(kLockMessage, kEmpty)), at(0.5));
  REQUIRE(made.status == 201);
  const json c = body_of(made);
  const std::string sha = c["sha"];
  CHECK(sha == "d5d8b604ad9126e8f74d73d4ee33f18b6fb8d538");
  CHECK(c["message"] == kLockMessage);
  CHECK(c["tree"]["sha"] == kEmpty);
  CHECK(c["parents"] == json::array());
  CHECK(c["author"]["date"] == "2027-01-15T08:00:00Z");
  CHECK(c["committer"]["name"] == "coordsim serve");
  CHECK(c["verification"]["verified"] == false);
  CHECK(*header(made, "location") == c["url"].get<std::string>());

  const Response got = router.handle(req("GET", std::string(kCommits) + "/" + sha), at(0.5));
  REQUIRE(got.status == 200);
  CHECK(body_of(got)["message"] == kLockMessage);
  CHECK(body_of(got)["sha"] == sha);
  CHECK(router.handle(req("GET", std::string(kCommits) + "/" + std::string(40, '0')), at(1)).status == 404);

  // A ref at it reports a commit; one at a stored blob, a blob.
  REQUIRE(router.handle(req("POST", kRefs, json{{"ref", "refs/coordination/abc"}, {"sha", sha}}.dump()), at(1)).status ==
          201);
  const json ref = body_of(router.handle(req("GET", "/api/v3/repos/acme/widgets/git/ref/coordination/abc"), at(1)));
  CHECK(ref["object"]["type"] == "commit");
  CHECK(ref["object"]["url"].get<std::string>().find("/git/commits/" + sha) != std::string::npos);
  const std::string blob =
      body_of(router.handle(req("POST", "/api/v3/repos/acme/widgets/git/blobs", R"({"content":"x"})"), at(1)))["sha"];
  REQUIRE(router.handle(req("POST", kRefs, json{{"ref", "refs/coordination/b"}, {"sha", blob}}.dump()), at(1)).status ==
          201);
  CHECK(body_of(router.handle(req("GET", "/api/v3/repos/acme/widgets/git/ref/coordination/b"), at(2)))["object"]["type"] ==
        "blob");

  // Parents: object ids, which serve takes as the repository's own commits.
  const Response child =
      router.handle(req("POST", kCommits, commit_body("m", kEmpty, json::array({sha}))), at(2));
  REQUIRE(child.status == 201);
  CHECK(body_of(child)["parents"][0]["sha"] == sha);
}

TEST_CASE("git commits: malformed bodies are 422 in GitHub's shape", "[http]") {
  Router router(serve_scenario(), {});
  const auto status = [&](const std::string& body) { return router.handle(req("POST", kCommits, body), at(1)).status; };
  CHECK(status(R"({"tree":"4b825dc642cb6eb9a060e54bf8d69288fbee4904"})") == 422);  // no message
  CHECK(status(R"({"message":"m"})") == 422);                                       // no tree
  CHECK(status(R"({"message":7,"tree":"4b825dc642cb6eb9a060e54bf8d69288fbee4904"})") == 422);
  CHECK(status(R"({"message":"m","tree":"4b825dc"})") == 422);
  CHECK(status(R"({"message":"m","tree":"4b825dc642cb6eb9a060e54bf8d69288fbee4904","parents":"x"})") == 422);
  CHECK(status(R"({"message":"m","tree":"4b825dc642cb6eb9a060e54bf8d69288fbee4904","parents":["abc"]})") == 422);
  CHECK(status(R"({"message":"m","tree":"4b825dc642cb6eb9a060e54bf8d69288fbee4904","parents":[7]})") == 422);
  CHECK(status(R"({"message":"m","tree":"4b825dc642cb6eb9a060e54bf8d69288fbee4904","author":"me"})") == 422);
  const Response bad = router.handle(req("POST", kCommits, R"({"message":"m","tree":"x"})"), at(1));
  CHECK(body_of(bad)["message"] == "Validation Failed");
  CHECK(body_of(bad)["errors"][0]["field"] == "tree");
  // parents may be left out: a root commit.
  CHECK(status(R"({"message":"m","tree":"4b825dc642cb6eb9a060e54bf8d69288fbee4904"})") == 201);
  CHECK(router.handle(req("PATCH", std::string(kCommits) + "/" + std::string(40, '0'), "{}"), at(1)).status == 404);
}

TEST_CASE("refs: a sha that is no object id is 422 Object does not exist", "[http]") {
  Router router(serve_scenario(), {});
  // The agent's bug this catches: a holder token sent as the sha, without the object made first.
  const Response token = router.handle(req("POST", kRefs, R"({"ref":"refs/coordination/x","sha":"holder:linux"})"), at(1));
  CHECK(token.status == 422);
  CHECK(body_of(token)["message"] == "Object does not exist");
  CHECK(router.handle(req("POST", kRefs, R"({"ref":"refs/coordination/x","sha":"0123"})"), at(1)).status == 422);
  // A full object id serve does not hold is taken as one of the repository's
  // own commits (the commit under test), which serve has no copy of.
  const std::string sha = "46e71ff2c1d3b5a79e0f4c6d8b2a1e3f5c7d9b0a";
  REQUIRE(router.handle(req("POST", kRefs, json{{"ref", "refs/coordination/x"}, {"sha", sha}}.dump()), at(1)).status ==
          201);
  CHECK(router.handle(req("PATCH", std::string(kRefs) + "/coordination/x", R"({"sha":"9999","force":true})"), at(2))
            .status == 422);
}

TEST_CASE("git commits survive --state, and a forged one is refused", "[http]") {
  Router a(serve_scenario(), {});
  a.set_unix_epoch_us(1'800'000'000'000'000);
  const std::string sha = body_of(a.handle(req("POST", kCommits, commit_body(kLockMessage, kEmpty)), at(0.5)))["sha"];
  REQUIRE(a.handle(req("POST", kRefs, json{{"ref", "refs/coordination/abc"}, {"sha", sha}}.dump()), at(1)).status == 201);
  const json saved = a.save_state(at(2));
  Router b(serve_scenario(), {});
  b.set_unix_epoch_us(1'800'000'000'000'000);
  b.load_state(json::parse(saved.dump()), "state.json");
  CHECK(b.save_state(at(2)) == saved);
  const Response got = b.handle(req("GET", std::string(kCommits) + "/" + sha), at(3));
  REQUIRE(got.status == 200);
  CHECK(body_of(got)["message"] == kLockMessage);

  // Find the journal's commit entry, then break it three ways.
  const json& journal = saved["repositories"][0]["journal"];
  std::size_t at_commit = journal.size();
  for (std::size_t i = 0; i < journal.size(); ++i)
    if (journal[i]["op"] == "commit") at_commit = i;
  REQUIRE(at_commit < journal.size());
  const auto refused = [&](const char* key, const json& value) {
    json broken = saved;
    broken["repositories"][0]["journal"][at_commit][key] = value;
    Router c(serve_scenario(), {});
    CHECK_THROWS_AS(c.load_state(broken, "state.json"), sim::InputError);
  };
  refused("message", "holder:windows");  // the sha is no longer its content's
  refused("parents", "none");           // not an array of strings
  refused("tree", "4b825dc");           // not an object id
  refused("unix_s", -1);
}
