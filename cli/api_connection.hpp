#pragma once
// What `coordsim agent` and `coordsim calibrate` share: the options that say
// how to reach the API (URL, token, TLS, timeout) and turning them into the
// transport's options. The token never appears in anything printed.
#include <string>
#include <string_view>

#include <CLI/CLI.hpp>

#include "agent/real/http_transport.hpp"
#include "agent/real/token.hpp"

namespace coordsim::cli {

struct ApiConnectionArgs {
  std::string api_url;  // empty: $GITHUB_API_URL, else https://api.github.com
  std::string token_file;
  std::string ca_file;
  double request_timeout_s = 0;  // 0: the command's default
};

// --api-url, --token-file, --ca-file, --request-timeout.
void add_api_connection_options(CLI::App* cmd, ApiConnectionArgs& args);

struct ApiConnection {
  agent::real::TransportOptions transport;
  agent::real::TokenSource token_source = agent::real::TokenSource::none;
  std::string proxy_variable;  // the environment variable that chose the proxy, if any
};

// Parses the URL, loads the token (registering it as a secret), picks the
// proxy from the environment. Throws sim::InputError (exit 2) naming the
// option and what was expected.
ApiConnection make_api_connection(const ApiConnectionArgs& args, double default_request_timeout_s);

// Prints a line to stderr through the redaction of every secret.
void print_stderr(std::string_view line);

}  // namespace coordsim::cli
