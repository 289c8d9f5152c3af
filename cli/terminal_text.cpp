#include "cli/terminal_text.hpp"

#include <spdlog/fmt/fmt.h>

#include "cli/commands.hpp"

namespace coordsim::cli {

std::string printable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f) {
      out += fmt::format("\\u{:04x}", c);
    } else if (c == 0xc2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) >= 0x80 &&
               static_cast<unsigned char>(text[i + 1]) <= 0x9f) {
      // A C1 control in UTF-8 (0xC2 is never a continuation byte, so this is
      // where a character starts): CSI (U+009B) starts a sequence as ESC [ does.
      out += fmt::format("\\u{:04x}", static_cast<unsigned char>(text[++i]));
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

void print_text(std::string_view text) { write_stdout(printable(text)); }

}  // namespace coordsim::cli
