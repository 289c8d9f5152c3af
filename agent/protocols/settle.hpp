#pragma once
// settle: create this flavor's issue, wait a settle time, then list; the
// lowest matching issue leads (lowest_leads.hpp). Exact only when the list lag
// is shorter than the settle time (the trade-off it exists to show).
#include "agent/protocol.hpp"

namespace coordsim::agent {

Task<Decision> decide_settle(const ProtocolConfig& config, Ports ports, const CoordinationKey& key,
                             AgentBuffers& buffers);

}  // namespace coordsim::agent
