// The slow path of the simulated GitHub client: faults, rate limits and
// timeouts, each request an Op from a recycled pool (docs/architecture.md).
#include <cassert>
#include <type_traits>
#include <utility>

#include "sim/engine/endpoint_slots.hpp"
#include "sim/engine/sim_client_op.hpp"

namespace coordsim::sim {

using agent::Endpoint;

SimGitHubClient::SimGitHubClient(EventLoop& loop, const SimClock& clock, GitHubModel& model,
                                 const GitHubConfig& config)
    : loop_(loop), clock_(clock), model_(model), config_(config) {}

SimGitHubClient::~SimGitHubClient() = default;

void SimGitHubClient::begin_slow(Endpoint e, std::coroutine_handle<> h, void* out, bool is_write) {
  ++(*calls_)[static_cast<int>(e)];
  if (free_ops_.empty()) {
    ops_.push_back(std::make_unique<Op>());
    free_ops_.push_back(ops_.back().get());
  }
  Op& op = *free_ops_.back();
  free_ops_.pop_back();
  op.client = this;
  op.endpoint = e;
  op.is_write = is_write;
  op.resume = h;
  op.out = out;
  // Only these requests name an issue; pending_.number is whatever the last
  // one named (maybe in an earlier trial, on another thread's schedule), and
  // observers record and hash op.number (--check-determinism).
  op.number = e == Endpoint::get_issue || e == Endpoint::update_issue || e == Endpoint::create_comment
                  ? pending_.number
                  : 0;
  op.admitted = true;
  switch (e) {
    case Endpoint::create_issue: op.issue = *static_cast<const agent::NewIssue*>(pending_.request); break;
    case Endpoint::update_issue: op.patch = *static_cast<const agent::IssuePatch*>(pending_.request); break;
    case Endpoint::create_comment:
    case Endpoint::get_ref: op.text1 = *static_cast<const std::string*>(pending_.request); break;
    case Endpoint::create_ref:
      op.text1 = *static_cast<const std::string*>(pending_.request);
      op.text2 = *static_cast<const std::string*>(pending_.request2);
      break;
    case Endpoint::list_issues:  // read at the effect, while the agent still waits
      op.query = static_cast<const agent::ListIssuesQuery*>(pending_.request);
      break;
    default: break;
  }
  // Same draws, in the same order, as the plain path; the fault draws come
  // from their own stream, so turning faults on keeps every latency and lag.
  const EndpointLatency& latency = config_.latency[static_cast<int>(e)];
  const Time send = clock_.now();
  const Duration request = draw(latency.request);
  const Duration response = draw(latency.response);
  op.fault = {};
  if (faults_on_) {
    if (t_choice_oracle) [[unlikely]] {
      op.fault = explored_fault(e);
    } else {
      const FaultDraws u{fault_rng_.uniform01(), fault_rng_.uniform01(), fault_rng_.uniform01()};
      op.fault = decide_fault(config_.faults, e, e == Endpoint::create_ref, u);
    }
  }
  const Duration timeout = config_.request_timeout;
  const bool never_answered = op.fault.fate == Fate::lost_response && timeout > Duration::zero();
  op.timed_out = timeout > Duration::zero() && (never_answered || request + response > timeout);
  const Time respond_at = op.timed_out ? send + timeout : send + request + response;
  op.events = 2;
  loop_.schedule(send + request, is_write ? Phase::commit : Phase::deliver, &on_slow_effect, &op);
  loop_.schedule(respond_at, Phase::deliver, &on_slow_response, &op);
  if (observer_) [[unlikely]]
    observe_slow_send(op, send, send + request, respond_at);
}

// The same outcomes as the three uniform draws above, each as a choice point
// of `coordsim explore`: a server error (and which status), else a spurious
// 422 on create_ref, else a lost response.
FaultPlan SimGitHubClient::explored_fault(Endpoint e) const {
  const EndpointFaults& f = config_.faults.endpoint[static_cast<int>(e)];
  if (oracle_fault(f.server_error, "github.faults.server_error")) {
    static constexpr int kStatuses[] = {500, 502, 503};
    return {Fate::server_error, kStatuses[oracle_pick(3, "github.faults server error status (500, 502, 503)")]};
  }
  if (e == Endpoint::create_ref && oracle_fault(config_.faults.spurious_ref_422, "github.faults.spurious_ref_422"))
    return {Fate::spurious_422, 422};
  if (oracle_fault(f.lost_response, "github.faults.lost_response")) return {Fate::lost_response, 502};
  return {};
}

void SimGitHubClient::on_slow_effect(void* op) {
  auto& o = *static_cast<Op*>(op);
  o.client->slow_effect(o);
}
void SimGitHubClient::on_slow_response(void* op) {
  auto& o = *static_cast<Op*>(op);
  o.client->slow_response(o);
}

void SimGitHubClient::release(Op& op) {
  if (--op.events == 0) free_ops_.push_back(&op);
}

void SimGitHubClient::slow_effect(Op& op) {
  const Time t = loop_.now();
  if (limiter_) {
    op.error = {};
    op.admitted = limiter_->admit(t, op.endpoint, op.error);
  }
  // A rejected, failed or unanswerable request has no effect. A read whose
  // answer the client will not wait for needs no evaluation either.
  const bool effect = op.admitted && (op.fault.fate == Fate::ok || op.fault.fate == Fate::lost_response);
  if (effect) {
    switch (op.endpoint) {
      case Endpoint::create_issue:
        // As the repository has it (label spellings), as on the plain path.
        op.issue_result.value.number = model_.create_issue(t, op.issue, draw_lags());
        if (model_.labels_as_given()) {
          op.issue_result.value.state = agent::IssueState::open;
          op.issue_result.value.title = op.issue.title;
          op.issue_result.value.labels = op.issue.labels;
        } else {
          model_.latest_issue(op.issue_result.value.number, op.issue_result.value);
        }
        op.issue_result.status = 201;
        break;
      case Endpoint::update_issue:
        if (model_.update_issue(t, op.number, op.patch, draw_lags())) {
          op.issue_result.status = 200;
          model_.latest_issue(op.number, op.issue_result.value);
        } else {
          op.issue_result.status = 404;
          op.issue_result.error = {404, "Not Found", {}};
        }
        break;
      case Endpoint::create_comment:
        op.comment_result.value.id = model_.add_comment(t, op.number, op.text1, draw_lags());
        op.comment_result.status = op.comment_result.value.id ? 201 : 404;
        if (!op.comment_result.value.id) op.comment_result.error = {404, "Not Found", {}};
        break;
      case Endpoint::create_ref: {
        const Duration lag = draw(config_.visibility_lag[static_cast<int>(ReadPath::refs)]);
        if (model_.create_ref(t, op.text1, op.text2, lag)) {
          op.ref_result.status = 201;
          op.ref_result.value = {op.text1, op.text2};
        } else {
          op.ref_result.status = 422;
          op.ref_result.error = {422, "Reference already exists", {}};
        }
        break;
      }
      case Endpoint::list_issues:
        if (op.timed_out) break;
        model_.list_issues(t, *op.query, op.page_result.value);
        op.page_result.status = 200;
        break;
      case Endpoint::get_issue:
        if (op.timed_out) break;
        op.issue_result.status = model_.get_issue(t, op.number, op.issue_result.value) ? 200 : 404;
        if (op.issue_result.status == 404) op.issue_result.error = {404, "Not Found", {}};
        break;
      case Endpoint::get_ref:
        if (op.timed_out) break;
        op.ref_result.status = model_.get_ref(t, op.text1, op.ref_result.value) ? 200 : 404;
        if (op.ref_result.status == 404) op.ref_result.error = {404, "Not Found", {}};
        break;
      default: unsimulated_endpoint(op.endpoint, "slow path effect");
    }
  }
  if (observer_) [[unlikely]]
    observe_slow_effect(op, t, effect);
  release(op);
}

namespace {
template <class T>
void answer(agent::ApiResult<T>& o, const agent::ApiResult<T>& result, int status, const agent::ApiError* error) {
  if (error) {
    o.status = status;
    o.error = *error;
  } else {
    o.status = result.status;
    if (result.ok()) o.value = result.value;
    else o.error = result.error;
  }
}
}  // namespace

void SimGitHubClient::slow_response(Op& op) {
  agent::ApiError failure;
  const agent::ApiError* error = nullptr;
  if (op.timed_out) {
    failure = {0, "timeout: no response", {}};
    error = &failure;
  } else if (!op.admitted) {
    ++*rate_limited_;
    failure = op.error;
    error = &failure;
  } else if (op.fault.fate != Fate::ok) {
    failure = {op.fault.status, std::string(fault_message(op.fault)), {}};
    error = &failure;
  }
  with_result_slot(op.endpoint, op.out, [&](auto& out) {
    answer(out, op.own<std::remove_cvref_t<decltype(out.value)>>(), failure.status, error);
  });
  if (observer_) [[unlikely]]
    observe_slow_response(op);
  const std::coroutine_handle<> h = std::exchange(op.resume, {});
  release(op);
  h.resume();
}

}  // namespace coordsim::sim
