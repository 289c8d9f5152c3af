// The scenario's faults and rate limits in the HTTP layer, without sockets:
// exact answers at probabilities 0 and 1, the share of failures at 0.3 within
// a stated tolerance, fault determinism per seed, and GitHub's rate-limit
// answers (primary, secondary, search) with their headers.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <cmath>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "sim/http/router.hpp"
#include "sim/input/scenario_loader.hpp"

using namespace coordsim;
using namespace coordsim::sim;
using namespace coordsim::sim::http;
using nlohmann::json;

namespace {

// serve-test.json (no latency; lags get 0, list 1 s, search 1 s, refs 0) with overrides.
sim::ScenarioFile scenario(std::vector<std::string> sets) {
  return sim::load_scenario_file(COORDSIM_SOURCE_DIR "/tests/data/serve-test.json", sets);
}

agent::Time at(double s) { return agent::from_seconds(s); }

Request req(std::string method, std::string target, std::string body = {}, std::string token = "t1") {
  Request r;
  r.method = std::move(method);
  r.target = std::move(target);
  r.body = std::move(body);
  r.headers.push_back({"host", "127.0.0.1:9999"});
  if (!token.empty()) r.headers.push_back({"authorization", "token " + token});
  r.remote = "127.0.0.1";
  return r;
}

json body_of(const Response& r) { return json::parse(r.body); }

std::string header(const Response& r, std::string_view name) {
  for (const auto& h : r.headers)
    if (h.name == name) return h.value;
  return "<absent>";
}

bool is_5xx(int status) { return status == 500 || status == 502 || status == 503; }

constexpr const char* kIssues = "/api/v3/repos/acme/widgets/issues";
constexpr const char* kRefs = "/api/v3/repos/acme/widgets/git/refs";
constexpr const char* kRepo = "/api/v3/repos/acme/widgets";
constexpr std::int64_t kEpochUs = 1'700'000'000'000'000;  // model time 0 in wall-clock time

RouterOptions options() {
  RouterOptions o;
  o.unix_epoch_us = kEpochUs;
  return o;
}

}  // namespace

TEST_CASE("faults: server_error = 1 is a 5xx and nothing happens", "[http][faults]") {
  Router router(scenario({"github.faults.create_issue.server_error=1", "github.faults.create_ref.server_error=1"}),
                options());
  const Response r = router.handle(req("POST", kIssues, R"({"title":"x"})"), at(0));
  CHECK(is_5xx(r.status));
  CHECK(body_of(r)["message"].is_string());
  CHECK(body_of(r).contains("documentation_url"));
  CHECK(header(r, "location") == "<absent>");
  const Response ref = router.handle(req("POST", kRefs, R"({"ref":"refs/heads/lock","sha":"abc0000000000000000000000000000000000000"})"), at(0));
  CHECK(is_5xx(ref.status));
  // Long after every lag: no issue, no ref, and the issue count never moved.
  CHECK(body_of(router.handle(req("GET", std::string(kIssues) + "?state=all"), at(10))).empty());
  CHECK(router.handle(req("GET", std::string(kRefs) + "/heads/lock"), at(10)).status == 404);
  CHECK(body_of(router.handle(req("GET", kRepo), at(10)))["open_issues_count"] == 0);
  // Other endpoints are not affected.
  CHECK(router.handle(req("GET", kRepo), at(10)).status == 200);
}

TEST_CASE("faults: lost_response = 1 is a 502 but the write is committed", "[http][faults]") {
  Router router(scenario({"github.faults.create_issue.lost_response=1", "github.faults.create_ref.lost_response=1"}),
                options());
  const Response r = router.handle(req("POST", kIssues, R"({"title":"lost"})"), at(0));
  CHECK(r.status == 502);
  CHECK(body_of(r)["message"] == "Bad Gateway");
  CHECK(body_of(router.handle(req("GET", kIssues), at(0.5))).empty());  // the list lag is 1 s
  const json listed = body_of(router.handle(req("GET", kIssues), at(2)));
  REQUIRE(listed.size() == 1);
  CHECK(listed[0]["number"] == 1);
  CHECK(listed[0]["title"] == "lost");
  CHECK(router.handle(req("POST", kRefs, R"({"ref":"refs/heads/lock","sha":"abc0000000000000000000000000000000000000"})"), at(3)).status == 502);
  const Response got = router.handle(req("GET", std::string(kRefs) + "/heads/lock"), at(3));
  CHECK(got.status == 200);
  CHECK(body_of(got)["object"]["sha"] == "abc0000000000000000000000000000000000000");
}

