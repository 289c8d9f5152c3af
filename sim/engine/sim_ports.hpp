#pragma once
// The simulator's implementation of the agent ports: virtual time from the
// event loop, GitHub from the shared model with drawn latencies and lags, the
// LLM from draws made before the trial (so `none` and every protocol see the
// same analysis costs: common random numbers).
#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "agent/ports.hpp"
#include "sim/engine/event_loop.hpp"
#include "sim/model/github_model.hpp"
#include "sim/model/rate_limiter.hpp"
#include "sim/random/choice_oracle.hpp"
#include "sim/random/rng.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/engine/trial_observer.hpp"

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
  double random01() override {
    if (t_choice_oracle) [[unlikely]]
      return oracle_unit("agent retry jitter");
    // Derived on first use: only retries draw jitter, and most trials make none.
    if (!rng_ready_) {
      rng_ = make_stream(seed_, trial_, StreamKind::flavor_client, stream_flavor_);
      rng_ready_ = true;
    }
    return rng_.uniform01();
  }
  void reset(std::uint64_t seed, std::uint64_t trial, std::uint32_t flavor) noexcept {
    local_ = Time{};
    seed_ = seed;
    trial_ = trial;
    stream_flavor_ = flavor;
    rng_ready_ = false;
  }
  void observe(TrialObserver* o, std::size_t flavor) noexcept { observer_ = o, flavor_ = flavor; }

 private:
  // Out of line (sim_ports_observe.cpp) and cold, keeping sleep short; returns false.
  [[gnu::cold]] bool observe_sleep(Time from, Duration d) const;

  EventLoop& loop_;
  Time local_{};  // ahead of the loop while the agent is between a sleep and its next call
  std::uint64_t seed_ = 0, trial_ = 0;
  std::uint32_t stream_flavor_ = 0;
  bool rng_ready_ = false;
  Rng rng_;
  TrialObserver* observer_ = nullptr;
  std::size_t flavor_ = 0;
};

using ApiCallCounts = std::array<std::int64_t, agent::kEndpointCount>;

// One flavor's GitHub client. A protocol has at most one request in flight, so
// the pending request lives here rather than in a heap-allocated operation.
class SimGitHubClient final : public agent::GitHubApi {
 public:
  SimGitHubClient(EventLoop& loop, const SimClock& clock, GitHubModel& model, const GitHubConfig& config);

  ~SimGitHubClient() override;

  // Per trial: the flavor's streams, where to count its calls and
  // rate-limited answers, and the repository's rate limiter (none: off).
  void begin_trial(std::uint64_t seed, std::uint64_t trial, std::uint32_t flavor, ApiCallCounts* calls,
                   std::int64_t* rate_limited, RateLimiter* limiter) {
    rng_ = make_stream(seed, trial, StreamKind::flavor_api, flavor);
    if (faults_on_) fault_rng_ = make_stream(seed, trial, StreamKind::flavor_faults, flavor);
    calls_ = calls;
    rate_limited_ = rate_limited;
    limiter_ = limiter;
    slow_path_ = limiter || faults_on_ || config_.request_timeout > Duration::zero();
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

  // A request under faults, rate limits or a timeout. Unlike the plain path it
  // copies its request, because the client may give up (timeout) before the
  // write commits and the agent then moves on with its buffers; and it keeps its
  // own result until the response is due. Recycled through `free_ops_`.
  struct Op;
  void begin_slow(agent::Endpoint e, std::coroutine_handle<> h, void* out, bool is_write);
  [[gnu::cold]] FaultPlan explored_fault(agent::Endpoint e) const;
  static void on_slow_effect(void* op);
  static void on_slow_response(void* op);
  void slow_effect(Op& op);
  void slow_response(Op& op);
  void release(Op& op);

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
  [[gnu::cold]] void observe_slow_send(const Op& op, Time send, Time effect, Time respond_at) const;
  [[gnu::cold]] void observe_slow_effect(const Op& op, Time t, bool effect) const;
  [[gnu::cold]] void observe_slow_response(const Op& op) const;

  EventLoop& loop_;
  const SimClock& clock_;  // the agent's own time: requests are sent from it
  GitHubModel& model_;
  const GitHubConfig& config_;
  Rng rng_;
  Rng fault_rng_;
  ApiCallCounts* calls_ = nullptr;
  std::int64_t* rate_limited_ = nullptr;
  RateLimiter* limiter_ = nullptr;
  const bool faults_on_ = config_.faults.any();
  bool slow_path_ = false;
  Pending pending_;
  std::vector<std::unique_ptr<Op>> ops_;
  std::vector<Op*> free_ops_;
  TrialObserver* observer_ = nullptr;
  std::size_t flavor_ = 0;
};

// The LLM as the cost model: the analysis this flavor would get, drawn before
// the trial, delivered after its drawn duration.
class SimLlm final : public agent::Llm {
 public:
  SimLlm(EventLoop& loop, const SimClock& clock) : loop_(loop), clock_(clock) {}
  // `dies_at`: where this flavor's agent dies if it leads (nullptr: it does
  // not); it does only while the trial's `deaths_left` is positive.
  void begin_trial(const agent::AnalysisResult& result, Duration duration, const DeathPoint* dies_at,
                   int* deaths_left) {
    result_ = result;
    duration_ = duration;
    dies_at_ = dies_at ? *dies_at : DeathPoint{};
    may_die_ = dies_at != nullptr;
    dies_ = false;
    deaths_left_ = deaths_left;
    started_ = false;
  }
  void start_analyze(const agent::AnalysisRequest&, agent::AnalysisResult& out,
                     std::coroutine_handle<> h) override {
    // A dying agent is simply never resumed: nothing it would do afterwards
    // (analysis result, done marker, cleanup) happens.
    if (may_die_ && *deaths_left_ > 0) {
      --*deaths_left_;
      dies_ = true;
      started_ = dies_at_ == DeathPoint::during_analysis;  // the tokens were spent
      return;
    }
    started_ = true;
    out = result_;
    if (observer_) [[unlikely]]
      observe_analysis();
    loop_.resume_at(clock_.now() + duration_, h);
  }
  bool dies() const noexcept { return dies_; }
  // Whether the analysis was paid for (started), whether or not it completed.
  bool paid() const noexcept { return started_; }
  void observe(TrialObserver* o, std::size_t flavor) noexcept { observer_ = o, flavor_ = flavor; }

 private:
  [[gnu::cold]] void observe_analysis() const;

  EventLoop& loop_;
  const SimClock& clock_;
  agent::AnalysisResult result_;
  Duration duration_{};
  DeathPoint dies_at_{};
  int* deaths_left_ = nullptr;
  bool may_die_ = false;
  bool dies_ = false;
  bool started_ = false;
  TrialObserver* observer_ = nullptr;
  std::size_t flavor_ = 0;
};

}  // namespace coordsim::sim
