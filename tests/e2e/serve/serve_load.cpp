// Load test of `coordsim serve` on loopback: C concurrent keep-alive
// connections, each creating R issues and listing after each create. Checks
// that no issue number is lost or duplicated and that no request failed,
// then prints requests per second and latency percentiles. Bounded in count
// (C * R * 2 requests) and in time (--time-limit), it stops by itself.
//
//   serve_load URL [--connections 200] [--rounds 5] [--token T] [--time-limit 60]
//
// URL is the server's base URL (http://127.0.0.1:PORT/api/v3), loopback only.
// The server should run with list lag 0 for the final check, and a rate limit
// above the request count (coordsim serve --rate-limit).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);

struct Options {
  std::string host;
  std::string port;
  std::string base;  // "/api/v3"
  int connections = 200;
  int rounds = 5;
  std::string token = "load-test";
  double time_limit_s = 60;
};

struct Results {
  std::vector<double> latencies_ms;
  std::vector<std::int64_t> numbers;
  int errors = 0;
  int connected = 0;
  std::string first_error;
  void fail(const std::string& what) {
    if (errors++ == 0) first_error = what;
  }
};

http::request<http::string_body> make(http::verb verb, const std::string& target, const Options& o,
                                      std::string body = {}) {
  http::request<http::string_body> req{verb, target, 11};
  req.set(http::field::host, o.host + ":" + o.port);
  req.set(http::field::authorization, "token " + o.token);
  req.set(http::field::user_agent, "coordsim-serve-load");
  if (!body.empty()) {
    req.set(http::field::content_type, "application/json");
    req.body() = std::move(body);
  }
  req.keep_alive(true);
  req.prepare_payload();
  return req;
}

asio::awaitable<void> client(int id, const Options& o, tcp::resolver::results_type endpoints, Results& results) {
  beast::tcp_stream stream(co_await asio::this_coro::executor);
  stream.expires_after(std::chrono::seconds(90));
  auto [cec, ep] = co_await stream.async_connect(endpoints, kUseTuple);
  if (cec) {
    results.fail("connect: " + cec.message());
    co_return;
  }
  ++results.connected;
  beast::flat_buffer buffer;
  const std::string issues = o.base + "/repos/load/test/issues";
  for (int round = 0; round < o.rounds; ++round) {
    for (int step = 0; step < 2; ++step) {
      auto req = step == 0 ? make(http::verb::post, issues, o,
                                  nlohmann::json{{"title", "load " + std::to_string(id) + "." + std::to_string(round)},
                                                 {"labels", {"load"}}}
                                      .dump())
                           : make(http::verb::get, issues + "?labels=load&per_page=10", o);
      const auto t0 = Clock::now();
      stream.expires_after(std::chrono::seconds(90));
      auto [wec, wn] = co_await http::async_write(stream, req, kUseTuple);
      http::response<http::string_body> res;
      boost::system::error_code rec = wec;
      if (!wec) std::tie(rec, wn) = co_await http::async_read(stream, buffer, res, kUseTuple);
      if (rec) {
        results.fail("connection " + std::to_string(id) + ": " + rec.message());
        co_return;
      }
      results.latencies_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
      const unsigned want = step == 0 ? 201 : 200;
      if (res.result_int() != want) {
        results.fail("status " + std::to_string(res.result_int()) + ": " + res.body().substr(0, 200));
        continue;
      }
      if (step == 0) {
        const auto j = nlohmann::json::parse(res.body(), nullptr, false);
        if (j.is_discarded() || !j.contains("number")) {
          results.fail("create answered without a number");
        } else {
          results.numbers.push_back(j["number"].get<std::int64_t>());
        }
      }
    }
  }
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
}

// After the run: every issue, through the list endpoint, page by page.
asio::awaitable<void> verify(const Options& o, tcp::resolver::results_type endpoints, std::set<std::int64_t>& listed,
                             Results& results) {
  beast::tcp_stream stream(co_await asio::this_coro::executor);
  stream.expires_after(std::chrono::seconds(90));
  auto [cec, ep] = co_await stream.async_connect(endpoints, kUseTuple);
  if (cec) {
    results.fail("verify connect: " + cec.message());
    co_return;
  }
  beast::flat_buffer buffer;
  for (int page = 1;; ++page) {
    auto req = make(http::verb::get, o.base + "/repos/load/test/issues?state=all&per_page=100&page=" + std::to_string(page), o);
    stream.expires_after(std::chrono::seconds(90));
    auto [wec, wn] = co_await http::async_write(stream, req, kUseTuple);
    http::response<http::string_body> res;
    auto [rec, rn] = co_await http::async_read(stream, buffer, res, kUseTuple);
    if (wec || rec || res.result_int() != 200) {
      results.fail("verify list page " + std::to_string(page));
      co_return;
    }
    const auto j = nlohmann::json::parse(res.body(), nullptr, false);
    if (!j.is_array()) {
      results.fail("verify: not an array");
      co_return;
    }
    for (const auto& issue : j) listed.insert(issue["number"].get<std::int64_t>());
    if (res[http::field::link].find("rel=\"next\"") == beast::string_view::npos) break;
  }
}

