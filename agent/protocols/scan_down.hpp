#pragma once
// scan-down: create this flavor's issue, then GET each lower number (a
// primary-key read, the get path), a 404 being "not visible yet" because
// numbers are dense; the lowest matching open issue leads
// (lowest_leads.hpp). Exact once every lower issue is visible on the get path.
#include "agent/protocol.hpp"

namespace coordsim::agent {

Task<Decision> decide_scan_down(const ProtocolConfig& config, Ports ports, const CoordinationKey& key,
                                AgentBuffers& buffers);

}  // namespace coordsim::agent
