#pragma once
// ASCII case folding. GitHub compares label names, search qualifiers and search
// text ignoring case; bytes outside ASCII (UTF-8 sequences) compare as they
// are, so the result never depends on the C library's locale.
#include <cstring>
#include <string>
#include <string_view>

namespace coordsim::sim {

inline char ascii_lower(char c) noexcept { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

inline std::string to_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = ascii_lower(c);
  return out;
}

inline bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  // Most names compared are spelled alike: memcmp settles those quickly.
  if (a.empty() || std::memcmp(a.data(), b.data(), a.size()) == 0) return true;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  return true;
}

}  // namespace coordsim::sim
