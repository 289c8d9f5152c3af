#pragma once
// What the error-handling protocols (ref-lock, scan-down, settle) share: the
// coordination key's names, the decision when the API will not answer, and
// creating the coordination issue under the client policy.
#include "agent/client_policy.hpp"
#include "agent/protocol.hpp"

namespace coordsim::agent {

// Fills buffers.key_id, lock_ref, done_ref, holder and title_prefix from the
// key (once per key: the simulator runs an agent many times).
void prepare_keyed_names(const ProtocolConfig& config, const CoordinationKey& key,
                         AgentBuffers& buffers);

// A ref name component from a free-form signature: [A-Za-z0-9._-] kept, the
// rest replaced, so "undefined reference to `foo'" makes a valid ref.
std::string ref_safe(std::string_view text);

// The decision a protocol returns when it cannot decide (config.on_error).
Decision undecided(const ProtocolConfig& config);

// Creates "<title_prefix><flavor>" with the coordination label, retrying
// transient errors under the client policy. Returns the issue number, or 0
// when it could not (the caller decides per on_error). A lost response can
// leave an issue behind that this flavor never learns the number of; the
// issue-based protocols recognise their own issues by title, so it is harmless.
Task<std::int64_t> create_keyed_issue(const ProtocolConfig& config, Ports ports,
                                      const CoordinationKey& key, AgentBuffers& buffers);

// Sleeps and returns true when the failed result is worth another attempt.
// Usage: `do { r = co_await call; } while (!r.ok() && co_await retry(...));`
Task<bool> retry_after_failure(const RetryPolicy& policy, Ports ports, RetryBudget& budget, int status,
                               const ApiError& error);

// Whether an issue title names this key; `owner` gets the flavor that made it.
bool matches_key(std::string_view title, std::string_view title_prefix, std::string_view* owner);

}  // namespace coordsim::agent
