#pragma once
// Choice points for `coordsim explore`: while a ChoiceOracle is active on a
// thread, every random draw of a trial on that thread asks it for a value
// instead of drawing from its stream. A bounded distribution offers its grid
// (K evenly spaced values, extremes included), a probability in (0, 1) offers
// "happens" and "does not", and the oracle answers with a forced option for
// the first choice points (the prefix) and the first option afterwards,
// recording how many options each point had. Re-running a trial with longer
// and longer prefixes enumerates every combination (sim/explore.hpp).
//
// Why a thread_local and not a parameter: the draw sites sit deep in the
// ports and the plan, and threading an extra pointer through all of them would
// cost the Monte-Carlo path more than one load and a predictable branch.
#include <cstddef>
#include <functional>
#include <vector>

namespace coordsim::sim {

struct Distribution;
class ChoiceOracle;

// Null on the Monte-Carlo path. constinit keeps access a plain TLS load (no
// wrapper call for a possibly dynamic initialiser).
inline constinit thread_local ChoiceOracle* t_choice_oracle = nullptr;

// Out of line and cold: the draw sites only test the pointer.
[[gnu::cold]] double oracle_sample(const Distribution& d);
[[gnu::cold]] bool oracle_event(double p, const char* what);
// A fault (a server error, a spurious 422, a lost response): an event that
// stops being a choice point once the run has had its fault budget.
[[gnu::cold]] bool oracle_fault(double p, const char* what);
[[gnu::cold]] int oracle_pick(int n, const char* what);
[[gnu::cold]] double oracle_unit(const char* what);
[[gnu::cold]] void oracle_trial_started();

// One choice point of a run.
struct Choice {
  int options = 1;
  int chosen = 0;
  double value = 0;                     // the value returned (1/0 for events, the index for picks)
  const Distribution* dist = nullptr;   // set for draws of a distribution
  const char* what = nullptr;           // set for the other draws
  bool frozen = false;                  // drawn after the outcome was settled: not branched on
};

// The values a bounded distribution offers on a grid of `k` (>= 2) points,
// ascending and distinct; throws std::invalid_argument for an unbounded one.
std::vector<double> grid_values(const Distribution& d, int k);

class ChoiceOracle {
 public:
  // max_faults < 0: every fault draw is a choice point. Otherwise a run has at
  // most that many faults: once it has them, later fault draws "do not happen"
  // without branching. Protocols promise exactness only while the API answers
  // within their retry budget; this is how a proof states that assumption.
  explicit ChoiceOracle(int grid, int max_faults = -1) : grid_(grid), max_faults_(max_faults) {}

  // Before each run: the options to take at the first choice points.
  void begin(std::vector<int> prefix);
  // Once this returns true (checked after the trial's agents have started),
  // later choice points are frozen at their first option: the predicate can
  // no longer change (sim/explore.cpp says when that holds).
  void set_settled(std::function<bool()> settled) { settled_ = std::move(settled); }

  double sample(const Distribution& d);
  bool event(double p, const char* what);
  bool fault(double p, const char* what);
  int pick(int n, const char* what);
  double unit(const char* what);
  void trial_started() noexcept { started_ = true; }

  const std::vector<Choice>& trace() const noexcept { return trace_; }
  int grid() const noexcept { return grid_; }
  int max_faults() const noexcept { return max_faults_; }

 private:
  // The option for the next choice point with `options` options.
  Choice& next(int options);

  int grid_;
  int max_faults_;
  int faults_ = 0;  // faults that happened in this run
  std::vector<int> prefix_;
  std::vector<Choice> trace_;
  std::function<bool()> settled_;
  bool started_ = false;
  bool frozen_ = false;
};

// Activates an oracle on this thread for its lifetime.
class ActiveOracle {
 public:
  explicit ActiveOracle(ChoiceOracle& o) noexcept : previous_(t_choice_oracle) { t_choice_oracle = &o; }
  ~ActiveOracle() { t_choice_oracle = previous_; }
  ActiveOracle(const ActiveOracle&) = delete;
  ActiveOracle& operator=(const ActiveOracle&) = delete;

 private:
  ChoiceOracle* previous_;
};

}  // namespace coordsim::sim
