#pragma once
// One trial: draw the workload, let every failing flavor's agent run its
// protocol against the fake GitHub in virtual time, and measure the outcome.
// A TrialRunner is reused for many trials on one thread; after warm-up a trial
// allocates (almost) nothing.
#include <cstdint>
#include <memory>
#include <vector>

#include "agent/protocol.hpp"
#include "sim/event_loop.hpp"
#include "sim/github_model.hpp"
#include "sim/scenario.hpp"
#include "sim/sim_ports.hpp"
#include "sim/stats.hpp"

namespace coordsim::sim {

// The workload of one trial, drawn before anything runs.
struct FlavorPlan {
  bool fails = false;
  Time start{};
  Time fails_at{};
  int signature = 0;  // 0: the commit's common failure; i + 1: flavor i's own
  agent::AnalysisResult analysis;  // what its analysis would cost
  Duration analysis_duration{};
};

class TrialRunner {
 public:
  TrialRunner(const Scenario& scenario, const agent::ProtocolConfig& protocol);
  ~TrialRunner();
  TrialRunner(const TrialRunner&) = delete;
  TrialRunner& operator=(const TrialRunner&) = delete;

  // Runs trial `index` of the scenario's seed (or `seed`). The returned outcome
  // is valid until the next call.
  const TrialOutcome& run(std::uint64_t seed, std::uint64_t index);

  const std::vector<FlavorPlan>& plan() const noexcept { return plan_; }
  const std::vector<agent::AgentReport>& reports() const noexcept { return reports_; }
  const GitHubModel& github() const noexcept { return model_; }
  // Watches the following trials (replays, traces, determinism checks); null to
  // stop. With none, each hook site costs one predictable branch.
  void set_observer(TrialObserver* observer) noexcept;

 private:
  struct Flavor;
  void draw_plan(std::uint64_t seed, std::uint64_t index);
  static void start_agent(void* flavor);
  void measure();

  const Scenario& scenario_;
  const agent::ProtocolConfig& protocol_;
  EventLoop loop_;
  GitHubModel model_;
  std::vector<std::unique_ptr<Flavor>> flavors_;
  std::vector<FlavorPlan> plan_;
  std::vector<agent::AgentReport> reports_;
  TrialOutcome outcome_;
  TrialObserver* observer_ = nullptr;
};

}  // namespace coordsim::sim
