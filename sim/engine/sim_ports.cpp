#include "sim/engine/sim_ports.hpp"

#include <cassert>

namespace coordsim::sim {

using agent::ApiResult;
using agent::Endpoint;

Lags SimGitHubClient::draw_lags() {
  Lags lags;
  for (int p = 0; p < kReadPathCount; ++p) lags[p] = draw(config_.visibility_lag[p]);
  return lags;
}

void SimGitHubClient::begin(Endpoint e, std::coroutine_handle<> h, void* out, bool is_write) {
  if (slow_path_) {
    begin_slow(e, h, out, is_write);
    return;
  }
  assert(!pending_.resume && "a protocol has one request in flight at a time");
  ++(*calls_)[static_cast<int>(e)];
  const EndpointLatency& latency = config_.latency[static_cast<int>(e)];
  pending_.endpoint = e;
  pending_.resume = h;
  pending_.out = out;
  pending_.effect = clock_.now() + draw(latency.request);
  pending_.response_latency = draw(latency.response);
  if (is_write) {
    loop_.schedule(pending_.effect, Phase::commit, &on_commit, this);
  } else {
    // A read takes its snapshot at `effect` but is evaluated on delivery: the
    // commit phase guarantees every write up to the snapshot is applied by then,
    // and writes after it are not yet visible (lags are never negative).
    loop_.schedule(pending_.effect + pending_.response_latency, Phase::deliver, &on_read, this);
  }
  if (observer_) [[unlikely]]
    observe_send();
}

void SimGitHubClient::on_commit(void* self) { static_cast<SimGitHubClient*>(self)->commit(); }
void SimGitHubClient::on_read(void* self) { static_cast<SimGitHubClient*>(self)->read(); }

void SimGitHubClient::commit() {
  const Time c = loop_.now();
  switch (pending_.endpoint) {
    case Endpoint::create_issue: {
      auto& out = *static_cast<ApiResult<agent::Issue>*>(pending_.out);
      const auto& issue = *static_cast<const agent::NewIssue*>(pending_.request);
      out.value.number = model_.create_issue(c, issue, draw_lags());
      out.value.state = agent::IssueState::open;
      out.value.title = issue.title;
      out.value.labels = issue.labels;
      out.status = 201;
      break;
    }
    case Endpoint::update_issue: {
      auto& out = *static_cast<ApiResult<agent::Issue>*>(pending_.out);
      const auto& patch = *static_cast<const agent::IssuePatch*>(pending_.request);
      if (model_.update_issue(c, pending_.number, patch, draw_lags())) {
        out.status = 200;
        model_.latest_issue(pending_.number, out.value);
      } else {
        out.status = 404;
        out.error = {404, "Not Found", {}};
      }
      break;
    }
    case Endpoint::create_comment: {
      auto& out = *static_cast<ApiResult<agent::Comment>*>(pending_.out);
      const auto& body = *static_cast<const std::string*>(pending_.request);
      out.value.id = model_.add_comment(c, pending_.number, body, draw_lags());
      out.status = out.value.id ? 201 : 404;
      if (!out.value.id) out.error = {404, "Not Found", {}};
      break;
    }
    case Endpoint::create_ref: {
      auto& out = *static_cast<ApiResult<agent::GitRef>*>(pending_.out);
      const auto& ref = *static_cast<const std::string*>(pending_.request);
      const auto& sha = *static_cast<const std::string*>(pending_.request2);
      const Duration lag = draw(config_.visibility_lag[static_cast<int>(ReadPath::refs)]);
      if (model_.create_ref(c, ref, sha, lag)) {
        out.status = 201;
        out.value = {ref, sha};
      } else {
        out.status = 422;
        out.error = {422, "Reference already exists", {}};
      }
      break;
    }
    default: assert(false && "not a write");
  }
  if (observer_) [[unlikely]]
    observe_commit(c);
  std::coroutine_handle<> h = std::exchange(pending_.resume, {});
  loop_.resume_at(c + pending_.response_latency, h);
}

void SimGitHubClient::read() {
  const Time s = pending_.effect;
  switch (pending_.endpoint) {
    case Endpoint::list_issues: {
      auto& out = *static_cast<ApiResult<agent::IssuePage>*>(pending_.out);
      model_.list_issues(s, *static_cast<const agent::ListIssuesQuery*>(pending_.request), out.value);
      out.status = 200;
      break;
    }
    case Endpoint::get_issue: {
      auto& out = *static_cast<ApiResult<agent::Issue>*>(pending_.out);
      if (model_.get_issue(s, pending_.number, out.value)) {
        out.status = 200;
      } else {
        out.status = 404;
        out.error = {404, "Not Found", {}};
      }
      break;
    }
    case Endpoint::get_ref: {
      auto& out = *static_cast<ApiResult<agent::GitRef>*>(pending_.out);
      if (model_.get_ref(s, *static_cast<const std::string*>(pending_.request), out.value)) {
        out.status = 200;
      } else {
        out.status = 404;
        out.error = {404, "Not Found", {}};
      }
      break;
    }
    default: assert(false && "not a read");
  }
  if (observer_) [[unlikely]]
    observe_read();
  // Already at delivery time: resume directly rather than through another event.
  std::exchange(pending_.resume, {}).resume();
}

void SimGitHubClient::start_list_issues(const agent::ListIssuesQuery& q,
                                        ApiResult<agent::IssuePage>& out, std::coroutine_handle<> h) {
  pending_.request = &q;
  begin(Endpoint::list_issues, h, &out, false);
}

void SimGitHubClient::start_get_issue(std::int64_t number, ApiResult<agent::Issue>& out,
                                      std::coroutine_handle<> h) {
  pending_.number = number;
  begin(Endpoint::get_issue, h, &out, false);
}

void SimGitHubClient::start_create_issue(const agent::NewIssue& issue, ApiResult<agent::Issue>& out,
                                         std::coroutine_handle<> h) {
  pending_.request = &issue;
  begin(Endpoint::create_issue, h, &out, true);
}

void SimGitHubClient::start_update_issue(std::int64_t number, const agent::IssuePatch& patch,
                                         ApiResult<agent::Issue>& out, std::coroutine_handle<> h) {
  pending_.number = number;
  pending_.request = &patch;
  begin(Endpoint::update_issue, h, &out, true);
}

void SimGitHubClient::start_create_comment(std::int64_t number, const std::string& body,
                                           ApiResult<agent::Comment>& out,
                                           std::coroutine_handle<> h) {
  pending_.number = number;
  pending_.request = &body;
  begin(Endpoint::create_comment, h, &out, true);
}

void SimGitHubClient::start_create_ref(const std::string& ref, const std::string& sha,
                                       ApiResult<agent::GitRef>& out, std::coroutine_handle<> h) {
  pending_.request = &ref;
  pending_.request2 = &sha;
  begin(Endpoint::create_ref, h, &out, true);
}

void SimGitHubClient::start_get_ref(const std::string& ref, ApiResult<agent::GitRef>& out,
                                    std::coroutine_handle<> h) {
  pending_.request = &ref;
  begin(Endpoint::get_ref, h, &out, false);
}

// --- the slow path: faults, rate limits, timeouts ------------------------------

struct SimGitHubClient::Op {
  SimGitHubClient* client = nullptr;
  Endpoint endpoint{};
  FaultPlan fault;
  bool is_write = false;
  bool admitted = true;       // by the rate limiter, decided at the effect
  bool timed_out = false;     // the client gives up before the response arrives
  int events = 0;             // scheduled and not yet run; recycled at zero
  std::coroutine_handle<> resume;
  void* out = nullptr;        // the agent's result slot
  std::int64_t number = 0;
  const agent::ListIssuesQuery* query = nullptr;  // valid while the agent waits
  agent::NewIssue issue;      // copies of the request
  agent::IssuePatch patch;
  std::string text1, text2;
  agent::ApiError error;      // a rate-limit answer
  agent::ApiResult<agent::Issue> issue_result;
  agent::ApiResult<agent::IssuePage> page_result;
  agent::ApiResult<agent::Comment> comment_result;
  agent::ApiResult<agent::GitRef> ref_result;
};

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
  op.number = pending_.number;
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
  if (oracle_event(f.server_error, "github.faults.server_error")) {
    static constexpr int kStatuses[] = {500, 502, 503};
    return {Fate::server_error, kStatuses[oracle_pick(3, "github.faults server error status (500, 502, 503)")]};
  }
  if (e == Endpoint::create_ref && oracle_event(config_.faults.spurious_ref_422, "github.faults.spurious_ref_422"))
    return {Fate::spurious_422, 422};
  if (oracle_event(f.lost_response, "github.faults.lost_response")) return {Fate::lost_response, 502};
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
        op.issue_result.value.number = model_.create_issue(t, op.issue, draw_lags());
        op.issue_result.value.state = agent::IssueState::open;
        op.issue_result.value.title = op.issue.title;
        op.issue_result.value.labels = op.issue.labels;
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
      default: assert(false && "no such operation in the simulator");
    }
  }
  if (observer_) [[unlikely]]
    observe_slow_effect(op, t, effect);
  release(op);
}

