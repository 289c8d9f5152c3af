#pragma once
// Scenario distributions (DESIGN.md) and their draws. Values are in the unit of
// the field that holds them (seconds for times, tokens for token counts). The
// JSON form is read and written in sim/input/distribution_json.hpp.
#include <string>
#include <vector>

#include "sim/random/choice_oracle.hpp"
#include "sim/random/rng.hpp"

namespace coordsim::sim {

enum class DistKind { constant, uniform, exponential, normal, lognormal, empirical, mixture };

struct Distribution {
  DistKind kind = DistKind::constant;
  // constant: a = value. uniform: a = min, b = max. exponential: a = mean.
  // normal: a = mean, b = sd (draws below 0 are redrawn: truncated at 0).
  // lognormal: a = median, b = sigma (of the log).
  double a = 0;
  double b = 0;
  std::vector<double> samples;             // empirical: drawn uniformly among these
  std::vector<double> cumulative_weights;  // mixture: normalised, last == 1
  std::vector<Distribution> components;    // mixture

  static Distribution constant(double v) {
    Distribution d;
    d.a = v;
    return d;
  }
  bool is_constant() const noexcept { return kind == DistKind::constant; }

  // One draw. Never negative for distributions whose parameters were accepted
  // by parse_distribution (sim/input/distribution_json.hpp) with
  // non_negative = true.
  // Constants and uniforms are answered inline: most scenario values are one or
  // the other, and this is the simulator's most frequent call.
  // Under `coordsim explore` an active ChoiceOracle answers instead (constants
  // stay out of it: they offer no choice).
  double sample(Rng& rng) const {
    if (kind == DistKind::constant) return a;
    if (t_choice_oracle) [[unlikely]]
      return oracle_sample(*this);
    if (kind == DistKind::uniform) return sample_uniform(rng);
    return sample_random(rng);
  }
  double sample_uniform(Rng& rng) const {
    // The clamp guards against a + u * (b - a) rounding up past b.
    const double x = a + rng.uniform01() * (b - a);
    return x < b ? x : b;
  }
  double sample_random(Rng& rng) const;

  double mean() const;
  // Bounds of the support; infinity for unbounded distributions.
  double lower_bound() const;
  double upper_bound() const;
  // P(a draw > x).
  double exceedance(double x) const;
  // The smallest x with P(a draw > x) <= p: the bound a draw stays under but
  // for one time in 1/p (upper_bound() itself when that is finite and lower).
  double bound_except(double p) const;
};

}  // namespace coordsim::sim
