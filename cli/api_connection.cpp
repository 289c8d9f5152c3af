#include "cli/api_connection.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>

#include "agent/real/url.hpp"
#include "cli/number_options.hpp"
#include "cli/terminal_text.hpp"
#include "sim/input/input_error.hpp"

namespace coordsim::cli {

namespace real = agent::real;

void add_api_connection_options(CLI::App* cmd, ApiConnectionArgs& args) {
  cmd->add_option("--api-url", args.api_url,
                  "API base URL: https://api.github.com, a GitHub Enterprise https://HOST/api/v3, or "
                  "`coordsim serve`'s http://127.0.0.1:PORT/api/v3 (paths are appended to its path). "
                  "Default: $GITHUB_API_URL (GitHub Actions sets it, also on GitHub Enterprise Server), "
                  "else https://api.github.com");
  cmd->add_option("--token-file", args.token_file,
                  "Read the API token from FILE (default: $GITHUB_TOKEN, else $GH_TOKEN, else no token). "
                  "The token is never printed");
  cmd->add_option("--ca-file", args.ca_file,
                  "PEM bundle of CA certificates to trust for HTTPS instead of the system store (a private CA)");
  cmd->add_option("--request-timeout", args.request_timeout_s,
                  "Seconds a request may take (connect, send, receive) before it counts as unanswered "
                  "(status 0, retried under the client policy)")
      ->transform(number_in(0.0, 86400.0, "", true));
}

ApiConnection make_api_connection(const ApiConnectionArgs& args, double default_request_timeout_s) {
  ApiConnection c;
  std::string url = args.api_url, what = "--api-url";
  if (url.empty()) {
    const char* env = std::getenv("GITHUB_API_URL");
    url = env && *env ? env : "https://api.github.com";
    if (env && *env) what = "$GITHUB_API_URL";
  }
  try {
    c.transport.base = real::parse_api_url(url, what);
  } catch (const std::invalid_argument& e) {
    throw sim::InputError("", e.what());
  }
  const double timeout_s = args.request_timeout_s > 0 ? args.request_timeout_s : default_request_timeout_s;
  if (!(timeout_s > 0) || !std::isfinite(timeout_s) || timeout_s > 86400)
    throw sim::InputError("--request-timeout", "expected seconds in (0, 86400]");
  c.transport.timeout = std::chrono::milliseconds(static_cast<std::int64_t>(std::ceil(timeout_s * 1000)));
  if (!args.ca_file.empty()) {
    if (!c.transport.base.tls())
      throw sim::InputError("--ca-file", "given for an http:// URL; it applies to https:// only");
    c.transport.ca_file = args.ca_file;
  }
  try {
    const real::Token token = real::load_token(args.token_file);
    c.transport.token = token.value;
    c.token_source = token.source;
    c.transport.proxy = real::proxy_for(c.transport.base, real::proxy_environment(), &c.proxy_variable);
  } catch (const std::invalid_argument& e) {
    throw sim::InputError("", e.what());
  }
  return c;
}

void print_stderr(std::string_view line) {
  const std::string text = printable(real::redact(line));
  std::fprintf(stderr, "%s\n", text.c_str());
}

}  // namespace coordsim::cli
