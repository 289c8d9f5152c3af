#pragma once
// One trial: draw the workload, let every failing flavor's agent run its
// protocol against the fake GitHub in virtual time, and measure the outcome.
// A TrialRunner is reused for many trials on one thread; after warm-up a trial
// allocates (almost) nothing.
#include <cstdint>
#include <memory>
#include <vector>

#include "agent/protocol.hpp"
#include "sim/engine/event_loop.hpp"
#include "sim/engine/sim_github_client.hpp"
#include "sim/engine/sim_llm.hpp"
#include "sim/engine/stats.hpp"
#include "sim/model/github_model.hpp"
#include "sim/scenario/scenario.hpp"

namespace coordsim::sim {

// The workload of one trial, drawn before anything runs.
struct FlavorPlan {
  bool fails = false;
  Time start{};
  Time fails_at{};
  int signature = 0;  // 0: the commit's common failure; i + 1: flavor i's own
  agent::AnalysisResult analysis;  // what its analysis would cost
  Duration analysis_duration{};
  bool dies_if_leading = false;  // workload.agent_death drawn for this flavor
  Time leg_ends{};               // when this matrix leg finishes (fan-in waits for all)
};

class TrialRunner {
 public:
  // Keeps references to both: they must outlive the runner (temporaries are refused).
  TrialRunner(const Scenario& scenario, const agent::ProtocolConfig& protocol);
  TrialRunner(const Scenario&&, const agent::ProtocolConfig&) = delete;
  TrialRunner(const Scenario&, const agent::ProtocolConfig&&) = delete;
  ~TrialRunner();
  TrialRunner(const TrialRunner&) = delete;
  TrialRunner& operator=(const TrialRunner&) = delete;

  // Runs trial `index` of the scenario's seed (or `seed`). The returned outcome
  // is valid until the next call.
  const TrialOutcome& run(std::uint64_t seed, std::uint64_t index);

  const std::vector<FlavorPlan>& plan() const noexcept { return plan_; }
  const std::vector<agent::AgentReport>& reports() const noexcept { return reports_; }
  // The re-run's reports (workload.rerun), when the last trial drew one.
  const std::vector<agent::AgentReport>& rerun_reports() const noexcept { return rerun_reports_; }
  bool reran() const noexcept { return rerun_; }
  const GitHubModel& github() const noexcept { return model_; }
  // Watches the following trials (replays, traces, determinism checks); null to
  // stop. With none, each hook site costs one predictable branch.
  void set_observer(TrialObserver* observer) noexcept;

 private:
  struct Flavor;
  void draw_plan(std::uint64_t seed, std::uint64_t index);
  static void start_agent(void* flavor);
  void run_rerun();
  void begin_measure();
  void measure_attempt(const std::vector<agent::AgentReport>& reports, bool first);
  void end_measure();
  void run_fan_in();

  const Scenario& scenario_;
  const agent::ProtocolConfig& protocol_;
  EventLoop loop_;
  GitHubModel model_;
  std::unique_ptr<RateLimiter> limiter_;  // when the scenario has rate limits
  int deaths_left_ = 0;
  std::vector<std::unique_ptr<Flavor>> flavors_;
  std::vector<FlavorPlan> plan_;
  std::vector<agent::AgentReport> reports_;
  std::vector<agent::AgentReport> rerun_reports_;
  std::vector<int> per_signature_;  // analyses per signature, -1: none failed with it
  bool rerun_ = false;
  Duration rerun_after_{};
  TrialOutcome outcome_;
  TrialObserver* observer_ = nullptr;
};

}  // namespace coordsim::sim
