// The only translation unit with Beast and Asio (they dominate compile time).
#include "sim/http/server.hpp"

#include <atomic>
#include <cstdio>
#include <stdexcept>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "sim/http/rest_render.hpp"
#include "sim/http/query.hpp"

namespace coordsim::sim::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::uint32_t kMaxHeaderBytes = 64 * 1024;

using BeastRequest = bhttp::request<bhttp::string_body>;
using BeastResponse = bhttp::response<bhttp::string_body>;

void configure(bhttp::request_parser<bhttp::string_body>& parser) {
  parser.body_limit(kMaxBodyBytes);
  parser.header_limit(kMaxHeaderBytes);
}

Request to_request(const BeastRequest& in, std::string scheme, std::string remote) {
  Request r;
  r.method = std::string(in.method_string());
  r.target = std::string(in.target());
  for (const auto& field : in) r.headers.push_back({to_lower(field.name_string()), std::string(field.value())});
  r.body = in.body();
  r.scheme = std::move(scheme);
  r.remote = std::move(remote);
  return r;
}

BeastResponse to_beast(const Response& in, unsigned version, bool keep_alive) {
  BeastResponse res{static_cast<bhttp::status>(in.status), version};
  res.set(bhttp::field::server, "coordsim");
  if (!in.body.empty()) res.set(bhttp::field::content_type, "application/json; charset=utf-8");
  for (const Header& h : in.headers) res.set(h.name, h.value);
  res.body() = in.body;
  res.keep_alive(keep_alive);
  res.prepare_payload();
  return res;
}

// A response the server makes itself (the router never saw the request).
Response server_error(int status, std::string_view message) {
  Response r;
  r.status = status;
  r.body = error_json(message).dump();
  return r;
}

}  // namespace

struct Server::Impl {
  Router& router;
  ServerOptions options;
  // Before the io_context: TLS streams in coroutine frames that the
  // io_context's destructor destroys still refer to it.
  std::optional<asio::ssl::context> tls;
  asio::io_context ioc{1};
  tcp::acceptor acceptor{ioc};
  asio::signal_set signals{ioc, SIGINT, SIGTERM};
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  agent::Time clock_start{};
  std::size_t connections = 0;
  std::atomic<bool> stopping{false};

  Impl(Router& r, ServerOptions o, agent::Time clock) : router(r), options(std::move(o)), clock_start(clock) {}

  agent::Time now() const {
    return clock_start +
           std::chrono::duration_cast<agent::Duration>(std::chrono::steady_clock::now() - start);
  }

