#pragma once
// Requests to serve's router without sockets, and reading its answers: what
// every router test builds on (the test scenario, times, a request from
// loopback, the body as JSON, one header).
#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

#include "sim/http/router.hpp"
#include "sim/input/scenario_loader.hpp"

namespace coordsim::test {

inline const sim::ScenarioFile& serve_scenario() {
  // Zero latency; lags: get 0, list 1 s, search 1 s, refs 0.
  static const sim::ScenarioFile s = sim::load_scenario_file(COORDSIM_SOURCE_DIR "/tests/data/serve-test.json");
  return s;
}

inline agent::Time at(double s) { return agent::from_seconds(s); }

inline sim::http::Request req(std::string method, std::string target, std::string body = {}) {
  sim::http::Request r;
  r.method = std::move(method);
  r.target = std::move(target);
  r.body = std::move(body);
  r.headers.push_back({"host", "127.0.0.1:9999"});
  r.remote = "127.0.0.1";
  return r;
}

inline nlohmann::json body_of(const sim::http::Response& r) { return nlohmann::json::parse(r.body); }

inline const std::string* header(const sim::http::Response& r, std::string_view name) {
  for (const auto& h : r.headers)
    if (h.name == name) return &h.value;
  return nullptr;
}

}  // namespace coordsim::test
