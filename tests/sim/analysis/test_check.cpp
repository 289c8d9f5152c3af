// Verdict logic of `coordsim check` on synthetic counts, and expectation parsing.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <cmath>
#include <optional>
#include <utility>

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
  SECTION("max 0: one violation fails; none passes only with a bound within the tolerance") {
    CHECK(judge_rate(rate_max(0), 1, 1'000'000, alpha).verdict == Verdict::fail);
    // No violation in 10 (or 1,000: a true rate of 0.02% looks like this) is
    // no evidence of a zero rate: the upper bound is 26% (0.3%).
    CHECK(judge_rate(rate_max(0), 0, 10, alpha).verdict == Verdict::inconclusive);
    const auto thousand = judge_rate(rate_max(0), 0, 1'000, alpha);
    CHECK(thousand.verdict == Verdict::inconclusive);
    CHECK(thousand.proves.empty());
    // 1 - 0.05^(1/n) <= 0.001 (the default tolerance) from n >= ln 0.05 / ln 0.999 = 2994.2.
    CHECK_THAT(thousand.reason, Catch::Contains("at least 2995 failure events"));
    CHECK(judge_rate(rate_max(0), 0, 2'994, alpha).verdict == Verdict::inconclusive);
    const auto enough = judge_rate(rate_max(0), 0, 2'995, alpha);
    CHECK(enough.verdict == Verdict::pass);
    CHECK(enough.interval.high == Approx(1 - std::pow(0.05, 1.0 / 2995)).epsilon(1e-9));
    CHECK(enough.interval.high <= 0.001);
    CHECK_THAT(enough.proves, Catch::Contains("<= 0.000999") && Catch::Contains("tolerance 0.001") &&
                                  Catch::Contains("no violation in 2995 failure events"));
    // At 5 looks (alpha 1%): n >= ln 0.01 / ln 0.999 = 4602.9.
    CHECK(judge_rate(rate_max(0), 0, 4'602, 0.01).verdict == Verdict::inconclusive);
    CHECK(judge_rate(rate_max(0), 0, 4'603, 0.01).verdict == Verdict::pass);
    // A stated tolerance: 1% needs n >= ln 0.05 / ln 0.99 = 298.1.
    Expectation loose = rate_max(0);
    loose.tolerance = 0.01;
    CHECK(judge_rate(loose, 0, 298, alpha).verdict == Verdict::inconclusive);
    CHECK(judge_rate(loose, 0, 299, alpha).verdict == Verdict::pass);
    CHECK(judge_rate(loose, 1, 100'000, alpha).verdict == Verdict::fail);
  }
  SECTION("min 1: the same, counting the events that fall short") {
    CHECK(judge_rate(rate_min(1), 2'995, 2'995, alpha).verdict == Verdict::pass);
    CHECK(judge_rate(rate_min(1), 2'994, 2'994, alpha).verdict == Verdict::inconclusive);
    CHECK(judge_rate(rate_min(1), 2'994, 2'995, alpha).verdict == Verdict::fail);
    CHECK(judge_rate(rate_min(1), 2'995, 2'995, alpha).interval.low == Approx(std::pow(0.05, 1.0 / 2995)).epsilon(1e-12));
  }
  SECTION("min bounds pin a known-bad behaviour from below") {
    CHECK(judge_rate(rate_min(0.8), 950, 1'000, alpha).verdict == Verdict::pass);
    CHECK(judge_rate(rate_min(0.8), 500, 1'000, alpha).verdict == Verdict::fail);
    CHECK(judge_rate(rate_min(0.8), 81, 100, alpha).verdict == Verdict::inconclusive);
    CHECK(judge_rate(rate_min(1), 3'000, 3'000, alpha).verdict == Verdict::pass);
    CHECK(judge_rate(rate_min(1), 999, 1'000, alpha).verdict == Verdict::fail);
  }
  SECTION("Clopper-Pearson bounds match the beta quantiles") {
    // 10 of 100, one-sided 95%: the p with P(X >= 10) = 0.05 and with P(X <= 10) = 0.05,
    // found by bisection on the binomial CDF: [0.055263, 0.163718].
    const auto r = judge_rate(rate_max(0.5), 10, 100, alpha);
    CHECK(r.interval.low == Approx(0.0552632).epsilon(1e-5));
    CHECK(r.interval.high == Approx(0.1637176).epsilon(1e-5));
  }
  SECTION("Clopper-Pearson bounds by hand: 1 of 2, 0 of 1,000, 1,000 of 1,000") {
    // 1 of 2: P(X <= 1 | p) = 1 - p^2 = 0.05 and P(X >= 1 | p) = 1 - (1 - p)^2 = 0.05.
    const auto half = judge_rate(rate_max(0.5), 1, 2, alpha);
    CHECK(half.interval.high == Approx(std::sqrt(0.95)).epsilon(1e-12));
    CHECK(half.interval.low == Approx(1 - std::sqrt(0.95)).epsilon(1e-12));
    // 0 of n: (1 - p)^n = alpha; n of n: p^n = alpha.
    CHECK(judge_rate(rate_max(0.5), 0, 1'000, alpha).interval.high == Approx(1 - std::pow(0.05, 1e-3)).epsilon(1e-12));
    CHECK(judge_rate(rate_max(0.5), 1'000, 1'000, alpha).interval.low == Approx(std::pow(0.05, 1e-3)).epsilon(1e-12));
  }
  SECTION("Clopper-Pearson bounds are exact: the binomial tails at them are alpha") {
    // Summed term by term, independently of the beta functions the bounds use.
    const auto cdf = [](std::int64_t x, std::int64_t n, double p) {  // P(X <= x)
      long double sum = 0;
      for (std::int64_t k = 0; k <= x; ++k)
        sum += std::exp(std::lgamma(n + 1.0L) - std::lgamma(k + 1.0L) - std::lgamma(n - k + 1.0L) +
                        k * std::log(static_cast<long double>(p)) + (n - k) * std::log1p(-static_cast<long double>(p)));
      return static_cast<double>(sum);
    };
    for (double a : {0.05, 0.01, 0.001})
      for (auto [x, n] : {std::pair<std::int64_t, std::int64_t>{1, 10}, {3, 10}, {10, 100}, {37, 200}, {1, 400}, {199, 200}}) {
        INFO("x " << x << " n " << n << " alpha " << a);
        const auto r = judge_rate(rate_max(0.5), x, n, a);
        CHECK(cdf(x, n, r.interval.high) == Approx(a).epsilon(1e-8));           // P(X <= x | high) = alpha
        CHECK(1 - cdf(x - 1, n, r.interval.low) == Approx(a).epsilon(1e-8));    // P(X >= x | low) = alpha
      }
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

TEST_CASE("percentiles are judged on their histogram bucket's edges", "[check]") {
  // 94 latencies of 4.031 s and 6 of 4.050 s: the true p95 is 4.050 s, its
  // bucket (clamped) [4.031, 4.050] s and its reported midpoint 4.046847 s. A
  // bound inside the bucket cannot be decided from the histogram.
  LatencyHistogram h;
  for (int i = 0; i < 94; ++i) h.add(4'031'000);
  for (int i = 0; i < 6; ++i) h.add(4'050'000);
  const double mid = 4.046847;
  const Interval bucket{4.031, 4.050};
  const std::vector<double> same(32, mid);  // every batch the same: no sampling spread
  const auto judge = [&](std::optional<double> min, std::optional<double> max, const Interval* range) {
    Expectation e;
    e.metric = "decision_latency_s.p95";
    e.min = min;
    e.max = max;
    return judge_estimate(e, mid, same, 0.05, range);
  };
  CHECK(judge(std::nullopt, 4.048, nullptr).verdict == Verdict::pass);  // on the midpoint: wrong
  CHECK(judge(std::nullopt, 4.048, &bucket).verdict == Verdict::inconclusive);
  CHECK(judge(std::nullopt, 4.050, &bucket).verdict == Verdict::pass);
  CHECK(judge(std::nullopt, 4.0309, &bucket).verdict == Verdict::fail);
  CHECK(judge(4.031, std::nullopt, &bucket).verdict == Verdict::pass);
  CHECK(judge(4.0501, std::nullopt, &bucket).verdict == Verdict::fail);
  CHECK(judge(4.04, std::nullopt, &bucket).verdict == Verdict::inconclusive);
  const auto passed = judge(std::nullopt, 4.05, &bucket);
  CHECK(passed.interval.low == Approx(4.031));
  CHECK(passed.interval.high == Approx(4.05));
  CHECK_THAT(passed.proves, Catch::Contains("histogram bucket"));
}

TEST_CASE("check on a constant-latency scenario: the p95 is known exactly", "[check]") {
  // ref-lock, two flavors failing together, every call 0.1 s each way: both
  // send create_ref at once; one gets 201, the other 422, each 0.2 s after its
  // failure. Every decision latency is 0.2 s, so every percentile is 0.2 s.
  const std::string base = R"({"name": "constant-p95", "trials": 64, "workload": {"flavors": ["a", "b"]},
    "github": {"latency": {"default": {"request_s": 0.1, "response_s": 0.1}}},
    "agent": {"strategy": "ref-lock"}, "expect": )";
  const auto verdict = [&](const std::string& expect) {
    const ScenarioFile s = load_scenario_text(base + expect + "}", "constant-p95.json");
    const ScenarioCheck c = check_scenario(s, s.protocol, {});
    REQUIRE(c.results.size() == 1);
    INFO(c.results[0].reason);
    CHECK(c.results[0].value == Approx(0.2).margin(1e-12));
    return c.results[0].verdict;
  };
  CHECK(verdict(R"({"decision_latency_s.p95": {"max": 0.2}})") == Verdict::pass);
  CHECK(verdict(R"({"decision_latency_s.p95": {"max": 0.199999}})") == Verdict::fail);
  CHECK(verdict(R"({"decision_latency_s.p50": {"min": 0.2, "max": 0.2}})") == Verdict::pass);
  CHECK(verdict(R"({"decision_latency_s.p99": {"min": 0.200001}})") == Verdict::fail);
}

TEST_CASE("check adds trials until a zero bound is within its tolerance, or says it is not", "[check]") {
  // none: every trial of two flavors duplicates and none misses.
  const std::string base = R"({"name": "zero", "trials": 100, "workload": {"flavors": ["a", "b"]},
    "agent": {"strategy": "none"}, "expect": )";
  const auto run = [&](const std::string& expect, CheckOptions o) {
    const ScenarioFile s = load_scenario_text(base + expect + "}", "zero.json");
    return check_scenario(s, s.protocol, o);
  };
  // Cap 1,600 (looks 100 .. 1,600, alpha 1%): 0 of 1,600 bounds the miss rate
  // at 1 - 0.01^(1/1600) = 0.29%, above 0.1%: inconclusive, with the count needed.
  const ScenarioCheck capped = run(R"({"miss_rate": {"max": 0}})", {});
  CHECK(capped.trials == 1'600);
  CHECK(capped.looks == 5);
  CHECK(capped.results[0].verdict == Verdict::inconclusive);
  CHECK_THAT(capped.results[0].reason, Catch::Contains("at least 4603 failure events"));
  // With room for 4,603 events it passes at the look that has them (6,400).
  CheckOptions more;
  more.max_trials = 6'400;
  const ScenarioCheck passed = run(R"({"miss_rate": {"max": 0}, "duplicate_rate": {"min": 1}})", more);
  CHECK(passed.trials == 6'400);
  CHECK(passed.verdict() == Verdict::pass);
  CHECK_THAT(passed.results[0].proves, Catch::Contains("no violation in 6400 failure events"));
  // A stated tolerance of 5%: 1 - 0.01^(1/100) = 4.5%, the first look suffices.
  const ScenarioCheck loose = run(R"({"miss_rate": {"max": 0, "tolerance": 0.05}})", {});
  CHECK(loose.trials == 100);
  CHECK(loose.verdict() == Verdict::pass);
  // One violation fails at once.
  CHECK(run(R"({"duplicate_rate": {"max": 0}})", {}).results[0].verdict == Verdict::fail);
  const std::string text = check_text({passed});
  CHECK_THAT(text, Catch::Contains("      proves: the true rate of failure events violating miss_rate max 0 is <="));
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
  CHECK(load(R"({"miss_rate": {"max": 0, "tolerance": 1e-4}})").expectations[0].zero_tolerance() == 1e-4);
  CHECK(load(R"({"duplicate_rate": {"min": 1, "tolerance": 0.01}})").expectations[0].tolerance == 0.01);
  CHECK(load(R"({"miss_rate": {"max": 0}})").expectations[0].zero_tolerance() == kDefaultZeroTolerance);
  REQUIRE_THROWS_WITH(load(R"({"miss_rate": {"max": 0.01, "tolerance": 0.001}})"),
                      Catch::Contains("g.json: /expect/miss_rate/tolerance") && Catch::Contains("max 0 or min 1"));
  REQUIRE_THROWS_WITH(load(R"({"analyses.mean": {"max": 0, "tolerance": 0.001}})"),
                      Catch::Contains("/expect/analyses.mean/tolerance"));
  for (const char* t : {"0", "1", "-0.5", "2"})
    REQUIRE_THROWS_WITH(load(std::string(R"({"miss_rate": {"max": 0, "tolerance": )") + t + "}}"),
                        Catch::Contains("/expect/miss_rate/tolerance") && Catch::Contains("(0, 1)"));
  REQUIRE_THROWS_WITH(load(R"({"miss_rate": {"max": 0, "tolerance": "small"}})"),
                      Catch::Contains("/expect/miss_rate/tolerance") && Catch::Contains("number"));
}
