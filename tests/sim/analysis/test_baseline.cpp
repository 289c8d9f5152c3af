// Regression against a baseline (sim/analysis/baseline.hpp): the rate test on
// a published example, a constructed 0.1% -> 0.3% pair that must fail, identical
// runs that must pass, the false-alarm rate under no change, and the paired
// batch test under common random numbers.
#include <catch2/catch.hpp>

#include <random>

#include "sim/analysis/baseline.hpp"
#include "sim/input/input_error.hpp"

using namespace coordsim::sim;

namespace {

// Every metric at `value`, every batch at `value` + noise[b].
RunNumbers numbers(std::int64_t events, std::int64_t duplicates, const std::vector<double>& noise = {},
                   double value = 10) {
  RunNumbers r;
  r.scenario = "s";
  r.strategy = "seed-lowest";
  r.seed = 1;
  r.trials = events;
  r.failure_events = events;
  r.duplicates = duplicates;
  for (const char* m : {"duplicate_rate", "miss_rate", "analyses.mean", "issues_left_open.mean", "api_calls.mean",
                        "rate_limited.mean", "tokens.mean", "cost_usd.mean", "cost_usd.savings",
                        "decision_latency_s.p50", "decision_latency_s.p95", "decision_latency_s.p99"}) {
    r.metrics[m] = value;
    std::vector<double> b(32, value);
    for (std::size_t i = 0; i < noise.size() && i < b.size(); ++i) b[i] += noise[i];
    r.batches[m] = b;
  }
  r.metrics["duplicate_rate"] = static_cast<double>(duplicates) / static_cast<double>(events);
  r.metrics["miss_rate"] = 0;
  return r;
}

const MetricComparison& metric(const RunComparison& c, const std::string& name) {
  for (const MetricComparison& m : c.metrics)
    if (m.metric == name) return m;
  FAIL("no metric " << name);
  return c.metrics.front();
}

}  // namespace

TEST_CASE("rate difference: Newcombe's published example", "[baseline]") {
  // Newcombe (1998), Statistics in Medicine 17:873, Table II example (a): 56/70 - 48/80 = 0.2,
  // method 10 (hybrid score) 95% interval 0.0524 to 0.3339.
  const Interval d = rate_difference(48, 80, 56, 70, 0.025);
  CHECK(d.low == Approx(0.0524).margin(5e-5));
  CHECK(d.high == Approx(0.3339).margin(5e-5));
}

TEST_CASE("baseline: 0.1% -> 0.3% duplicates on 100,000 failure events is a regression", "[baseline]") {
  const auto c = compare_runs(numbers(100'000, 100), numbers(100'000, 300), CompareOptions{});
  CHECK(c.paired);
  CHECK(metric(c, "duplicate_rate").change == Change::regression);
  CHECK(metric(c, "duplicate_rate").difference.low > 0.001);  // more than the 5% tolerance of 0.1%
  CHECK(c.regressed());
  // The reverse change is an improvement, not a regression.
  const auto back = compare_runs(numbers(100'000, 300), numbers(100'000, 100), CompareOptions{});
  CHECK(metric(back, "duplicate_rate").change == Change::better);
  CHECK_FALSE(back.regressed());
}

TEST_CASE("baseline: identical runs pass, and too few events cannot fail", "[baseline]") {
  const std::vector<double> noise{0.3, -0.2, 0.1, -0.4, 0.2};
  const auto same = compare_runs(numbers(4000, 4, noise), numbers(4000, 4, noise), CompareOptions{});
  for (const MetricComparison& m : same.metrics) CHECK(m.change == Change::same);
  CHECK_FALSE(same.regressed());
  // 0.1% -> 0.3% on 1,000 events is 1 vs 3 duplicates: not significant.
  CHECK_FALSE(compare_runs(numbers(1000, 1), numbers(1000, 3), CompareOptions{}).regressed());
}

