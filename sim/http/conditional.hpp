#pragma once
// GitHub's conditional requests: every 200 to a GET carries an ETag (a digest
// of the body) and, for an object with `updated_at`, a Last-Modified; a GET
// whose If-None-Match names the current ETag (or, without one, whose
// If-Modified-Since is not older than Last-Modified) gets 304 with no body,
// and — as GitHub documents — does not count against the rate limit.
#include <optional>
#include <string>
#include <string_view>

#include "sim/http/message.hpp"
#include "sim/http/reply.hpp"

namespace coordsim::sim::http {

// The text a Reply is sent as: `raw` when set, else the JSON (nothing for 204).
std::string body_text(const Reply& reply);
// W/"<hash of the body><its length>", in hex.
std::string etag_of(std::string_view body);
// The Last-Modified of a reply (its body's `updated_at` as an HTTP date), or nullopt.
std::optional<std::string> last_modified_of(const Reply& reply);
// Whether a GET carries If-None-Match or If-Modified-Since.
bool is_conditional(const Request& req);
// Whether the request's validators match this response (RFC 9110 §13.1.2:
// If-None-Match compares weakly, "*" matches anything; If-Modified-Since is
// read only without If-None-Match).
bool not_modified(const Request& req, const std::string& etag, const std::optional<std::string>& last_modified);

}  // namespace coordsim::sim::http
