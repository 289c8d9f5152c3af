#pragma once
// Watching one trial from the simulator's side: what each agent sent, when it
// took effect, what came back, when each write became visible on each read
// path, sleeps and analyses. Replays, traces and determinism checks listen
// here. The Monte-Carlo hot path attaches no observer, and then each hook site
// costs one well-predicted branch on a null pointer.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "agent/github_types.hpp"
#include "agent/ports.hpp"
#include "agent/time.hpp"
#include "sim/scenario/scenario.hpp"

namespace coordsim::sim {

using agent::Duration;
using agent::Time;

struct FlavorPlan;
struct TrialOutcome;

// A request, told when it is sent: its latencies are already drawn, so when it
// will take effect and when its response will arrive are known.
struct ApiRequestInfo {
  agent::Endpoint endpoint{};
  Time sent{};
  Time effect{};     // a write commits, a read takes its snapshot
  Time delivered{};  // the response reaches the agent
  std::int64_t number = 0;  // the issue addressed (get, update, comment), else 0
  int page = 0;             // list_issues: the page asked for
  bool closes = false;      // update_issue: sets the state to closed
};

// A response, told when it is delivered (reads) or when the write commits
// (writes; it is delivered at `delivered`).
struct ApiResponseInfo {
  agent::Endpoint endpoint{};
  Time delivered{};
  int status = 0;
  std::int64_t number = 0;                  // the issue (or comment id) created or addressed
  const agent::IssuePage* page = nullptr;   // list_issues: what the page showed
  std::string_view message;                 // the error message when status is not 2xx
};

// A write that committed, with the instant it becomes visible on each read path.
struct WriteInfo {
  agent::Endpoint endpoint{};
  Time commit{};
  int status = 0;  // as the response will carry it; a rejected write becomes visible nowhere
  std::int64_t number = 0;  // the issue written (or the comment's issue)
  std::int64_t comment = 0; // create_comment: the comment id
  bool closes = false;
  std::array<Time, kReadPathCount> visible{};
  std::array<bool, kReadPathCount> has_path{};  // refs only on `refs`, issues on the others
};

class TrialObserver {
 public:
  virtual ~TrialObserver() = default;
  virtual void trial_begin(std::uint64_t /*seed*/, std::uint64_t /*index*/,
                           const std::vector<FlavorPlan>& /*plan*/) {}
  virtual void agent_start(std::size_t /*flavor*/, Time /*at*/) {}
  virtual void api_sent(std::size_t /*flavor*/, const ApiRequestInfo&) {}
  virtual void api_committed(std::size_t /*flavor*/, const WriteInfo&) {}
  // A read's snapshot, told on delivery (the simulator evaluates reads then).
  virtual void api_snapshot(std::size_t /*flavor*/, agent::Endpoint, Time /*at*/) {}
  virtual void api_response(std::size_t /*flavor*/, const ApiResponseInfo&) {}
  virtual void sleep(std::size_t /*flavor*/, Time /*from*/, Duration /*d*/) {}
  virtual void analysis(std::size_t /*flavor*/, Time /*start*/, Time /*end*/, const agent::AnalysisResult&) {}
  // A protocol's narration (the Journal port).
  virtual void note(std::size_t /*flavor*/, Time /*at*/, std::string_view /*text*/) {}
  virtual void trial_end(const TrialOutcome&) {}
};

// The Journal port of one flavor, forwarding notes with the agent's own time.
class ObserverJournal final : public agent::Journal {
 public:
  ObserverJournal(const agent::Clock& clock, std::size_t flavor) : clock_(clock), flavor_(flavor) {}
  void attach(TrialObserver* observer) noexcept { observer_ = observer; }
  void note(std::string_view text) override {
    if (observer_) observer_->note(flavor_, clock_.now(), text);
  }

 private:
  const agent::Clock& clock_;
  std::size_t flavor_;
  TrialObserver* observer_ = nullptr;
};

}  // namespace coordsim::sim
