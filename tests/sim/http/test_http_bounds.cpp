// Bounded memory and exact answers for `coordsim serve`'s budgets and reads
// (issue #16 items 4 and 7): rate-limit windows of clients gone quiet are
// forgotten without changing any answer, reads never create a repository, and
// HEAD/OPTIONS answer where GET does.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "sim/http/journal.hpp"
#include "sim/http/router.hpp"
#include "sim/http/scenario_rate_limits.hpp"
#include "sim/http/token_rate_limit.hpp"
#include "sim/input/scenario_loader.hpp"

using namespace coordsim;
using namespace coordsim::sim::http;
using nlohmann::json;

namespace {

Request req(std::string method, std::string target, std::string body = {}) {
  Request r;
  r.method = std::move(method);
  r.target = std::move(target);
  r.body = std::move(body);
  r.headers.push_back({"host", "127.0.0.1:9999"});
  r.remote = "127.0.0.1";
  return r;
}

}  // namespace

TEST_CASE("token windows: ended ones are forgotten, answers unchanged", "[http][rate][bounds]") {
  TokenRateLimiter limiter(TokenRateLimits{5000, 30});
  for (int i = 0; i < 5; ++i) limiter.take("token:A", RateResource::core, 1000);
  for (int i = 0; i < 20'000; ++i) limiter.take("token:old" + std::to_string(i), RateResource::core, 1000);
  CHECK(limiter.windows() >= 20'000);
  // An hour later the first 20,000 windows have ended: 20,000 new clients must
  // not double the memory. (Without expiry: 40,001 windows.)
  for (int i = 0; i < 20'000; ++i) limiter.take("token:new" + std::to_string(i), RateResource::core, 4600);
  CHECK(limiter.windows() <= 20'000 + 2'048);
  // A forgotten window answers as the ended one did: a fresh window from now.
  const RateStatus a = limiter.take("token:A", RateResource::core, 4601);
  CHECK(a.used == 1);
  CHECK(a.remaining == 4999);
  CHECK(a.reset_unix_s == 4601 + 3600);
  // A window still running is kept, with its count.
  const RateStatus b = limiter.take("token:new7", RateResource::core, 4602);
  CHECK(b.used == 2);
  CHECK(b.reset_unix_s == 4600 + 3600);
}

TEST_CASE("scenario budgets: idle ones are forgotten", "[http][rate][bounds]") {
  sim::RateLimitConfig config;
  config.enabled = true;
  ScenarioRateLimits limits(config, 7);
  for (int i = 0; i < 5'000; ++i) limits.limiter("token:" + std::to_string(i), "a/b", agent::Time{0});
  CHECK(limits.budgets() == 5'000);
  const agent::Time later = agent::Time{0} + ScenarioRateLimits::kIdleExpiry + agent::Duration(1);
  for (int i = 0; i < 5'000; ++i) limits.limiter("token:n" + std::to_string(i), "a/b", later);
  CHECK(limits.budgets() <= 5'000 + 1'024);
  // latest() of a forgotten client still answers (a fresh budget).
  CHECK(limits.latest("token:3", later).headers(agent::Endpoint::get_issue).limit == config.primary_per_hour);
}

TEST_CASE("reads create no repository; the first write does", "[http][bounds]") {
  const auto scenario = sim::load_scenario_file(COORDSIM_SOURCE_DIR "/tests/data/serve-test.json");
  Router router(scenario, RouterOptions{});
  const agent::Time t{1'000'000};
  for (int k = 0; k < 50; ++k) {
    const std::string repo = "/api/v3/repos/reader/r" + std::to_string(k);
    CHECK(router.handle(req("GET", repo), t).status == 200);
    CHECK(router.handle(req("HEAD", repo + "/issues"), t).status == 200);
    CHECK(router.handle(req("GET", repo + "/issues/1"), t).status == 404);
    CHECK(router.handle(req("GET", repo + "/git/ref/heads/x"), t).status == 404);
  }
  CHECK(router.save_state(t)["repositories"].empty());
  // A refused write (422) changes nothing either.
  CHECK(router.handle(req("POST", "/api/v3/repos/w/x/issues", R"({"title":""})"), t).status == 422);
  CHECK(router.save_state(t)["repositories"].empty());
  const Response created = router.handle(req("POST", "/api/v3/repos/w/x/issues", R"({"title":"a"})"), t);
  REQUIRE(created.status == 201);
  const json state = router.save_state(t);
  REQUIRE(state["repositories"].size() == 1);
  CHECK(state["repositories"][0]["id"] == 1);  // the 50 reads took no ids
  CHECK(json::parse(created.body)["id"].get<std::int64_t>() == 1'000'000'001);
}

TEST_CASE("HEAD answers as GET, OPTIONS with 204", "[http][bounds]") {
  const auto scenario = sim::load_scenario_file(COORDSIM_SOURCE_DIR "/tests/data/serve-test.json");
  Router router(scenario, RouterOptions{});
  const agent::Time t{1'000'000};
  REQUIRE(router.handle(req("POST", "/api/v3/repos/a/b/issues", R"({"title":"a"})"), t).status == 201);
  for (const char* path : {"/api/v3/repos/a/b", "/api/v3/repos/a/b/issues/1", "/api/v3/user", "/api/v3/rate_limit",
                           "/api/v3/repos/a/b/issues/2"}) {
    const Response get = router.handle(req("GET", path), t);
    const Response head = router.handle(req("HEAD", path), t);
    INFO(path);
    CHECK(head.status == get.status);
    CHECK(head.body.size() == get.body.size());  // the server sends the length, not the body
    const Response options = router.handle(req("OPTIONS", path), t);
    CHECK(options.status == 204);
  }
}

namespace {

struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/coordsim-journal-XXXXXX";
    REQUIRE(::mkdtemp(tmpl));
    path = tmpl;
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("journal: writes replay into the same state, a torn tail is cut, damage is refused", "[http][journal]") {
  const auto scenario = sim::load_scenario_file(COORDSIM_SOURCE_DIR "/tests/data/serve-test.json");
  TempDir dir;
  const std::string path = dir.path + "/state.json.journal";
  Router a(scenario, RouterOptions{});
  json saved;
  {
    Journal journal(path, 1);
    a.attach_journal(&journal);
    std::uint64_t last = 0;
    for (int k = 0; k < 20; ++k) {
      const Response r =
          a.handle(req("POST", "/api/v3/repos/acme/j" + std::to_string(k % 3) + "/issues",
                       R"({"title":"t)" + std::to_string(k) + R"(","labels":["l"]})"),
                   agent::Time{1000 + k});
      REQUIRE(r.status == 201);
      CHECK(r.durable_seq > last);  // each acknowledgement waits for its own line
      last = r.durable_seq;
    }
    a.handle(req("POST", "/api/v3/repos/acme/j0/issues/1/comments", R"({"body":"c"})"), agent::Time{2000});
    // A read waits for the writes it could show.
    CHECK(a.handle(req("GET", "/api/v3/repos/acme/j0/issues/1"), agent::Time{3000}).durable_seq ==
          journal.last_appended());
    CHECK(journal.wait_durable(journal.last_appended()));
    a.attach_journal(nullptr);
    saved = a.save_state(agent::Time{3000});
  }
  Router b(scenario, RouterOptions{});
  CHECK(b.replay_journal(path, agent::Time{0}) == agent::Time{2001});  // after the last commit
  json replayed = b.save_state(agent::Time{3000});
  CHECK(replayed["repositories"] == saved["repositories"]);

  // A line cut short by a crash: cut off, the rest replays.
  const std::string text = slurp(path);
  { std::ofstream(path, std::ios::app) << R"({"seq":999,"repo":"acme/j0","entry":{"op":"crea)"; }
  Router c(scenario, RouterOptions{});
  c.replay_journal(path, agent::Time{0});
  CHECK(c.save_state(agent::Time{3000})["repositories"] == saved["repositories"]);
  CHECK(slurp(path) == text);

  // Damage before the end, or lines out of order: exit 2 naming the line.
  const std::size_t second = text.find('\n') + 1;
  { std::ofstream(path, std::ios::trunc) << text.substr(0, second) << "garbage\n" << text.substr(second); }
  Router d(scenario, RouterOptions{});
  CHECK_THROWS_WITH(d.replay_journal(path, agent::Time{0}), Catch::Contains("line 2"));
  // Lines 2 and 3 swapped (a create in acme/j0, then acme/j1's first line).
  const std::size_t third = text.find('\n', second) + 1, fourth = text.find('\n', third) + 1;
  {
    std::ofstream(path, std::ios::trunc) << text.substr(0, second) << text.substr(third, fourth - third)
                                         << text.substr(second, third - second) << text.substr(fourth);
  }
  Router e(scenario, RouterOptions{});
  CHECK_THROWS_WITH(e.replay_journal(path, agent::Time{0}), Catch::Contains("out of order"));
}
