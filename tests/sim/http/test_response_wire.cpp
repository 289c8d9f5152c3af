// The server writes responses with wire_response instead of Beast's serializer
// (sim/http/response_wire.hpp says why). Clients must not see a difference:
// here both serialise the same responses and must agree byte for byte.
#include <sstream>
#include <string>
#include <vector>

#include <boost/beast/http.hpp>
#include <catch2/catch.hpp>

#include "sim/http/message.hpp"
#include "sim/http/response_wire.hpp"

namespace bhttp = boost::beast::http;
using coordsim::sim::http::Header;
using coordsim::sim::http::Response;
using coordsim::sim::http::wire_response;

namespace {

// What the server did before: a Beast message, serialised by Beast.
std::string beast_bytes(const Response& in, unsigned version, bool keep_alive, bool head) {
  bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(in.status), version};
  res.set(bhttp::field::server, "coordsim");
  if (!in.body.empty()) res.set(bhttp::field::content_type, "application/json; charset=utf-8");
  for (const Header& h : in.headers) res.set(h.name, h.value);
  res.keep_alive(keep_alive);
  if (head) {
    if (in.status != 204 && in.status != 304) res.content_length(in.body.size());
  } else {
    res.body() = in.body;
    res.prepare_payload();
  }
  std::ostringstream out;
  out << res;
  return out.str();
}

Response response(int status, std::vector<Header> headers, std::string body) {
  Response r;
  r.status = status;
  r.headers = std::move(headers);
  r.body = std::move(body);
  return r;
}

}  // namespace

TEST_CASE("wire_response writes the bytes Beast's serializer wrote", "[response_wire]") {
  const std::vector<Header> rate = {{"x-ratelimit-limit", "5000"}, {"x-ratelimit-remaining", "4999"},
                                    {"x-ratelimit-reset", "1700000000"}, {"x-ratelimit-used", "1"},
                                    {"x-ratelimit-resource", "core"}};
  std::vector<Header> with_link = rate;
  with_link.push_back({"link", "<http://127.0.0.1/api/v3/repos/o/r/issues?page=2>; rel=\"next\""});
  std::vector<Header> duplicated = {{"etag", "\"a\""}, {"location", "/x"}, {"ETag", "\"b\""}};
  const std::vector<Response> responses = {
      response(200, rate, R"({"login":"coordsim"})"),
      response(201, with_link, R"({"number":1,"title":"t \u00e9"})"),
      response(204, rate, ""),
      response(304, {{"etag", "\"abc\""}, {"last-modified", "Tue, 01 Dec 2026 00:00:00 GMT"}}, ""),
      response(404, {}, R"({"message":"Not Found"})"),
      response(422, rate, R"({"message":"Validation Failed","errors":[]})"),
      response(429, {{"retry-after", "60"}}, R"({"message":"rate"})"),
      response(503, {{"retry-after", "1"}}, R"({"message":"busy"})"),
      response(200, duplicated, "{}"),
      response(200, {}, ""),
      response(599, {}, "{}"),  // a status Beast has no reason phrase for
  };
  for (const Response& r : responses)
    for (const unsigned version : {10u, 11u})
      for (const bool keep_alive : {false, true})
        for (const bool head : {false, true}) {
          INFO("status " << r.status << " HTTP/" << version / 10 << "." << version % 10 << " keep-alive " << keep_alive
                         << " head " << head);
          Response copy = r;
          CHECK(wire_response(std::move(copy), version, keep_alive, head) == beast_bytes(r, version, keep_alive, head));
        }
}

TEST_CASE("wire_response: a HEAD has the GET's length and no body", "[response_wire]") {
  const std::string wire = wire_response(response(200, {}, "12345"), 11, true, true);
  CHECK(wire.find("Content-Length: 5\r\n") != std::string::npos);
  CHECK(wire.substr(wire.size() - 4) == "\r\n\r\n");
}
