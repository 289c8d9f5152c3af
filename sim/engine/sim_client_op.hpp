#pragma once
// A request on the simulated client's slow path (faults, rate limits,
// timeouts), shared by sim_client_slow.cpp and the observer reporting in
// sim_observe.cpp. Unlike the plain path it copies its request, because the
// client may give up (timeout) before the write commits and the agent then
// moves on with its buffers; and it keeps its own result until the response
// is due. Recycled through the client's free list.
#include <coroutine>
#include <string>
#include <type_traits>

#include "sim/engine/sim_github_client.hpp"

namespace coordsim::sim {

struct SimGitHubClient::Op {
  SimGitHubClient* client = nullptr;
  agent::Endpoint endpoint{};
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

  // The op's own result of the type the agent's slot has (endpoint_slots.hpp).
  template <class T>
  agent::ApiResult<T>& own() {
    if constexpr (std::is_same_v<T, agent::Issue>) return issue_result;
    else if constexpr (std::is_same_v<T, agent::IssuePage>) return page_result;
    else if constexpr (std::is_same_v<T, agent::Comment>) return comment_result;
    else return ref_result;
  }
};

}  // namespace coordsim::sim
