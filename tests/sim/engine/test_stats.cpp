#include <catch2/catch.hpp>

#include "sim/engine/stats.hpp"

using namespace coordsim::sim;

TEST_CASE("Wilson interval: known values", "[stats]") {
  // Reference values from the closed form, z = 1.96.
  const Interval zero = wilson_interval(0, 100);
  CHECK(zero.low == 0.0);
  CHECK(zero.high == Approx(0.036995).epsilon(1e-4));
  const Interval half = wilson_interval(50, 100);
  CHECK(half.low == Approx(0.403832).epsilon(1e-4));
  CHECK(half.high == Approx(0.596168).epsilon(1e-4));
  const Interval all = wilson_interval(20, 20);
  CHECK(all.high == 1.0);
  CHECK(all.low == Approx(0.838875).epsilon(1e-4));
  const Interval none = wilson_interval(0, 0);
  CHECK(none.low == 0.0);
  CHECK(none.high == 1.0);
}

TEST_CASE("latency histogram: constants are exact, quantiles within the bucket error", "[stats]") {
  LatencyHistogram h;
  for (int i = 0; i < 10; ++i) h.add(5'784'000);
  CHECK(h.quantile(0.5) == 5'784'000);
  CHECK(h.quantile(0.99) == 5'784'000);

  LatencyHistogram u;
  for (std::int64_t v = 1; v <= 100'000; ++v) u.add(v * 1000);  // 1 ms .. 100 s
  CHECK(u.count() == 100'000);
  CHECK(u.min() == 1000);
  CHECK(u.max() == 100'000'000);
  for (double q : {0.5, 0.95, 0.99}) {
    INFO("q = " << q);
    const double exact = q * 100'000'000;
    CHECK(std::abs(static_cast<double>(u.quantile(q)) - exact) <= 0.008 * exact);  // half a bucket: 1/128
  }
  CHECK(u.quantile(0.0) == 1000);
  CHECK(u.quantile(1.0) == 100'000'000);

  LatencyHistogram small;
  for (std::int64_t v : {3, 1, 2}) small.add(v);
  CHECK(small.quantile(0.5) == 2);  // exact below 128 µs
}

TEST_CASE("latency histogram: a quantile's range is its bucket, clamped to what was seen", "[stats]") {
  // A constant: known exactly.
  LatencyHistogram c;
  for (int i = 0; i < 10; ++i) c.add(5'784'000);
  CHECK(c.quantile_range(0.95).low == 5'784'000);
  CHECK(c.quantile_range(0.95).high == 5'784'000);

  // 94 values of 4.031 s and 6 of 4.050 s: the p95 (rank 95) is 4.050 s. Both
  // lie in one bucket, [2^21 + 59 * 2^15, 2^21 + 60 * 2^15 - 1] =
  // [4,030,464, 4,063,231] us: the range is that bucket clamped to the observed
  // min and max, [4,031,000, 4,050,000], and the midpoint reported,
  // 4,030,464 + 32,767 / 2 = 4,046,847, lies below the true value.
  LatencyHistogram h;
  for (int i = 0; i < 94; ++i) h.add(4'031'000);
  for (int i = 0; i < 6; ++i) h.add(4'050'000);
  CHECK(h.quantile(0.95) == 4'046'847);
  const LatencyHistogram::Range r = h.quantile_range(0.95);
  CHECK(r.low == 4'031'000);
  CHECK(r.high == 4'050'000);
  CHECK(r.low <= h.quantile(0.95));
  CHECK(h.quantile(0.95) <= r.high);

  // Values in different buckets: the p50's bucket holds 1 s, unclamped edges.
  LatencyHistogram two;
  for (int i = 0; i < 50; ++i) two.add(1'000'000);
  for (int i = 0; i < 50; ++i) two.add(9'000'000);
  // 1,000,000 us: msb 19, sub (1,000,000 >> 13) & 63 = 58, bucket [2^19 + 58 * 2^13, + 2^13 - 1].
  CHECK(two.quantile_range(0.5).low == 1'000'000);  // clamped to the minimum
  CHECK(two.quantile_range(0.5).high == (1 << 19) + 59 * (1 << 13) - 1);
  CHECK(two.quantile_range(0.51).low == (1 << 23) + 4 * (1 << 17));  // 9 s: msb 23, sub 4
  CHECK(two.quantile_range(0.51).high == 9'000'000);  // clamped to the maximum
  CHECK(LatencyHistogram{}.quantile_range(0.5).low == 0);
}

TEST_CASE("summaries merge exactly, in any order", "[stats]") {
  Summary a, b, c;
  TrialOutcome t;
  t.failing_flavors = 3;
  t.analyses = 2;
  t.duplicate = true;
  t.tokens_in = 100;
  t.decision_latency_us = {10, 2'000'000};
  t.events = 7;
  a.add(t);
  t.analyses = 1;
  t.duplicate = false;
  t.decision_latency_us = {5};
  b.add(t);
  TrialOutcome quiet;  // no failing flavor: counted as a trial, not a failure event
  quiet.events = 1;
  c.add(quiet);

  Summary ab = a;
  ab.merge(b);
  ab.merge(c);
  Summary ba = c;
  ba.merge(b);
  ba.merge(a);
  CHECK(ab.trials == 3);
  CHECK(ab.failure_events == 2);
  CHECK(ab.analyses == 3);
  CHECK(ab.analyses_max == 2);
  CHECK(ab.duplicates == 1);
  CHECK(ab.tokens_in == 200);
  CHECK(ab.events == 15);
  CHECK(ab.decision_latency.count() == 3);
  CHECK(ba.trials == ab.trials);
  CHECK(ba.analyses_max == ab.analyses_max);
  CHECK(ba.decision_latency.quantile(0.5) == ab.decision_latency.quantile(0.5));
  CHECK(ba.decision_latency.max() == 2'000'000);
}
