#pragma once
// The API token: where it comes from, and keeping it out of everything the
// program writes. The token is registered as a secret the moment it is read;
// every line coordsim agent / calibrate print (JSON, logs, journal notes, error
// messages) goes through redact(), so even a server that echoed the token back
// in an error message could not make us print it.
#include <optional>
#include <string>
#include <string_view>

namespace coordsim::agent::real {

// Where the token came from, for messages (never the token itself).
enum class TokenSource { none, token_file, github_token_env, gh_token_env };
const char* token_source_name(TokenSource s);

struct Token {
  std::string value;  // empty: no token (anonymous requests)
  TokenSource source = TokenSource::none;
};

// `--token-file` when given, else $GITHUB_TOKEN, else $GH_TOKEN, else none.
// Surrounding whitespace (a trailing newline) is removed. Throws
// std::invalid_argument, naming the source but never the content, when the file
// cannot be read, is empty, or the token holds characters that cannot go into
// an HTTP header (control characters, spaces). Registers the token as a secret.
Token load_token(const std::string& token_file);

// Whether `token` can be sent as `Authorization: Bearer <token>`.
bool valid_token_chars(std::string_view token);

// Secrets known to this process (the token, proxy credentials). Secrets
// shorter than 4 characters are not registered: replacing every "a" would
// make output unreadable without protecting anything.
void register_secret(std::string_view secret);
// `text` with every registered secret replaced by "***".
std::string redact(std::string_view text);
// Forgets all secrets (tests).
void clear_secrets();

}  // namespace coordsim::agent::real
