#pragma once
// The rule both issue-number protocols (scan-down, settle) decide by: every
// flavor creates its own coordination issue (numbers are strongly consistent)
// and the lowest matching number leads. They differ only in how they learn of
// lower issues.
#include <cstdint>

#include "agent/protocol.hpp"

namespace coordsim::agent {

inline Decision lowest_decides(std::int64_t own, std::int64_t lowest, bool lowest_is_ours) {
  Decision d;
  d.own_issue = own;
  if (lowest_is_ours) {
    d.kind = DecisionKind::analyze;
    d.reason = Reason::lowest_issue;
  } else {
    d.kind = DecisionKind::skip;
    d.reason = Reason::deferred_to_lower;
    d.leader_issue = lowest;
  }
  return d;
}

}  // namespace coordsim::agent
