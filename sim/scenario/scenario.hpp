#pragma once
// A scenario as the engine runs it: who fails when, how GitHub behaves, what an
// analysis costs, and which protocol the agents run. Plain structs with every
// default filled in; what only a scenario *file* carries (its JSON document,
// expectations, report settings) is ScenarioFile (sim/input/scenario_file.hpp),
// so the engine sees no JSON.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "agent/github_types.hpp"
#include "agent/protocol.hpp"
#include "sim/model/faults.hpp"
#include "sim/model/rate_limiter.hpp"
#include "sim/random/distribution.hpp"

namespace coordsim::sim {

struct EndpointLatency {
  Distribution request;   // send -> effect (a write commits, a read takes its snapshot)
  Distribution response;  // effect -> the client has the response
};

using agent::kReadPathCount;
using agent::ReadPath;

// GitHub's limits, shared by every flavor of a trial (one repository, one
// token). Trials last minutes, so what matters is how much of each budget
// other work has already spent when the trial starts.
struct RateLimitConfig : RateLimits {
  bool enabled = false;
  Distribution primary_used_at_start = Distribution::constant(0);
  Distribution primary_reset_in = Distribution::constant(3600);  // seconds until the window resets
  Distribution writes_last_minute_at_start = Distribution::constant(0);
  Distribution writes_last_hour_at_start = Distribution::constant(0);
};

struct GitHubConfig {
  std::array<EndpointLatency, agent::kEndpointCount> latency;  // indexed by agent::Endpoint
  std::array<Distribution, kReadPathCount> visibility_lag;     // indexed by ReadPath
  FaultConfig faults;
  RateLimitConfig rate_limits;
  // The client's request timeout (agent.client.timeout_s); zero: none. The
  // client side of the model, kept here because the simulated client applies it.
  agent::Duration request_timeout{};
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
  // workload.failure.time_to_failure_drawn: "per_commit" (false, the default:
  // one draw a trial) or "per_flavor" (each leg its own draw, as when legs run
  // different build steps).
  bool time_to_failure_per_flavor = false;
  // Added per flavor: legs reach the step at slightly different times.
  Distribution flavor_delay = Distribution::constant(0);
};

// A leader's agent dying (runner killed, OOM, cancelled): it took the lock and
// then never analyzed. Drawn per flavor that decides to analyze.
enum class DeathPoint : std::uint8_t { before_analysis, during_analysis };
struct AgentDeath {
  double probability = 0;
  DeathPoint point = DeathPoint::before_analysis;
  // Most deaths in one trial, in order of analysis start: 1 is "the holder
  // dies", which a lease must repair.
  int max_per_trial = 1;
};

// "Re-run failed jobs" on the same commit, after the whole first attempt ended.
struct Rerun {
  double probability = 0;
  Distribution after = Distribution::constant(600);  // from the first attempt's end
};

struct Workload {
  std::vector<std::string> flavors;
  AgentDeath death;
  Rerun rerun;
  // A leg that does not fail runs this long past the step where the others
  // fail (fan-in waits for every leg).
  Distribution rest_of_build = Distribution::constant(0);
  double start_stagger_s = 0;  // flavor i starts at i * stagger + jitter
  // workload.start_gap_s: the gap between consecutive flavors' starts, drawn
  // per trial ("5-30 s apart": uniform 5..30); added to the stagger.
  std::optional<Distribution> start_gap;
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

// How far one trial may go: its events and its virtual time. A schema-valid
// scenario can still describe an endless trial (retries with no delay and a
// huge attempt count, a 1 us poll over a year) or times past any real one; the
// engine stops a trial at a limit with an error naming it (TrialLimitError).
struct TrialLimits {
  std::uint64_t max_events = 10'000'000;  // ~1 s of one core; a normal trial runs tens
  agent::Time horizon = std::chrono::seconds(10'000'000'000);  // 317 years of virtual time
};

struct Scenario {
  std::string name;
  std::uint64_t seed = 1;
  std::int64_t trials = 10000;
  std::string commit = "46e71ff0c0ffee0000000000000000000000cafe";
  Workload workload;
  GitHubConfig github;
  LlmModel llm;
  agent::ProtocolConfig protocol;
  TrialLimits limits;
};

}  // namespace coordsim::sim