bool parse_url(const std::string& url, Options& o) {
  const std::string prefix = "http://";
  if (url.rfind(prefix, 0) != 0) return false;
  const std::string rest = url.substr(prefix.size());
  const std::size_t slash = rest.find('/');
  const std::string hostport = rest.substr(0, slash);
  o.base = slash == std::string::npos ? "" : rest.substr(slash);
  const std::size_t colon = hostport.rfind(':');
  if (colon == std::string::npos) return false;
  o.host = hostport.substr(0, colon);
  o.port = hostport.substr(colon + 1);
  // Loopback only: a load test never leaves this machine.
  return o.host == "127.0.0.1" || o.host == "localhost" || o.host == "[::1]";
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (argc < 2 || !parse_url(argv[1], o)) {
    std::fprintf(stderr,
                 "usage: serve_load http://127.0.0.1:PORT/api/v3 [--connections N] [--rounds R] [--token T] "
                 "[--time-limit S]\n(loopback URLs only)\n");
    return 2;
  }
  for (int i = 2; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--connections") o.connections = std::clamp(std::atoi(argv[i + 1]), 1, 5000);
    else if (flag == "--rounds") o.rounds = std::clamp(std::atoi(argv[i + 1]), 1, 10000);
    else if (flag == "--token") o.token = argv[i + 1];
    else if (flag == "--time-limit") o.time_limit_s = std::atof(argv[i + 1]);
    else {
      std::fprintf(stderr, "serve_load: unknown option %s\n", flag.c_str());
      return 2;
    }
  }

  asio::io_context ioc{1};
  tcp::resolver resolver(ioc);
  const std::string host = o.host == "[::1]" ? "::1" : o.host;
  const auto endpoints = resolver.resolve(host, o.port);
  Results results;
  results.latencies_ms.reserve(static_cast<std::size_t>(o.connections) * o.rounds * 2);
  for (int c = 0; c < o.connections; ++c) asio::co_spawn(ioc, client(c, o, endpoints, results), asio::detached);

  const auto start = Clock::now();
  // Bounded in time: whatever is still running at the limit is abandoned.
  ioc.run_for(std::chrono::milliseconds(static_cast<std::int64_t>(o.time_limit_s * 1000)));
  const double wall = std::chrono::duration<double>(Clock::now() - start).count();
  const bool timed_out = !ioc.stopped();
  ioc.stop();

  std::set<std::int64_t> listed;
  if (!timed_out) {
    asio::io_context verify_ioc{1};
    asio::co_spawn(verify_ioc, verify(o, endpoints, listed, results), asio::detached);
    verify_ioc.run_for(std::chrono::seconds(90));
  }

  auto& lat = results.latencies_ms;
  std::sort(lat.begin(), lat.end());
  const auto pct = [&](double p) {
    return lat.empty() ? 0.0 : lat[std::min(lat.size() - 1, static_cast<std::size_t>(p * static_cast<double>(lat.size())))];
  };
  const std::size_t expected = static_cast<std::size_t>(o.connections) * static_cast<std::size_t>(o.rounds);
  const std::set<std::int64_t> unique(results.numbers.begin(), results.numbers.end());
  const bool dense = !unique.empty() && *unique.begin() >= 1 &&
                     *unique.rbegin() - *unique.begin() + 1 == static_cast<std::int64_t>(unique.size());

  std::printf("serve_load: %d connections (%d connected), %d rounds of create + list\n", o.connections,
              results.connected, o.rounds);
  std::printf("  requests        %zu in %.2f s\n", lat.size(), wall);
  std::printf("  requests/s      %.0f\n", static_cast<double>(lat.size()) / wall);
  std::printf("  latency ms      p50 %.2f  p90 %.2f  p99 %.2f  max %.2f\n", pct(0.5), pct(0.9), pct(0.99),
              lat.empty() ? 0.0 : lat.back());
  std::printf("  issues created  %zu (unique %zu, expected %zu), listed afterwards %zu\n", results.numbers.size(),
              unique.size(), expected, listed.size());
  std::printf("  errors          %d%s%s\n", results.errors, results.errors ? ", first: " : "",
              results.first_error.c_str());

  bool ok = true;
  const auto fail = [&](const char* what) {
    std::fprintf(stderr, "serve_load: FAIL: %s\n", what);
    ok = false;
  };
  if (timed_out) fail("did not finish within --time-limit");
  if (results.errors) fail("requests failed");
  if (results.numbers.size() != expected) fail("lost creates");
  if (unique.size() != results.numbers.size()) fail("duplicated issue numbers");
  if (!dense) fail("issue numbers have gaps");
  if (!timed_out && listed != unique) fail("the final listing differs from what was created");
  return ok ? 0 : 1;
}
