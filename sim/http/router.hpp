#pragma once
// The fake GitHub's REST surface as a function from a request (and the time it
// takes effect) to a response: routing, authentication, rate-limit headers,
// validation and GitHub's JSON shapes over one sim::GitHubModel per
// repository. No sockets: the server (server.cpp) calls it, and so do the
// tests and the fuzz target.
//
// Thread-safe: repositories are read in parallel and written one writer at a
// time each (serve_state.hpp says which lock guards what).
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "agent/time.hpp"
#include "sim/http/message.hpp"
#include "sim/http/query.hpp"
#include "sim/http/token_rate_limit.hpp"
#include "sim/model/faults.hpp"
#include "sim/scenario/scenario.hpp"

namespace coordsim::sim::http {

class Journal;

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
  // The request's target as plan() parsed it, for handle(): parsing is ~12% of
  // a GET's instructions (callgrind), so it is done once per request.
  std::optional<Target> target;
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
  // `parsed`: plan()'s parse of request.target (Timing::target), or null.
  Response handle(const Request& request, agent::Time now, const FaultPlan& fault, const Target* parsed = nullptr);
  // The same with the fault drawn now (for callers without a plan).
  Response handle(const Request& request, agent::Time now);

  // Every repository's history (each write with its commit time and drawn
  // lags) and its current state, for --state files.
  nlohmann::json save_state(agent::Time now) const;
  // Replays a saved history into an empty router; returns the saved clock, from
  // which the caller's clock should continue. Throws InputError naming `source`.
  agent::Time load_state(const nlohmann::json& state, const std::string& source);

  // Replays --state's FILE.journal after load_state (or into an empty router);
  // returns the clock to continue from. Throws InputError naming the line.
  agent::Time replay_journal(const std::string& path, agent::Time clock);
  // The last journal line the state holds (loaded or replayed).
  std::uint64_t journal_seq() const;
  // From now on every write is appended to `journal`, and a response's
  // durable_seq names the line it waits for. Before serving; null detaches.
  void attach_journal(Journal* journal);
  // Calls done(true) once journal line `seq` is on disk (at once without a
  // journal or for 0), done(false) if the journal failed.
  void when_durable(std::uint64_t seq, std::function<void(bool)> done);

  // Before serving only.
  void set_unix_epoch_us(std::int64_t unix_epoch_us);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace coordsim::sim::http