TEST_CASE("faults: spurious_ref_422 = 1 refuses ref creation only", "[http][faults]") {
  Router router(scenario({"github.faults.spurious_ref_422=1"}), options());
  const Response r = router.handle(req("POST", kRefs, R"({"ref":"refs/heads/lock","sha":"abc0000000000000000000000000000000000000"})"), at(0));
  CHECK(r.status == 422);
  CHECK(body_of(r)["message"] == "Reference update failed");
  CHECK(router.handle(req("GET", std::string(kRefs) + "/heads/lock"), at(5)).status == 404);
  // Labels, blobs and contents count as create_ref for latency and 5xx, but
  // the spurious 422 is git refs' own.
  CHECK(router.handle(req("POST", "/api/v3/repos/acme/widgets/labels", R"({"name":"x"})"), at(0)).status == 201);
  CHECK(router.handle(req("POST", "/api/v3/repos/acme/widgets/git/blobs", R"({"content":"x"})"), at(0)).status ==
        201);
  CHECK(router.handle(req("POST", kIssues, R"({"title":"x"})"), at(0)).status == 201);
}

TEST_CASE("faults: probability 0 changes nothing; GET /rate_limit never fails", "[http][faults]") {
  Router router(scenario({"github.faults.default.server_error=1", "github.faults.create_issue.server_error=0"}),
                options());
  for (int i = 0; i < 50; ++i)
    CHECK(router.handle(req("POST", kIssues, R"({"title":"x"})"), at(0)).status == 201);
  CHECK(is_5xx(router.handle(req("GET", kRepo), at(0)).status));  // the default applies elsewhere
  CHECK(router.handle(req("GET", "/api/v3/rate_limit"), at(0)).status == 200);
  // plan() carries the fault; handle() applies it.
  const Request get = req("GET", kRepo);
  const Timing t = router.plan(get);
  CHECK(t.fault.fate == Fate::server_error);
  CHECK(router.handle(get, at(0), t.fault).status == t.fault.status);
  CHECK(router.handle(get, at(0), FaultPlan{}).status == 200);
}

TEST_CASE("faults: p = 0.3 fails 30% of 2,000 requests (within 4 sd)", "[http][faults]") {
  constexpr int kN = 2000;
  constexpr double kP = 0.3;
  const double sd = std::sqrt(kN * kP * (1 - kP));  // about 20.5
  SECTION("server_error: a 5xx, each of 500/502/503 about a third, and no effect") {
    Router router(scenario({"github.faults.create_issue.server_error=0.3"}), options());
    int failed = 0, created = 0;
    std::map<int, int> by_status;
    for (int i = 0; i < kN; ++i) {
      const Response r = router.handle(req("POST", kIssues, R"({"title":"x"})"), at(0));
      if (is_5xx(r.status)) ++failed, ++by_status[r.status];
      else if (r.status == 201) ++created;
    }
    CHECK(failed + created == kN);
    CHECK(std::abs(failed - kN * kP) <= 4 * sd);
    for (int status : {500, 502, 503}) CHECK(std::abs(by_status[status] - failed / 3.0) <= 4 * std::sqrt(failed * 2.0 / 9));
    // Issue numbers count only the creates that happened.
    const Response next = router.handle(req("POST", kIssues, R"({"title":"x"})"), at(0));
    if (next.status == 201) CHECK(body_of(next)["number"] == created + 1);
  }
  SECTION("lost_response: a 502 and the effect") {
    Router router(scenario({"github.faults.create_issue.lost_response=0.3"}), options());
    int lost = 0;
    for (int i = 0; i < kN; ++i) {
      const int status = router.handle(req("POST", kIssues, R"({"title":"x"})"), at(0)).status;
      CHECK((status == 201 || status == 502));
      lost += status == 502;
    }
    CHECK(std::abs(lost - kN * kP) <= 4 * sd);
    CHECK(body_of(router.handle(req("GET", kRepo), at(0)))["open_issues_count"] == kN);
  }
}

