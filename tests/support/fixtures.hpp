#pragma once
// Scenarios built in code for hand-computable tests: constant distributions
// everywhere, so every time in a trial can be worked out on paper.
#include <string>
#include <vector>

#include "sim/scenario/scenario.hpp"

namespace coordsim::test {

inline sim::Scenario constant_scenario(std::vector<std::string> flavors, double request_s = 0,
                                       double response_s = 0) {
  sim::Scenario s;
  s.name = "constant";
  s.workload.flavors = std::move(flavors);
  for (auto& e : s.github.latency) {
    e.request = sim::Distribution::constant(request_s);
    e.response = sim::Distribution::constant(response_s);
  }
  for (auto& lag : s.github.visibility_lag) lag = sim::Distribution::constant(0);
  s.llm.analysis_duration = sim::Distribution::constant(0);
  return s;
}

// Built directly (the engine's tests link no JSON): parameters as
// parse_distribution would store them.
inline sim::Distribution dist(sim::DistKind kind, double a, double b = 0) {
  sim::Distribution d;
  d.kind = kind;
  d.a = a;
  d.b = b;
  return d;
}
inline sim::Distribution uniform(double min, double max) { return dist(sim::DistKind::uniform, min, max); }
inline sim::Distribution exponential(double mean) { return dist(sim::DistKind::exponential, mean); }
inline sim::Distribution lognormal(double median, double sigma) {
  return dist(sim::DistKind::lognormal, median, sigma);
}

inline void set_list_lag(sim::Scenario& s, double lag_s) {
  s.github.visibility_lag[static_cast<int>(sim::ReadPath::list)] = sim::Distribution::constant(lag_s);
}

}  // namespace coordsim::test
