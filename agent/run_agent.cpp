#include "agent/protocol.hpp"
#include "agent/protocols/keyed.hpp"
#include "agent/protocols/ref_lock.hpp"
#include "agent/protocols/scan_down.hpp"
#include "agent/protocols/seed.hpp"
#include "agent/protocols/settle.hpp"

namespace coordsim::agent {

namespace {
Task<Decision> decide_none() { co_return Decision{DecisionKind::analyze, Reason::uncoordinated, 0, 0}; }
// A matrix leg under fan-in leaves the analysis to the downstream job (a
// `needs:` job that runs after every leg); the runtime runs that job.
Task<Decision> decide_fan_in_leg() {
  co_return Decision{DecisionKind::skip, Reason::deferred_to_fan_in, 0, 0};
}
}  // namespace

// Not a coroutine itself: it hands back the protocol's task, saving a frame and
// a resumption per decision.
Task<Decision> decide(const ProtocolConfig& config, Ports ports, const CoordinationKey& key,
                      AgentBuffers& buffers) {
  switch (config.strategy) {
    case Strategy::none: break;
    case Strategy::seed: return decide_seed(config.seed, ports, key, false, buffers);
    case Strategy::seed_lowest: return decide_seed(config.seed, ports, key, true, buffers);
    case Strategy::ref_lock: return decide_ref_lock(config, ports, key, buffers);
    case Strategy::scan_down: return decide_scan_down(config, ports, key, buffers);
    case Strategy::settle: return decide_settle(config, ports, key, buffers);
    case Strategy::fan_in: return decide_fan_in_leg();
  }
  return decide_none();
}

Task<void> finish(const ProtocolConfig& config, Ports ports, const CoordinationKey& key, AgentBuffers& buffers) {
  if (config.strategy != Strategy::ref_lock) co_return;
  // The names come from the key, not from a decide() this process may never
  // have run (`coordsim agent done` is a process of its own); the generation
  // from the decide() or, in `agent done`, from reading the locks back.
  const int generation = buffers.generation;
  prepare_ref_lock_names(config, key, buffers);
  name_generation(buffers, generation);
  co_await finish_ref_lock(config, ports, buffers);
}

bool needs_clean_up(const Decision& d) { return d.reason == Reason::deferred_to_lower && d.own_issue != 0; }

void note_decision(const Ports& ports, const Decision& d) {
  const std::string_view kind = d.kind == DecisionKind::analyze ? "analyze" : "skip";
  if (d.leader_issue)
    note(ports, "decision: ", kind, " (", reason_name(d.reason), ", leader #", d.leader_issue, ")");
  else
    note(ports, "decision: ", kind, " (", reason_name(d.reason), ")");
}

Task<void> clean_up(Ports ports, const Decision& d, AgentBuffers& buffers) {
  IssuePatch close;
  close.set_state = true;
  close.state = IssueState::closed;
  note(ports, "clean-up: close #", d.own_issue, " and comment \"Duplicate of #", d.leader_issue, "\"");
  (void)co_await ports.github.update_issue(d.own_issue, close, buffers.issue);
  buffers.comment.assign("Duplicate of #").append(std::to_string(d.leader_issue));
  (void)co_await ports.github.create_comment(d.own_issue, buffers.comment);
}

Task<void> run_agent(const ProtocolConfig& config, Ports ports, const CoordinationKey& key,
                     AgentBuffers& buffers, AgentReport& report) {
  report.failed_at = ports.clock.now();
  report.decision = co_await decide(config, ports, key, buffers);
  report.decided_at = ports.clock.now();
  report.decided = true;
  if (ports.journal) note_decision(ports, report.decision);
  if (report.decision.kind == DecisionKind::analyze) {
    const AnalysisRequest request{key.flavor, key.signature};
    report.analysis = co_await ports.llm.analyze(request);
    report.analyzed = true;
    note(ports, "analysis done: ", report.analysis.tokens_in + report.analysis.tokens_out, " tokens");
    // With a lease followers wait for it; with or without, a re-run of this
    // job reads it to tell a finished analysis (skip) from one that died.
    if (config.strategy == Strategy::ref_lock && (config.lease.enabled || config.ref_lock.done_marker))
      co_await finish(config, ports, key, buffers);
  }
  // Checked here rather than in clean_up: most agents have nothing to clean up,
  // and a coroutine call that returns at once still costs a frame.
  if (needs_clean_up(report.decision)) co_await clean_up(ports, report.decision, buffers);
}

}  // namespace coordsim::agent
