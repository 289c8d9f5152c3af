#pragma once
// `coordsim audit`: what really happened in a matrix run, from what it left
// behind. Plain structs and pure functions: the coordination state read back
// from the API (audit_reader.*), the legs' decision.json files, and the
// verdict per failure signature (duplicates, misses, leftover locks, legs
// that never decided). The unit tests build the inputs by hand.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace coordsim::agent::real {

// One `coordsim agent` (or `agent done`) output, as the leg uploaded it.
struct LegRecord {
  std::string file;       // where it was read from (for messages)
  std::string command;    // "agent" or "agent done"
  std::string flavor;
  std::string commit;
  std::string signature;  // raw, as passed to --signature
  std::string strategy;
  std::string decision;   // "analyze" / "skip" ("agent" only)
  std::string reason;
  bool recorded = false;  // "agent done": the done marker was created
  bool lease = false;     // the run used a lease (lease_ttl_s present and not null)
  double started_unix_s = 0;
};

// Parses one file's text; throws std::invalid_argument naming the file and
// the JSON path of what is wrong (a file that is not coordsim agent output).
LegRecord parse_leg_record(const std::string& text, const std::string& file);

// A ref under refs/coordination/<commit> and whom it names.
struct LockRef {
  std::string ref;     // refs/coordination/<key_id>[-gN][-done]
  std::string holder;  // flavor from the "holder:<flavor>" lock commit or blob, or "" when unknown
  std::string sha;
};

// A coordination issue of the commit (issue protocols).
struct CoordIssue {
  std::int64_t number = 0;
  std::string title;
  bool open = true;
  std::string key_id;  // commit[/signature] (keyed titles) or the commit (seed titles)
  std::string flavor;  // who opened it ("" for seed titles, which do not say)
  std::int64_t duplicate_of = 0;  // from a "Duplicate of #N" comment
};

struct CoordinationState {
  std::string commit;
  std::vector<LockRef> refs;
  std::vector<CoordIssue> issues;
  bool refs_listed = false;  // matching-refs answered (else only probed names are known)
};

// The key "commit[/sig]" as ref-lock and the keyed titles write it
// (agent/protocols/key_names.hpp: each part escaped, injective).
std::string key_id_of(const std::string& commit, const std::string& signature);

// Splits refs/coordination/<key_id>[-gN][-done] into its parts; false when the
// ref is not a lock of `commit`.
struct LockName {
  std::string key_id;
  int generation = 1;
  bool done = false;
};
bool parse_lock_name(const std::string& ref, const std::string& commit, LockName& out);

// The verdict for one failure signature (one coordination key).
struct SignatureAudit {
  std::string key_id;
  std::string signature;            // raw, when a decision names it
  std::vector<std::string> strategies;
  std::vector<std::string> analyzed;      // flavors that analyzed (one entry per analysis)
  std::vector<std::string> skipped;       // flavor (reason)
  std::vector<std::string> leaders_on_server;  // lock holders / open-issue owners
  std::vector<std::string> leftover_locks;     // refs / issues left behind (see audit.cpp)
  std::vector<std::string> never_decided;      // seen on the server, no decision file
  bool duplicate = false;
  bool miss = false;
  std::vector<std::string> notes;
};

struct CommitAudit {
  std::string commit;
  std::vector<SignatureAudit> signatures;  // by key_id
  bool duplicate = false;  // some signature analyzed more than once
  bool miss = false;       // some signature analyzed by nobody
  bool decisions_given = false;
};

// The verdict for one commit: `legs` are the decision files of this commit
// (empty without --decisions). Without decisions the analyses are inferred
// from the server: each lock generation's holder (a holder whose generation
// was taken over without a done marker did not finish) and each open issue.
CommitAudit audit_commit(const CoordinationState& state, const std::vector<LegRecord>& legs, bool decisions_given);

// Central 95% interval of a Binomial(n, p) count: [the 2.5% quantile, the
// 97.5% quantile], each the least k whose CDF reaches it.
struct CountInterval {
  std::int64_t low = 0;
  std::int64_t high = 0;
};
CountInterval binomial_interval(std::int64_t n, double p, double tail = 0.025);

}  // namespace coordsim::agent::real
