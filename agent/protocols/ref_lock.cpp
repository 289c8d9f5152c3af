#include "agent/protocols/ref_lock.hpp"

#include <algorithm>

#include "agent/protocols/keyed.hpp"

namespace coordsim::agent {

void name_generation(AgentBuffers& b, int generation) {
  b.generation = generation;
  b.lock_ref.assign(b.lock_base);
  if (generation > 1) b.lock_ref.append("-g").append(std::to_string(generation));
  b.done_ref.assign(b.lock_ref).append("-done");
  b.lock_holder.clear();
}

namespace {

enum class Acquired : std::uint8_t { lead, lead_after_read_back, follow, own_earlier, error };

// Reads back a ref whose create was answered 422, so it exists: a 404 means
// the refs path does not show it yet, and is polled. The polling is bounded by
// the decision's wait budget (`until`), not by a count: a count of 60 polls
// was a horizon of ~72 s, and with a refs lag past it the read-back gave up
// while every request was answered (45% duplicates at 20% 5xx, 31% misses with
// lost responses and on_error=skip). True: b.ref holds the ref.
Task<bool> read_existing(const ProtocolConfig& config, Ports ports, const std::string& ref, AgentBuffers& b,
                         Time until) {
  RetryBudget budget;
  // A zero interval would poll without time passing.
  const Duration step = std::max(config.ref_lock.read_back_interval, Duration(1000));
  for (;;) {
    const ApiResult<GitRef>& r = co_await ports.github.get_ref(ref, b.ref);
    if (r.ok()) co_return true;
    if (r.status == 404) {
      if (ports.clock.now() + step > until) {
        note(ports, "read back ", ref, ": still not visible when the wait budget ended");
        co_return false;
      }
      note(ports, "read back ", ref, ": not visible yet");
      co_await ports.clock.sleep(step);
      continue;
    }
    if (!co_await retry_after_failure(config.retry, ports, budget, r.status, r.error)) co_return false;
  }
}

// `rerun`: an earlier attempt of this job (a CI re-run) may hold the lock, so
// a 422 is read back rather than taken as another flavor's.
Task<Acquired> acquire(const ProtocolConfig& config, Ports ports, AgentBuffers& b, bool rerun) {
  RetryBudget budget;
  const Time until = ports.clock.now() + config.retry.max_total_wait;
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
      if (!ambiguous && !rerun) co_return Acquired::follow;
      if (!co_await read_existing(config, ports, b.lock_ref, b, until)) co_return Acquired::error;
      b.lock_holder.assign(b.ref.value.sha);
      const bool ours = b.lock_holder == b.holder;
      note(ports, "read back ", b.lock_ref, ": held by ", b.lock_holder, ours ? " (us)" : "");
      // On a re-run our token may be an earlier attempt's: whether that one
      // finished is for the caller to find out.
      if (!ours) co_return Acquired::follow;
      co_return rerun ? Acquired::own_earlier : Acquired::lead_after_read_back;
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
      b.lock_holder.assign(held.value.sha);
      const bool ours = b.lock_holder == b.holder;
      note(ports, "read back ", b.lock_ref, ": held by ", b.lock_holder, ours ? " (us)" : "");
      if (!ours) co_return Acquired::follow;
      co_return rerun ? Acquired::own_earlier : Acquired::lead_after_read_back;
    }
    // 404: not made, or not visible yet; an error: unknown. Either way the next
    // create settles it (201, or 422 and a read-back).
  }
}

// How a generation ended, once its closing ref (<lock>-done) exists: the
// holder's done marker (it points at the holder's token, as the lock does), or
// a takeover (anything else: a follower's or a re-run's takeover token).
// `by_us`: our takeover token closed it (this create, or an earlier one of ours).
enum class Closed : std::uint8_t { done, taken_over, by_us, error };

