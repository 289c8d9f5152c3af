#include "sim/engine/stats.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>

namespace coordsim::sim {

namespace {
constexpr int kExactBits = 7;  // values below 2^7 have a bucket each
constexpr int kSubBits = 6;    // 64 buckets per power of two above that
constexpr int kMaxBits = 62;
constexpr int kBuckets = (1 << kExactBits) + (kMaxBits - kExactBits) * (1 << kSubBits);
// Token totals: each trial's is below 2^55 (trial_runner.cpp's draw_count),
// but 2^40 trials of them are not, and signed overflow is undefined. Adding
// non-negative counts with saturation at 2^63 - 1 gives the same total in any
// order, so the thread count still changes nothing.
void add_tokens(std::int64_t& total, std::int64_t n) {
  total = n > std::numeric_limits<std::int64_t>::max() - total ? std::numeric_limits<std::int64_t>::max() : total + n;
}
}  // namespace

LatencyHistogram::LatencyHistogram() : counts_(kBuckets, 0) {}

int LatencyHistogram::bucket_of(std::int64_t v) {
  if (v < (1 << kExactBits)) return static_cast<int>(std::max<std::int64_t>(v, 0));
  const int msb = 63 - std::countl_zero(static_cast<std::uint64_t>(v));  // >= kExactBits
  const int sub = static_cast<int>((v >> (msb - kSubBits)) & ((1 << kSubBits) - 1));
  return (1 << kExactBits) + (msb - kExactBits) * (1 << kSubBits) + sub;
}

std::int64_t LatencyHistogram::bucket_low(int b) {
  if (b < (1 << kExactBits)) return b;
  const int octave = (b - (1 << kExactBits)) >> kSubBits;
  const int sub = (b - (1 << kExactBits)) & ((1 << kSubBits) - 1);
  const int msb = octave + kExactBits;
  return (std::int64_t{1} << msb) + (static_cast<std::int64_t>(sub) << (msb - kSubBits));
}

std::int64_t LatencyHistogram::bucket_high(int b) {
  if (b < (1 << kExactBits)) return b;
  const int msb = ((b - (1 << kExactBits)) >> kSubBits) + kExactBits;
  return bucket_low(b) + (std::int64_t{1} << (msb - kSubBits)) - 1;
}

void LatencyHistogram::add(std::int64_t micros) {
  micros = std::max<std::int64_t>(micros, 0);
  ++counts_[static_cast<std::size_t>(bucket_of(micros))];
  if (count_ == 0 || micros < min_) min_ = micros;
  if (count_ == 0 || micros > max_) max_ = micros;
  ++count_;
}

void LatencyHistogram::merge(const LatencyHistogram& o) {
  if (o.count_ == 0) return;
  for (std::size_t i = 0; i < counts_.size(); ++i) counts_[i] += o.counts_[i];
  min_ = count_ == 0 ? o.min_ : std::min(min_, o.min_);
  max_ = count_ == 0 ? o.max_ : std::max(max_, o.max_);
  count_ += o.count_;
}

int LatencyHistogram::quantile_bucket(double q) const {
  // The smallest value with at least ceil(q * n) observations at or below it.
  const auto rank = std::max<std::int64_t>(1, static_cast<std::int64_t>(std::ceil(q * static_cast<double>(count_))));
  std::int64_t seen = 0;
  for (int b = 0; b < kBuckets; ++b) {
    seen += counts_[static_cast<std::size_t>(b)];
    if (seen >= rank) return b;
  }
  return -1;
}

std::int64_t LatencyHistogram::quantile(double q) const {
  if (count_ == 0) return 0;
  if (q <= 0) return min_;
  if (q >= 1) return max_;
  const int b = quantile_bucket(q);
  if (b < 0) return max_;
  const std::int64_t mid = bucket_low(b) + (bucket_high(b) - bucket_low(b)) / 2;
  return std::clamp(mid, min_, max_);
}

LatencyHistogram::Range LatencyHistogram::quantile_range(double q) const {
  if (count_ == 0) return {};
  if (q <= 0) return {min_, min_};
  if (q >= 1) return {max_, max_};
  const int b = quantile_bucket(q);
  if (b < 0) return {max_, max_};
  return {std::clamp(bucket_low(b), min_, max_), std::clamp(bucket_high(b), min_, max_)};
}

void Summary::add(const TrialOutcome& t) {
  ++trials;
  events += t.events;
  if (t.failing_flavors == 0) return;
  ++failure_events;
  failing_flavors += t.failing_flavors;
  analyses += t.analyses;
  analyses_max = std::max<std::int64_t>(analyses_max, t.analyses);
  duplicates += t.duplicate;
  misses += t.miss;
  issues_created += t.issues_created;
  issues_left_open += t.issues_left_open;
  for (int e = 0; e < agent::kEndpointCount; ++e) api_calls[e] += t.api_calls[e];
  rate_limited += t.rate_limited;
  agents_died += t.agents_died;
  add_tokens(tokens_in, t.tokens_in);
  add_tokens(tokens_out, t.tokens_out);
  add_tokens(baseline_tokens_in, t.baseline_tokens_in);
  add_tokens(baseline_tokens_out, t.baseline_tokens_out);
  for (std::int64_t us : t.decision_latency_us) decision_latency.add(us);
  if (runner_us_by_flavor.size() < t.runner_us.size()) runner_us_by_flavor.resize(t.runner_us.size(), 0);
  for (std::size_t i = 0; i < t.runner_us.size(); ++i) runner_us_by_flavor[i] += t.runner_us[i];
}

void Summary::merge(const Summary& o) {
  trials += o.trials;
  failure_events += o.failure_events;
  failing_flavors += o.failing_flavors;
  analyses += o.analyses;
  analyses_max = std::max(analyses_max, o.analyses_max);
  duplicates += o.duplicates;
  misses += o.misses;
  issues_created += o.issues_created;
  issues_left_open += o.issues_left_open;
  for (int e = 0; e < agent::kEndpointCount; ++e) api_calls[e] += o.api_calls[e];
  rate_limited += o.rate_limited;
  agents_died += o.agents_died;
  add_tokens(tokens_in, o.tokens_in);
  add_tokens(tokens_out, o.tokens_out);
  add_tokens(baseline_tokens_in, o.baseline_tokens_in);
  add_tokens(baseline_tokens_out, o.baseline_tokens_out);
  events += o.events;
  decision_latency.merge(o.decision_latency);
  if (runner_us_by_flavor.size() < o.runner_us_by_flavor.size()) runner_us_by_flavor.resize(o.runner_us_by_flavor.size(), 0);
  for (std::size_t f = 0; f < o.runner_us_by_flavor.size(); ++f) runner_us_by_flavor[f] += o.runner_us_by_flavor[f];
}

std::int64_t Summary::api_calls_total() const {
  std::int64_t total = 0;
  for (std::int64_t c : api_calls) total += c;
  return total;
}

Interval wilson_interval(std::int64_t successes, std::int64_t n, double z) {
  if (n <= 0) return {0, 1};
  const double nn = static_cast<double>(n);
  const double p = static_cast<double>(successes) / nn;
  const double z2 = z * z;
  const double denom = 1 + z2 / nn;
  const double center = (p + z2 / (2 * nn)) / denom;
  const double half = z * std::sqrt(p * (1 - p) / nn + z2 / (4 * nn * nn)) / denom;
  // At 0 or n successes the bound is exactly 0 or 1; rounding would leave a tiny residue.
  return {successes == 0 ? 0.0 : std::max(0.0, center - half), successes == n ? 1.0 : std::min(1.0, center + half)};
}

}  // namespace coordsim::sim
