#pragma once
// What every protocol decides, and the parameters that shape each one. The
// defaults are the reference system's values (coordination.py).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/ports.hpp"
#include "agent/task.hpp"

namespace coordsim::agent {

enum class Strategy : std::uint8_t { none, seed, seed_lowest, ref_lock, scan_down, settle, fan_in };
inline constexpr Strategy kAllStrategies[] = {Strategy::none,     Strategy::seed,      Strategy::seed_lowest,
                                              Strategy::ref_lock, Strategy::scan_down, Strategy::settle,
                                              Strategy::fan_in};

std::string_view strategy_name(Strategy s);
std::optional<Strategy> parse_strategy(std::string_view name);
// "none, seed, seed-lowest, ...": for help texts and error messages.
std::string strategy_names();

enum class DecisionKind : std::uint8_t { analyze, skip };

enum class Reason : std::uint8_t {
  uncoordinated,       // `none`: everyone analyzes
  found_existing,      // the first find saw another flavor's issue
  confirmed_first,     // the re-check found no lower-numbered issue
  deferred_to_lower,   // the re-check saw a lower-numbered issue
  create_failed,       // fail-open: the issue could not be created
  lock_acquired,       // ref-lock: created the lock ref (201)
  lock_read_back,      // ref-lock: an ambiguous create turned out to be ours on read-back
  lock_held,           // ref-lock: another flavor holds the lock
  lease_taken_over,    // ref-lock with lease: the holder's lease expired, this flavor took over
  leader_done,         // ref-lock with lease: the holder recorded its analysis as done
  lowest_issue,        // scan-down / settle: this flavor's issue is the lowest matching one
  error_fail_open,     // the protocol could not decide (API errors past the retry budget): analyze
  error_fail_closed,   // the same, configured to skip
  fan_in_job,          // fan-in: the downstream job analyzes, once per signature
  deferred_to_fan_in,  // fan-in: a leg leaves the analysis to the downstream job
  rerun_unfinished,    // ref-lock on a re-run: this flavor's earlier attempt held the lock and wrote no done marker
};
std::string_view reason_name(Reason r);

struct Decision {
  DecisionKind kind = DecisionKind::analyze;
  Reason reason = Reason::uncoordinated;
  std::int64_t own_issue = 0;     // the coordination issue this flavor created, if any
  std::int64_t leader_issue = 0;  // the issue it deferred to, if it skipped
};

// Who coordinates on what: the commit under test and this flavor's failure.
struct CoordinationKey {
  std::string commit;     // full SHA (or any id); the first 8 characters key the seed protocols
  std::string signature;  // error signature (used by signature-keyed protocols)
  std::string flavor;
  // The CI job's attempt ($GITHUB_RUN_ATTEMPT): above 1 on a re-run, when a
  // lock this flavor finds held may be its own earlier attempt's.
  int attempt = 1;
};

struct SeedParams {
  std::string label = "autonomous-coordination";
  int find_attempts = 3;
  // Sleep after attempt i (i = 0..find_attempts-2); the last entry repeats if short.
  std::vector<Duration> retry_delays = {Duration(500'000), Duration(1'000'000)};
  Duration post_create_wait = Duration(1'000'000);
  // Hard cap on pages a find walks, so a huge repository cannot stall a decision.
  int max_pages = 10;
};

// What the coordination is keyed by. The reference keys by commit only, so a
// second, platform-specific failure of the same commit finds the first one's
// issue and is never analyzed.
enum class KeyBy : std::uint8_t { commit, commit_and_signature };

// Client policy shared by the protocols that handle errors (not `seed`, which
// keeps the reference's swallowed errors): retries with exponential backoff and
// jitter, honouring retry-after / x-ratelimit-reset, and a cap on total wait.
struct RetryPolicy {
  int max_attempts = 6;                           // including the first
  Duration base_delay = Duration(1'000'000);      // before the second attempt
  Duration max_delay = Duration(30'000'000);      // per sleep
  double multiplier = 2.0;
  double jitter = 0.5;                            // the sleep is delay * (1 - jitter * u), u uniform in [0,1)
  Duration max_total_wait = Duration(120'000'000);  // sum of retry sleeps in one decision
  bool honor_retry_after = true;
};

// What the real REST client points a lock ref at (the simulator's refs hold
// the holder token itself, so it ignores this): a commit (POST git/commits,
// the empty tree, no parents, the token in its message) or a blob whose
// content is the token (POST git/blobs). docs/agent.md#the-lock-target.
enum class LockTarget : std::uint8_t { commit, blob };

struct RefLockParams {
  std::string ref_prefix = "refs/coordination/";
  LockTarget target = LockTarget::commit;
  // A 422 "Reference already exists" is read back on the refs path, which can
  // lag: a 404 then means "not visible yet", polled this often for as long as
  // the decision's wait budget lasts (RetryPolicy::max_total_wait).
  Duration read_back_interval = Duration(1'000'000);
  // Whether the leader records its analysis (the done marker: in a workflow,
  // a `coordsim agent done` step after the analysis). Always with a lease
  // (followers wait for it); without one only a re-run reads it, and a re-run
  // of a holder that finds no marker analyzes again.
  bool done_marker = false;
};

// A holder that dies must not leave its followers without an analysis: they
// wait for its done marker, and once they have seen the same holder for `ttl`
// without one, they race (create-if-absent) for the next lock generation.
struct LeaseParams {
  bool enabled = false;
  Duration ttl = Duration(300'000'000);
  Duration poll_interval = Duration(10'000'000);
  int max_generations = 4;
  Duration max_wait = Duration(3'600'000'000);  // a follower gives up (skips) after this
};

struct ScanDownParams {
  int horizon = 20;  // how many lower numbers to GET
  // A lower number is certain to exist (numbers are dense), so a 404 means its
  // create is not visible on the get path yet: retried this often.
  Duration not_visible_retry = Duration(500'000);
  int not_visible_attempts = 40;
};

struct SettleParams {
  Duration settle_time = Duration(10'000'000);
};

struct FanInParams {
  // From the last leg's end to the downstream job's analysis decision (queueing
  // and checkout of a `needs:` job).
  Duration job_start_delay = Duration(30'000'000);
};

enum class OnError : std::uint8_t { analyze, skip };

struct ProtocolConfig {
  Strategy strategy = Strategy::seed;
  SeedParams seed;
  KeyBy key_by = KeyBy::commit_and_signature;  // for every protocol but seed / seed-lowest
  RetryPolicy retry;
  OnError on_error = OnError::analyze;  // when a protocol cannot decide
  RefLockParams ref_lock;
  LeaseParams lease;
  ScanDownParams scan_down;
  SettleParams settle;
  FanInParams fan_in;
};

// Requests and result slots an agent reuses from one run to the next. A
// runtime that runs the same agent many times (the simulator: once per trial)
// keeps one per agent: the requests that depend only on the configuration and
// key are built on the first run and reused while those stay the same, and
// every string and vector keeps its capacity, so a run allocates nothing.
// Building the requests and results per run was two thirds of a simulated
// trial's allocations. A runtime that runs an agent once passes a fresh one.
// Only the protocol reads what it left here.
struct AgentBuffers {
  // The seed protocols' requests and what they were built from.
  ListIssuesQuery find;  // coordination issues, open, newest first
  NewIssue lock;         // the coordination issue
  std::string built_label, built_commit, built_flavor;
  bool built = false;

  std::string comment;
  ApiResult<IssuePage> page;
  ApiResult<Issue> issue;

  // ref-lock, scan-down, settle.
  std::string key_id;       // commit, or commit/signature
  std::string lock_ref;     // the lock of the current generation
  std::string done_ref;     // the holder's "analysis done" marker
  std::string holder;       // this flavor's holder token
  std::string title_prefix; // "[coordsim] <key_id> by "
  ApiResult<GitRef> ref;
  // ref-lock's generations: the first lock's name, the generation whose lock
  // and closing ref lock_ref / done_ref name, what its lock points at (empty
  // until read), and this flavor's takeover token.
  std::string lock_base;
  std::string lock_holder;
  std::string takeover;
  int generation = 1;
};

// Runs after a leader's analysis, where the protocol records it (ref-lock with
// a lease: the done marker). `coordsim agent done` in real mode: it needs only
// the configuration and key, not the buffers of the decide() that led.
Task<void> finish(const ProtocolConfig& config, Ports ports, const CoordinationKey& key,
                  AgentBuffers& buffers);

// Decides whether this flavor analyzes. Written once; runs in both runtimes.
Task<Decision> decide(const ProtocolConfig& config, Ports ports, const CoordinationKey& key,
                      AgentBuffers& buffers);

// After a decision, what a loser of the issue protocols does: close its own
// issue and comment "Duplicate of #N". It does not count towards the decision
// (run_agent runs it after deciding; `coordsim agent` before it exits).
bool needs_clean_up(const Decision& d);
Task<void> clean_up(Ports ports, const Decision& d, AgentBuffers& buffers);

// What one flavor's agent did, filled in as it goes (the runtime reads it after).
struct AgentReport {
  Decision decision;
  Time failed_at{};
  Time decided_at{};
  bool decided = false;
  bool analyzed = false;
  AnalysisResult analysis;
};

// A flavor's whole life after its build failed: decide, then analyze if leading.
Task<void> run_agent(const ProtocolConfig& config, Ports ports, const CoordinationKey& key,
                     AgentBuffers& buffers, AgentReport& report);

}  // namespace coordsim::agent
