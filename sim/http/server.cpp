// The only translation unit with Beast's parser and Asio (they dominate compile
// time); response_wire.cpp takes only Beast's status names.
#include "sim/http/server.hpp"

#include <atomic>
#include <cstdio>
#include <list>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "sim/http/response_wire.hpp"
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

// What RFC 9112 makes a 400 that Beast's parser lets through: a
// Transfer-Encoding whose last coding is not chunked (§6.3: the length is
// unknowable, so the bytes after the header cannot be trusted as a next
// request), and HTTP/1.1 without exactly one Host (§3.2). Empty when fine.
const char* conformance_error(const BeastRequest& req, bool chunked) {
  if (req.find(bhttp::field::transfer_encoding) != req.end() && !chunked)
    return "Transfer-Encoding without chunked as its last coding";
  if (req.version() >= 11 && req.count(bhttp::field::host) != 1)
    return req.count(bhttp::field::host) == 0 ? "HTTP/1.1 request without a Host header" : "more than one Host header";
  return nullptr;
}

// A response the server makes itself (the router never saw the request).
Response server_error(int status, std::string_view message) {
  Response r;
  r.status = status;
  r.body = error_json(message).dump();
  return r;
}

}  // namespace

// One connection as the listener sees it: whether it waits for a request
// (idle, evictable at the connection cap), and how to close it from outside.
struct Connection {
  asio::any_io_executor executor;  // the connection's io_context (one thread): its socket is touched only there
  tcp::socket* socket = nullptr;   // null once the session has ended
  bool idle = false;
  std::list<std::shared_ptr<Connection>>::iterator in_idle;  // valid while idle
};

struct Server::Impl {
  Router& router;
  ServerOptions options;
  // Before the io_context: TLS streams in coroutine frames that the
  // io_context's destructor destroys still refer to it.
  std::optional<asio::ssl::context> tls;
  // One io_context per thread, each run by its thread alone: a connection
  // lives on one of them, so its handlers need no strand and the threads share
  // no reactor (one shared io_context with a strand per connection cost ~10 µs
  // more server CPU per read: bench/serve-wrk.sh, 65 against 52 µs a GET /user).
  // The first also holds the listener and the signals.
  std::vector<std::unique_ptr<asio::io_context>> contexts = make_contexts(options.threads);
  asio::io_context& ioc = *contexts.front();
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> keep_running = guards(contexts);
  std::size_t next_context = 0;  // round robin, on the listener's thread
  tcp::acceptor acceptor{ioc};
  asio::signal_set signals{ioc, SIGINT, SIGTERM, SIGHUP};

  static std::vector<std::unique_ptr<asio::io_context>> make_contexts(unsigned threads) {
    const unsigned n = threads ? threads : std::max(1u, std::thread::hardware_concurrency());
    std::vector<std::unique_ptr<asio::io_context>> out;
    for (unsigned i = 0; i < n; ++i) out.push_back(std::make_unique<asio::io_context>(1));
    return out;
  }
  static std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards(
      const std::vector<std::unique_ptr<asio::io_context>>& contexts) {
    std::vector<asio::executor_work_guard<asio::io_context::executor_type>> out;
    for (const auto& c : contexts) out.push_back(asio::make_work_guard(*c));
    return out;
  }
  asio::io_context& pick_context() { return *contexts[next_context++ % contexts.size()]; }
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  agent::Time clock_start{};
  std::atomic<std::size_t> connections{0};
  std::atomic<bool> stopping{false};
  // Idle connections, longest idle first: at the cap the first is closed to
  // make room, so idle clients cannot lock busy ones out.
  std::mutex idle_mutex;
  std::list<std::shared_ptr<Connection>> idle;

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

  void set_idle(const std::shared_ptr<Connection>& c, bool now_idle) {
    std::lock_guard lock(idle_mutex);
    if (now_idle == c->idle) return;
    c->idle = now_idle;
    if (now_idle) c->in_idle = idle.insert(idle.end(), c);
    else idle.erase(c->in_idle);
  }

