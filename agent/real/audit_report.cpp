#include "agent/real/audit_report.hpp"

#include <cstdio>

namespace coordsim::agent::real {

using json = nlohmann::ordered_json;

bool AuditReport::clean() const {
  for (const CommitAudit& c : commits)
    if (c.duplicate || c.miss) return false;
  return true;
}

ScenarioCheck count_runs(const std::vector<CommitAudit>& commits, ScenarioCheck check) {
  check.runs = static_cast<std::int64_t>(commits.size());
  check.duplicates = check.misses = 0;
  for (const CommitAudit& c : commits) {
    check.duplicates += c.duplicate ? 1 : 0;
    check.misses += c.miss ? 1 : 0;
  }
  check.duplicate_interval = binomial_interval(check.runs, check.duplicate_rate);
  check.miss_interval = binomial_interval(check.runs, check.miss_rate);
  return check;
}

namespace {

json strings(const std::vector<std::string>& v) {
  json a = json::array();
  for (const std::string& s : v) a.push_back(s);
  return a;
}

std::string join(const std::vector<std::string>& v) {
  if (v.empty()) return "—";
  std::string out;
  for (const std::string& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

// Table cells: a '|' or a newline in a flavor or signature would break the row.
std::string cell(std::string s) {
  std::string out;
  for (char c : s) {
    if (c == '|') out += "\\|";
    else if (c == '\n' || c == '\r') out += ' ';
    else out += c;
  }
  return out;
}

std::string percent(double p) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", 100 * p);
  return buf;
}

}  // namespace

json audit_json(const AuditReport& r) {
  json out;
  out["command"] = "audit";
  out["repo"] = r.repo;
  out["clean"] = r.clean();
  out["exit_code"] = r.clean() ? 0 : 1;
  std::int64_t duplicates = 0, misses = 0, signatures = 0;
  json commits = json::array();
  for (const CommitAudit& c : r.commits) {
    json sigs = json::array();
    for (const SignatureAudit& s : c.signatures) {
      ++signatures;
      duplicates += s.duplicate ? 1 : 0;
      misses += s.miss ? 1 : 0;
      sigs.push_back({{"key", s.key_id},
                      {"signature", s.signature},
                      {"strategies", strings(s.strategies)},
                      {"analyzed", strings(s.analyzed)},
                      {"analyses", s.analyzed.size()},
                      {"skipped", strings(s.skipped)},
                      {"duplicate", s.duplicate},
                      {"miss", s.miss},
                      {"leaders_on_server", strings(s.leaders_on_server)},
                      {"leftover_locks", strings(s.leftover_locks)},
                      {"never_decided", strings(s.never_decided)},
                      {"notes", strings(s.notes)}});
    }
    commits.push_back({{"commit", c.commit},
                       {"duplicate", c.duplicate},
                       {"miss", c.miss},
                       {"decisions_given", c.decisions_given},
                       {"signatures", sigs}});
  }
  out["totals"] = {{"commits", r.commits.size()}, {"signatures", signatures}, {"duplicates", duplicates}, {"misses", misses}};
  out["commits"] = commits;
  out["decision_files"] = strings(r.decision_files);
  out["other_commits"] = strings(r.other_commits);
  out["refs_listed"] = r.refs_listed;
  if (r.check) {
    const ScenarioCheck& k = *r.check;
    out["scenario_check"] = {
        {"scenario", k.scenario},
        {"strategy", k.strategy},
        {"trials", k.trials},
        {"runs", k.runs},
        {"duplicates", {{"observed", k.duplicates}, {"simulated_rate", k.duplicate_rate},
                        {"interval_95", {k.duplicate_interval.low, k.duplicate_interval.high}},
                        {"inside", k.duplicates_inside()}}},
        {"misses", {{"observed", k.misses}, {"simulated_rate", k.miss_rate},
                    {"interval_95", {k.miss_interval.low, k.miss_interval.high}},
                    {"inside", k.misses_inside()}}}};
  } else {
    out["scenario_check"] = nullptr;
  }
  return out;
}

std::string audit_markdown(const AuditReport& r) {
  std::string md = "## coordsim audit: " + cell(r.repo) + "\n\n";
  md += r.clean() ? "**Clean**: every failure was analyzed exactly once.\n\n"
                  : "**Not clean**: a failure was analyzed more than once, or not at all.\n\n";
  for (const CommitAudit& c : r.commits) {
    md += "### Commit `" + cell(c.commit) + "`\n\n";
    if (c.signatures.empty()) {
      md += "No coordination found for this commit" +
            std::string(c.decisions_given ? " (no decision files, no refs, no issues)" : " (no refs, no issues)") + ".\n\n";
      continue;
    }
    md += "| signature | verdict | analyzed | skipped | leftover locks | never decided |\n";
    md += "|---|---|---|---|---|---|\n";
    for (const SignatureAudit& s : c.signatures) {
      const std::string verdict = s.duplicate ? "**duplicate**" : s.miss ? "**miss**" : "ok";
      md += "| `" + cell(s.key_id) + "`" + (s.signature.empty() ? "" : " (" + cell(s.signature) + ")") + " | " +
            verdict + " | " + cell(join(s.analyzed)) + " | " + cell(join(s.skipped)) + " | " +
            cell(join(s.leftover_locks)) + " | " + cell(join(s.never_decided)) + " |\n";
    }
    md += "\n";
    for (const SignatureAudit& s : c.signatures)
      for (const std::string& n : s.notes) md += "* `" + cell(s.key_id) + "`: " + cell(n) + "\n";
    md += "\n";
  }
  if (!r.refs_listed)
    md += "The server has no `git/matching-refs`: only the lock names the decision files imply were read.\n\n";
  if (!r.other_commits.empty())
    md += "Decision files of other commits, not audited: " + cell(join(r.other_commits)) + "\n\n";
  if (r.check) {
    const ScenarioCheck& k = *r.check;
    md += "### Against the simulator (`" + cell(k.scenario) + "`, " + cell(k.strategy) + ", " +
          std::to_string(k.trials) + " trials)\n\n";
    md += "| over " + std::to_string(k.runs) + " runs | observed | simulated rate | 95% interval | inside |\n";
    md += "|---|---|---|---|---|\n";
    md += "| duplicates | " + std::to_string(k.duplicates) + " | " + percent(k.duplicate_rate) + " | [" +
          std::to_string(k.duplicate_interval.low) + ", " + std::to_string(k.duplicate_interval.high) + "] | " +
          (k.duplicates_inside() ? "yes" : "**no**") + " |\n";
    md += "| misses | " + std::to_string(k.misses) + " | " + percent(k.miss_rate) + " | [" +
          std::to_string(k.miss_interval.low) + ", " + std::to_string(k.miss_interval.high) + "] | " +
          (k.misses_inside() ? "yes" : "**no**") + " |\n\n";
  }
  return md;
}

}  // namespace coordsim::agent::real
