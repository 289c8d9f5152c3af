#pragma once
// Streaming statistics over trials. Everything is an integer count or sum, so
// merging per-thread summaries is exact and order-independent: the output is
// byte-identical whatever the thread count, and memory does not grow with the
// number of trials.
#include <array>
#include <cstdint>
#include <vector>

#include "agent/github_types.hpp"

namespace coordsim::sim {

// Log-linear histogram of non-negative microsecond values: exact below 128 µs,
// then 64 buckets per power of two (relative error under 1.6%, halved by
// reporting the bucket midpoint), clamped to the exact observed min and max so a
// constant is reported exactly.
class LatencyHistogram {
 public:
  LatencyHistogram();
  void add(std::int64_t micros);
  void merge(const LatencyHistogram& other);
  std::int64_t count() const noexcept { return count_; }
  std::int64_t min() const noexcept { return min_; }
  std::int64_t max() const noexcept { return max_; }
  // q in [0, 1]; 0 when empty.
  std::int64_t quantile(double q) const;
  // Where the q-quantile of the values added lies for certain: the edges of
  // the bucket holding it (inclusive), clamped to the observed min and max, so
  // a constant gives [v, v]. `quantile` is a point inside this range.
  struct Range {
    std::int64_t low = 0;
    std::int64_t high = 0;
  };
  Range quantile_range(double q) const;

 private:
  static int bucket_of(std::int64_t v);
  int quantile_bucket(double q) const;  // -1 past the last (cannot happen with count_ > 0)
  static std::int64_t bucket_low(int b);
  static std::int64_t bucket_high(int b);
  std::vector<std::int64_t> counts_;
  std::int64_t count_ = 0;
  std::int64_t min_ = 0;
  std::int64_t max_ = 0;
};

// What one trial produced (filled by the trial runner).
struct TrialOutcome {
  int failing_flavors = 0;  // 0: not a failure event
  int signatures = 0;       // distinct failure signatures among failing flavors
  int analyses = 0;
  bool duplicate = false;  // some signature analyzed more than once
  bool miss = false;       // some signature not analyzed at all
  std::int64_t issues_created = 0;
  std::int64_t issues_left_open = 0;
  std::array<std::int64_t, agent::kEndpointCount> api_calls{};
  std::int64_t rate_limited = 0;  // requests answered with a rate-limit 403/429
  int agents_died = 0;            // leaders that died before finishing their analysis
  std::int64_t tokens_in = 0;
  std::int64_t tokens_out = 0;
  std::int64_t baseline_tokens_in = 0;  // had every failing flavor analyzed (`none`)
  std::int64_t baseline_tokens_out = 0;
  std::vector<std::int64_t> decision_latency_us;  // one per failing flavor that decided
  // Runner time after the build failed, per flavor index (0 when it did not
  // fail): the wait to decide plus the analysis if it ran one. Fan-in's legs
  // hold no runner while the downstream job waits (`needs:` queues it without
  // one); its analyses are counted on the flavor whose analysis it runs.
  std::vector<std::int64_t> runner_us;
  std::int64_t events = 0;
};

struct Summary {
  std::int64_t trials = 0;
  std::int64_t failure_events = 0;
  std::int64_t failing_flavors = 0;
  std::int64_t analyses = 0;
  std::int64_t analyses_max = 0;
  std::int64_t duplicates = 0;
  std::int64_t misses = 0;
  std::int64_t issues_created = 0;
  std::int64_t issues_left_open = 0;
  std::array<std::int64_t, agent::kEndpointCount> api_calls{};
  std::int64_t rate_limited = 0;
  std::int64_t agents_died = 0;
  std::int64_t tokens_in = 0;
  std::int64_t tokens_out = 0;
  std::int64_t baseline_tokens_in = 0;
  std::int64_t baseline_tokens_out = 0;
  std::int64_t events = 0;
  LatencyHistogram decision_latency;
  std::vector<std::int64_t> runner_us_by_flavor;  // summed over failure events

  void add(const TrialOutcome& t);
  void merge(const Summary& o);
  std::int64_t api_calls_total() const;
};

struct Interval {
  double low = 0;
  double high = 0;
};

// Wilson score interval for a binomial proportion at the given z (1.96: 95%
// two-sided). Well-behaved at 0 and n successes, unlike the normal approximation.
Interval wilson_interval(std::int64_t successes, std::int64_t n, double z = 1.959963984540054);

}  // namespace coordsim::sim
