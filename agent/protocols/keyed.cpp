#include "agent/protocols/keyed.hpp"

#include "agent/protocols/key_names.hpp"

namespace coordsim::agent {

void prepare_keyed_names(const ProtocolConfig& config, const CoordinationKey& key, AgentBuffers& b) {
  // Rebuilt every run: assigning into strings that have capacity does not allocate.
  write_coordination_key_id(key.commit,
                            config.key_by == KeyBy::commit_and_signature ? std::string_view(key.signature)
                                                                         : std::string_view(),
                            b.key_id);
  b.lock_ref.assign(config.ref_lock.ref_prefix).append(b.key_id);
  b.done_ref.assign(b.lock_ref).append("-done");
  // The holder token the lock ref points at. The simulator stores it as is;
  // the REST client turns it into a blob whose content it is (a ref must point
  // at an object), and compares tokens through that mapping.
  b.holder.assign("holder:").append(key.flavor);
  b.title_prefix.assign("[coordsim] ").append(b.key_id).append(" by ");
}

Decision undecided(const ProtocolConfig& config) {
  Decision d;
  if (config.on_error == OnError::analyze) {
    d.kind = DecisionKind::analyze;
    d.reason = Reason::error_fail_open;
  } else {
    d.kind = DecisionKind::skip;
    d.reason = Reason::error_fail_closed;
  }
  return d;
}

Task<bool> retry_after_failure(const RetryPolicy& policy, Ports ports, RetryBudget& budget, int status,
                               const ApiError& error) {
  const auto delay = next_retry(policy, budget, status, error, ports.clock.random01());
  if (!delay) {
    note(ports, "giving up after ", budget.attempts, " attempts (status ", status, ")");
    co_return false;
  }
  note(ports, "status ", status, ": retry in ", delay->count() / 1000, " ms");
  co_await ports.clock.sleep(*delay);
  co_return true;
}

Task<KeyedIssue> create_keyed_issue(const ProtocolConfig& config, Ports ports, const CoordinationKey& key,
                                    AgentBuffers& b) {
  b.lock.title.assign(b.title_prefix).append(key.flavor);
  b.lock.body.assign("Coordination for ").append(b.key_id).append(", opened by flavor ").append(key.flavor);
  b.lock.labels.resize(1);
  b.lock.labels[0] = config.seed.label;
  RetryBudget budget;
  KeyedIssue out;
  for (;;) {
    const ApiResult<Issue>& r = co_await ports.github.create_issue(b.lock, b.issue);
    if (r.ok()) {
      note(ports, "create -> #", r.value.number);
      out.number = r.value.number;
      co_return out;
    }
    // A 5xx may come after the effect (GitHub's 502s do); 4xx, rate limits
    // included, are refusals before it.
    if (r.status == 0 || r.status >= 500) out.ambiguous = true;
    if (!co_await retry_after_failure(config.retry, ports, budget, r.status, r.error)) co_return out;
  }
}

bool matches_key(std::string_view title, std::string_view title_prefix, std::string_view* owner) {
  if (title.size() <= title_prefix.size() || title.compare(0, title_prefix.size(), title_prefix) != 0)
    return false;
  if (owner) *owner = title.substr(title_prefix.size());
  return true;
}

}  // namespace coordsim::agent
