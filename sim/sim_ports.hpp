#pragma once
// The simulator's implementation of the agent ports: virtual time from the
// event loop, GitHub from the shared model with drawn latencies and lags, the
// LLM from draws made before the trial (so `none` and every protocol see the
// same analysis costs: common random numbers).
#include <algorithm>
#include <array>
#include <cstdint>

#include "agent/ports.hpp"
#include "sim/event_loop.hpp"
#include "sim/github_model.hpp"
#include "sim/rng.hpp"
#include "sim/scenario.hpp"
#include "sim/trial_observer.hpp"

namespace coordsim::sim {

// One agent's clock. A sleep needs no event: an agent observes the world only
// through its port calls, and nothing it does between waking and its next call
// touches shared state, so the clock just moves the agent's own time ahead and
// its next request is sent from there (local virtual time, as in conservative
// parallel simulation). This removes a third of a trial's events. The only
// visible difference from waking through the loop is the arbitrary order of
// two writes committing in the same microsecond.
class SimClock final : public agent::Clock {
 public:
  explicit SimClock(EventLoop& loop) : loop_(loop) {}
  Time now() const override { return std::max(loop_.now(), local_); }
  bool sleep_then_resume(Duration d, std::coroutine_handle<>) override {
    const Time from = now();
    local_ = from + d;
    // A tail call, so the common path needs no stack frame.
    if (observer_) [[unlikely]]
      return observe_sleep(from, d);
    return false;
  }
  void reset() noexcept { local_ = Time{}; }
  void observe(TrialObserver* o, std::size_t flavor) noexcept { observer_ = o, flavor_ = flavor; }

 private:
  // Out of line (sim_ports_observe.cpp) and cold, keeping sleep short; returns false.
  [[gnu::cold]] bool observe_sleep(Time from, Duration d) const;

  EventLoop& loop_;
  Time local_{};  // ahead of the loop while the agent is between a sleep and its next call
  TrialObserver* observer_ = nullptr;
  std::size_t flavor_ = 0;
};

using ApiCallCounts = std::array<std::int64_t, agent::kEndpointCount>;

// One flavor's GitHub client. A protocol has at most one request in flight, so
// the pending request lives here rather than in a heap-allocated operation.
class SimGitHubClient final : public agent::GitHubApi {
 public:
  SimGitHubClient(EventLoop& loop, const SimClock& clock, GitHubModel& model, const GitHubConfig& config)
      : loop_(loop), clock_(clock), model_(model), config_(config) {}

  // Per trial: the flavor's API stream and where to count its calls.
  void begin_trial(Rng api_stream, ApiCallCounts* calls) {
    rng_ = api_stream;
    calls_ = calls;
  }
  void observe(TrialObserver* o, std::size_t flavor) noexcept { observer_ = o, flavor_ = flavor; }

  void start_list_issues(const agent::ListIssuesQuery& q, agent::ApiResult<agent::IssuePage>& out,
                         std::coroutine_handle<> h) override;
  void start_get_issue(std::int64_t number, agent::ApiResult<agent::Issue>& out,
                       std::coroutine_handle<> h) override;
  void start_create_issue(const agent::NewIssue& issue, agent::ApiResult<agent::Issue>& out,
                          std::coroutine_handle<> h) override;
  void start_update_issue(std::int64_t number, const agent::IssuePatch& patch,
                          agent::ApiResult<agent::Issue>& out, std::coroutine_handle<> h) override;
  void start_create_comment(std::int64_t number, const std::string& body,
                            agent::ApiResult<agent::Comment>& out, std::coroutine_handle<> h) override;
  void start_create_ref(const std::string& ref, const std::string& sha,
                        agent::ApiResult<agent::GitRef>& out, std::coroutine_handle<> h) override;
  void start_get_ref(const std::string& ref, agent::ApiResult<agent::GitRef>& out,
                     std::coroutine_handle<> h) override;

 private:
  // The request in flight: which operation, its arguments and result slot.
  struct Pending {
    agent::Endpoint endpoint{};
    std::coroutine_handle<> resume;
    Time effect{};
    Duration response_latency{};
    std::int64_t number = 0;
    const void* request = nullptr;  // the typed request, per endpoint
    const void* request2 = nullptr;
    void* out = nullptr;
  };

  Duration draw(const Distribution& d) { return agent::from_seconds(d.sample(rng_)); }
  Lags draw_lags();
  // Records the call, draws its latencies, and schedules its effect.
  void begin(agent::Endpoint e, std::coroutine_handle<> h, void* out, bool is_write);
  static void on_commit(void* self);
  static void on_read(void* self);
  void commit();
  void read();
  // Reports to the observer (sim/sim_ports_observe.cpp); called only when one is attached.
  [[gnu::cold]] void observe_send() const;
  [[gnu::cold]] void observe_commit(Time c) const;
  [[gnu::cold]] void observe_read() const;

  EventLoop& loop_;
  const SimClock& clock_;  // the agent's own time: requests are sent from it
  GitHubModel& model_;
  const GitHubConfig& config_;
  Rng rng_;
  ApiCallCounts* calls_ = nullptr;
  Pending pending_;
  TrialObserver* observer_ = nullptr;
  std::size_t flavor_ = 0;
};

// The LLM as the cost model: the analysis this flavor would get, drawn before
// the trial, delivered after its drawn duration.
class SimLlm final : public agent::Llm {
 public:
  SimLlm(EventLoop& loop, const SimClock& clock) : loop_(loop), clock_(clock) {}
  void begin_trial(const agent::AnalysisResult& result, Duration duration) {
    result_ = result;
    duration_ = duration;
  }
  void start_analyze(const agent::AnalysisRequest&, agent::AnalysisResult& out,
                     std::coroutine_handle<> h) override {
    out = result_;
    if (observer_) [[unlikely]]
      observe_analysis();
    loop_.resume_at(clock_.now() + duration_, h);
  }
  void observe(TrialObserver* o, std::size_t flavor) noexcept { observer_ = o, flavor_ = flavor; }

 private:
  [[gnu::cold]] void observe_analysis() const;

  EventLoop& loop_;
  const SimClock& clock_;
  agent::AnalysisResult result_;
  Duration duration_{};
  TrialObserver* observer_ = nullptr;
  std::size_t flavor_ = 0;
};

}  // namespace coordsim::sim
