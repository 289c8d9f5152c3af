#include "agent/protocols/key_names.hpp"

#include "agent/protocols/sha256.hpp"

namespace coordsim::agent {
namespace {

constexpr char kHex[] = "0123456789ABCDEF";

bool kept(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

bool ends_with(std::string_view s, std::string_view tail) {
  return s.size() >= tail.size() && s.substr(s.size() - tail.size()) == tail;
}

// Replaces out[at] (a kept '.' or '-') with its escape.
void escape_at(std::string& out, std::size_t at) {
  const auto c = static_cast<unsigned char>(out[at]);
  const char esc[3] = {'_', kHex[c >> 4], kHex[c & 0xf]};
  out.replace(at, 1, esc, 3);
}

// Position of the '-' of a final "-g<digits>" in s, or npos.
std::size_t generation_suffix(std::string_view s) {
  std::size_t i = s.size();
  while (i > 0 && s[i - 1] >= '0' && s[i - 1] <= '9') --i;
  if (i == s.size() || i < 2 || s[i - 1] != 'g' || s[i - 2] != '-') return std::string_view::npos;
  return i - 2;
}

// The short form, appended to `out`.
void append_escaped(std::string_view bytes, std::string& out) {
  const std::size_t start = out.size();
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    const auto c = static_cast<unsigned char>(bytes[i]);
    const bool dot_needs_escape = c == '.' && (i == 0 || bytes[i - 1] == '.');
    if (kept(c) && !dot_needs_escape) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('_');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xf]);
    }
  }
  if (out.size() == start) {
    out.push_back('_');
    return;
  }
  // The tail rules: each rewrites only the tail and leaves a tail none of the
  // others applies to, so one pass in this order suffices.
  const std::string_view enc = std::string_view(out).substr(start);
  if (enc.back() == '.') {
    escape_at(out, out.size() - 1);
  } else if (ends_with(enc, ".lock")) {
    escape_at(out, out.size() - 5);
  } else if (ends_with(enc, "-done")) {
    escape_at(out, out.size() - 5);
  } else if (const std::size_t g = generation_suffix(enc); g != std::string_view::npos) {
    escape_at(out, start + g);
  }
}

}  // namespace

bool is_reserved_key_suffix(std::string_view suffix) {
  return suffix == "-done" || (suffix.size() > 2 && generation_suffix(suffix) == 0);
}

std::string encode_key_component(std::string_view bytes) {
  std::string out;
  append_escaped(bytes, out);
  if (out.size() <= kMaxEncodedKey) return out;
  // A readable prefix that does not cut an escape ("_XX").
  // '_' only ever starts an escape, so one within the last two characters
  // before the cut is an escape the cut would split.
  std::size_t cut = kReadablePrefix;
  if (out[cut - 1] == '_') cut -= 1;
  else if (out[cut - 2] == '_') cut -= 2;
  out.resize(cut);
  out.append("_-").append(sha256_hex(bytes));
  return out;
}

void write_coordination_key_id(std::string_view commit, std::string_view signature, std::string& out) {
  out.clear();
  // The common case, a hex commit and a short signature, appends in place:
  // the simulator rebuilds the key every run and must not allocate.
  append_escaped(commit, out);
  if (out.size() > kMaxEncodedKey) out = encode_key_component(commit);
  if (signature.empty()) return;
  out.push_back('/');
  const std::size_t start = out.size();
  append_escaped(signature, out);
  if (out.size() - start > kMaxEncodedKey) {
    out.resize(start);
    out.append(encode_key_component(signature));
  }
}

std::string coordination_key_id(std::string_view commit, std::string_view signature) {
  std::string out;
  write_coordination_key_id(commit, signature, out);
  return out;
}

}  // namespace coordsim::agent
