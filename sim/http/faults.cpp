#include "sim/http/faults.hpp"

namespace coordsim::sim::http {

FaultPlan draw_fault(const FaultConfig& faults, agent::Endpoint endpoint, bool creates_ref, Rng& rng) {
  FaultPlan plan;
  if (!faults.any()) return plan;
  const EndpointFaults& f = faults.endpoint[static_cast<std::size_t>(endpoint)];
  const double u_error = rng.uniform01();
  const double u_lost = rng.uniform01();
  const double u_which = rng.uniform01();
  if (u_error < f.server_error) {
    plan.fate = Fate::server_error;
    plan.status = u_which < 1.0 / 3 ? 500 : u_which < 2.0 / 3 ? 502 : 503;
  } else if (creates_ref && u_which < faults.spurious_ref_422) {
    plan.fate = Fate::spurious_422;
    plan.status = 422;
  } else if (u_lost < f.lost_response) {
    plan.fate = Fate::lost_response;
    plan.status = 502;
  }
  return plan;
}

std::string_view fault_message(const FaultPlan& plan) {
  if (plan.fate == Fate::spurious_422) return "Reference update failed";
  switch (plan.status) {
    case 500: return "Server Error";
    case 503: return "Service Unavailable";
    default: return "Bad Gateway";
  }
}

}  // namespace coordsim::sim::http