namespace {
template <class T>
void answer(void* out, const agent::ApiResult<T>& result, int status, const agent::ApiError* error) {
  auto& o = *static_cast<agent::ApiResult<T>*>(out);
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
  switch (op.endpoint) {
    case Endpoint::create_issue:
    case Endpoint::update_issue:
    case Endpoint::get_issue: answer(op.out, op.issue_result, failure.status, error); break;
    case Endpoint::list_issues: answer(op.out, op.page_result, failure.status, error); break;
    case Endpoint::create_comment: answer(op.out, op.comment_result, failure.status, error); break;
    case Endpoint::create_ref:
    case Endpoint::get_ref: answer(op.out, op.ref_result, failure.status, error); break;
    default: assert(false && "no such operation in the simulator");
  }
  if (observer_) [[unlikely]]
    observe_slow_response(op);
  const std::coroutine_handle<> h = std::exchange(op.resume, {});
  release(op);
  h.resume();
}

// The slow path's observation, here because Op is defined in this file.
void SimGitHubClient::observe_slow_send(const Op& op, Time send, Time effect, Time respond_at) const {
  ApiRequestInfo r;
  r.endpoint = op.endpoint;
  r.sent = send;
  r.effect = effect;
  r.delivered = respond_at;
  r.number = op.number;
  if (op.endpoint == Endpoint::list_issues && op.query) r.page = op.query->page;
  if (op.endpoint == Endpoint::update_issue)
    r.closes = op.patch.set_state && op.patch.state == agent::IssueState::closed;
  observer_->api_sent(flavor_, r);
}

void SimGitHubClient::observe_slow_effect(const Op& op, Time t, bool effect) const {
  if (!op.is_write) {
    observer_->api_snapshot(flavor_, op.endpoint, t);
    return;
  }
  WriteInfo w;
  w.endpoint = op.endpoint;
  w.commit = t;
  w.number = op.number;
  w.closes = op.endpoint == Endpoint::update_issue && op.patch.set_state &&
             op.patch.state == agent::IssueState::closed;
  const std::array<Time, kReadPathCount>* visible = nullptr;
  switch (op.endpoint) {
    case Endpoint::create_issue:
      w.status = op.issue_result.status;
      w.number = op.issue_result.value.number;
      if (effect && op.issue_result.ok()) visible = model_.latest_visibility(w.number);
      break;
    case Endpoint::update_issue:
      w.status = op.issue_result.status;
      if (effect && op.issue_result.ok()) visible = model_.latest_visibility(w.number);
      break;
    case Endpoint::create_comment:
      w.status = op.comment_result.status;
      w.comment = op.comment_result.value.id;
      if (effect && op.comment_result.ok()) visible = model_.comment_visibility(w.comment);
      break;
    case Endpoint::create_ref: {
      w.status = op.ref_result.status;
      Time at{};
      if (effect && op.ref_result.ok() && model_.ref_visibility(op.text1, at)) {
        w.visible[static_cast<std::size_t>(ReadPath::refs)] = at;
        w.has_path[static_cast<std::size_t>(ReadPath::refs)] = true;
      }
      break;
    }
    default: break;
  }
  if (!effect) w.status = op.admitted ? op.fault.status : op.error.status;
  if (visible) {
    w.visible = *visible;
    for (int p = 0; p < kReadPathCount; ++p)
      w.has_path[static_cast<std::size_t>(p)] = p != static_cast<int>(ReadPath::refs);
  }
  observer_->api_committed(flavor_, w);
}

void SimGitHubClient::observe_slow_response(const Op& op) const {
  ApiResponseInfo r;
  r.endpoint = op.endpoint;
  r.delivered = loop_.now();
  r.number = op.number;
  switch (op.endpoint) {
    case Endpoint::list_issues: {
      const auto& out = *static_cast<const ApiResult<agent::IssuePage>*>(op.out);
      r.status = out.status;
      r.message = out.error.message;
      if (out.ok()) r.page = &out.value;
      break;
    }
    case Endpoint::create_issue:
    case Endpoint::update_issue:
    case Endpoint::get_issue: {
      const auto& out = *static_cast<const ApiResult<agent::Issue>*>(op.out);
      r.status = out.status;
      r.message = out.error.message;
      if (op.endpoint == Endpoint::create_issue && out.ok()) r.number = out.value.number;
      break;
    }
    case Endpoint::create_comment: {
      const auto& out = *static_cast<const ApiResult<agent::Comment>*>(op.out);
      r.status = out.status;
      r.message = out.error.message;
      break;
    }
    case Endpoint::create_ref:
    case Endpoint::get_ref: {
      const auto& out = *static_cast<const ApiResult<agent::GitRef>*>(op.out);
      r.status = out.status;
      r.message = out.error.message;
      break;
    }
    default: break;
  }
  observer_->api_response(flavor_, r);
}

}  // namespace coordsim::sim