TEST_CASE("baseline: tolerance separates a small real change from a regression", "[baseline]") {
  // 10.0% -> 10.3% on 10 million events: surely worse, but by 3% of the baseline.
  const auto c = compare_runs(numbers(10'000'000, 1'000'000), numbers(10'000'000, 1'030'000), CompareOptions{});
  CHECK(metric(c, "duplicate_rate").change == Change::worse_within_tolerance);
  CompareOptions strict;
  strict.tolerance = 0.01;
  CHECK(metric(compare_runs(numbers(10'000'000, 1'000'000), numbers(10'000'000, 1'030'000), strict), "duplicate_rate")
            .change == Change::regression);
}

TEST_CASE("rate difference: false regressions under no change stay under alpha", "[baseline][statistical]") {
  // 4,000 pairs of independent runs with the same true rate 0.2% on 20,000 events.
  // Tolerance: the one-sided level is 5%; with 4,000 replications the observed rate
  // exceeds 5% + 3 standard errors (1.04%) with probability ~0.1%.
  std::mt19937_64 rng(7);
  std::binomial_distribution<std::int64_t> draw(20'000, 0.002);
  int false_alarms = 0;
  const int reps = 4000;
  for (int i = 0; i < reps; ++i)
    false_alarms += rate_difference(draw(rng), 20'000, draw(rng), 20'000, 0.05).low > 0;
  CHECK(false_alarms < 0.0604 * reps);
  // Power: 0.1% -> 0.3% on 50,000 events is found almost always.
  std::binomial_distribution<std::int64_t> a(50'000, 0.001), b(50'000, 0.003);
  int found = 0;
  for (int i = 0; i < 1000; ++i) found += rate_difference(a(rng), 50'000, b(rng), 50'000, 0.05 / 12).low > 0;
  CHECK(found > 990);
}

TEST_CASE("baseline: paired batch means remove the noise both runs share", "[baseline]") {
  // Common random numbers: both runs see the same batch noise (sd ~1), the change adds
  // 0.2 to every batch. Paired, the difference is exact; unpaired (another seed), the
  // noise hides it.
  std::mt19937_64 rng(3);
  std::normal_distribution<double> n01;
  std::vector<double> noise(32), shifted(32);
  for (std::size_t i = 0; i < 32; ++i) noise[i] = n01(rng);
  RunNumbers a = numbers(4000, 0, noise, 10);
  RunNumbers b = numbers(4000, 0, noise, 10.6);
  CompareOptions o;
  o.tolerance = 0.02;  // 0.2 of 10
  const auto paired = compare_runs(a, b, o);
  CHECK(paired.paired);
  CHECK(metric(paired, "api_calls.mean").change == Change::regression);
  CHECK(metric(paired, "cost_usd.savings").change == Change::better);  // higher savings are better
  b.seed = 2;
  const auto unpaired = compare_runs(a, b, o);
  CHECK_FALSE(unpaired.paired);
  CHECK(metric(unpaired, "api_calls.mean").method == "Welch batch means");
  CHECK(metric(unpaired, "api_calls.mean").change != Change::regression);
}

TEST_CASE("baseline: a check --json round-trips, and a bad one names the path", "[baseline]") {
  const RunNumbers r = numbers(4000, 7);
  nlohmann::json j{{"scenario", r.scenario}, {"strategy", r.strategy}, {"seed", r.seed}, {"trials", r.trials},
                   {"failure_events", r.failure_events}, {"duplicates", r.duplicates}, {"misses", r.misses},
                   {"metrics", r.metrics}, {"batch_values", r.batches}};
  const auto back = read_baseline(nlohmann::json::array({j}), "main.json");
  REQUIRE(back.size() == 1);
  CHECK(back[0].duplicates == 7);
  CHECK(back[0].batches.at("tokens.mean") == r.batches.at("tokens.mean"));
  j.erase("metrics");
  CHECK_THROWS_WITH(read_baseline(nlohmann::json::array({j}), "main.json"),
                    Catch::Contains("main.json: /0/metrics: expected an object"));
  CHECK_THROWS_WITH(read_baseline(nlohmann::json::object(), "main.json"), Catch::Contains("main.json: expected"));
}
