#pragma once
// A scenario: who fails when, how GitHub behaves, what an analysis costs, and
// which protocol the agents run. Loaded from JSON (scenarios/*.json), validated
// against scenarios/scenario.schema.json, with defaults filled in here.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/github_types.hpp"
#include "agent/protocol.hpp"
#include "sim/distribution.hpp"
#include "sim/expectation.hpp"

namespace coordsim::sim {

struct EndpointLatency {
  Distribution request;   // send -> effect (a write commits, a read takes its snapshot)
  Distribution response;  // effect -> the client has the response
};

// Read paths of the fake GitHub, each with its own visibility lag.
enum class ReadPath : std::uint8_t { get = 0, list = 1, search = 2, refs = 3 };
inline constexpr int kReadPathCount = 4;

struct GitHubConfig {
  std::array<EndpointLatency, agent::kEndpointCount> latency;  // indexed by agent::Endpoint
  std::array<Distribution, kReadPathCount> visibility_lag;     // indexed by ReadPath
};

struct FailureModel {
  // P(the commit breaks every flavor at the same build step): one shared signature.
  double common_mode_probability = 1.0;
  // P(a flavor fails on its own, when the commit is not broken for all): a
  // flavor-specific signature.
  double per_flavor_probability = 0.0;
  // Time from a flavor's start to the failing step, drawn once per trial (every
  // leg runs the same steps).
  Distribution time_to_failure = Distribution::constant(0);
  // Added per flavor: legs reach the step at slightly different times.
  Distribution flavor_delay = Distribution::constant(0);
};

struct Workload {
  std::vector<std::string> flavors;
  double start_stagger_s = 0;  // flavor i starts at i * stagger + jitter
  Distribution start_jitter = Distribution::constant(0);
  FailureModel failure;
};

struct LlmModel {
  Distribution tokens_in = Distribution::constant(6000);
  Distribution tokens_out = Distribution::constant(2000);
  double usd_per_million_in = 75.0;  // the reference's blended $0.60 per 8,000 tokens
  double usd_per_million_out = 75.0;
  Distribution analysis_duration = Distribution::constant(60);
};

struct Scenario {
  std::string name;
  std::string description;
  std::string source;  // file it came from, or "<embedded>"
  std::uint64_t seed = 1;
  std::int64_t trials = 10000;
  std::string commit = "46e71ff0c0ffee0000000000000000000000cafe";
  Workload workload;
  GitHubConfig github;
  LlmModel llm;
  agent::ProtocolConfig protocol;
  double failures_per_year = 100;
  std::vector<Expectation> expectations;  // the `expect` block, for `coordsim check`
  nlohmann::json document;  // the validated JSON after --set overrides, for reports
};

}  // namespace coordsim::sim
