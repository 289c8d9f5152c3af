// The plain path of the simulated GitHub client: one pending request, read in
// place, one event per read and two per write (docs/architecture.md).
#include "sim/engine/sim_github_client.hpp"

#include <cassert>
#include <utility>

#include "sim/engine/endpoint_slots.hpp"

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
      auto& out = result_slot<Endpoint::create_issue>(pending_.out);
      const auto& issue = request_slot<Endpoint::create_issue>(pending_.request);
      // The issue as the repository now has it, as serve answers: a label
      // the repository already has keeps its spelling ("lock" given "LOCK").
      // Copying the request is that answer when the model kept its labels as
      // given (nearly always), and 260 instructions a trial cheaper.
      out.value.number = model_.create_issue(c, issue, draw_lags());
      if (model_.labels_as_given()) [[likely]] {
        out.value.state = agent::IssueState::open;
        out.value.title = issue.title;
        out.value.labels = issue.labels;
      } else {
        model_.latest_issue(out.value.number, out.value);
      }
      out.status = 201;
      break;
    }
    case Endpoint::update_issue: {
      auto& out = result_slot<Endpoint::update_issue>(pending_.out);
      const auto& patch = request_slot<Endpoint::update_issue>(pending_.request);
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
      auto& out = result_slot<Endpoint::create_comment>(pending_.out);
      const auto& body = request_slot<Endpoint::create_comment>(pending_.request);
      out.value.id = model_.add_comment(c, pending_.number, body, draw_lags());
      out.status = out.value.id ? 201 : 404;
      if (!out.value.id) out.error = {404, "Not Found", {}};
      break;
    }
    case Endpoint::create_ref: {
      auto& out = result_slot<Endpoint::create_ref>(pending_.out);
      const auto& ref = request_slot<Endpoint::create_ref>(pending_.request);
      const auto& sha = request_slot<Endpoint::create_ref>(pending_.request2);
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
    default: unsimulated_endpoint(pending_.endpoint, "commit");
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
      auto& out = result_slot<Endpoint::list_issues>(pending_.out);
      model_.list_issues(s, request_slot<Endpoint::list_issues>(pending_.request), out.value);
      out.status = 200;
      break;
    }
    case Endpoint::get_issue: {
      auto& out = result_slot<Endpoint::get_issue>(pending_.out);
      if (model_.get_issue(s, pending_.number, out.value)) {
        out.status = 200;
      } else {
        out.status = 404;
        out.error = {404, "Not Found", {}};
      }
      break;
    }
    case Endpoint::get_ref: {
      auto& out = result_slot<Endpoint::get_ref>(pending_.out);
      if (model_.get_ref(s, request_slot<Endpoint::get_ref>(pending_.request), out.value)) {
        out.status = 200;
      } else {
        out.status = 404;
        out.error = {404, "Not Found", {}};
      }
      break;
    }
    default: unsimulated_endpoint(pending_.endpoint, "read");
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

}  // namespace coordsim::sim