  // Closes the longest-idle connection, on its own thread; false if none is idle.
  bool evict_one() {
    std::shared_ptr<Connection> victim;
    {
      std::lock_guard lock(idle_mutex);
      if (idle.empty()) return false;
      victim = idle.front();
      idle.pop_front();
      victim->idle = false;
    }
    asio::post(victim->executor, [victim] {
      if (!victim->socket) return;
      boost::system::error_code ignored;
      victim->socket->shutdown(tcp::socket::shutdown_both, ignored);
      victim->socket->close(ignored);
    });
    return true;
  }

  // Waits `d` on a timer: other connections proceed meanwhile.
  static asio::awaitable<void> wait(agent::Duration d) {
    if (d <= agent::Duration::zero()) co_return;
    asio::steady_timer timer(co_await asio::this_coro::executor);
    timer.expires_after(d);
    co_await timer.async_wait(kUseTuple);
  }

  // Suspends until the router says journal line `seq` is on disk, without
  // holding up the thread: the journal's writer posts the wake-up.
  asio::awaitable<bool> durable(std::uint64_t seq) {
    struct Wait {
      explicit Wait(asio::any_io_executor ex) : timer(ex) {}
      asio::steady_timer timer;
      std::atomic<int> result{-1};
    };
    auto w = std::make_shared<Wait>(co_await asio::this_coro::executor);
    w->timer.expires_at(asio::steady_timer::time_point::max());
    router.when_durable(seq, [w](bool ok) {
      w->result = ok ? 1 : 0;
      asio::post(w->timer.get_executor(), [w] { w->timer.cancel(); });
    });
    while (w->result < 0) co_await w->timer.async_wait(kUseTuple);
    co_return w->result == 1;
  }

  template <class Stream>
  asio::awaitable<void> write_error(Stream& stream, int status, std::string_view message) {
    const std::string wire = wire_response(server_error(status, message), 11, false, false);
    beast::get_lowest_layer(stream).expires_after(options.idle_timeout);
    co_await asio::async_write(stream, asio::buffer(wire), kUseTuple);
  }