// b.ref holds the closing ref. Compared with the lock's own target rather
// than by reading the token: the REST client maps a blob back to a token only
// for tokens it wrote, but two refs at the same token point at the same blob.
Task<Closed> how_closed(const ProtocolConfig& config, Ports ports, AgentBuffers& b, Time until) {
  const std::string closed_by = b.ref.value.sha;
  if (b.lock_holder.empty()) {
    if (!co_await read_existing(config, ports, b.lock_ref, b, until)) co_return Closed::error;
    b.lock_holder.assign(b.ref.value.sha);
  }
  if (closed_by == b.lock_holder) {
    note(ports, b.done_ref, ": the holder's done marker");
    co_return Closed::done;
  }
  note(ports, b.done_ref, ": taken over by ", closed_by);
  co_return closed_by == b.takeover ? Closed::by_us : Closed::taken_over;
}

// Ends the current generation by creating its closing ref with our takeover
// token. The holder, when it finishes, creates the same ref with its own
// token, and a create-if-absent answer is strongly consistent: whichever
// create comes first decides "done" or "taken over" for everyone. Deciding on
// a read of the done marker instead took over from a leader that had finished
// but whose marker the refs path did not show yet (TTL 90 s, analysis 60 s,
// refs lag 35 s: 100% duplicates).
Task<Closed> close_generation(const ProtocolConfig& config, Ports ports, AgentBuffers& b) {
  RetryBudget budget;
  const Time until = ports.clock.now() + config.retry.max_total_wait;
  for (;;) {
    const ApiResult<GitRef>& r = co_await ports.github.create_ref(b.done_ref, b.takeover, b.ref);
    if (r.status == 201) {
      note(ports, "create ", b.done_ref, " -> 201: generation ", b.generation, " taken over");
      co_return Closed::by_us;
    }
    if (r.status == 422 && r.error.message == "Reference already exists") {
      note(ports, "create ", b.done_ref, " -> 422: generation ", b.generation, " already closed");
      if (!co_await read_existing(config, ports, b.done_ref, b, until)) co_return Closed::error;
      co_return co_await how_closed(config, ports, b, until);
    }
    const bool spurious_422 = r.status == 422 && r.error.message == "Reference update failed";
    // Ambiguous, as for the lock: the next create answers 201 or 422 and a read-back.
    note(ports, "create ", b.done_ref, " -> ", r.status, " ", r.error.message);
    if (!co_await retry_after_failure(config.retry, ports, budget, spurious_422 ? 503 : r.status, r.error))
      co_return Closed::error;
  }
}

enum class Waited : std::uint8_t { done, taken_over, gave_up, error };

// A follower with a lease: waits for the generation's closing ref; once it has
// seen the same holder for `ttl` without one, it races the holder to create it.
Task<Waited> wait_for_done(const ProtocolConfig& config, Ports ports, AgentBuffers& b, Time deadline_give_up) {
  const Time observed = ports.clock.now();
  for (;;) {
    co_await ports.clock.sleep(config.lease.poll_interval);
    const ApiResult<GitRef>& r = co_await ports.github.get_ref(b.done_ref, b.ref);
    Closed closed = Closed::error;
    bool seen = false;
    if (r.ok()) {
      seen = true;
      closed = co_await how_closed(config, ports, b, ports.clock.now() + config.retry.max_total_wait);
    } else {
      const Time now = ports.clock.now();
      if (now - observed >= config.lease.ttl) {
        note(ports, "lease of ", b.lock_ref, " expired without a done marker");
        seen = true;
        closed = co_await close_generation(config, ports, b);
      } else if (now >= deadline_give_up) {
        co_return Waited::gave_up;
      }
    }
    if (!seen) continue;
    switch (closed) {
      case Closed::done: note(ports, "done marker seen: the leader has analyzed"); co_return Waited::done;
      case Closed::taken_over:
      case Closed::by_us: co_return Waited::taken_over;
      case Closed::error: co_return Waited::error;
    }
  }
}

}  // namespace