TEST_CASE("faults: the same seed and request order give the same faults", "[http][faults]") {
  const auto run = [](const std::string& seed, const std::string& lag) {
    Router router(scenario({"seed=" + seed, "github.faults.default.server_error=0.2",
                            "github.faults.default.lost_response=0.2", "github.faults.spurious_ref_422=0.2",
                            "github.visibility_lag_s.list=" + lag}),
                  options());
    std::vector<int> statuses;
    for (int i = 0; i < 200; ++i) {
      Request r = i % 3 == 0   ? req("POST", kIssues, R"({"title":"x"})")
                  : i % 3 == 1 ? req("GET", kIssues)
                               : req("POST", kRefs, R"({"ref":"refs/heads/r)" + std::to_string(i) + R"(","sha":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"})");
      const Timing t = router.plan(r);
      statuses.push_back(router.handle(r, at(i), t.fault).status);
    }
    return statuses;
  };
  const auto a = run("11", "1");
  CHECK(a == run("11", "1"));
  // Faults have their own stream: other draws (a lognormal lag) do not move them.
  CHECK(a == run("11", "{\"dist\":\"lognormal\",\"median\":2,\"sigma\":1}"));
  CHECK(a != run("12", "1"));
  CHECK(std::set<int>(a.begin(), a.end()).size() >= 5);  // 200/201, 422, 500, 502, 503
}

