#pragma once
// An HTTP exchange as the REST client sees it, without Beast: the transport
// fills these, everything above it (JSON mapping, error mapping, tests) reads
// them.
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace coordsim::agent::real {

struct HttpRequest {
  std::string method;  // "GET", "POST", "PATCH", "DELETE"
  std::string target;  // path and query below the API base: "/repos/o/r/issues?state=open"
  std::string body;    // JSON, or empty
};

struct HttpResponse {
  int status = 0;  // 0: no response (timeout, connection or TLS failure)
  std::vector<std::pair<std::string, std::string>> headers;  // names in lower case
  std::string body;
  std::string error;  // when status is 0: what went wrong, safe to print

  // The first header named `name` (lower case), or empty.
  std::string_view header(std::string_view name) const {
    for (const auto& [n, v] : headers)
      if (n == name) return v;
    return {};
  }
  bool has_header(std::string_view name) const {
    for (const auto& h : headers)
      if (h.first == name) return true;
    return false;
  }
};

// Where requests go: HttpTransport (Beast, sockets) in real use, a scripted
// fake in unit tests. One request is in flight at a time; more are queued.
class Transport {
 public:
  using Callback = std::function<void(HttpResponse)>;
  virtual ~Transport() = default;
  // Sends `request`; `done` runs later from the event loop, never from within
  // send(), so a caller may resume a coroutine from it.
  virtual void send(HttpRequest request, Callback done) = 0;
  // From now on every request fails at once (status 0, `why`), and the one in
  // flight is abandoned with the same answer: the decision deadline passed.
  virtual void expire(std::string why) = 0;
};

}  // namespace coordsim::agent::real
