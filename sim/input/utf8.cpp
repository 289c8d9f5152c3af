#include "sim/input/utf8.hpp"

#include <cstdint>
#include <cstdio>

namespace coordsim::sim {

namespace {

// The length of the well-formed sequence at text[i], or 0.
std::size_t sequence_at(std::string_view text, std::size_t i) {
  const auto c = static_cast<unsigned char>(text[i]);
  if (c < 0x80) return 1;
  std::size_t n = 0;
  std::uint32_t cp = 0;
  if ((c & 0xe0) == 0xc0) n = 1, cp = c & 0x1fu;
  else if ((c & 0xf0) == 0xe0) n = 2, cp = c & 0x0fu;
  else if ((c & 0xf8) == 0xf0) n = 3, cp = c & 0x07u;
  else return 0;  // a continuation byte, or 0xF8-0xFF
  if (text.size() - i <= n) return 0;  // truncated
  for (std::size_t k = 1; k <= n; ++k) {
    const auto cc = static_cast<unsigned char>(text[i + k]);
    if ((cc & 0xc0) != 0x80) return 0;
    cp = (cp << 6) | (cc & 0x3fu);
  }
  static constexpr std::uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
  if (cp < kMin[n] || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) return 0;
  return n + 1;
}

std::string hex_byte(unsigned char c) {
  char buffer[8];
  std::snprintf(buffer, sizeof buffer, "\\x%02x", c);
  return buffer;
}

}  // namespace

std::optional<std::size_t> invalid_utf8_at(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t n = sequence_at(text, i);
    if (n == 0) return i;
    i += n;
  }
  return std::nullopt;
}

std::string escape_invalid_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t n = sequence_at(text, i);
    if (n == 0) {
      out += hex_byte(static_cast<unsigned char>(text[i]));
      ++i;
    } else {
      out.append(text.substr(i, n));
      i += n;
    }
  }
  return out;
}

std::string describe_invalid_utf8(std::string_view text, std::size_t at) {
  return "byte " + std::to_string(at + 1) + " (" + hex_byte(static_cast<unsigned char>(text[at])) + ")";
}

}  // namespace coordsim::sim
