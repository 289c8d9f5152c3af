#pragma once
// The reference system's coordination (coordination.py `should_analyze`), as it
// really behaves, and the lowest-number-wins variant.
#include "agent/protocol.hpp"

namespace coordsim::agent {

// lowest_wins=false: `seed`; true: `seed-lowest`.
Task<Decision> decide_seed(const SeedParams& params, Ports ports, const CoordinationKey& key,
                           bool lowest_wins, AgentBuffers& buffers);

// The title the seed protocols give a coordination issue; it contains the
// commit's first 8 characters, which is how a find recognises it.
std::string seed_issue_title(const CoordinationKey& key);

}  // namespace coordsim::agent
