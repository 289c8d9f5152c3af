#include "sim/random/choice_oracle.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "sim/random/distribution.hpp"

namespace coordsim::sim {

double oracle_sample(const Distribution& d) { return t_choice_oracle->sample(d); }
bool oracle_event(double p, const char* what) { return t_choice_oracle->event(p, what); }
bool oracle_fault(double p, const char* what) { return t_choice_oracle->fault(p, what); }
int oracle_pick(int n, const char* what) { return t_choice_oracle->pick(n, what); }
double oracle_unit(const char* what) { return t_choice_oracle->unit(what); }
void oracle_trial_started() { t_choice_oracle->trial_started(); }

namespace {
void sort_unique(std::vector<double>& v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
}
}  // namespace

std::vector<double> grid_values(const Distribution& d, int k) {
  if (k < 2) throw std::invalid_argument("the grid needs at least 2 points");
  std::vector<double> out;
  switch (d.kind) {
    case DistKind::constant:
      return {d.a};
    case DistKind::uniform:
      if (d.a == d.b) return {d.a};
      for (int i = 0; i < k; ++i) {
        // The last point is max itself, not a + (k-1) * step rounded.
        out.push_back(i == k - 1 ? d.b : d.a + (d.b - d.a) * i / (k - 1));
      }
      break;
    case DistKind::empirical:
      // Finitely many values: all of them, not a grid over their range.
      out = d.samples;
      break;
    case DistKind::mixture:
      for (std::size_t i = 0; i < d.components.size(); ++i) {
        const double w = d.cumulative_weights[i] - (i == 0 ? 0.0 : d.cumulative_weights[i - 1]);
        if (!(w > 0)) continue;  // never drawn
        const std::vector<double> g = grid_values(d.components[i], k);
        out.insert(out.end(), g.begin(), g.end());
      }
      break;
    case DistKind::exponential:
    case DistKind::normal:
    case DistKind::lognormal:
      // Bounded only when degenerate (mean 0, sd 0, sigma 0).
      if (d.lower_bound() == d.upper_bound()) return {d.lower_bound()};
      throw std::invalid_argument("an unbounded distribution has no extremes to explore");
  }
  sort_unique(out);
  return out;
}

void ChoiceOracle::begin(std::vector<int> prefix) {
  prefix_ = std::move(prefix);
  trace_.clear();
  started_ = false;
  frozen_ = false;
  faults_ = 0;
}

Choice& ChoiceOracle::next(int options) {
  if (!frozen_ && started_ && settled_ && settled_()) frozen_ = true;
  Choice c;
  c.options = options;
  c.frozen = frozen_;
  const std::size_t i = trace_.size();
  if (i < prefix_.size()) {
    // Re-execution replays the prefix exactly; anything else means a draw
    // depends on something besides earlier choices.
    if (prefix_[i] >= options || frozen_)
      throw std::logic_error("explore: a re-executed run diverged from its prefix at choice point " +
                             std::to_string(i) + " (the simulation is not deterministic in its choices)");
    c.chosen = prefix_[i];
  }
  trace_.push_back(c);
  return trace_.back();
}

double ChoiceOracle::sample(const Distribution& d) {
  std::vector<double> values = grid_values(d, grid_);
  Choice& c = next(static_cast<int>(values.size()));
  c.dist = &d;
  c.value = values[static_cast<std::size_t>(c.chosen)];
  return c.value;
}

bool ChoiceOracle::event(double p, const char* what) {
  // Probabilities 0 and 1 decide nothing: no choice point.
  if (p <= 0) return false;
  if (p >= 1) return true;
  Choice& c = next(2);
  c.what = what;
  c.value = c.chosen == 0 ? 0 : 1;  // "does not happen" first
  return c.chosen == 1;
}

bool ChoiceOracle::fault(double p, const char* what) {
  // Depends only on earlier choices, so a re-executed prefix meets the same
  // choice points.
  if (max_faults_ >= 0 && faults_ >= max_faults_) return false;
  const bool happens = event(p, what);
  faults_ += happens ? 1 : 0;
  return happens;
}

int ChoiceOracle::pick(int n, const char* what) {
  Choice& c = next(n);
  c.what = what;
  c.value = c.chosen;
  return c.chosen;
}

double ChoiceOracle::unit(const char* what) {
  Choice& c = next(grid_);
  c.what = what;
  // [0, 1): the top of the grid is the largest double below 1.
  c.value = c.chosen == grid_ - 1 ? std::nextafter(1.0, 0.0) : static_cast<double>(c.chosen) / (grid_ - 1);
  return c.value;
}

}  // namespace coordsim::sim
