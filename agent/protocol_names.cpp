#include "agent/github_types.hpp"
#include "agent/protocol.hpp"

namespace coordsim::agent {

std::string_view strategy_name(Strategy s) {
  switch (s) {
    case Strategy::none: return "none";
    case Strategy::seed: return "seed";
    case Strategy::seed_lowest: return "seed-lowest";
    case Strategy::ref_lock: return "ref-lock";
    case Strategy::scan_down: return "scan-down";
    case Strategy::settle: return "settle";
    case Strategy::fan_in: return "fan-in";
  }
  return "?";
}

std::optional<Strategy> parse_strategy(std::string_view name) {
  for (Strategy s : kAllStrategies)
    if (strategy_name(s) == name) return s;
  return std::nullopt;
}

std::string strategy_names() {
  std::string out;
  for (Strategy s : kAllStrategies) {
    if (!out.empty()) out += ", ";
    out += strategy_name(s);
  }
  return out;
}

std::string_view reason_name(Reason r) {
  switch (r) {
    case Reason::uncoordinated: return "uncoordinated";
    case Reason::found_existing: return "found_existing";
    case Reason::confirmed_first: return "confirmed_first";
    case Reason::deferred_to_lower: return "deferred_to_lower";
    case Reason::create_failed: return "create_failed";
    case Reason::lock_acquired: return "lock_acquired";
    case Reason::lock_read_back: return "lock_read_back";
    case Reason::lock_held: return "lock_held";
    case Reason::lease_taken_over: return "lease_taken_over";
    case Reason::leader_done: return "leader_done";
    case Reason::lowest_issue: return "lowest_issue";
    case Reason::error_fail_open: return "error_fail_open";
    case Reason::error_fail_closed: return "error_fail_closed";
    case Reason::fan_in_job: return "fan_in_job";
    case Reason::deferred_to_fan_in: return "deferred_to_fan_in";
    case Reason::rerun_unfinished: return "rerun_unfinished";
  }
  return "?";
}

const char* endpoint_name(Endpoint e) {
  switch (e) {
    case Endpoint::list_issues: return "list_issues";
    case Endpoint::get_issue: return "get_issue";
    case Endpoint::create_issue: return "create_issue";
    case Endpoint::update_issue: return "update_issue";
    case Endpoint::create_comment: return "create_comment";
    case Endpoint::search_issues: return "search_issues";
    case Endpoint::create_ref: return "create_ref";
    case Endpoint::get_ref: return "get_ref";
    case Endpoint::delete_ref: return "delete_ref";
  }
  return "?";
}

const char* read_path_name(ReadPath p) {
  switch (p) {
    case ReadPath::get: return "get";
    case ReadPath::list: return "list";
    case ReadPath::search: return "search";
    case ReadPath::refs: return "refs";
  }
  return "?";
}

}  // namespace coordsim::agent