  void log(const Request& req, int status, std::chrono::steady_clock::time_point began) const {
    if (!options.log_requests) return;
    // Method, path and status only: never headers (Authorization) or the query.
    const std::string_view target = req.target;
    const std::string_view path = target.substr(0, target.find('?'));
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - began).count();
    std::fprintf(stderr, "%s %.*s %d %.1f ms\n", req.method.c_str(), static_cast<int>(std::min<std::size_t>(path.size(), 512)),
                 path.data(), status, ms);
  }

  // Waits `d` on a timer: other connections proceed meanwhile.
  static asio::awaitable<void> wait(agent::Duration d) {
    if (d <= agent::Duration::zero()) co_return;
    asio::steady_timer timer(co_await asio::this_coro::executor);
    timer.expires_after(d);
    co_await timer.async_wait(kUseTuple);
  }

  template <class Stream>
  asio::awaitable<void> serve_connection(Stream& stream, std::string scheme, std::string remote) {
    beast::flat_buffer buffer;
    for (;;) {
      bhttp::request_parser<bhttp::string_body> parser;
      configure(parser);
      beast::get_lowest_layer(stream).expires_after(options.idle_timeout);
      auto [ec, n] = co_await bhttp::async_read_header(stream, buffer, parser, kUseTuple);
      if (!ec && parser.get()[bhttp::field::expect] == "100-continue" && !parser.is_done()) {
        // curl asks before sending a large body; answer rather than make it wait.
        bhttp::response<bhttp::empty_body> cont{bhttp::status::continue_, parser.get().version()};
        beast::get_lowest_layer(stream).expires_after(options.idle_timeout);
        std::tie(ec, n) = co_await bhttp::async_write(stream, cont, kUseTuple);
      }
      if (!ec && !parser.is_done()) {
        beast::get_lowest_layer(stream).expires_after(options.idle_timeout);
        std::tie(ec, n) = co_await bhttp::async_read(stream, buffer, parser, kUseTuple);
      }
      if (ec) {
        // A clean close, a timeout or a reset ends the connection quietly; bad
        // bytes get GitHub-style JSON first.
        int status = 0;
        if (ec == bhttp::error::body_limit) status = 413;
        else if (ec == bhttp::error::header_limit) status = 431;
        else if (ec.category() == bhttp::make_error_code(bhttp::error::end_of_stream).category() && ec != bhttp::error::end_of_stream &&
                 ec != bhttp::error::partial_message)
          status = 400;
        if (status) {
          const char* message = status == 413   ? "Request body too large (the limit is 1 MiB)"
                                : status == 431 ? "Request header fields too large"
                                                : "Problems parsing the HTTP request";
          BeastResponse res = to_beast(server_error(status, message), 11, false);
          beast::get_lowest_layer(stream).expires_after(options.idle_timeout);
          co_await bhttp::async_write(stream, res, kUseTuple);
        }
        co_return;
      }
      const auto began = std::chrono::steady_clock::now();
      const BeastRequest& breq = parser.get();
      const Request req = to_request(breq, scheme, remote);
      const bool keep_alive = breq.keep_alive() && !stopping;
      // The request's effect happens after its request latency, its response
      // leaves after the response latency: timers, not sleeps.
      beast::get_lowest_layer(stream).expires_never();
      const Timing timing = router.plan(req);
      co_await wait(timing.request);
      const Response response = router.handle(req, now(), timing.fault);
      co_await wait(timing.response);
      BeastResponse res = to_beast(response, breq.version(), keep_alive);
      beast::get_lowest_layer(stream).expires_after(options.idle_timeout);
      auto [wec, wn] = co_await bhttp::async_write(stream, res, kUseTuple);
      log(req, response.status, began);
      if (wec || !keep_alive) co_return;
    }
  }

  asio::awaitable<void> session(tcp::socket socket) {
    ++connections;
    std::string remote;
    {
      boost::system::error_code ec;
      const auto ep = socket.remote_endpoint(ec);
      if (!ec) remote = ep.address().to_string();
    }
    try {
      beast::tcp_stream stream(std::move(socket));
      if (tls) {
        beast::ssl_stream<beast::tcp_stream> tls_stream(std::move(stream), *tls);
        beast::get_lowest_layer(tls_stream).expires_after(options.idle_timeout);
        auto [ec] = co_await tls_stream.async_handshake(asio::ssl::stream_base::server, kUseTuple);
        if (!ec) {
          co_await serve_connection(tls_stream, "https", remote);
          beast::get_lowest_layer(tls_stream).expires_after(std::chrono::seconds(2));
          co_await tls_stream.async_shutdown(kUseTuple);
        }
      } else {
        co_await serve_connection(stream, "http", remote);
        boost::system::error_code ec;
        stream.socket().shutdown(tcp::socket::shutdown_send, ec);
      }
    } catch (const std::exception& e) {
      // A connection's failure is its own: log it and keep serving the others.
      std::fprintf(stderr, "coordsim serve: connection from %s: %s\n", remote.c_str(), e.what());
    }
    --connections;
  }

  asio::awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, socket] = co_await acceptor.async_accept(kUseTuple);
      if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
      if (ec) {
        // EMFILE and friends: back off briefly instead of spinning.
        co_await wait(std::chrono::milliseconds(10));
        continue;
      }
      if (connections >= options.max_connections) {
        boost::system::error_code ignored;
        socket.close(ignored);
        continue;
      }
      asio::co_spawn(ioc, session(std::move(socket)), asio::detached);
    }
  }
};

