#pragma once
// HTTP/1.1 and HTTPS to one API base over Boost.Beast, on the runtime's
// io_context: one keep-alive connection, a deadline per request, TLS with
// certificate and host-name verification (the system's trust store, or
// --ca-file), and an HTTP proxy (CONNECT for HTTPS) from the environment.
// Beast and Asio are included by http_transport.cpp only.
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "agent/real/http_types.hpp"
#include "agent/real/url.hpp"

namespace boost::asio {
class io_context;
}

namespace coordsim::agent::real {

struct TransportOptions {
  Url base;                  // --api-url: requests go to base.path + target
  std::optional<Url> proxy;  // from proxy_for(); none: direct
  std::string ca_file;       // PEM bundle to trust instead of the system store
  std::chrono::milliseconds timeout{30'000};  // per request: connect, send and receive
  std::string user_agent = "coordsim/0.1.0";
  // Sent as "Authorization: Bearer <token>" when not empty. Never logged, and
  // never part of an error message.
  std::string token;
};

class HttpTransport final : public Transport {
 public:
  // Throws std::invalid_argument naming --ca-file when the bundle cannot be
  // loaded. The io_context must outlive the transport.
  HttpTransport(boost::asio::io_context& io, TransportOptions options);
  ~HttpTransport() override;
  HttpTransport(const HttpTransport&) = delete;
  HttpTransport& operator=(const HttpTransport&) = delete;

  void send(HttpRequest request, Callback done) override;
  void expire(std::string why) override;

  // Connections opened so far (1 for a whole decision when keep-alive works).
  int connections_opened() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace coordsim::agent::real
