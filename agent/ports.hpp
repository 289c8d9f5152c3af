#pragma once
// The three ports a protocol awaits: clock, GitHub API, LLM. Each runtime (the
// virtual-time simulator, the Asio/Beast real runtime) implements them; the
// protocol code is the same for both. An operation is started through a virtual
// call and completes by resuming the awaiting coroutine, so a port call costs one
// indirect call and no allocation.
#include <coroutine>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>

#include "agent/github_types.hpp"
#include "agent/time.hpp"

namespace coordsim::agent {

// Awaiter shared by every port operation: `start(out, h)` begins the operation;
// the runtime fills `out` and resumes `h` when it completes.
template <class R, class Start>
struct PortCall {
  Start start;
  R out{};
  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h) { start(out, h); }
  R await_resume() { return std::move(out); }
};
template <class R, class Start>
PortCall<R, Start> port_call(Start s) {
  return PortCall<R, Start>{std::move(s)};
}

// The same, delivering into a result slot the caller owns and reuses. Nothing
// is constructed, moved or destroyed per call, and a reused slot's strings and
// vectors keep their capacity: the simulator makes millions of calls through a
// handful of slots. The runtime overwrites `status` and, per status, `value` or
// `error`; the other member is left as it was, so read `value` only when ok().
template <class R, class Start>
struct PortCallInto {
  Start start;
  R& out;
  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h) { start(out, h); }
  R& await_resume() noexcept { return out; }
};
template <class R, class Start>
PortCallInto<R, Start> port_call_into(R& out, Start s) {
  return PortCallInto<R, Start>{std::move(s), out};
}

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Time now() const = 0;
  // Arranges for `h` to resume `d` from now and returns true, or, where the
  // runtime can advance this agent's clock without suspending it, does so and
  // returns false (the coroutine then continues at once, `d` later in its time).
  virtual bool sleep_then_resume(Duration d, std::coroutine_handle<> h) = 0;
  // Uniform in [0, 1), for retry jitter: the simulator draws it from the
  // agent's own stream (reproducible), the real runtime from the OS.
  virtual double random01() = 0;

  auto sleep(Duration d) {
    struct Awaiter {
      Clock* clock;
      Duration d;
      bool await_ready() const noexcept { return false; }
      bool await_suspend(std::coroutine_handle<> h) { return clock->sleep_then_resume(d, h); }
      void await_resume() const noexcept {}
    };
    return Awaiter{this, d};
  }
};

// One client's view of one repository. Requests are passed by reference: the
// referenced values live in the awaiting coroutine until it resumes.
class GitHubApi {
 public:
  virtual ~GitHubApi() = default;

  virtual void start_list_issues(const ListIssuesQuery& q, ApiResult<IssuePage>& out,
                                 std::coroutine_handle<> h) = 0;
  virtual void start_get_issue(std::int64_t number, ApiResult<Issue>& out,
                               std::coroutine_handle<> h) = 0;
  virtual void start_create_issue(const NewIssue& issue, ApiResult<Issue>& out,
                                  std::coroutine_handle<> h) = 0;
  virtual void start_update_issue(std::int64_t number, const IssuePatch& patch,
                                  ApiResult<Issue>& out, std::coroutine_handle<> h) = 0;
  virtual void start_create_comment(std::int64_t number, const std::string& body,
                                    ApiResult<Comment>& out, std::coroutine_handle<> h) = 0;
  virtual void start_create_ref(const std::string& ref, const std::string& sha,
                                ApiResult<GitRef>& out, std::coroutine_handle<> h) = 0;
  virtual void start_get_ref(const std::string& ref, ApiResult<GitRef>& out,
                             std::coroutine_handle<> h) = 0;

