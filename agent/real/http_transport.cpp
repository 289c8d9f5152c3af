// The only translation unit of the agent runtime with Beast (it dominates
// compile time).
#include "agent/real/http_transport.hpp"

#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cctype>
#include <cstdio>
#include <deque>
#include <stdexcept>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

namespace coordsim::agent::real {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::uint64_t kMaxBodyBytes = 32ull << 20;  // a search page is well under 1 MiB
constexpr std::uint32_t kMaxHeaderBytes = 64 * 1024;

// A failure the transport reports with words of its own (a proxy's refusal).
struct TransportError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

HttpResponse failure(std::string message) {
  HttpResponse r;
  r.status = 0;
  r.error = std::move(message);
  return r;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string base64(std::string_view in) {
  std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(in.data()), static_cast<int>(in.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

bool is_ip_address(const std::string& host) {
  boost::system::error_code ec;
  (void)asio::ip::make_address(host, ec);
  return !ec;
}

// Errors that mean "the server had already closed this kept-alive
// connection": the request never reached it, so sending it again is safe.
bool stale_connection(const boost::system::error_code& ec) {
  return ec == bhttp::error::end_of_stream || ec == asio::error::eof || ec == asio::error::connection_reset ||
         ec == asio::error::broken_pipe || ec == asio::ssl::error::stream_truncated;
}

std::string seconds_text(std::chrono::milliseconds d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g s", static_cast<double>(d.count()) / 1000.0);
  return buf;
}

}  // namespace

struct HttpTransport::Impl : std::enable_shared_from_this<Impl> {
  struct Pending {
    HttpRequest request;
    Callback done;
  };

  asio::io_context& io;
  TransportOptions options;
  // Before the streams, which refer to it.
  std::optional<ssl::context> tls_context;
  tcp::resolver resolver;
  std::optional<tcp::resolver::results_type> resolved;
  std::unique_ptr<beast::tcp_stream> plain;
  std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> tls;
  beast::flat_buffer buffer;
  bool open = false;
  bool running = false;
  std::deque<Pending> queue;
  Callback in_flight;
  std::optional<std::string> expired;
  int opened = 0;

  Impl(asio::io_context& ctx, TransportOptions o) : io(ctx), options(std::move(o)), resolver(ctx) {
    if (!options.base.tls()) return;
    tls_context.emplace(ssl::context::tls_client);
    tls_context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                             ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    boost::system::error_code ec;
    if (!options.ca_file.empty()) {
      tls_context->load_verify_file(options.ca_file, ec);
      if (ec)
        throw std::invalid_argument("--ca-file " + options.ca_file +
                                    ": cannot load it as a PEM certificate bundle (" + ec.message() + ")");
    } else {
      // The system store; OpenSSL also honours SSL_CERT_FILE / SSL_CERT_DIR.
      tls_context->set_default_verify_paths(ec);
    }
    tls_context->set_verify_mode(ssl::verify_peer);
  }

  beast::tcp_stream& lowest() { return tls ? tls->next_layer() : *plain; }

  // Where the connection goes, for messages: never credentials.
  std::string where() const {
    std::string w = options.base.host + ":" + std::to_string(options.base.port);
    if (options.proxy) w += " via proxy " + options.proxy->host + ":" + std::to_string(options.proxy->port);
    return w;
  }

  // Closes the socket, which makes an operation in progress complete with an
  // error; the streams themselves are destroyed only by the coroutine (discard).
  void close_socket() {
    boost::system::error_code ec;
    if (plain) plain->socket().close(ec);
    if (tls) tls->next_layer().socket().close(ec);
    resolver.cancel();
  }
  void discard() {
    close_socket();
    plain.reset();
    tls.reset();
    buffer.clear();
    open = false;
  }

  void deliver(Callback done, HttpResponse r) {
    asio::post(io, [done = std::move(done), r = std::move(r)]() mutable { done(std::move(r)); });
  }

  void send(HttpRequest request, Callback done) {
    if (expired) return deliver(std::move(done), failure(*expired));
    queue.push_back(Pending{std::move(request), std::move(done)});
    if (running) return;
    running = true;
    asio::co_spawn(io, run_queue(shared_from_this()), asio::detached);
  }

  void expire(std::string why) {
    expired = std::move(why);
    for (Pending& p : queue) deliver(std::move(p.done), failure(*expired));
    queue.clear();
    if (in_flight) deliver(std::exchange(in_flight, nullptr), failure(*expired));
    close_socket();
  }

  static asio::awaitable<void> run_queue(std::shared_ptr<Impl> self) {
    while (!self->queue.empty()) {
      Pending p = std::move(self->queue.front());
      self->queue.pop_front();
      self->in_flight = std::move(p.done);
      HttpResponse r = co_await self->exchange(p.request);
      // expire() may have answered it already.
      if (self->in_flight) self->deliver(std::exchange(self->in_flight, nullptr), std::move(r));
    }
    self->running = false;
  }

  std::string describe(const HttpRequest& req, const char* phase, const boost::system::error_code& ec) {
    std::string what;
    if (ec == beast::error::timeout) {
      what = "timed out after " + seconds_text(options.timeout);
    } else if (ec.category() == asio::error::get_ssl_category()) {
      what = "TLS: " + ec.message();
      if (tls) {
        const long v = SSL_get_verify_result(tls->native_handle());
        if (v != X509_V_OK) what += std::string(" (") + X509_verify_cert_error_string(v) + ")";
      }
    } else {
      what = ec.message();
    }
    const std::string_view path = std::string_view(req.target).substr(0, req.target.find('?'));
    return req.method + " " + options.base.path + std::string(path) + ": " + phase + " " + where() + ": " + what;
  }

  asio::awaitable<HttpResponse> exchange(const HttpRequest& req) {
    const auto deadline = std::chrono::steady_clock::now() + options.timeout;
    for (int attempt = 0;; ++attempt) {
      const bool reused = open;
      bool got_bytes = false;
      const char* phase = "connecting to";
      try {
        if (!open) co_await connect(deadline);
        phase = "sending to";
        co_await write(req, deadline);
        phase = "receiving from";
        co_return co_await read(deadline, got_bytes);
      } catch (const boost::system::system_error& e) {
        discard();
        if (expired) co_return failure(*expired);
        if (reused && attempt == 0 && !got_bytes && stale_connection(e.code())) continue;
        co_return failure(describe(req, phase, e.code()));
      } catch (const TransportError& e) {
        discard();
        if (expired) co_return failure(*expired);
        co_return failure(req.method + " " + options.base.path + ": " + e.what());
      }
    }
  }

  asio::awaitable<void> connect(std::chrono::steady_clock::time_point deadline) {
    const Url& hop = options.proxy ? *options.proxy : options.base;
    if (!resolved) {
      // Resolved once; reconnects reuse the addresses. (getaddrinfo cannot be
      // cancelled, so a hanging resolver is the one step without a deadline.)
      resolved = co_await resolver.async_resolve(hop.host, std::to_string(hop.port), asio::use_awaitable);
    }
    if (options.base.tls()) {
      tls = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(io, *tls_context);
    } else {
      plain = std::make_unique<beast::tcp_stream>(io);
    }
    lowest().expires_at(deadline);
    co_await lowest().async_connect(*resolved, asio::use_awaitable);
    ++opened;
    // Small requests and responses: do not let Nagle hold them back.
    lowest().socket().set_option(tcp::no_delay(true));
    if (options.proxy && options.base.tls()) co_await tunnel(deadline);
    if (tls) {
      if (!is_ip_address(options.base.host) &&
          !SSL_set_tlsext_host_name(tls->native_handle(), options.base.host.c_str()))
        throw TransportError("TLS: cannot set the server name (SNI)");
      tls->set_verify_callback(ssl::host_name_verification(options.base.host));
      lowest().expires_at(deadline);
      co_await tls->async_handshake(ssl::stream_base::client, asio::use_awaitable);
    }
    buffer.clear();
    open = true;
  }

  // HTTP CONNECT through the proxy: afterwards the TCP stream is a tunnel to
  // the API host, and TLS runs end to end through it.
  asio::awaitable<void> tunnel(std::chrono::steady_clock::time_point deadline) {
    const std::string target = options.base.host.find(':') != std::string::npos
                                   ? "[" + options.base.host + "]:" + std::to_string(options.base.port)
                                   : options.base.host + ":" + std::to_string(options.base.port);
    bhttp::request<bhttp::empty_body> req{bhttp::verb::connect, target, 11};
    req.set(bhttp::field::host, target);
    req.set(bhttp::field::user_agent, options.user_agent);
    if (!options.proxy->userinfo.empty())
      req.set(bhttp::field::proxy_authorization, "Basic " + base64(options.proxy->userinfo));
    lowest().expires_at(deadline);
    co_await bhttp::async_write(lowest(), req, asio::use_awaitable);
    bhttp::response_parser<bhttp::empty_body> parser;
    parser.skip(true);  // a 2xx answer to CONNECT has no body, whatever its headers say
    beast::flat_buffer b;
    co_await bhttp::async_read(lowest(), b, parser, asio::use_awaitable);
    const unsigned status = parser.get().result_int();
    if (status / 100 != 2)
      throw TransportError("proxy " + options.proxy->host + ":" + std::to_string(options.proxy->port) +
                           " refused CONNECT " + target + ": " + std::to_string(status) + " " +
                           std::string(parser.get().reason()));
    if (b.size() != 0) throw TransportError("proxy sent data before the TLS handshake");
  }

  asio::awaitable<void> write(const HttpRequest& req, std::chrono::steady_clock::time_point deadline) {
    const bool via_http_proxy = options.proxy && !options.base.tls();
    // Through a plain HTTP proxy the target is absolute ("http://host/path").
    std::string target = options.base.path + req.target;
    if (via_http_proxy) target = "http://" + options.base.authority() + target;
    bhttp::request<bhttp::string_body> msg{bhttp::string_to_verb(req.method), target, 11};
    msg.set(bhttp::field::host, options.base.authority());
    msg.set(bhttp::field::accept, "application/vnd.github+json");
    msg.set("X-GitHub-Api-Version", "2022-11-28");
    msg.set(bhttp::field::user_agent, options.user_agent);
    if (!options.token.empty()) msg.set(bhttp::field::authorization, "Bearer " + options.token);
    if (via_http_proxy && !options.proxy->userinfo.empty())
      msg.set(bhttp::field::proxy_authorization, "Basic " + base64(options.proxy->userinfo));
    if (!req.body.empty() || req.method == "POST" || req.method == "PATCH" || req.method == "PUT") {
      msg.set(bhttp::field::content_type, "application/json; charset=utf-8");
      msg.body() = req.body;
    }
    msg.keep_alive(true);
    msg.prepare_payload();
    lowest().expires_at(deadline);
    if (tls) co_await bhttp::async_write(*tls, msg, asio::use_awaitable);
    else co_await bhttp::async_write(*plain, msg, asio::use_awaitable);
  }

  asio::awaitable<HttpResponse> read(std::chrono::steady_clock::time_point deadline, bool& got_bytes) {
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(kMaxBodyBytes);
    parser.header_limit(kMaxHeaderBytes);
    lowest().expires_at(deadline);
    auto [ec, n] = tls ? co_await bhttp::async_read(*tls, buffer, parser, kUseTuple)
                       : co_await bhttp::async_read(*plain, buffer, parser, kUseTuple);
    got_bytes = n > 0 || parser.got_some();
    if (ec) throw boost::system::system_error(ec);
    HttpResponse r;
    const auto& res = parser.get();
    r.status = static_cast<int>(res.result_int());
    for (const auto& f : res) r.headers.emplace_back(lower(f.name_string()), std::string(f.value()));
    r.body = res.body();
    if (!res.keep_alive()) discard();
    co_return r;
  }
};

HttpTransport::HttpTransport(asio::io_context& io, TransportOptions options)
    : impl_(std::make_shared<Impl>(io, std::move(options))) {}

HttpTransport::~HttpTransport() {
  // A request still in flight keeps the implementation alive until it ends;
  // nobody hears its answer.
  impl_->queue.clear();
  impl_->in_flight = nullptr;
  impl_->close_socket();
}

void HttpTransport::send(HttpRequest request, Callback done) { impl_->send(std::move(request), std::move(done)); }
void HttpTransport::expire(std::string why) { impl_->expire(std::move(why)); }
int HttpTransport::connections_opened() const { return impl_->opened; }

}  // namespace coordsim::agent::real
