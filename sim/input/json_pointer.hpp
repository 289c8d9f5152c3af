#pragma once
// JSON pointers (RFC 6901) for error messages: "~" and "/" in keys are escaped.
#include <string>
#include <string_view>

namespace coordsim::sim {

inline std::string escape_pointer_token(std::string_view token) {
  std::string out;
  for (char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace coordsim::sim
