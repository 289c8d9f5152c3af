#pragma once
// The measurement behind `coordsim calibrate`: create marker issues (and refs),
// poll each read path until each marker shows, and clean up what was made, also
// after an interrupt, all within a call budget. Written against the ports (any
// agent::Clock, the RestClient over any Transport): the command runs it on the
// Asio runtime, the integration test in virtual time against coordsim serve's
// router. The lag model it yields: calibration_model.hpp.
#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "agent/client_policy.hpp"
#include "agent/github_types.hpp"
#include "agent/ports.hpp"
#include "agent/real/lag_model.hpp"
#include "agent/real/rest_client.hpp"
#include "agent/task.hpp"

namespace coordsim::agent::real {

constexpr std::size_t path_index(ReadPath p) { return static_cast<std::size_t>(p); }

struct CalibrationOptions {
  int samples = 20;               // markers to create, one lag sample per read path each
  std::int64_t max_calls = 1000;  // API calls at most, cleanup included
  double poll_interval_s = 1.0;   // the lag's resolution is about half of it
  double search_interval_s = 2.0;  // between searches at least (GitHub allows 30 a minute)
  int parallel = 5;                // markers being measured at once
  double max_lag_s = 120;          // not seen on a path by then: censored on it
  std::string label = "coordsim-calibrate";
  std::array<bool, kReadPathCount> measure{};  // by ReadPath
};

struct PathState {
  bool measured = false;
  bool seen = false;
  bool censored = false;
  std::optional<Exchange> last_miss;
  Exchange first_hit;
  bool pending() const { return measured && !seen && !censored; }
};

struct Marker {
  int index = 0;
  std::int64_t number = 0;
  Exchange created;
  std::string ref;  // when refs are measured
  Exchange ref_created;
  bool ref_made = false;
  bool ref_deleted = false;
  bool closed = false;
  std::array<PathState, kReadPathCount> paths;  // by ReadPath
  PathState& path(ReadPath p) { return paths[path_index(p)]; }
  const PathState& path(ReadPath p) const { return paths[path_index(p)]; }
  bool pending() const;
};

// One calibration run. The caller sets `interrupted` (and wakes the clock's
// sleep) on Ctrl-C, and reads the outcome: markers, stop_reason, fatal,
// left_behind.
struct Calibration {
  Calibration(const CalibrationOptions& o, RestClient& cl, Clock& ck, std::string id)
      : options(o), client(cl), clock(ck), run_id(std::move(id)) {}

  const CalibrationOptions& options;
  RestClient& client;
  Clock& clock;
  std::string run_id;    // in every marker's title, so a run finds its own
  std::string blob_sha;  // what the marker refs point at
  std::vector<Marker> markers;
  std::vector<std::string> attempted_refs;  // every ref a create was sent for
  bool interrupted = false;
  bool cleaning = false;
  std::string stop_reason;  // why measuring ended before every marker was measured
  std::string fatal;        // an error no retry fixes: exit 1
  std::optional<Time> last_search;
  RetryPolicy policy;
  std::vector<std::string> left_behind;  // what the cleanup could not close or delete

  // Progress, for the caller to show: a wait after a failed call ("status 503
  // ...: waiting 2.000000 s", unredacted), and each marker's issue number.
  std::function<void(const std::string&)> on_wait;
  std::function<void(int index, std::int64_t number)> on_marker;

  ApiResult<Issue> issue;
  ApiResult<IssuePage> page;
  ApiResult<GitRef> ref;
};

// Eight hex digits from the OS's entropy: distinct runs in one repository do
// not take each other's markers for their own.
std::string random_run_id();

// Creates up to options.samples markers (options.parallel at a time) and polls
// until each is seen or censored on every measured path, or measuring stops
// (the budget, a rate limit, an interrupt, a fatal error).
Task<void> measure_lags(Calibration& c);

// Closes every marker the run made, including any whose create went unanswered
// (found by its title), and deletes the refs; what it cannot goes to left_behind.
Task<void> clean_up(Calibration& c);

}  // namespace coordsim::agent::real
