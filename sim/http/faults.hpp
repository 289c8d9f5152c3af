#pragma once
// The scenario's fault model (`github.faults`) as the server applies it: what
// happens to one request, drawn when it arrives. The meaning of each
// probability and the order of the draws are the simulator's
// (SimGitHubClient::begin_slow in sim/sim_ports.cpp), so that a served run and
// a simulated one fail the same share of requests in the same ways.
#include <string_view>

#include "agent/github_types.hpp"
#include "sim/rng.hpp"
#include "sim/scenario.hpp"

namespace coordsim::sim::http {

enum class Fate : unsigned char {
  ok,
  server_error,   // 500, 502 or 503 before the effect: nothing happened
  lost_response,  // the effect happened; the client gets 502 instead of the answer
  spurious_422,   // POST git/refs: 422 "Reference update failed", no ref made
};

struct FaultPlan {
  Fate fate = Fate::ok;
  int status = 0;  // the status the client gets when fate is not ok
};

// Draws a request's fate on `endpoint`. `creates_ref` is true only for
// POST git/refs: the other routes that count as create_ref (labels, contents,
// blobs) take its 5xx and lost-response rates, but the spurious 422 is a
// git-refs quirk. Three draws per request whenever the scenario has faults, as
// in the simulator, so one request's fate never shifts another's.
FaultPlan draw_fault(const FaultConfig& faults, agent::Endpoint endpoint, bool creates_ref, Rng& rng);

// GitHub's message for a fault's status ("Server Error", "Bad Gateway", ...).
std::string_view fault_message(const FaultPlan& plan);

}  // namespace coordsim::sim::http
