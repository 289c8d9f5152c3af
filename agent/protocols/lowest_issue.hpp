#pragma once
// The issue-based protocols that actually coordinate: every flavor creates its
// own coordination issue (numbers are strongly consistent) and the lowest
// matching number leads. They differ in how they learn of lower issues.
//  - scan-down: GET each lower number (a primary-key read, the get path), a
//    404 being "not visible yet" because numbers are dense. Exact once every
//    lower issue is visible on the get path.
//  - settle: wait a settle time, then list; exact only when the list lag is
//    shorter than the settle time (the trade-off it exists to show).
#include "agent/protocol.hpp"

namespace coordsim::agent {

Task<Decision> decide_scan_down(const ProtocolConfig& config, Ports ports, const CoordinationKey& key,
                                AgentBuffers& buffers);

Task<Decision> decide_settle(const ProtocolConfig& config, Ports ports, const CoordinationKey& key,
                             AgentBuffers& buffers);

}  // namespace coordsim::agent
