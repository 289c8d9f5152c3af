// What the simulated GitHub client tells an attached TrialObserver. Kept apart
// from sim_ports.cpp so that the hot path there holds only the calls, each
// behind a null check.
#include "sim/engine/sim_ports.hpp"

namespace coordsim::sim {

using agent::ApiResult;
using agent::Endpoint;

namespace {
template <class T>
const ApiResult<T>& result(void* out) {
  return *static_cast<const ApiResult<T>*>(out);
}
}  // namespace

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
      r.page = static_cast<const agent::ListIssuesQuery*>(pending_.request)->page;
      break;
    case Endpoint::get_issue:
    case Endpoint::create_comment: r.number = pending_.number; break;
    case Endpoint::update_issue: {
      r.number = pending_.number;
      const auto& patch = *static_cast<const agent::IssuePatch*>(pending_.request);
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
      const auto& out = result<agent::Issue>(pending_.out);
      r.status = out.status;
      r.message = out.error.message;
      w.number = r.number = out.value.number;
      if (out.ok()) visible = model_.latest_visibility(w.number);
      break;
    }
    case Endpoint::update_issue: {
      const auto& out = result<agent::Issue>(pending_.out);
      const auto& patch = *static_cast<const agent::IssuePatch*>(pending_.request);
      r.status = out.status;
      r.message = out.error.message;
      w.number = r.number = pending_.number;
      w.closes = patch.set_state && patch.state == agent::IssueState::closed;
      if (out.ok()) visible = model_.latest_visibility(w.number);
      break;
    }
    case Endpoint::create_comment: {
      const auto& out = result<agent::Comment>(pending_.out);
      r.status = out.status;
      r.message = out.error.message;
      w.number = r.number = pending_.number;
      w.comment = out.value.id;
      if (out.ok()) visible = model_.comment_visibility(w.comment);
      break;
    }
    case Endpoint::create_ref: {
      const auto& out = result<agent::GitRef>(pending_.out);
      r.status = out.status;
      r.message = out.error.message;
      Time at{};
      if (out.ok() && model_.ref_visibility(*static_cast<const std::string*>(pending_.request), at)) {
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
      const auto& out = result<agent::IssuePage>(pending_.out);
      r.status = out.status;
      r.message = out.error.message;
      r.page = &out.value;
      break;
    }
    case Endpoint::get_issue: {
      const auto& out = result<agent::Issue>(pending_.out);
      r.status = out.status;
      r.message = out.error.message;
      r.number = pending_.number;
      break;
    }
    case Endpoint::get_ref: {
      const auto& out = result<agent::GitRef>(pending_.out);
      r.status = out.status;
      r.message = out.error.message;
      break;
    }
    default: break;
  }
  observer_->api_response(flavor_, r);
}

}  // namespace coordsim::sim