  auto list_issues(const ListIssuesQuery& q) {
    return port_call<ApiResult<IssuePage>>(
        [this, &q](auto& out, std::coroutine_handle<> h) { start_list_issues(q, out, h); });
  }
  auto list_issues(const ListIssuesQuery& q, ApiResult<IssuePage>& into) {
    return port_call_into(
        into, [this, &q](auto& out, std::coroutine_handle<> h) { start_list_issues(q, out, h); });
  }
  auto get_issue(std::int64_t number) {
    return port_call<ApiResult<Issue>>(
        [this, number](auto& out, std::coroutine_handle<> h) { start_get_issue(number, out, h); });
  }
  auto get_issue(std::int64_t number, ApiResult<Issue>& into) {
    return port_call_into(
        into, [this, number](auto& out, std::coroutine_handle<> h) { start_get_issue(number, out, h); });
  }
  auto create_issue(const NewIssue& issue) {
    return port_call<ApiResult<Issue>>(
        [this, &issue](auto& out, std::coroutine_handle<> h) { start_create_issue(issue, out, h); });
  }
  auto create_issue(const NewIssue& issue, ApiResult<Issue>& into) {
    return port_call_into(
        into, [this, &issue](auto& out, std::coroutine_handle<> h) { start_create_issue(issue, out, h); });
  }
  auto update_issue(std::int64_t number, const IssuePatch& patch) {
    return port_call<ApiResult<Issue>>([this, number, &patch](auto& out, std::coroutine_handle<> h) {
      start_update_issue(number, patch, out, h);
    });
  }
  auto update_issue(std::int64_t number, const IssuePatch& patch, ApiResult<Issue>& into) {
    return port_call_into(into, [this, number, &patch](auto& out, std::coroutine_handle<> h) {
      start_update_issue(number, patch, out, h);
    });
  }
  auto create_comment(std::int64_t number, const std::string& body) {
    return port_call<ApiResult<Comment>>([this, number, &body](auto& out, std::coroutine_handle<> h) {
      start_create_comment(number, body, out, h);
    });
  }
  auto create_ref(const std::string& ref, const std::string& sha) {
    return port_call<ApiResult<GitRef>>([this, &ref, &sha](auto& out, std::coroutine_handle<> h) {
      start_create_ref(ref, sha, out, h);
    });
  }
  auto create_ref(const std::string& ref, const std::string& sha, ApiResult<GitRef>& into) {
    return port_call_into(into, [this, &ref, &sha](auto& out, std::coroutine_handle<> h) {
      start_create_ref(ref, sha, out, h);
    });
  }
  auto get_ref(const std::string& ref) {
    return port_call<ApiResult<GitRef>>(
        [this, &ref](auto& out, std::coroutine_handle<> h) { start_get_ref(ref, out, h); });
  }
  auto get_ref(const std::string& ref, ApiResult<GitRef>& into) {
    return port_call_into(
        into, [this, &ref](auto& out, std::coroutine_handle<> h) { start_get_ref(ref, out, h); });
  }
};

// Views, not copies: like every request it is read only while the call is in
// flight, and what it names (the agent's key) outlives the call. Copying the
// two strings per analysis was measurable in the simulator.
struct AnalysisRequest {
  std::string_view flavor;
  std::string_view signature;
};

struct AnalysisResult {
  std::int64_t tokens_in = 0;
  std::int64_t tokens_out = 0;
  double cost_usd = 0;
};

class Llm {
 public:
  virtual ~Llm() = default;
  virtual void start_analyze(const AnalysisRequest& req, AnalysisResult& out,
                             std::coroutine_handle<> h) = 0;
  auto analyze(const AnalysisRequest& req) {
    return port_call<AnalysisResult>(
        [this, &req](auto& out, std::coroutine_handle<> h) { start_analyze(req, out, h); });
  }
};

// Where a protocol narrates what it did and saw ("find: nothing (attempt 2/3)"),
// for timelines, traces and real-mode logs. Optional: a runtime that does not
// listen passes none, and then the protocol formats nothing (the simulator's
// hot path runs with none).
class Journal {
 public:
  virtual ~Journal() = default;
  virtual void note(std::string_view text) = 0;
};

// What a protocol runs with: the three ports and who/what it coordinates on.
struct Ports {
  Clock& clock;
  GitHubApi& github;
  Llm& llm;
  Journal* journal = nullptr;
};

namespace detail {
inline void append_note_part(std::string& s, std::string_view v) { s += v; }
inline void append_note_part(std::string& s, const char* v) { s += v; }
inline void append_note_part(std::string& s, const std::string& v) { s += v; }
template <class Int>
  requires std::is_integral_v<Int>
void append_note_part(std::string& s, Int v) {
  s += std::to_string(v);
}
}  // namespace detail

namespace detail {
// Out of line and cold: the hot path keeps only the null check.
template <class... Parts>
[[gnu::cold, gnu::noinline]] void write_note(Journal& journal, const Parts&... parts) {
  std::string text;
  (append_note_part(text, parts), ...);
  journal.note(text);
}
}  // namespace detail

// note(ports, "create -> #", n): concatenated only when someone listens. Always
// inlined, so that with no journal a note costs a load and a branch (called
// out of line it was 7% of a simulated trial's instructions).
template <class... Parts>
[[gnu::always_inline]] inline void note(const Ports& ports, const Parts&... parts) {
  if (ports.journal) [[unlikely]]
    detail::write_note(*ports.journal, parts...);
}

}  // namespace coordsim::agent
