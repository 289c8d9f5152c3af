#pragma once
// Text for a terminal. Reports and messages echo what users and scenario
// files wrote — scenario names, paths, option values — and a control
// character there (ESC starting a terminal sequence, CR overwriting a line)
// would reach the terminal raw: it could recolour, retitle or clear it, or
// make a line say something else. These show it visibly instead.
#include <string>
#include <string_view>

namespace coordsim::cli {

// `text` with every C0 control but tab and newline, DEL and every C1 control
// (U+0080-U+009F) written as \uXXXX, as JSON would: "a\x1b[2J" -> "a\u001b[2J".
// Everything else, UTF-8 included, is unchanged.
std::string printable(std::string_view text);

// printable(text) on stdout, flushed; throws std::runtime_error if the write
// fails (a full disk, a closed pipe's error): the output is lost, exit 1.
void print_text(std::string_view text);

}  // namespace coordsim::cli