TEST_CASE("rate limits: secondary, 80 content-creating requests a minute", "[http][rate]") {
  Router router(scenario({"github.rate_limits.enabled=true"}), options());
  for (int i = 0; i < 80; ++i) REQUIRE(router.handle(req("POST", kIssues, R"({"title":"x"})"), at(1)).status == 201);
  const Response r = router.handle(req("POST", kIssues, R"({"title":"x"})"), at(1));
  CHECK(r.status == 403);
  CHECK(header(r, "retry-after") == "60");
  CHECK(body_of(r)["message"].get<std::string>().rfind("You have exceeded a secondary rate limit", 0) == 0);
  CHECK(header(r, "x-ratelimit-limit") == "1000");  // GITHUB_TOKEN
  CHECK(header(r, "x-ratelimit-used") == "80");     // the refused request is not counted
  CHECK(header(r, "x-ratelimit-remaining") == "920");
  CHECK(header(r, "x-ratelimit-resource") == "core");
  // Reads are not content-creating; comments are, refs too.
  CHECK(router.handle(req("GET", kRepo), at(2)).status == 200);
  CHECK(router.handle(req("POST", std::string(kIssues) + "/1/comments", R"({"body":"x"})"), at(2)).status == 403);
  CHECK(router.handle(req("POST", kRefs, R"({"ref":"refs/heads/x","sha":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"})"), at(2)).status == 403);
  // A minute after the burst the window has emptied.
  CHECK(router.handle(req("POST", kIssues, R"({"title":"x"})"), at(61)).status == 201);
  // Nothing refused was created: 80 before, 1 now.
  CHECK(body_of(router.handle(req("GET", kRepo), at(61)))["open_issues_count"] == 81);
}

TEST_CASE("rate limits: the primary budget from a preset used count, and its headers", "[http][rate]") {
  Router router(scenario({"github.rate_limits.primary_used_at_start=998", "github.rate_limits.primary_reset_in_s=100"}),
                options());
  const std::string reset = std::to_string(kEpochUs / 1'000'000 + 100);
  Response r = router.handle(req("GET", kRepo), at(0));
  CHECK(r.status == 200);
  CHECK(header(r, "x-ratelimit-limit") == "1000");
  CHECK(header(r, "x-ratelimit-used") == "999");
  CHECK(header(r, "x-ratelimit-remaining") == "1");
  CHECK(header(r, "x-ratelimit-reset") == reset);
  CHECK(header(r, "retry-after") == "<absent>");
  CHECK(router.handle(req("GET", kRepo), at(10)).status == 200);
  r = router.handle(req("GET", kRepo), at(20));
  CHECK(r.status == 403);
  CHECK(body_of(r)["message"] == "API rate limit exceeded for installation ID 1.");
  CHECK(header(r, "x-ratelimit-remaining") == "0");
  CHECK(header(r, "x-ratelimit-reset") == reset);
  CHECK(header(r, "retry-after") == "80");
  // GET /rate_limit is free and reports the same budget.
  const json rl = body_of(router.handle(req("GET", "/api/v3/rate_limit"), at(20)));
  CHECK(rl["resources"]["core"]["used"] == 1000);
  CHECK(rl["resources"]["core"]["remaining"] == 0);
  CHECK(rl["resources"]["core"]["reset"] == kEpochUs / 1'000'000 + 100);
  CHECK(rl["rate"] == rl["resources"]["core"]);
  CHECK(rl["resources"]["search"]["limit"] == 30);
  // Search has its own budget.
  CHECK(router.handle(req("GET", "/api/v3/search/issues?q=repo:acme/widgets"), at(20)).status == 200);
  // The window resets an hour after the drawn reset.
  r = router.handle(req("GET", kRepo), at(100));
  CHECK(r.status == 200);
  CHECK(header(r, "x-ratelimit-used") == "1");
  CHECK(header(r, "x-ratelimit-reset") == std::to_string(kEpochUs / 1'000'000 + 3700));
}

TEST_CASE("rate limits: search, 30 a minute, its own resource", "[http][rate]") {
  Router router(scenario({"github.rate_limits.enabled=true"}), options());
  const std::string search = "/api/v3/search/issues?q=repo:acme/widgets+is:issue";
  for (int i = 0; i < 30; ++i) REQUIRE(router.handle(req("GET", search), at(5)).status == 200);
  const Response r = router.handle(req("GET", search), at(5));
  CHECK(r.status == 403);
  CHECK(header(r, "x-ratelimit-resource") == "search");
  CHECK(header(r, "x-ratelimit-limit") == "30");
  CHECK(header(r, "x-ratelimit-remaining") == "0");
  CHECK(header(r, "retry-after") == "60");
  CHECK(router.handle(req("GET", kRepo), at(5)).status == 200);  // core is apart
  CHECK(router.handle(req("GET", search), at(65)).status == 200);
}

TEST_CASE("rate limits: GITHUB_TOKEN budgets per repository, a PAT's per token", "[http][rate]") {
  SECTION("github_token") {
    Router router(scenario({"github.rate_limits.primary_per_hour=2"}), options());
    CHECK(router.handle(req("GET", kRepo), at(0)).status == 200);
    CHECK(router.handle(req("GET", kRepo), at(0)).status == 200);
    CHECK(router.handle(req("GET", kRepo), at(0)).status == 403);
    CHECK(router.handle(req("GET", "/api/v3/repos/acme/other"), at(0)).status == 200);
    CHECK(router.handle(req("GET", kRepo, {}, "t2"), at(0)).status == 200);
  }
  SECTION("pat") {
    Router router(scenario({"github.rate_limits.token=pat"}), options());
    const Response first = router.handle(req("GET", kRepo), at(0));
    CHECK(header(first, "x-ratelimit-limit") == "5000");
    const Response other = router.handle(req("GET", "/api/v3/repos/acme/other"), at(0));
    CHECK(header(other, "x-ratelimit-used") == "2");
    CHECK(header(router.handle(req("GET", kRepo, {}, "t2"), at(0)), "x-ratelimit-used") == "1");
  }
}

TEST_CASE("rate limits come before faults, and a failed request spends budget", "[http][rate][faults]") {
  Router router(scenario({"github.rate_limits.primary_per_hour=3", "github.faults.default.server_error=1"}),
                options());
  for (int i = 0; i < 3; ++i) CHECK(is_5xx(router.handle(req("GET", kRepo), at(0)).status));
  const Response r = router.handle(req("GET", kRepo), at(0));
  CHECK(r.status == 403);
  CHECK(header(r, "x-ratelimit-used") == "3");
}

TEST_CASE("without scenario rate limits the fixed-window budget still applies", "[http][rate]") {
  RouterOptions o = options();
  o.rate_limit.core_per_hour = 1;
  Router router(scenario({}), o);
  CHECK(router.handle(req("GET", kRepo), at(0)).status == 200);
  const Response r = router.handle(req("GET", kRepo), at(0));
  CHECK(r.status == 403);
  CHECK(body_of(r)["message"] == "API rate limit exceeded for user ID 1.");
}
