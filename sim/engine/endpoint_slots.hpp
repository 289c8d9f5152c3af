#pragma once
// Which request and result types each simulated endpoint has, written once.
// A flavor's client keeps its one in-flight request and result slot
// type-erased (no allocation per call, the trial's hot path); every place
// that reads them back names the endpoint and gets the type from here.
//
// search_issues and delete_ref are not simulated (no protocol calls them in a
// trial): reaching one aborts with a message in every build, where an
// assert(false) was silent in Release.
#include <string>

#include "agent/github_types.hpp"

namespace coordsim::sim {

template <agent::Endpoint E>
struct EndpointSlots;  // undefined for the endpoints the simulator does not serve

template <>
struct EndpointSlots<agent::Endpoint::list_issues> {
  using Request = agent::ListIssuesQuery;
  using Result = agent::IssuePage;
};
template <>
struct EndpointSlots<agent::Endpoint::get_issue> {
  using Request = void;  // the issue number
  using Result = agent::Issue;
};
template <>
struct EndpointSlots<agent::Endpoint::create_issue> {
  using Request = agent::NewIssue;
  using Result = agent::Issue;
};
template <>
struct EndpointSlots<agent::Endpoint::update_issue> {
  using Request = agent::IssuePatch;  // and the issue number
  using Result = agent::Issue;
};
template <>
struct EndpointSlots<agent::Endpoint::create_comment> {
  using Request = std::string;  // the body, and the issue number
  using Result = agent::Comment;
};
template <>
struct EndpointSlots<agent::Endpoint::create_ref> {
  using Request = std::string;  // the ref; the second request is the target sha
  using Result = agent::GitRef;
};
template <>
struct EndpointSlots<agent::Endpoint::get_ref> {
  using Request = std::string;  // the ref
  using Result = agent::GitRef;
};

template <agent::Endpoint E>
using ResultOf = agent::ApiResult<typename EndpointSlots<E>::Result>;

template <agent::Endpoint E>
ResultOf<E>& result_slot(void* out) {
  return *static_cast<ResultOf<E>*>(out);
}
template <agent::Endpoint E>
const typename EndpointSlots<E>::Request& request_slot(const void* request) {
  return *static_cast<const typename EndpointSlots<E>::Request*>(request);
}

[[noreturn, gnu::cold]] void unsimulated_endpoint(agent::Endpoint e, const char* where);

// Calls f(result) with the slot typed for endpoint e: for code that treats
// every endpoint's result alike (status, message).
template <class F>
decltype(auto) with_result_slot(agent::Endpoint e, void* out, F&& f) {
  using agent::Endpoint;
  switch (e) {
    case Endpoint::list_issues: return f(result_slot<Endpoint::list_issues>(out));
    case Endpoint::get_issue: return f(result_slot<Endpoint::get_issue>(out));
    case Endpoint::create_issue: return f(result_slot<Endpoint::create_issue>(out));
    case Endpoint::update_issue: return f(result_slot<Endpoint::update_issue>(out));
    case Endpoint::create_comment: return f(result_slot<Endpoint::create_comment>(out));
    case Endpoint::create_ref: return f(result_slot<Endpoint::create_ref>(out));
    case Endpoint::get_ref: return f(result_slot<Endpoint::get_ref>(out));
    default: unsimulated_endpoint(e, "result slot");
  }
}

}  // namespace coordsim::sim
