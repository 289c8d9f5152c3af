#pragma once
// The simulator's GitHubApi port: GitHub from the shared model, with drawn
// latencies and lags, and on its slow path faults, rate limits and timeouts.
// The plain path is sim_client_fast.cpp, the slow path sim_client_slow.cpp,
// and what both tell an attached observer sim_observe.cpp.
#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "agent/ports.hpp"
#include "sim/engine/event_loop.hpp"
#include "sim/engine/sim_clock.hpp"
#include "sim/engine/trial_observer.hpp"
#include "sim/model/faults.hpp"
#include "sim/model/github_model.hpp"
#include "sim/model/rate_limiter.hpp"
#include "sim/random/rng.hpp"
#include "sim/scenario/scenario.hpp"

namespace coordsim::sim {

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
  // Reports to the observer (sim_observe.cpp); called only when one is attached.
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

}  // namespace coordsim::sim
