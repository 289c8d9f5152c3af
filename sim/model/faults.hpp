#pragma once
// GitHub's faults as the fake GitHub applies them (`github.faults`): what happens
// to one request, decided from three uniform draws made when it arrives. The
// simulator's client and `coordsim serve` both call decide_fault, so a served
// run and a simulated one fail the same share of requests in the same ways.
#include <array>
#include <string_view>

#include "agent/github_types.hpp"

namespace coordsim::sim {

struct EndpointFaults {
  double server_error = 0;   // P(500/502/503 before the effect: nothing happened)
  double lost_response = 0;  // P(the effect happened, the response is lost: 502, or a timeout)
};

struct FaultConfig {
  std::array<EndpointFaults, agent::kEndpointCount> endpoint{};  // indexed by agent::Endpoint
  // P(POST git/refs answers 422 "Reference update failed" without making the ref).
  double spurious_ref_422 = 0;
  bool any() const noexcept {
    for (const EndpointFaults& f : endpoint)
      if (f.server_error > 0 || f.lost_response > 0) return true;
    return spurious_ref_422 > 0;
  }
};

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

// The three uniform draws in [0, 1) a request's fate is decided from, drawn in
// this order for every request whenever the scenario has faults, so one
// request's fate never shifts another's.
struct FaultDraws {
  double error = 1;
  double lost = 1;
  double which = 1;  // the server error's status; the spurious 422
};

// `creates_ref` is true only for POST git/refs: `serve`'s other routes that
// count as create_ref (labels, contents, blobs) take its 5xx and lost-response
// rates, but the spurious 422 is a git-refs quirk.
inline FaultPlan decide_fault(const FaultConfig& faults, agent::Endpoint endpoint, bool creates_ref,
                              const FaultDraws& u) {
  const EndpointFaults& f = faults.endpoint[static_cast<std::size_t>(endpoint)];
  if (u.error < f.server_error) return {Fate::server_error, u.which < 1.0 / 3 ? 500 : u.which < 2.0 / 3 ? 502 : 503};
  if (creates_ref && u.which < faults.spurious_ref_422) return {Fate::spurious_422, 422};
  if (u.lost < f.lost_response) return {Fate::lost_response, 502};
  return {};
}

// GitHub's message for a fault's status ("Server Error", "Bad Gateway", ...).
inline std::string_view fault_message(const FaultPlan& plan) {
  if (plan.fate == Fate::spurious_422) return "Reference update failed";
  switch (plan.status) {
    case 500: return "Server Error";
    case 503: return "Service Unavailable";
    default: return "Bad Gateway";
  }
}

}  // namespace coordsim::sim
