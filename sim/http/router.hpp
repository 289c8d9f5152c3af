#pragma once
// The fake GitHub's REST surface as a function from a request (and the time it
// takes effect) to a response: routing, authentication, rate-limit headers,
// validation and GitHub's JSON shapes over one sim::GitHubModel per
// repository. No sockets: the server (server.cpp) calls it, and so do the
// tests and the fuzz target.
//
// Thread-safe: one mutex around everything (the models have mutable caches).
#include <cstdint>
#include <memory>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "agent/time.hpp"
#include "sim/http/message.hpp"
#include "sim/http/token_rate_limit.hpp"
#include "sim/model/faults.hpp"
#include "sim/scenario/scenario.hpp"

namespace coordsim::sim::http {

struct RouterOptions {
  // When set, every request must carry it (`Authorization: token X` or
  // `Bearer X`), else 401 "Bad credentials". When empty, any token or none is
  // accepted; a token then only keys its rate-limit budget.
  std::string token;
  // The fixed-window budget, used only when the scenario's
  // github.rate_limits is not enabled (then those limits apply instead).
  TokenRateLimits rate_limit;
  std::int64_t unix_epoch_us = 0;  // wall-clock time at model time 0, for timestamps
};

// What is drawn for one request when it arrives: its latencies (scenario
// `github.latency`) and its fate (`github.faults`).
struct Timing {
  agent::Duration request{};   // arrival -> effect (a write commits, a read takes its snapshot)
  agent::Duration response{};  // effect -> the response is sent
  FaultPlan fault;
};

// Largest request body accepted (a bigger one gets 413 from the server).
inline constexpr std::size_t kMaxBodyBytes = 1 << 20;

class Router {
 public:
  Router(const Scenario& scenario, RouterOptions options);
  ~Router();
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  // Draws the request's latencies and its fault from the scenario, per
  // endpoint. Routes outside the protocols' endpoints use the closest one
  // (docs/serve.md). Faults come from their own stream: for a given seed the
  // n-th faultable request has the same fate whatever the latencies.
  Timing plan(const Request& request);
  // Applies the request at model time `now` (microseconds since the clock's
  // origin) and returns GitHub's response, after the rate limits and with the
  // planned fault. Never throws for bad input.
  Response handle(const Request& request, agent::Time now, const FaultPlan& fault);
  // The same with the fault drawn now (for callers without a plan).
  Response handle(const Request& request, agent::Time now);

  // Every repository's history (each write with its commit time and drawn
  // lags) and its current state, for --state files.
  nlohmann::json save_state(agent::Time now) const;
  // Replays a saved history into an empty router; returns the saved clock, from
  // which the caller's clock should continue. Throws InputError naming `source`.
  agent::Time load_state(const nlohmann::json& state, const std::string& source);

  void set_unix_epoch_us(std::int64_t unix_epoch_us);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace coordsim::sim::http
