#include "sim/http/conditional.hpp"

#include <cstdio>
#include <functional>

#include "sim/http/query.hpp"

namespace coordsim::sim::http {

using nlohmann::json;

std::string body_text(const Reply& reply) {
  if (reply.raw) return *reply.raw;
  if (reply.status == 204) return {};
  if (reply.body.is_binary()) {  // JSON text rendered already (raw_body)
    const auto& bytes = reply.body.get_binary();
    return std::string(bytes.begin(), bytes.end());
  }
  return reply.body.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string etag_of(std::string_view body) {
  // A weak validator needs no cryptographic digest: std::hash (and the length)
  // costs a fraction of SHA-1 on a 100-issue page, and every GET pays for it.
  // Hex by hand: snprintf was a third of this function's cost, and every GET pays it.
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "W/\"";
  const std::size_t hash = std::hash<std::string_view>{}(body);
  for (int shift = 60; shift >= 0; shift -= 4) out += kHex[(hash >> shift) & 0xf];  // %016zx
  std::size_t size = body.size();
  char digits[16];
  int n = 0;
  do {
    digits[n++] = kHex[size & 0xf];
    size >>= 4;
  } while (size != 0);  // %zx
  while (n > 0) out += digits[--n];
  out += '"';
  return out;
}

std::optional<std::string> last_modified_of(const Reply& reply) {
  if (reply.modified_unix_us) return format_http_date(*reply.modified_unix_us);
  if (reply.raw || !reply.body.is_object()) return std::nullopt;
  const auto it = reply.body.find("updated_at");
  if (it == reply.body.end() || !it->is_string()) return std::nullopt;
  const auto unix_us = parse_timestamp(it->get_ref<const std::string&>());
  if (!unix_us) return std::nullopt;
  return format_http_date(*unix_us);
}

bool is_conditional(const Request& req) {
  return req.method == "GET" && (req.header("if-none-match") || req.header("if-modified-since"));
}

bool not_modified(const Request& req, const std::string& etag, const std::optional<std::string>& last_modified) {
  const auto opaque = [](std::string_view tag) {
    if (tag.substr(0, 2) == "W/") tag.remove_prefix(2);
    return tag;
  };
  if (const std::string* list = req.header("if-none-match")) {
    std::string_view rest = *list;
    while (!rest.empty()) {
      const std::size_t comma = rest.find(',');
      std::string_view tag = rest.substr(0, comma);
      rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
      while (!tag.empty() && (tag.front() == ' ' || tag.front() == '\t')) tag.remove_prefix(1);
      while (!tag.empty() && (tag.back() == ' ' || tag.back() == '\t')) tag.remove_suffix(1);
      if (tag == "*" || (!tag.empty() && opaque(tag) == opaque(etag))) return true;
    }
    return false;
  }
  const std::string* since = req.header("if-modified-since");
  if (!since || !last_modified) return false;
  const auto given = parse_http_date(*since);
  const auto modified = parse_http_date(*last_modified);
  return given && modified && *modified <= *given;
}

}  // namespace coordsim::sim::http