  template <class Stream>
  asio::awaitable<void> serve_connection(Stream& stream, std::string scheme, std::string remote,
                                         const std::shared_ptr<Connection>& conn) {
    beast::flat_buffer buffer;
    for (;;) {
      bhttp::request_parser<bhttp::string_body> parser;
      configure(parser);
      beast::get_lowest_layer(stream).expires_after(options.idle_timeout);
      // Waiting for a request with nothing of it received: evictable.
      if (buffer.size() == 0) set_idle(conn, true);
      auto [ec, n] = co_await bhttp::async_read_header(stream, buffer, parser, kUseTuple);
      set_idle(conn, false);
      if (!ec) {
        if (const char* bad = conformance_error(parser.get(), parser.chunked())) {
          co_await write_error(stream, 400, bad);
          co_return;  // and close: what follows the header cannot be trusted
        }
      }
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
          co_await write_error(stream, status, message);
        }
        co_return;
      }
      const auto began = std::chrono::steady_clock::now();
      const BeastRequest& breq = parser.get();
      const Request req = to_request(breq, scheme, remote);
      const bool keep_alive = breq.keep_alive() && !stopping;
      const bool head = breq.method() == bhttp::verb::head;
      // The request's effect happens after its request latency, its response
      // leaves after the response latency: timers, not sleeps.
      beast::get_lowest_layer(stream).expires_never();
      const Timing timing = router.plan(req);
      co_await wait(timing.request);
      Response response = router.handle(req, now(), timing.fault, timing.target ? &*timing.target : nullptr);
      // With --state, a write is acknowledged only once it is on disk (and a
      // read shows nothing that is not).
      if (response.durable_seq && !co_await durable(response.durable_seq))
        response = server_error(503, "coordsim serve cannot write its state journal (see its log)");
      co_await wait(timing.response);
      const int status = response.status;
      const std::string wire = wire_response(std::move(response), breq.version(), keep_alive, head);
      beast::get_lowest_layer(stream).expires_after(options.idle_timeout);
      auto [wec, wn] = co_await asio::async_write(stream, asio::buffer(wire), kUseTuple);
      log(req, status, began);
      if (wec || !keep_alive) co_return;
    }
  }

  asio::awaitable<void> session(tcp::socket socket) {
    auto conn = std::make_shared<Connection>();
    conn->executor = socket.get_executor();
    std::string remote;
    {
      boost::system::error_code ec;
      const auto ep = socket.remote_endpoint(ec);
      if (!ec) remote = ep.address().to_string();
      socket.set_option(tcp::no_delay(true), ec);
    }
    try {
      beast::tcp_stream stream(std::move(socket));
      conn->socket = &stream.socket();
      if (tls) {
        beast::ssl_stream<beast::tcp_stream> tls_stream(std::move(stream), *tls);
        conn->socket = &beast::get_lowest_layer(tls_stream).socket();
        beast::get_lowest_layer(tls_stream).expires_after(options.idle_timeout);
        auto [ec] = co_await tls_stream.async_handshake(asio::ssl::stream_base::server, kUseTuple);
        if (!ec) {
          co_await serve_connection(tls_stream, "https", remote, conn);
          beast::get_lowest_layer(tls_stream).expires_after(std::chrono::seconds(2));
          co_await tls_stream.async_shutdown(kUseTuple);
        }
        conn->socket = nullptr;
      } else {
        co_await serve_connection(stream, "http", remote, conn);
        boost::system::error_code ec;
        stream.socket().shutdown(tcp::socket::shutdown_send, ec);
        conn->socket = nullptr;
      }
    } catch (const std::exception& e) {
      // A connection's failure is its own: log it and keep serving the others.
      conn->socket = nullptr;
      std::fprintf(stderr, "coordsim serve: connection from %s: %s\n", remote.c_str(), e.what());
    }
    set_idle(conn, false);
    --connections;
  }

  // At the cap with every connection busy: a short 503 rather than a silent
  // close, so that a health check learns why.
  static void refuse(tcp::socket& socket) {
    static const std::string kBusy = [] {
      const std::string body = error_json("coordsim serve is at its connection limit, and every connection is busy").dump();
      return "HTTP/1.1 503 Service Unavailable\r\nServer: coordsim\r\nContent-Type: application/json; charset=utf-8\r\n"
             "Retry-After: 1\r\nConnection: close\r\nContent-Length: " +
             std::to_string(body.size()) + "\r\n\r\n" + body;
    }();
    boost::system::error_code ignored;
    socket.non_blocking(true, ignored);
    socket.write_some(asio::buffer(kBusy), ignored);
    socket.shutdown(tcp::socket::shutdown_both, ignored);
    socket.close(ignored);
  }

  void start_session(tcp::socket socket) {
    if (connections >= options.max_connections && !evict_one()) return refuse(socket);
    ++connections;
    const auto ex = socket.get_executor();
    asio::co_spawn(ex, session(std::move(socket)), asio::detached);
  }

  asio::awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, socket] = co_await acceptor.async_accept(pick_context(), kUseTuple);
      if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
      if (ec) {
        // EMFILE and friends: back off briefly instead of spinning.
        co_await wait(std::chrono::milliseconds(10));
        continue;
      }
      start_session(std::move(socket));
      // Every connection already waiting, before going back to the queue of
      // handlers: one accept per turn starved new clients under load.
      for (int k = 0; k < 256; ++k) {
        boost::system::error_code aec;
        tcp::socket more(pick_context());
        acceptor.accept(more, aec);  // non-blocking: would_block ends the batch
        if (aec) break;
        start_session(std::move(more));
      }
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
  boost::system::error_code ignored;
  im.acceptor.non_blocking(true, ignored);
  asio::co_spawn(im.acceptor.get_executor(), im.accept_loop(), asio::detached);
  std::vector<std::thread> threads;
  for (std::size_t i = 1; i < im.contexts.size(); ++i)
    threads.emplace_back([&im, i] { im.contexts[i]->run(); });
  im.ioc.run();
  for (std::thread& t : threads) t.join();
}

void Server::stop() {
  Impl& im = *impl_;
  im.stopping = true;
  asio::post(im.ioc, [&im] {
    boost::system::error_code ignored;
    im.signals.cancel(ignored);
    // Pending sessions are destroyed with the io_contexts: their sockets close.
    for (auto& c : im.contexts) c->stop();
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
  if (const char* bad = conformance_error(parser.get(), parser.chunked())) {
    if (reason) *reason = bad;
    return std::nullopt;
  }
  return to_request(parser.get(), "http", "127.0.0.1");
}

}  // namespace coordsim::sim::http
