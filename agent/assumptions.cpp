#include "agent/assumptions.hpp"

#include <cmath>
#include <cstdio>

namespace coordsim::agent {
namespace {

std::string seconds(double s) {
  if (std::isinf(s)) return "unbounded";
  char b[32];
  std::snprintf(b, sizeof b, "%g s", s);
  return b;
}

// "up to 12 s" / "unbounded": a lag's upper bound as a reader says it.
std::string up_to(double s) { return std::isinf(s) ? "unbounded" : "up to " + seconds(s); }

}  // namespace

std::vector<std::string> broken_assumptions(const ProtocolConfig& c, const Conditions& k) {
  std::vector<std::string> out;
  const double wait_s = to_seconds(c.retry.max_total_wait);
  switch (c.strategy) {
    case Strategy::settle:
      if (k.list_lag_max_s && *k.list_lag_max_s >= to_seconds(c.settle.settle_time))
        out.push_back("settle: the list lag (" + up_to(*k.list_lag_max_s) + ") is not below agent.settle.settle_time_s (" +
                      seconds(to_seconds(c.settle.settle_time)) +
                      "); settle's guarantee assumes it is: flavors may miss each other's issues (duplicates)");
      break;
    case Strategy::scan_down: {
      const double poll_s = to_seconds(c.scan_down.not_visible_retry) * c.scan_down.not_visible_attempts;
      if (k.get_lag_max_s && *k.get_lag_max_s >= poll_s)
        out.push_back("scan-down: the get lag (" + up_to(*k.get_lag_max_s) +
                      ") reaches the polling budget for a lower issue (agent.scan_down.not_visible_retry_s x "
                      "not_visible_attempts = " + seconds(poll_s) +
                      "); exactly one leader assumes it does not: an unseen lower issue gives a duplicate");
      if (k.flavors && *k.flavors > c.scan_down.horizon)
        out.push_back("scan-down: " + std::to_string(*k.flavors) + " flavors, more than agent.scan_down.horizon (" +
                      std::to_string(c.scan_down.horizon) +
                      "); the coordination issue may lie below the numbers a flavor reads (duplicates)");
      break;
    }
    case Strategy::ref_lock:
      if (k.refs_lag_max_s && *k.refs_lag_max_s >= wait_s)
        out.push_back("ref-lock: the refs lag (" + up_to(*k.refs_lag_max_s) + ") reaches agent.client.max_total_wait_s (" +
                      seconds(wait_s) + "); after an ambiguous create the read-back can run out and agent.on_error " +
                      "decides (" + (c.on_error == OnError::analyze ? "a duplicate" : "a miss") + ")");
      if (c.lease.enabled && k.analysis_max_s && *k.analysis_max_s >= to_seconds(c.lease.ttl))
        out.push_back("ref-lock: the analysis (" + up_to(*k.analysis_max_s) + ") can outlast agent.lease.ttl_s (" +
                      seconds(to_seconds(c.lease.ttl)) +
                      "); the lease assumes the done marker is created within the TTL: a live leader is taken "
                      "over (a duplicate)");
      break;
    case Strategy::seed:
    case Strategy::seed_lowest:
      if (k.flavors && *k.flavors > c.seed.max_pages * 30)
        out.push_back(std::string(strategy_name(c.strategy)) + ": " + std::to_string(*k.flavors) +
                      " flavors, more than the find's page cap (agent.max_pages x 30 = " +
                      std::to_string(c.seed.max_pages * 30) + "); issues past it are not seen (duplicates)");
      break;
    case Strategy::none:
    case Strategy::fan_in: break;
  }
  if (k.timeout_s && c.strategy != Strategy::none && c.strategy != Strategy::fan_in && c.strategy != Strategy::seed &&
      c.strategy != Strategy::seed_lowest && *k.timeout_s < wait_s)
    out.push_back("--timeout (" + seconds(*k.timeout_s) + ") is shorter than agent.client.max_total_wait_s (" +
                  seconds(wait_s) + "): the deadline, not the retry budget, ends a slow decision, and agent.on_error " +
                  "decides");
  return out;
}

}  // namespace coordsim::agent
