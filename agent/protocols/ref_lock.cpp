#include "agent/protocols/ref_lock.hpp"

#include "agent/protocols/keyed.hpp"

namespace coordsim::agent {
namespace {

enum class Acquired : std::uint8_t { lead, lead_after_read_back, follow, error };

// Reads the lock back after a 422: whose token does it hold? The refs path can
// lag behind the create, so a 404 means "not visible yet" and is polled.
Task<Acquired> read_back(const ProtocolConfig& config, Ports ports, AgentBuffers& b) {
  RetryBudget budget;
  for (int not_visible = 0;;) {
    const ApiResult<GitRef>& r = co_await ports.github.get_ref(b.lock_ref, b.ref);
    if (r.ok()) {
      const bool ours = r.value.sha == b.holder;
      note(ports, "read back ", b.lock_ref, ": held by ", r.value.sha, ours ? " (us)" : "");
      co_return ours ? Acquired::lead_after_read_back : Acquired::follow;
    }
    if (r.status == 404) {
      if (++not_visible >= config.ref_lock.read_back_attempts) co_return Acquired::error;
      note(ports, "read back ", b.lock_ref, ": not visible yet");
      co_await ports.clock.sleep(config.ref_lock.read_back_interval);
      continue;
    }
    if (!co_await retry_after_failure(config.retry, ports, budget, r.status, r.error))
      co_return Acquired::error;
  }
}

Task<Acquired> acquire(const ProtocolConfig& config, Ports ports, AgentBuffers& b) {
  RetryBudget budget;
  // Whether an earlier attempt may have made the ref unseen: only then can a
  // 422 hide our own lock, and only then is it worth reading back.
  bool ambiguous = false;
  for (;;) {
    const ApiResult<GitRef>& r = co_await ports.github.create_ref(b.lock_ref, b.holder, b.ref);
    if (r.status == 201) {
      note(ports, "create ", b.lock_ref, " -> 201, lead");
      co_return Acquired::lead;
    }
    if (r.status == 422 && r.error.message == "Reference already exists") {
      note(ports, "create ", b.lock_ref, " -> 422 already exists");
      if (!ambiguous) co_return Acquired::follow;
      co_return co_await read_back(config, ports, b);
    }
    // GitHub sometimes answers a ref create with 422 "Reference update failed"
    // whether or not it made the ref: as ambiguous as a timeout or a lost
    // response. After any failure the lock is read back before trying again:
    // the create may have happened, and the answer to it may never come.
    const bool spurious_422 = r.status == 422 && r.error.message == "Reference update failed";
    const int status = spurious_422 ? 503 : r.status;
    note(ports, "create ", b.lock_ref, " -> ", r.status, " ", r.error.message);
    ambiguous = true;
    if (!co_await retry_after_failure(config.retry, ports, budget, status, r.error)) co_return Acquired::error;
    const ApiResult<GitRef>& held = co_await ports.github.get_ref(b.lock_ref, b.ref);
    if (held.ok()) {
      const bool ours = held.value.sha == b.holder;
      note(ports, "read back ", b.lock_ref, ": held by ", held.value.sha, ours ? " (us)" : "");
      co_return ours ? Acquired::lead_after_read_back : Acquired::follow;
    }
    // 404: not made, or not visible yet; an error: unknown. Either way the next
    // create settles it (201, or 422 and a read-back).
  }
}

// A follower with a lease: waits for the done marker; true when it appeared,
// false when the holder's lease (as this follower observed it) ran out.
Task<bool> wait_for_done(const ProtocolConfig& config, Ports ports, AgentBuffers& b, Time deadline_give_up) {
  const Time observed = ports.clock.now();
  for (;;) {
    co_await ports.clock.sleep(config.lease.poll_interval);
    const ApiResult<GitRef>& r = co_await ports.github.get_ref(b.done_ref, b.ref);
    if (r.ok()) {
      note(ports, "done marker seen: the leader has analyzed");
      co_return true;
    }
    const Time now = ports.clock.now();
    if (now - observed >= config.lease.ttl || now >= deadline_give_up) {
      note(ports, "lease of ", b.lock_ref, " expired without a done marker");
      co_return false;
    }
  }
}

}  // namespace

Task<Decision> decide_ref_lock(const ProtocolConfig& config, Ports ports, const CoordinationKey& key,
                               AgentBuffers& b) {
  prepare_keyed_names(config, key, b);
  const Time give_up = ports.clock.now() + config.lease.max_wait;
  const std::size_t base_size = b.lock_ref.size();
  for (int generation = 1;; ++generation) {
    if (generation > 1) b.lock_ref.resize(base_size), b.lock_ref.append("-g").append(std::to_string(generation));
    const Acquired got = co_await acquire(config, ports, b);
    Decision d;
    switch (got) {
      case Acquired::lead:
      case Acquired::lead_after_read_back:
        d.kind = DecisionKind::analyze;
        d.reason = generation > 1 ? Reason::lease_taken_over
                   : got == Acquired::lead ? Reason::lock_acquired
                                           : Reason::lock_read_back;
        co_return d;
      case Acquired::error: co_return undecided(config);
      case Acquired::follow: break;
    }
    d.kind = DecisionKind::skip;
    d.reason = Reason::lock_held;
    if (!config.lease.enabled || generation >= config.lease.max_generations) co_return d;
    if (co_await wait_for_done(config, ports, b, give_up)) {
      d.reason = Reason::leader_done;
      co_return d;
    }
    if (ports.clock.now() >= give_up) co_return d;
  }
}

Task<void> finish_ref_lock(const ProtocolConfig& config, Ports ports, AgentBuffers& b) {
  if (!config.lease.enabled) co_return;
  RetryBudget budget;
  for (;;) {
    const ApiResult<GitRef>& r = co_await ports.github.create_ref(b.done_ref, b.holder, b.ref);
    // 422: already marked (by this flavor's unseen earlier attempt, or by a
    // leader of another generation); either way the marker is there.
    if (r.ok() || (r.status == 422 && r.error.message == "Reference already exists")) {
      note(ports, "done marker ", b.done_ref, " recorded");
      co_return;
    }
    const int status = r.status == 422 ? 503 : r.status;
    if (!co_await retry_after_failure(config.retry, ports, budget, status, r.error)) co_return;
  }
}

}  // namespace coordsim::agent
