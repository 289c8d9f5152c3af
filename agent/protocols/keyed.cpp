#include "agent/protocols/keyed.hpp"

namespace coordsim::agent {

std::string ref_safe(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '.' || c == '_' || c == '-';
    out.push_back(keep ? c : '_');
  }
  // git forbids ".." and a leading "." in a ref component.
  for (std::size_t i = 0; i + 1 < out.size(); ++i)
    if (out[i] == '.' && out[i + 1] == '.') out[i + 1] = '_';
  if (!out.empty() && out.front() == '.') out.front() = '_';
  return out;
}

void prepare_keyed_names(const ProtocolConfig& config, const CoordinationKey& key, AgentBuffers& b) {
  // Rebuilt every run: assigning into strings that have capacity does not allocate.
  b.key_id.assign(key.commit);
  if (config.key_by == KeyBy::commit_and_signature && !key.signature.empty())
    b.key_id.append("/").append(ref_safe(key.signature));
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

Task<std::int64_t> create_keyed_issue(const ProtocolConfig& config, Ports ports, const CoordinationKey& key,
                                      AgentBuffers& b) {
  b.lock.title.assign(b.title_prefix).append(key.flavor);
  b.lock.body.assign("Coordination for ").append(b.key_id).append(", opened by flavor ").append(key.flavor);
  b.lock.labels.resize(1);
  b.lock.labels[0] = config.seed.label;
  RetryBudget budget;
  for (;;) {
    const ApiResult<Issue>& r = co_await ports.github.create_issue(b.lock, b.issue);
    if (r.ok()) {
      note(ports, "create -> #", r.value.number);
      co_return r.value.number;
    }
    if (!co_await retry_after_failure(config.retry, ports, budget, r.status, r.error)) co_return 0;
  }
}

bool matches_key(std::string_view title, std::string_view title_prefix, std::string_view* owner) {
  if (title.size() <= title_prefix.size() || title.compare(0, title_prefix.size(), title_prefix) != 0)
    return false;
  if (owner) *owner = title.substr(title_prefix.size());
  return true;
}

}  // namespace coordsim::agent
