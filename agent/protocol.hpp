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

enum class Strategy : std::uint8_t { none, seed, seed_lowest };
inline constexpr Strategy kAllStrategies[] = {Strategy::none, Strategy::seed, Strategy::seed_lowest};

std::string_view strategy_name(Strategy s);
std::optional<Strategy> parse_strategy(std::string_view name);
// "none, seed, seed-lowest": for help texts and error messages.
std::string strategy_names();

enum class DecisionKind : std::uint8_t { analyze, skip };

enum class Reason : std::uint8_t {
  uncoordinated,       // `none`: everyone analyzes
  found_existing,      // the first find saw another flavor's issue
  confirmed_first,     // the re-check found no lower-numbered issue
  deferred_to_lower,   // the re-check saw a lower-numbered issue
  create_failed,       // fail-open: the issue could not be created
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

struct ProtocolConfig {
  Strategy strategy = Strategy::seed;
  SeedParams seed;
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
};

// Decides whether this flavor analyzes. Written once; runs in both runtimes.
Task<Decision> decide(const ProtocolConfig& config, Ports ports, const CoordinationKey& key,
                      AgentBuffers& buffers);

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
