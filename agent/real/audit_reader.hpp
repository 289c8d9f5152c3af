#pragma once
// Reads what a matrix run left in the repository for one commit, through the
// REST client: the refs under refs/coordination/<commit> (git/matching-refs;
// when a server does not have that route, the lock names the decision files
// imply are probed one by one), whom each names (the lock commit's message or the holder blob), and the
// coordination issues of the commit with their "Duplicate of #N" comments.
#include <string>
#include <vector>

#include "agent/real/audit.hpp"
#include "agent/real/rest_client.hpp"
#include "agent/task.hpp"

namespace coordsim::agent::real {

struct AuditQuery {
  std::string commit;
  std::string label = "autonomous-coordination";
  std::vector<std::string> probe_keys;  // key ids to probe when matching-refs is missing
  std::vector<std::string> flavors;     // known flavors: their holder blobs need no read (lock commits do)
  int max_generations = 8;
  int max_issue_pages = 50;
};

// Fills `out`; on an API error it stops and sets `error` (endpoint, status,
// message). Never throws for API errors.
Task<void> read_coordination_state(RestClient& client, const AuditQuery& q, CoordinationState& out,
                                   std::string& error);

// The parts of a coordination issue title and body (pure; unit-tested):
// "[coordsim] <key_id> by <flavor>" (keyed protocols) or "[coordination]
// build failure on <commit[:8]>" (seed; the flavor is in the body's "taken by
// flavor X."). False when the issue is not about `commit`.
bool parse_coordination_issue(const std::string& title, const std::string& body, const std::string& commit,
                              CoordIssue& out);

// "Duplicate of #N" in a comment body: N, else 0.
std::int64_t duplicate_of(const std::string& comment);

std::string base64_decode_lenient(std::string_view in);  // whitespace ignored; stops at '='

}  // namespace coordsim::agent::real
