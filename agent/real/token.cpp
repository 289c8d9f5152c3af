#include "agent/real/token.hpp"

#include <cstdlib>
#include <fstream>
#include <mutex>
#include <stdexcept>
#include <vector>

namespace coordsim::agent::real {

namespace {

std::mutex& secrets_mutex() {
  static std::mutex m;
  return m;
}
std::vector<std::string>& secrets() {
  static std::vector<std::string> s;
  return s;
}

std::string trim(std::string s) {
  const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!s.empty() && is_space(s.back())) s.pop_back();
  std::size_t i = 0;
  while (i < s.size() && is_space(s[i])) ++i;
  return s.substr(i);
}

Token checked(std::string value, TokenSource source, const std::string& where) {
  value = trim(std::move(value));
  if (value.empty()) throw std::invalid_argument(where + ": the token is empty");
  // Registered before validation: even a rejected token must not be echoed.
  register_secret(value);
  if (!valid_token_chars(value))
    throw std::invalid_argument(where +
                                ": the token contains spaces or control characters (expected one line "
                                "holding only the token)");
  return Token{std::move(value), source};
}

}  // namespace

const char* token_source_name(TokenSource s) {
  switch (s) {
    case TokenSource::none: return "none";
    case TokenSource::token_file: return "--token-file";
    case TokenSource::github_token_env: return "GITHUB_TOKEN";
    case TokenSource::gh_token_env: return "GH_TOKEN";
  }
  return "?";
}

bool valid_token_chars(std::string_view token) {
  for (unsigned char c : token)
    if (c <= 0x20 || c == 0x7f) return false;
  return !token.empty();
}

Token load_token(const std::string& token_file) {
  if (!token_file.empty()) {
    std::ifstream in(token_file, std::ios::binary);
    if (!in) throw std::invalid_argument("--token-file " + token_file + ": cannot be read");
    // A token is one line (GitHub's are 40 to 93 characters, a JWT a few KB);
    // reading at most one byte past 64 KiB keeps /dev/zero or a wrong file
    // from filling memory (it read until std::bad_alloc).
    constexpr std::size_t kMaxTokenFileBytes = 64 << 10;
    std::string text(kMaxTokenFileBytes + 1, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<std::size_t>(in.gcount()));
    if (text.size() > kMaxTokenFileBytes)
      throw std::invalid_argument("--token-file " + token_file + ": larger than 64 KiB, the most a token file holds");
    return checked(text, TokenSource::token_file, "--token-file " + token_file);
  }
  // An empty variable counts as unset: workflows often pass `${{ secrets.X }}`
  // that expands to nothing.
  if (const char* v = std::getenv("GITHUB_TOKEN"); v && *v)
    return checked(v, TokenSource::github_token_env, "GITHUB_TOKEN");
  if (const char* v = std::getenv("GH_TOKEN"); v && *v) return checked(v, TokenSource::gh_token_env, "GH_TOKEN");
  return Token{};
}

void register_secret(std::string_view secret) {
  if (secret.size() < 4) return;
  std::lock_guard lock(secrets_mutex());
  for (const std::string& s : secrets())
    if (s == secret) return;
  secrets().emplace_back(secret);
}

std::string redact(std::string_view text) {
  std::string out(text);
  std::lock_guard lock(secrets_mutex());
  for (const std::string& s : secrets()) {
    for (std::size_t pos = out.find(s); pos != std::string::npos; pos = out.find(s, pos + 3))
      out.replace(pos, s.size(), "***");
  }
  return out;
}

void clear_secrets() {
  std::lock_guard lock(secrets_mutex());
  secrets().clear();
}

}  // namespace coordsim::agent::real
