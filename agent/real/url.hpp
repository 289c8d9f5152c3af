#pragma once
// URLs the runtime talks to: the API base (--api-url), and the proxy chosen
// from the environment (HTTPS_PROXY / HTTP_PROXY / NO_PROXY, as curl reads
// them). Plain parsing, no sockets: unit-tested on its own.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace coordsim::agent::real {

struct Url {
  std::string scheme;     // "http" or "https"
  std::string host;       // without brackets for IPv6
  std::uint16_t port = 0; // explicit or the scheme's default
  std::string path;       // base path without a trailing slash: "" or "/api/v3"
  // Only for proxies: "user:password" (percent-decoded), sent as
  // Proxy-Authorization and registered as a secret.
  std::string userinfo;

  bool tls() const { return scheme == "https"; }
  // "host" or "host:port" when the port is not the scheme's default (Host header).
  std::string authority() const;
  // "scheme://authority" + path: safe to print (never the userinfo).
  std::string display() const;
};

// Parses an API base URL: http(s)://host[:port][/base/path]. Throws
// std::invalid_argument naming `what` ("--api-url") and what was expected; a
// URL with credentials in it is refused without being echoed.
Url parse_api_url(std::string_view text, std::string_view what);

// Parses a proxy URL from the environment: [http://][user:pass@]host[:port]
// (port defaults to 1080 without one, as curl). https:// proxies are refused.
Url parse_proxy_url(std::string_view text, std::string_view what);

// Whether NO_PROXY (comma- or space-separated) exempts `host`:`port`. Entries:
// "*" (everything), "example.com" / ".example.com" (the domain and its
// subdomains), "host:port", IPv4 addresses and IPv4 CIDR blocks (10.0.0.0/8),
// "[::1]" or "::1". Case-insensitive.
bool no_proxy_matches(std::string_view no_proxy, std::string_view host, std::uint16_t port);

// The proxy to use for `target`, from `env` (variable -> value; the process
// environment in real use, a map in tests): https_proxy / HTTPS_PROXY for an
// https target, http_proxy / HTTP_PROXY for http (lowercase first, as curl),
// unless no_proxy / NO_PROXY exempts the target. `used` gets the variable's name.
std::optional<Url> proxy_for(const Url& target, const std::map<std::string, std::string>& env,
                             std::string* used = nullptr);
// The process environment's proxy variables, for proxy_for().
std::map<std::string, std::string> proxy_environment();

// Percent-encodes everything but unreserved characters (and '/' when keep_slash).
std::string percent_encode(std::string_view text, bool keep_slash = false);

}  // namespace coordsim::agent::real
