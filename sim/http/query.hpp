#pragma once
// Taking request targets apart: path segments, percent-decoding, query
// parameters, GitHub's ISO 8601 timestamps, base64. (The search language is
// the model's: sim/model/search_query.hpp.)
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/model/ascii_case.hpp"

namespace coordsim::sim::http {

// Percent-decodes `in`; with `plus_is_space` (query strings) '+' becomes ' '.
// Nullopt on a malformed escape ("%4", "%zz") or a decoded NUL byte.
std::optional<std::string> percent_decode(std::string_view in, bool plus_is_space);
// Percent-encodes everything but unreserved characters (RFC 3986).
std::string percent_encode(std::string_view in);

struct Target {
  std::vector<std::string> segments;  // decoded path segments, no empty ones
  std::vector<std::pair<std::string, std::string>> params;  // decoded, in order
  std::string path;                   // the raw path, without the query

  const std::string* param(std::string_view name) const {
    for (const auto& [k, v] : params)
      if (k == name) return &v;
    return nullptr;
  }
};
// Nullopt for a target that is not origin-form ("/...") or has a malformed escape.
std::optional<Target> parse_target(std::string_view target);

// A decimal integer in [min, max], the whole string; nullopt otherwise.
std::optional<std::int64_t> parse_int(std::string_view s, std::int64_t min, std::int64_t max);

// Unix microseconds <-> "2025-12-03T10:15:00Z" (GitHub's form; parsing also
// accepts a date alone, fractional seconds and a +hh:mm offset).
std::string format_timestamp(std::int64_t unix_us);
std::optional<std::int64_t> parse_timestamp(std::string_view s);

// HTTP's IMF-fixdate ("Wed, 03 Dec 2025 10:15:00 GMT", RFC 9110 §5.6.7) of
// Unix microseconds (whole seconds), and back; nullopt for any other form.
std::string format_http_date(std::int64_t unix_us);
std::optional<std::int64_t> parse_http_date(std::string_view s);

// Characters as GitHub counts them in a title or body: Unicode code points
// of well-formed UTF-8 (bytes that start no code point are not counted).
std::size_t utf8_length(std::string_view s);

// Well-formed UTF-8 (what JSON strings must hold): names taken from a URL
// path are checked before they are stored.
bool valid_utf8(std::string_view s);
std::string base64_encode(std::string_view in);
// Ignores whitespace (GitHub wraps base64 at 60 columns); nullopt if invalid.
std::optional<std::string> base64_decode(std::string_view in);

}  // namespace coordsim::sim::http