Task<Decision> decide_ref_lock(const ProtocolConfig& config, Ports ports, const CoordinationKey& key,
                               AgentBuffers& b) {
  prepare_ref_lock_names(config, key, b);
  const bool rerun = key.attempt > 1;
  const Time give_up = ports.clock.now() + config.lease.max_wait;
  // Set when this flavor closed its own earlier attempt's generation: the
  // analysis it leads next is that attempt's, repeated.
  bool repeating = false;
  for (int generation = 1;; ++generation) {
    name_generation(b, generation);
    const Acquired got = co_await acquire(config, ports, b, rerun);
    Decision d;
    switch (got) {
      case Acquired::lead:
      case Acquired::lead_after_read_back:
        d.kind = DecisionKind::analyze;
        d.reason = repeating        ? Reason::rerun_unfinished
                   : generation > 1 ? Reason::lease_taken_over
                   : got == Acquired::lead ? Reason::lock_acquired
                                           : Reason::lock_read_back;
        co_return d;
      case Acquired::error: co_return undecided(config);
      case Acquired::own_earlier: {
        // A re-run holding its earlier attempt's lock: that attempt finished
        // iff it wrote its done marker. Asked by create-if-absent (a 404 on a
        // read could be lag): 201 means it did not, and we take over.
        if (generation >= config.lease.max_generations) co_return undecided(config);
        switch (co_await close_generation(config, ports, b)) {
          case Closed::done:
            d.kind = DecisionKind::skip;
            d.reason = Reason::leader_done;
            co_return d;
          case Closed::by_us: repeating = true; continue;
          case Closed::taken_over: continue;  // another flavor repaired it: follow the next generation
          case Closed::error: co_return undecided(config);
        }
        continue;
      }
      case Acquired::follow: break;
    }
    d.kind = DecisionKind::skip;
    d.reason = Reason::lock_held;
    if (!config.lease.enabled || generation >= config.lease.max_generations) co_return d;
    switch (co_await wait_for_done(config, ports, b, give_up)) {
      case Waited::done: d.reason = Reason::leader_done; co_return d;
      case Waited::gave_up: co_return d;
      case Waited::error: co_return undecided(config);
      case Waited::taken_over: break;
    }
    if (ports.clock.now() >= give_up) co_return d;
  }
}

Task<void> finish_ref_lock(const ProtocolConfig& config, Ports ports, AgentBuffers& b) {
  for (int generation = b.generation;;) {
    RetryBudget budget;
    for (;;) {
      const ApiResult<GitRef>& r = co_await ports.github.create_ref(b.done_ref, b.holder, b.ref);
      if (r.ok()) {
        note(ports, "done marker ", b.done_ref, " recorded");
        co_return;
      }
      if (r.status == 422 && r.error.message == "Reference already exists") break;
      const int status = r.status == 422 ? 503 : r.status;
      if (!co_await retry_after_failure(config.retry, ports, budget, status, r.error)) co_return;
    }
    // The generation is closed already: by this flavor's unseen earlier
    // create (our token: recorded), by our own takeover (a re-run's: the
    // analysis belongs to the next generation, which we hold), or by a
    // follower that took over first (the TTL ran out before this analysis
    // ended: it was a duplicate, and there is nothing to record).
    if (!co_await read_existing(config, ports, b.done_ref, b, ports.clock.now() + config.retry.max_total_wait))
      co_return;
    if (b.ref.value.sha == b.holder) {
      note(ports, "done marker ", b.done_ref, " already there");
      co_return;
    }
    if (b.ref.value.sha != b.takeover || generation >= config.lease.max_generations) {
      note(ports, b.done_ref, ": taken over by another flavor; nothing to record");
      co_return;
    }
    name_generation(b, ++generation);
  }
}

void prepare_ref_lock_names(const ProtocolConfig& config, const CoordinationKey& key, AgentBuffers& b) {
  prepare_keyed_names(config, key, b);
  b.lock_base.assign(b.lock_ref);
  b.takeover.assign("takeover:").append(key.flavor);
}

}  // namespace coordsim::agent
