#pragma once
// An HTTP request and response as plain values: what the router sees and
// returns. The socket side (server.cpp) converts Beast's messages to and from
// these, so the router and its tests need no Beast or Asio.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace coordsim::sim::http {

struct Header {
  std::string name;  // lower-case
  std::string value;
};

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string target;  // origin-form: "/api/v3/repos/o/r/issues?state=open"
  std::vector<Header> headers;
  std::string body;
  std::string scheme = "http";  // "https" behind TLS: absolute URLs in responses use it
  std::string remote;           // client address, for anonymous rate limiting

  // The first header of that (lower-case) name, or nullptr.
  const std::string* header(std::string_view name) const {
    for (const Header& h : headers)
      if (h.name == name) return &h.value;
    return nullptr;
  }
};

struct Response {
  int status = 200;
  std::vector<Header> headers;  // content-type and content-length are set by the server
  std::string body;             // JSON, or empty (204)
  // With --state: the journal line that must be on disk before this response
  // is sent (the write it acknowledges, or the latest write a read could
  // show); 0 for none.
  std::uint64_t durable_seq = 0;

  void set(std::string name, std::string value) { headers.push_back({std::move(name), std::move(value)}); }
};

}  // namespace coordsim::sim::http
