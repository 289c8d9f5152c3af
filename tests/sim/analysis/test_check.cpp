// Verdict logic of `coordsim check` on synthetic counts, and expectation parsing.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "sim/analysis/check.hpp"
#include "sim/input/input_error.hpp"
#include "sim/input/scenario_loader.hpp"

using namespace coordsim::sim;

namespace {
Expectation rate_max(double max) {
  Expectation e;
  e.metric = "duplicate_rate";
  e.kind = MetricKind::rate;
  e.max = max;
  return e;
}
Expectation rate_min(double min) {
  Expectation e = rate_max(0);
  e.max.reset();
  e.min = min;
  return e;
}
}  // namespace

TEST_CASE("rate bounds: pass, fail, inconclusive from counts", "[check]") {
  const double alpha = 0.05;
  SECTION("known pass: 0 of 10,000 is surely under 1%") {
    const auto r = judge_rate(rate_max(0.01), 0, 10'000, alpha);
    CHECK(r.verdict == Verdict::pass);
    CHECK(r.interval.low == 0.0);
    CHECK(r.interval.high == Approx(2.9953e-4).epsilon(1e-3));  // 1 - 0.05^(1/10000)
  }
  SECTION("known fail: 500 of 1,000 is surely over 10%") {
    const auto r = judge_rate(rate_max(0.1), 500, 1'000, alpha);
    CHECK(r.verdict == Verdict::fail);
    CHECK(r.interval.low > 0.47);
  }
  SECTION("inconclusive, then conclusive with more trials (true rate 0.5%)") {
    CHECK(judge_rate(rate_max(0.01), 5, 1'000, alpha).verdict == Verdict::inconclusive);
    CHECK(judge_rate(rate_max(0.01), 50, 10'000, alpha).verdict == Verdict::pass);
    // And a true rate of 2% against the same bound: inconclusive early, a fail later.
    CHECK(judge_rate(rate_max(0.01), 2, 100, alpha).verdict == Verdict::inconclusive);
    CHECK(judge_rate(rate_max(0.01), 200, 10'000, alpha).verdict == Verdict::fail);
  }
  SECTION("max 0: no failure event may violate it") {
    CHECK(judge_rate(rate_max(0), 0, 10, alpha).verdict == Verdict::pass);
    CHECK(judge_rate(rate_max(0), 1, 1'000'000, alpha).verdict == Verdict::fail);
  }
  SECTION("min bounds pin a known-bad behaviour from below") {
    CHECK(judge_rate(rate_min(0.8), 950, 1'000, alpha).verdict == Verdict::pass);
    CHECK(judge_rate(rate_min(0.8), 500, 1'000, alpha).verdict == Verdict::fail);
    CHECK(judge_rate(rate_min(0.8), 81, 100, alpha).verdict == Verdict::inconclusive);
    CHECK(judge_rate(rate_min(1), 1'000, 1'000, alpha).verdict == Verdict::pass);
    CHECK(judge_rate(rate_min(1), 999, 1'000, alpha).verdict == Verdict::fail);
  }
  SECTION("Clopper-Pearson bounds match the beta quantiles") {
    // 10 of 100, one-sided 95%: the p with P(X >= 10) = 0.05 and with P(X <= 10) = 0.05,
    // found by bisection on the binomial CDF: [0.055263, 0.163718].
    const auto r = judge_rate(rate_max(0.5), 10, 100, alpha);
    CHECK(r.interval.low == Approx(0.0552632).epsilon(1e-5));
    CHECK(r.interval.high == Approx(0.1637176).epsilon(1e-5));
  }
  SECTION("no failure event yet is inconclusive") {
    CHECK(judge_rate(rate_max(0.5), 0, 0, alpha).verdict == Verdict::inconclusive);
  }
}

TEST_CASE("estimate bounds: batch means with a t interval", "[check]") {
  Expectation e;
  e.metric = "decision_latency_s.p95";
  e.max = 30;
  // Constant batches: no uncertainty, an exact verdict.
  CHECK(judge_estimate(e, 29.0, std::vector<double>(32, 29.0), 0.05).verdict == Verdict::pass);
  CHECK(judge_estimate(e, 31.0, std::vector<double>(32, 31.0), 0.05).verdict == Verdict::fail);
  // Batches 28 and 32 alternating: sd 2.03, t(31, 0.95) = 1.6955, half-width 0.609.
  std::vector<double> spread;
  for (int i = 0; i < 32; ++i) spread.push_back(i % 2 ? 28.0 : 32.0);
  const auto r = judge_estimate(e, 30.0, spread, 0.05);
  CHECK(r.interval.high - 30.0 == Approx(1.6955 * 2.0318 / std::sqrt(32.0)).epsilon(1e-3));
  CHECK(r.verdict == Verdict::inconclusive);
  CHECK(judge_estimate(e, 29.0, spread, 0.05).verdict == Verdict::pass);
  CHECK(judge_estimate(e, 31.0, spread, 0.05).verdict == Verdict::fail);
}

TEST_CASE("bad expectations are rejected with the file and JSON path", "[check][input]") {
  const std::string base = R"({"name": "x", "workload": {"flavors": ["a"]}, "expect": )";
  const auto load = [&](const std::string& expect) { return load_scenario_text(base + expect + "}", "g.json"); };
  REQUIRE(load(R"({"duplicate_rate": {"max": 0.01}, "cost_usd.savings": {"min": 0.7}})").expectations.size() == 2);
  REQUIRE_THROWS_WITH(load(R"({"duplicate_rat": {"max": 0.01}})"),
                      Catch::Contains("g.json: /expect/duplicate_rat") && Catch::Contains("duplicate_rate"));
  REQUIRE_THROWS_WITH(load(R"({"miss_rate": {"min": 0.5, "max": 0.1}})"),
                      Catch::Contains("g.json: /expect/miss_rate") && Catch::Contains("min (0.5) must be <= max (0.1)"));
  REQUIRE_THROWS_WITH(load(R"({"miss_rate": {"max": "0"}})"),
                      Catch::Contains("g.json: /expect/miss_rate/max") && Catch::Contains("number"));
  REQUIRE_THROWS_WITH(load(R"({"miss_rate": {"below": 1}})"), Catch::Contains("/expect/miss_rate"));
  REQUIRE_THROWS_WITH(load(R"({"miss_rate": {}})"), Catch::Contains("/expect/miss_rate"));
  REQUIRE_THROWS_WITH(load(R"({"miss_rate": {"max": 2}})"),
                      Catch::Contains("/expect/miss_rate/max") && Catch::Contains("[0, 1]"));
}
