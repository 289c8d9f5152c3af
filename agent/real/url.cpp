#include "agent/real/url.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <stdexcept>
#include <vector>

#include "agent/real/token.hpp"

namespace coordsim::agent::real {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percent_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      const int hi = hex_value(s[i + 1]);
      const int lo = hex_value(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(s[i]);
  }
  return out;
}

// "host[:port]" or "[v6][:port]" into host and port (0 when absent).
void split_host_port(std::string_view hp, std::string& host, std::uint16_t& port, std::string_view what) {
  std::string_view port_text;
  if (!hp.empty() && hp.front() == '[') {
    const auto close = hp.find(']');
    if (close == std::string_view::npos)
      throw std::invalid_argument(std::string(what) + ": unbalanced '[' in the host (expected [IPv6]:port)");
    host = std::string(hp.substr(1, close - 1));
    const std::string_view rest = hp.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') throw std::invalid_argument(std::string(what) + ": expected ':' after ']'");
      port_text = rest.substr(1);
    }
  } else {
    const auto colon = hp.rfind(':');
    if (colon != std::string_view::npos) {
      host = std::string(hp.substr(0, colon));
      port_text = hp.substr(colon + 1);
    } else {
      host = std::string(hp);
    }
  }
  if (host.empty()) throw std::invalid_argument(std::string(what) + ": the URL has no host");
  port = 0;
  if (!port_text.empty()) {
    unsigned value = 0;
    const auto [p, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
    if (ec != std::errc{} || p != port_text.data() + port_text.size() || value == 0 || value > 65535)
      throw std::invalid_argument(std::string(what) + ": the port must be a number from 1 to 65535, got '" +
                                  std::string(port_text) + "'");
    port = static_cast<std::uint16_t>(value);
  }
}

bool parse_ipv4(std::string_view s, std::uint32_t& out) {
  std::uint32_t value = 0;
  int parts = 0;
  while (!s.empty()) {
    const auto dot = s.find('.');
    const std::string_view part = s.substr(0, dot);
    unsigned v = 0;
    const auto [p, ec] = std::from_chars(part.data(), part.data() + part.size(), v);
    if (part.empty() || ec != std::errc{} || p != part.data() + part.size() || v > 255) return false;
    value = (value << 8) | v;
    ++parts;
    if (dot == std::string_view::npos) break;
    s.remove_prefix(dot + 1);
    if (s.empty()) return false;
  }
  out = value;
  return parts == 4;
}

bool host_matches_entry(std::string_view entry, std::string_view host) {
  if (entry == "*") return true;
  // CIDR: a.b.c.d/n
  if (const auto slash = entry.find('/'); slash != std::string_view::npos) {
    std::uint32_t net = 0, addr = 0;
    unsigned bits = 0;
    const std::string_view bits_text = entry.substr(slash + 1);
    const auto [p, ec] = std::from_chars(bits_text.data(), bits_text.data() + bits_text.size(), bits);
    if (ec != std::errc{} || p != bits_text.data() + bits_text.size() || bits > 32) return false;
    if (!parse_ipv4(entry.substr(0, slash), net) || !parse_ipv4(host, addr)) return false;
    const std::uint32_t mask = bits == 0 ? 0 : ~std::uint32_t{0} << (32 - bits);
    return (net & mask) == (addr & mask);
  }
  while (!entry.empty() && (entry.front() == '.' || entry.front() == '*')) entry.remove_prefix(1);
  if (entry.empty()) return false;
  if (host == entry) return true;
  // A domain suffix on a label boundary: "example.com" exempts "api.example.com".
  return host.size() > entry.size() && host.compare(host.size() - entry.size(), entry.size(), entry) == 0 &&
         host[host.size() - entry.size() - 1] == '.';
}

}  // namespace

std::string Url::authority() const {
  const bool v6 = host.find(':') != std::string::npos;
  std::string a = v6 ? "[" + host + "]" : host;
  const std::uint16_t def = tls() ? 443 : 80;
  if (port != def) a += ":" + std::to_string(port);
  return a;
}

std::string Url::display() const { return scheme + "://" + authority() + path; }

