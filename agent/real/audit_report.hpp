#pragma once
// What `coordsim audit` prints: JSON (for scripts) and Markdown (for the job
// summary), from the verdicts of audit.hpp and, with --scenario, how the
// observed counts compare with the simulator's 95% interval.
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/real/audit.hpp"

namespace coordsim::agent::real {

// Observed duplicates and misses over the audited runs (one run = one
// commit) against Binomial(runs, the simulator's per-failure rate).
struct ScenarioCheck {
  std::string scenario;
  std::string strategy;
  std::int64_t trials = 0;
  double duplicate_rate = 0;
  double miss_rate = 0;
  std::int64_t runs = 0;
  std::int64_t duplicates = 0;
  std::int64_t misses = 0;
  CountInterval duplicate_interval;
  CountInterval miss_interval;
  bool duplicates_inside() const {
    return duplicates >= duplicate_interval.low && duplicates <= duplicate_interval.high;
  }
  bool misses_inside() const { return misses >= miss_interval.low && misses <= miss_interval.high; }
};

struct AuditReport {
  std::string repo;
  std::vector<CommitAudit> commits;
  std::vector<std::string> decision_files;  // read
  std::vector<std::string> other_commits;   // decision files of commits not audited
  bool refs_listed = true;                  // matching-refs answered for every commit
  std::optional<ScenarioCheck> check;
  bool clean() const;
};

// The check's counts from the audited commits.
ScenarioCheck count_runs(const std::vector<CommitAudit>& commits, ScenarioCheck check);

nlohmann::ordered_json audit_json(const AuditReport& r);
std::string audit_markdown(const AuditReport& r);

}  // namespace coordsim::agent::real
