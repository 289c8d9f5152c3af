#pragma once
// The scenario the HTTP fuzz targets serve: tests/data/serve-test.json's
// (no latency, list and search lag 1 s), built in so that the targets need no
// file at run time. The router's own fixed-window budget is made large enough
// that a long input is not all 403s.
#include "sim/http/router.hpp"
#include "sim/input/scenario_loader.hpp"

namespace coordsim::fuzz {

inline const sim::ScenarioFile& serve_scenario() {
  static const sim::ScenarioFile s = sim::load_scenario_text(R"({
    "name": "serve-fuzz",
    "seed": 7,
    "workload": {"flavors": ["a"]},
    "github": {
      "latency": {"default": {"request_s": 0, "response_s": 0}},
      "visibility_lag_s": {"get": 0, "list": 1, "search": 1, "refs": 0}
    }
  })", "serve-fuzz.json");
  return s;
}

inline sim::http::RouterOptions serve_options() {
  sim::http::RouterOptions o;
  o.rate_limit.core_per_hour = std::int64_t{1} << 40;
  o.rate_limit.search_per_minute = std::int64_t{1} << 40;
  o.unix_epoch_us = 1'764'720'000'000'000;  // 2025-12-03, fixed: the same input gives the same bytes
  return o;
}

}  // namespace coordsim::fuzz
