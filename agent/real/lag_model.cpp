#include "agent/real/lag_model.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace coordsim::agent::real {

LagSample estimate_lag(const Exchange& create, const std::optional<Exchange>& last_miss, const Exchange& first_hit) {
  LagSample s;
  s.upper_s = std::max(0.0, to_seconds(first_hit.received - create.sent));
  s.lower_s = last_miss ? std::max(0.0, to_seconds(last_miss->sent - create.received)) : 0.0;
  const double hit = to_seconds(first_hit.mid() - create.mid());
  const double miss = last_miss ? to_seconds(last_miss->mid() - create.mid()) : 0.0;
  s.estimate_s = std::clamp((hit + miss) / 2, s.lower_s, std::max(s.lower_s, s.upper_s));
  return s;
}

double quantile(const std::vector<double>& sorted, double p) {
  const double h = (static_cast<double>(sorted.size()) - 1) * p;
  const auto lo = static_cast<std::size_t>(std::floor(h));
  const auto hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (h - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

LagFit fit_lognormal(std::vector<double> samples, double resolution_s) {
  LagFit f;
  std::sort(samples.begin(), samples.end());
  f.samples = static_cast<int>(samples.size());
  f.min_s = samples.front();
  f.max_s = samples.back();
  f.p50_s = quantile(samples, 0.50);
  f.p90_s = quantile(samples, 0.90);
  f.p95_s = quantile(samples, 0.95);
  f.p99_s = quantile(samples, 0.99);
  f.mean_s = std::accumulate(samples.begin(), samples.end(), 0.0) / static_cast<double>(samples.size());
  double sum = 0;
  for (double x : samples) sum += std::log(std::max(x, 1e-3));
  const double mu = sum / static_cast<double>(samples.size());
  double ss = 0;
  for (double x : samples) ss += std::pow(std::log(std::max(x, 1e-3)) - mu, 2);
  f.median_s = std::exp(mu);
  f.sigma = samples.size() > 1 ? std::sqrt(ss / static_cast<double>(samples.size() - 1)) : 0.0;
  if (f.p50_s <= resolution_s) {
    f.constant = true;
    f.constant_s = f.p50_s;
  }
  return f;
}

}  // namespace coordsim::agent::real
