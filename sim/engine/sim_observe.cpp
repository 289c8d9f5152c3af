// What the simulated ports tell an attached TrialObserver, on the client's
// plain and slow paths. Kept apart from sim_client_fast.cpp so that the hot
// path there holds only the calls, each behind a null check.
#include <cstdio>
#include <cstdlib>
#include <type_traits>

#include "sim/engine/endpoint_slots.hpp"
#include "sim/engine/sim_client_op.hpp"
#include "sim/engine/sim_llm.hpp"

namespace coordsim::sim {

using agent::ApiResult;
using agent::Endpoint;

bool SimClock::observe_sleep(Time from, Duration d) const {
  observer_->sleep(flavor_, from, d);
  return false;
}

void SimLlm::observe_analysis() const {
  observer_->analysis(flavor_, clock_.now(), clock_.now() + duration_, result_);
}

void SimGitHubClient::observe_send() const {
  ApiRequestInfo r;
  r.endpoint = pending_.endpoint;
  r.sent = clock_.now();
  r.effect = pending_.effect;
  r.delivered = pending_.effect + pending_.response_latency;
  switch (pending_.endpoint) {
    case Endpoint::list_issues:
      r.page = request_slot<Endpoint::list_issues>(pending_.request).page;
      break;
    case Endpoint::get_issue:
    case Endpoint::create_comment: r.number = pending_.number; break;
    case Endpoint::update_issue: {
      r.number = pending_.number;
      const auto& patch = request_slot<Endpoint::update_issue>(pending_.request);
      r.closes = patch.set_state && patch.state == agent::IssueState::closed;
      break;
    }
    default: break;
  }
  observer_->api_sent(flavor_, r);
}

void SimGitHubClient::observe_commit(Time c) const {
  WriteInfo w;
  w.endpoint = pending_.endpoint;
  w.commit = c;
  ApiResponseInfo r;
  r.endpoint = pending_.endpoint;
  r.delivered = c + pending_.response_latency;
  const std::array<Time, kReadPathCount>* visible = nullptr;
  switch (pending_.endpoint) {
    case Endpoint::create_issue: {
      const auto& out = result_slot<Endpoint::create_issue>(pending_.out);
      r.status = out.status;
      r.message = out.error.message;
      w.number = r.number = out.value.number;
      if (out.ok()) visible = model_.latest_visibility(w.number);
      break;
    }
    case Endpoint::update_issue: {
      const auto& out = result_slot<Endpoint::update_issue>(pending_.out);
      const auto& patch = request_slot<Endpoint::update_issue>(pending_.request);
      r.status = out.status;
      r.message = out.error.message;
      w.number = r.number = pending_.number;
      w.closes = patch.set_state && patch.state == agent::IssueState::closed;
      if (out.ok()) visible = model_.latest_visibility(w.number);
      break;
    }
    case Endpoint::create_comment: {
      const auto& out = result_slot<Endpoint::create_comment>(pending_.out);
      r.status = out.status;
      r.message = out.error.message;
      w.number = r.number = pending_.number;
      w.comment = out.value.id;
      if (out.ok()) visible = model_.comment_visibility(w.comment);
      break;
    }
    case Endpoint::create_ref: {
      const auto& out = result_slot<Endpoint::create_ref>(pending_.out);
      r.status = out.status;
      r.message = out.error.message;
      Time at{};
      if (out.ok() && model_.ref_visibility(request_slot<Endpoint::create_ref>(pending_.request), at)) {
        const auto refs = static_cast<std::size_t>(ReadPath::refs);
        w.visible[refs] = at;
        w.has_path[refs] = true;
      }
      break;
    }
    default: break;
  }
  if (visible) {
    w.visible = *visible;
    for (int p = 0; p < kReadPathCount; ++p) w.has_path[static_cast<std::size_t>(p)] = p != static_cast<int>(ReadPath::refs);
  }
  w.status = r.status;
  observer_->api_committed(flavor_, w);
  observer_->api_response(flavor_, r);
}

void SimGitHubClient::observe_read() const {
  observer_->api_snapshot(flavor_, pending_.endpoint, pending_.effect);
  ApiResponseInfo r;
  r.endpoint = pending_.endpoint;
  r.delivered = pending_.effect + pending_.response_latency;
  switch (pending_.endpoint) {
    case Endpoint::list_issues: {
      const auto& out = result_slot<Endpoint::list_issues>(pending_.out);
      r.status = out.status;
      r.message = out.error.message;
      r.page = &out.value;
      break;
    }
    case Endpoint::get_issue: {
      const auto& out = result_slot<Endpoint::get_issue>(pending_.out);
      r.status = out.status;
      r.message = out.error.message;
      r.number = pending_.number;
      break;
    }
    case Endpoint::get_ref: {
      const auto& out = result_slot<Endpoint::get_ref>(pending_.out);
      r.status = out.status;
      r.message = out.error.message;
      break;
    }
    default: break;
  }
  observer_->api_response(flavor_, r);
}

// --- the slow path ------------------------------------------------------------

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
    // Without an effect the op's results are those of its previous use (ops
    // are recycled across trials): only the status below is this request's.
    case Endpoint::create_issue:
      w.status = op.issue_result.status;
      w.number = effect ? op.issue_result.value.number : 0;
      if (effect && op.issue_result.ok()) visible = model_.latest_visibility(w.number);
      break;
    case Endpoint::update_issue:
      w.status = op.issue_result.status;
      if (effect && op.issue_result.ok()) visible = model_.latest_visibility(w.number);
      break;
    case Endpoint::create_comment:
      w.status = op.comment_result.status;
      w.comment = effect ? op.comment_result.value.id : 0;
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
  with_result_slot(op.endpoint, op.out, [&](const auto& out) {
    using T = std::remove_cvref_t<decltype(out.value)>;
    r.status = out.status;
    r.message = out.error.message;
    if constexpr (std::is_same_v<T, agent::IssuePage>) {
      if (out.ok()) r.page = &out.value;
    } else if constexpr (std::is_same_v<T, agent::Issue>) {
      if (op.endpoint == Endpoint::create_issue && out.ok()) r.number = out.value.number;
    }
  });
  observer_->api_response(flavor_, r);
}

void unsimulated_endpoint(agent::Endpoint e, const char* where) {
  std::fprintf(stderr, "coordsim: internal error: %s reached the simulated client's %s\n", agent::endpoint_name(e), where);
  std::abort();
}

}  // namespace coordsim::sim
