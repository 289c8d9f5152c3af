#pragma once
// The GitHub REST subset the protocols speak, as plain values. Both runtimes
// (the simulated GitHub and the HTTP client) produce exactly these types, so a
// protocol cannot tell them apart.
#include <cstdint>
#include <string>
#include <vector>

#include "agent/time.hpp"

namespace coordsim::agent {

enum class IssueState : std::uint8_t { open, closed };
enum class StateFilter : std::uint8_t { open, closed, all };
enum class IssueSort : std::uint8_t { created, updated, comments };
enum class SortDirection : std::uint8_t { desc, asc };

struct Issue {
  std::int64_t number = 0;
  IssueState state = IssueState::open;
  std::string title;
  std::vector<std::string> labels;
};

// GET /repos/{o}/{r}/issues
struct ListIssuesQuery {
  StateFilter state = StateFilter::open;
  // Comma-separated, as the REST parameter: "a,b" means both a and b (AND).
  std::string labels;
  IssueSort sort = IssueSort::created;
  SortDirection direction = SortDirection::desc;  // GitHub's default: newest first
  int per_page = 30;                              // GitHub caps it at 100
  int page = 1;
};

struct IssuePage {
  std::vector<Issue> issues;
  bool has_next = false;  // GitHub's Link: rel="next"
};

// POST /repos/{o}/{r}/issues
struct NewIssue {
  std::string title;
  std::string body;
  std::vector<std::string> labels;
};

// PATCH /repos/{o}/{r}/issues/{n}; unset fields are left as they are.
struct IssuePatch {
  bool set_state = false;
  IssueState state = IssueState::open;
  // The protocols only change the state; the HTTP server also edits these.
  bool set_title = false;
  std::string title;
  bool set_body = false;
  std::string body;
  bool set_labels = false;
  std::vector<std::string> labels;
};

struct Comment {
  std::int64_t id = 0;
};

struct GitRef {
  std::string ref;  // "refs/coordination/<sha>"
  std::string sha;
};

// The endpoints, for counting API calls and configuring per-endpoint behaviour.
enum class Endpoint : std::uint8_t {
  list_issues,
  get_issue,
  create_issue,
  update_issue,
  create_comment,
  search_issues,
  create_ref,
  get_ref,
  delete_ref,
};
inline constexpr int kEndpointCount = 9;
const char* endpoint_name(Endpoint e);

// GitHub's read paths, each with its own visibility lag (DESIGN.md). Beside
// Endpoint because both runtimes name them: the simulator's model and the real
// runtime's calibration, which cannot see the simulator.
enum class ReadPath : std::uint8_t { get = 0, list = 1, search = 2, refs = 3 };
inline constexpr int kReadPathCount = 4;
// "get", "list", "search", "refs": the scenario's `visibility_lag_s` keys.
const char* read_path_name(ReadPath p);

// An API failure, returned as data: protocols decide what an error means.
struct ApiError {
  int status = 0;          // HTTP status; 0 when no response arrived (timeout, connection)
  std::string message;     // GitHub's "message" field, or a transport description
  Duration retry_after{};  // from retry-after / x-ratelimit-reset; zero when absent
};

template <class T>
struct ApiResult {
  T value{};
  int status = 200;
  ApiError error;  // meaningful only when !ok()

  bool ok() const noexcept { return status >= 200 && status < 300; }
};

}  // namespace coordsim::agent
