#pragma once
// Scenarios built in code for hand-computable tests: constant distributions
// everywhere, so every time in a trial can be worked out on paper.
#include <string>
#include <vector>

#include "sim/scenario.hpp"

namespace coordsim::test {

inline sim::Scenario constant_scenario(std::vector<std::string> flavors, double request_s = 0,
                                       double response_s = 0) {
  sim::Scenario s;
  s.name = "constant";
  s.source = "<test>";
  s.workload.flavors = std::move(flavors);
  for (auto& e : s.github.latency) {
    e.request = sim::Distribution::constant(request_s);
    e.response = sim::Distribution::constant(response_s);
  }
  for (auto& lag : s.github.visibility_lag) lag = sim::Distribution::constant(0);
  s.llm.analysis_duration = sim::Distribution::constant(0);
  return s;
}

inline sim::Distribution uniform(double min, double max) {
  return sim::parse_distribution({{"dist", "uniform"}, {"min", min}, {"max", max}}, "/test");
}
inline sim::Distribution exponential(double mean) {
  return sim::parse_distribution({{"dist", "exponential"}, {"mean", mean}}, "/test");
}
inline sim::Distribution lognormal(double median, double sigma) {
  return sim::parse_distribution({{"dist", "lognormal"}, {"median", median}, {"sigma", sigma}}, "/test");
}

inline void set_list_lag(sim::Scenario& s, double lag_s) {
  s.github.visibility_lag[static_cast<int>(sim::ReadPath::list)] = sim::Distribution::constant(lag_s);
}

}  // namespace coordsim::test
