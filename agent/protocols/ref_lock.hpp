#pragma once
// ref-lock: the lock is a git ref, created if absent (strongly consistent):
// 201 leads, 422 "Reference already exists" follows. An ambiguous outcome
// (no response, 5xx, a spurious 422 "Reference update failed") is retried, and
// a 422 is read back: the ref points at the holder's token, so a flavor whose
// earlier attempt succeeded unseen still learns that it leads. With a lease,
// followers wait for the holder's done marker and take over after a TTL.
#include "agent/protocol.hpp"

namespace coordsim::agent {

Task<Decision> decide_ref_lock(const ProtocolConfig& config, Ports ports, const CoordinationKey& key,
                               AgentBuffers& buffers);

// After the leader's analysis: records it (the done marker of its generation).
Task<void> finish_ref_lock(const ProtocolConfig& config, Ports ports, AgentBuffers& buffers);

// The key's names (keyed.hpp) plus ref-lock's: the first lock's name and
// this flavor's takeover token.
void prepare_ref_lock_names(const ProtocolConfig& config, const CoordinationKey& key, AgentBuffers& buffers);

// Names generation `generation`'s lock and closing ref from buffers.lock_base:
// <lock>, <lock>-g2, ...; <lock>-done, <lock>-g2-done, ...
void name_generation(AgentBuffers& buffers, int generation);

}  // namespace coordsim::agent
