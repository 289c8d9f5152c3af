#pragma once
// What the error-handling protocols (ref-lock, scan-down, settle) share: the
// coordination key's names, the decision when the API will not answer, and
// creating the coordination issue under the client policy.
#include "agent/client_policy.hpp"
#include "agent/protocol.hpp"

namespace coordsim::agent {

// Fills buffers.key_id, lock_ref, done_ref, holder and title_prefix from the
// key (once per key: the simulator runs an agent many times). key_id is
// coordination_key_id (key_names.hpp): injective, a valid ref, and a title key
// no other key's title starts with.
void prepare_keyed_names(const ProtocolConfig& config, const CoordinationKey& key,
                         AgentBuffers& buffers);

// The decision a protocol returns when it cannot decide (config.on_error).
Decision undecided(const ProtocolConfig& config);

// Creates "<title_prefix><flavor>" with the coordination label, retrying
// transient errors under the client policy. `number` is the issue's, or 0
// when it could not (the caller decides per on_error). A lost response (502,
// no response, a timeout) can leave an issue behind that this flavor never
// learns the number of: `ambiguous` says an attempt may have done so. The
// issue protocols recognise such an issue by its title when they can read it;
// scan-down also treats a lower issue it cannot read as possibly its own then.
struct KeyedIssue {
  std::int64_t number = 0;
  bool ambiguous = false;  // an attempt failed with no response or a 5xx
};
Task<KeyedIssue> create_keyed_issue(const ProtocolConfig& config, Ports ports, const CoordinationKey& key,
                                    AgentBuffers& buffers);

// Sleeps and returns true when the failed result is worth another attempt.
// Usage: `do { r = co_await call; } while (!r.ok() && co_await retry(...));`
Task<bool> retry_after_failure(const RetryPolicy& policy, Ports ports, RetryBudget& budget, int status,
                               const ApiError& error);

// Whether an issue title names this key; `owner` gets the flavor that made it.
bool matches_key(std::string_view title, std::string_view title_prefix, std::string_view* owner);

}  // namespace coordsim::agent