Url parse_api_url(std::string_view text, std::string_view what) {
  const std::string w(what);
  const auto sep = text.find("://");
  if (sep == std::string_view::npos)
    throw std::invalid_argument(w + ": expected http://HOST[:PORT][/PATH] or https://..., got '" +
                                redact(text) + "'");
  Url u;
  u.scheme = lower(text.substr(0, sep));
  if (u.scheme != "http" && u.scheme != "https")
    throw std::invalid_argument(w + ": the scheme must be http or https, got '" + u.scheme + "'");
  std::string_view rest = text.substr(sep + 3);
  if (rest.find_first_of("?#") != std::string_view::npos)
    throw std::invalid_argument(w + ": a base URL has no query or fragment");
  const auto slash = rest.find('/');
  const std::string_view authority = rest.substr(0, slash);
  if (authority.find('@') != std::string_view::npos)
    throw std::invalid_argument(w + ": credentials in the URL are not accepted (they would end up in logs); "
                                    "use GITHUB_TOKEN, GH_TOKEN or --token-file");
  split_host_port(authority, u.host, u.port, what);
  u.host = lower(u.host);
  if (u.port == 0) u.port = u.tls() ? 443 : 80;
  if (slash != std::string_view::npos) {
    std::string_view path = rest.substr(slash);
    while (!path.empty() && path.back() == '/') path.remove_suffix(1);
    u.path = std::string(path);
  }
  return u;
}

Url parse_proxy_url(std::string_view text, std::string_view what) {
  const std::string w(what);
  Url u;
  std::string_view rest = text;
  if (const auto sep = text.find("://"); sep != std::string_view::npos) {
    u.scheme = lower(text.substr(0, sep));
    rest = text.substr(sep + 3);
  } else {
    u.scheme = "http";
  }
  if (u.scheme != "http")
    throw std::invalid_argument(w + ": only http:// proxies are supported (HTTPS goes through them with CONNECT), "
                                    "got scheme '" + u.scheme + "'");
  rest = rest.substr(0, rest.find('/'));
  if (const auto at = rest.rfind('@'); at != std::string_view::npos) {
    u.userinfo = percent_decode(rest.substr(0, at));
    register_secret(u.userinfo);
    if (const auto colon = u.userinfo.find(':'); colon != std::string::npos)
      register_secret(u.userinfo.substr(colon + 1));
    rest = rest.substr(at + 1);
  }
  split_host_port(rest, u.host, u.port, what);
  u.host = lower(u.host);
  if (u.port == 0) u.port = 1080;
  return u;
}

bool no_proxy_matches(std::string_view no_proxy, std::string_view host_in, std::uint16_t port) {
  const std::string host = lower(host_in);
  std::size_t i = 0;
  while (i < no_proxy.size()) {
    const auto end = no_proxy.find_first_of(", ", i);
    std::string entry = lower(no_proxy.substr(i, end == std::string_view::npos ? std::string_view::npos : end - i));
    i = end == std::string_view::npos ? no_proxy.size() : end + 1;
    if (entry.empty()) continue;
    std::uint16_t entry_port = 0;
    // A port only when the entry is not a bare IPv6 address.
    if (!entry.empty() && entry.front() == '[') {
      const auto close = entry.find(']');
      if (close == std::string::npos) continue;
      if (close + 1 < entry.size() && entry[close + 1] == ':')
        entry_port = static_cast<std::uint16_t>(std::atoi(entry.c_str() + close + 2));
      entry = entry.substr(1, close - 1);
    } else if (std::count(entry.begin(), entry.end(), ':') == 1) {
      const auto colon = entry.find(':');
      entry_port = static_cast<std::uint16_t>(std::atoi(entry.c_str() + colon + 1));
      entry = entry.substr(0, colon);
    }
    if (entry_port != 0 && entry_port != port) continue;
    if (host_matches_entry(entry, host)) return true;
  }
  return false;
}

std::optional<Url> proxy_for(const Url& target, const std::map<std::string, std::string>& env, std::string* used) {
  const auto get = [&](const char* name) -> const std::string* {
    const auto it = env.find(name);
    return it == env.end() || it->second.empty() ? nullptr : &it->second;
  };
  const char* names[2] = {target.tls() ? "https_proxy" : "http_proxy", target.tls() ? "HTTPS_PROXY" : "HTTP_PROXY"};
  const std::string* value = nullptr;
  const char* name = nullptr;
  for (const char* n : names)
    if ((value = get(n))) {
      name = n;
      break;
    }
  if (!value) return std::nullopt;
  for (const char* n : {"no_proxy", "NO_PROXY"})
    if (const std::string* np = get(n)) {
      if (no_proxy_matches(*np, target.host, target.port)) return std::nullopt;
      break;
    }
  if (used) *used = name;
  return parse_proxy_url(*value, name);
}

std::map<std::string, std::string> proxy_environment() {
  std::map<std::string, std::string> env;
  for (const char* n : {"https_proxy", "HTTPS_PROXY", "http_proxy", "HTTP_PROXY", "no_proxy", "NO_PROXY"})
    if (const char* v = std::getenv(n)) env[n] = v;
  return env;
}

std::string percent_encode(std::string_view text, bool keep_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    const bool unreserved = std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved || (keep_slash && c == '/')) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

}  // namespace coordsim::agent::real
