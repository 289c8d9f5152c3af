#include "sim/random/distribution.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <numbers>

#include <boost/random/normal_distribution.hpp>
#include <boost/random/uniform_int_distribution.hpp>

namespace coordsim::sim {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// ---- Sampling helpers ----

double standard_normal(Rng& rng) {
  // Boost's ziggurat (unlike std::normal_distribution) is the same algorithm
  // on every standard library, so results are portable.
  return boost::random::normal_distribution<double>(0.0, 1.0)(rng);
}

double truncated_normal(double mean, double sd, Rng& rng) {
  // Terminates quickly: parse_distribution guarantees mean >= -2 sd.
  double x = 0;
  do {
    x = mean + sd * standard_normal(rng);
  } while (x < 0);
  return x;
}

std::size_t pick_component(const std::vector<double>& cumulative, double u) {
  // First component whose cumulative weight exceeds u: zero-weight components
  // are never picked.
  const auto it = std::upper_bound(cumulative.begin(), cumulative.end(), u);
  const auto i = static_cast<std::size_t>(it - cumulative.begin());
  return std::min(i, cumulative.size() - 1);
}

double weight_of(const Distribution& mixture, std::size_t i) {
  return mixture.cumulative_weights[i] - (i == 0 ? 0.0 : mixture.cumulative_weights[i - 1]);
}

// Mean of N(mean, sd) conditioned on >= 0: mean + sd * phi(alpha) / (1 - Phi(alpha))
// with alpha = -mean / sd.
double truncated_normal_mean(double mean, double sd) {
  if (sd == 0) return mean;
  const double alpha = -mean / sd;
  const double pdf =
      std::exp(-0.5 * alpha * alpha) * std::numbers::inv_sqrtpi / std::numbers::sqrt2;
  const double survival = 0.5 * std::erfc(alpha / std::numbers::sqrt2);
  return mean + sd * pdf / survival;
}
}  // namespace

double Distribution::sample_random(Rng& rng) const {
  switch (kind) {
    case DistKind::constant:
      // Deliberately draws nothing: making a parameter constant must not shift
      // the stream, so the other draws of a trial stay the same.
      return a;
    case DistKind::uniform:
      return sample_uniform(rng);
    case DistKind::exponential:
      // Inversion; u < 1, so log1p(-u) is finite.
      return -a * std::log1p(-rng.uniform01());
    case DistKind::normal:
      return truncated_normal(a, b, rng);
    case DistKind::lognormal:
      return a * std::exp(b * standard_normal(rng));
    case DistKind::empirical: {
      boost::random::uniform_int_distribution<std::size_t> pick(0, samples.size() - 1);
      return samples[pick(rng)];
    }
    case DistKind::mixture:
      return components[pick_component(cumulative_weights, rng.uniform01())].sample(rng);
  }
  return a;
}

double Distribution::mean() const {
  switch (kind) {
    case DistKind::constant:
      return a;
    case DistKind::uniform:
      return a + (b - a) / 2;
    case DistKind::exponential:
      return a;
    case DistKind::normal:
      return truncated_normal_mean(a, b);
    case DistKind::lognormal:
      return a * std::exp(b * b / 2);
    case DistKind::empirical: {
      double sum = 0;
      for (double s : samples) sum += s;
      return sum / static_cast<double>(samples.size());
    }
    case DistKind::mixture: {
      double sum = 0;
      for (std::size_t i = 0; i < components.size(); ++i) {
        // Skipping unreachable components keeps an infinite mean there from
        // turning the result into NaN (0 * inf).
        const double w = weight_of(*this, i);
        if (w > 0) sum += w * components[i].mean();
      }
      return sum;
    }
  }
  return a;
}

double Distribution::lower_bound() const {
  switch (kind) {
    case DistKind::constant:
    case DistKind::uniform:
      return a;
    case DistKind::exponential:
      return 0;
    case DistKind::normal:
      return b == 0 ? a : 0;
    case DistKind::lognormal:
      return b == 0 ? a : 0;
    case DistKind::empirical:
      return *std::min_element(samples.begin(), samples.end());
    case DistKind::mixture: {
      double lo = kInf;
      for (std::size_t i = 0; i < components.size(); ++i) {
        if (weight_of(*this, i) > 0) lo = std::min(lo, components[i].lower_bound());
      }
      return lo;
    }
  }
  return a;
}

double Distribution::upper_bound() const {
  switch (kind) {
    case DistKind::constant:
      return a;
    case DistKind::uniform:
      return b;
    case DistKind::exponential:
      return a == 0 ? 0 : kInf;
    case DistKind::normal:
    case DistKind::lognormal:
      return b == 0 ? a : kInf;
    case DistKind::empirical:
      return *std::max_element(samples.begin(), samples.end());
    case DistKind::mixture: {
      double hi = -kInf;
      for (std::size_t i = 0; i < components.size(); ++i) {
        if (weight_of(*this, i) > 0) hi = std::max(hi, components[i].upper_bound());
      }
      return hi;
    }
  }
  return a;
}

double Distribution::exceedance(double x) const {
  switch (kind) {
    case DistKind::constant:
      return a > x ? 1 : 0;
    case DistKind::uniform:
      if (x < a) return 1;
      if (x >= b) return 0;
      return (b - x) / (b - a);
    case DistKind::exponential:
      if (a == 0) return 0 > x ? 1 : 0;
      return x < 0 ? 1 : std::exp(-x / a);
    case DistKind::normal: {
      if (b == 0) return a > x ? 1 : 0;
      // Truncated at 0 (draws below are redrawn): P(X > x | X >= 0).
      const auto tail = [&](double v) { return 0.5 * std::erfc((v - a) / (b * std::sqrt(2.0))); };
      return x < 0 ? 1 : tail(x) / tail(0);
    }
    case DistKind::lognormal:
      if (b == 0) return a > x ? 1 : 0;
      if (x <= 0) return 1;
      return 0.5 * std::erfc((std::log(x) - std::log(a)) / (b * std::sqrt(2.0)));
    case DistKind::empirical:
      return static_cast<double>(std::count_if(samples.begin(), samples.end(), [x](double v) { return v > x; })) /
             static_cast<double>(samples.size());
    case DistKind::mixture: {
      double sum = 0;
      for (std::size_t i = 0; i < components.size(); ++i) {
        const double w = weight_of(*this, i);
        if (w > 0) sum += w * components[i].exceedance(x);
      }
      return sum;
    }
  }
  return 0;
}

double Distribution::bound_except(double p) const {
  const double hi_bound = upper_bound();
  if (hi_bound < kInf) return hi_bound;
  // Bisection on the monotone tail: doubling to a bracket, then halving.
  double lo = std::max(0.0, lower_bound());
  double hi = std::max(1.0, 2 * lo);
  while (exceedance(hi) > p && hi < 1e15) hi *= 2;
  for (int i = 0; i < 100 && hi - lo > 1e-9 * hi; ++i) {
    const double mid = (lo + hi) / 2;
    (exceedance(mid) > p ? lo : hi) = mid;
  }
  return hi;
}

}  // namespace coordsim::sim
