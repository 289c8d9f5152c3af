#include "sim/http/response_wire.hpp"

#include <cstddef>
#include <string_view>
#include <vector>

// Boost 1.81's string_view.hpp uses std::ostream without including it.
#include <ostream>

#include <boost/beast/http/status.hpp>

#include "sim/model/ascii_case.hpp"

namespace coordsim::sim::http {

namespace {

void field(std::string& out, std::string_view name, std::string_view value) {
  out.append(name).append(": ").append(value).append("\r\n");
}

}  // namespace

std::string wire_response(Response&& in, unsigned version, bool keep_alive, bool head) {
  const std::string_view reason =
      boost::beast::http::obsolete_reason(static_cast<boost::beast::http::status>(in.status));
  // Which of the router's fields survive: the last of each name.
  std::vector<const Header*> kept;
  kept.reserve(in.headers.size());
  for (std::size_t i = 0; i < in.headers.size(); ++i) {
    bool later = false;
    for (std::size_t j = i + 1; j < in.headers.size() && !later; ++j)
      later = iequals(in.headers[i].name, in.headers[j].name);
    if (!later) kept.push_back(&in.headers[i]);
  }
  std::string out;
  out.reserve(160 + in.body.size() + 48 * kept.size());
  out.append(version >= 11 ? "HTTP/1.1 " : "HTTP/1.0 ").append(std::to_string(in.status)).append(" ");
  out.append(reason).append("\r\n");
  field(out, "Server", "coordsim");
  if (!in.body.empty()) field(out, "Content-Type", "application/json; charset=utf-8");
  for (const Header* h : kept) field(out, h->name, h->value);
  if (version >= 11 && !keep_alive) field(out, "Connection", "close");
  if (version < 11 && keep_alive) field(out, "Connection", "keep-alive");
  // 204 and 304 have no body, and a HEAD of one says no length either.
  if (!head || (in.status != 204 && in.status != 304)) field(out, "Content-Length", std::to_string(in.body.size()));
  out.append("\r\n");
  if (!head) out.append(in.body);
  return out;
}

}  // namespace coordsim::sim::http
