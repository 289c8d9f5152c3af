#pragma once
// `coordsim serve`'s socket side: an HTTP/1.1 (optionally HTTPS) server on
// one thread per core (an io_context each; a connection lives on one)
// that hands each request to the Router after the drawn
// request latency and sends its response after the response latency, with
// timers, so that one slow request never holds up another connection.
// Boost.Beast and Asio appear only in server.cpp.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "agent/time.hpp"
#include "sim/http/message.hpp"
#include "sim/http/router.hpp"

namespace coordsim::sim::http {

struct ServerOptions {
  std::string host = "127.0.0.1";  // an IP address, or "localhost"
  std::uint16_t port = 0;          // 0: a free port, chosen by the system
  std::string tls_cert;            // PEM files: both set serves HTTPS
  std::string tls_key;
  bool log_requests = false;       // method, path, status, duration to stderr; never headers
  // A connection that sends nothing (or too slowly) for this long is closed.
  std::chrono::milliseconds idle_timeout{30'000};
  // At the cap a new connection closes the longest-idle one (a connection
  // waiting for its next request); if every one is busy it gets a 503.
  std::size_t max_connections = 10'000;
  unsigned threads = 0;  // threads serving connections; 0: one per core
};

class Server {
 public:
  // Binds and listens; throws std::runtime_error with a message for the user
  // (address in use, unreadable certificate, ...). The model clock starts at
  // `clock_start` (a loaded state continues its saved clock).
  Server(Router& router, ServerOptions options, agent::Time clock_start = agent::Time{0});
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // "http://127.0.0.1:PORT/api/v3": what clients take as their base URL.
  std::string url() const;
  std::uint16_t port() const;
  // Serves until SIGINT or SIGTERM (or stop()); then closes every connection.
  void run();
  // Safe from any thread.
  void stop();
  // Model time now: microseconds since the clock's origin.
  agent::Time now() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Parses one raw HTTP/1.1 request with the server's parser and limits, as the
// fuzz tests need it without sockets. Nullopt (and a reason) when the server
// would reject the bytes or needs more of them.
std::optional<Request> parse_raw_request(std::string_view raw, std::string* reason = nullptr);

}  // namespace coordsim::sim::http