Server::Server(Router& router, ServerOptions options, agent::Time clock_start)
    : impl_(std::make_unique<Impl>(router, std::move(options), clock_start)) {
  Impl& im = *impl_;
  if (im.options.tls_cert.empty() != im.options.tls_key.empty())
    throw std::runtime_error("--tls-cert and --tls-key go together");
  if (!im.options.tls_cert.empty()) {
    im.tls.emplace(asio::ssl::context::tls_server);
    im.tls->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                        asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                        asio::ssl::context::no_tlsv1_1);
    boost::system::error_code ec;
    im.tls->use_certificate_chain_file(im.options.tls_cert, ec);
    if (ec) throw std::runtime_error("--tls-cert " + im.options.tls_cert + ": cannot load a PEM certificate: " + ec.message());
    im.tls->use_private_key_file(im.options.tls_key, asio::ssl::context::pem, ec);
    if (ec) throw std::runtime_error("--tls-key " + im.options.tls_key + ": cannot load a PEM private key: " + ec.message());
  }
  const std::string host = im.options.host == "localhost" ? "127.0.0.1" : im.options.host;
  boost::system::error_code ec;
  const asio::ip::address address = asio::ip::make_address(host, ec);
  if (ec) throw std::runtime_error("--host " + im.options.host + ": not an IP address (use e.g. 127.0.0.1, ::1 or 0.0.0.0)");
  const tcp::endpoint endpoint{address, im.options.port};
  im.acceptor.open(endpoint.protocol(), ec);
  if (!ec) im.acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) im.acceptor.bind(endpoint, ec);
  if (!ec) im.acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    throw std::runtime_error("cannot listen on " + im.options.host + ":" + std::to_string(im.options.port) + ": " +
                             ec.message());
}

Server::~Server() = default;

std::uint16_t Server::port() const { return impl_->acceptor.local_endpoint().port(); }

std::string Server::url() const {
  const auto ep = impl_->acceptor.local_endpoint();
  std::string host = ep.address().to_string();
  if (ep.address().is_v6()) host = "[" + host + "]";
  return std::string(impl_->tls ? "https" : "http") + "://" + host + ":" + std::to_string(ep.port()) + "/api/v3";
}

agent::Time Server::now() const { return impl_->now(); }

void Server::run() {
  Impl& im = *impl_;
  im.signals.async_wait([this](const boost::system::error_code& ec, int) {
    if (!ec) stop();
  });
  asio::co_spawn(im.ioc, im.accept_loop(), asio::detached);
  im.ioc.run();
}

void Server::stop() {
  Impl& im = *impl_;
  im.stopping = true;
  asio::post(im.ioc, [&im] {
    boost::system::error_code ignored;
    im.acceptor.close(ignored);
    im.signals.cancel(ignored);
    // Pending sessions are destroyed with the io_context: their sockets close.
    im.ioc.stop();
  });
}

std::optional<Request> parse_raw_request(std::string_view raw, std::string* reason) {
  bhttp::request_parser<bhttp::string_body> parser;
  configure(parser);
  parser.eager(true);
  boost::system::error_code ec;
  std::size_t used = 0;
  while (used < raw.size() && !parser.is_done()) {
    const std::size_t n = parser.put(asio::buffer(raw.data() + used, raw.size() - used), ec);
    if (ec == bhttp::error::need_more) {
      ec = {};
      break;
    }
    if (ec) break;
    if (n == 0) break;
    used += n;
  }
  if (!ec && !parser.is_done()) {
    if (!parser.got_some()) {
      if (reason) *reason = "empty request";
      return std::nullopt;
    }
    // The bytes end here, as a closed connection would end them (put_eof
    // requires that something was parsed).
    parser.put_eof(ec);
  }
  if (ec || !parser.is_done()) {
    if (reason) *reason = ec ? ec.message() : "incomplete request";
    return std::nullopt;
  }
  return to_request(parser.get(), "http", "127.0.0.1");
}

}  // namespace coordsim::sim::http
