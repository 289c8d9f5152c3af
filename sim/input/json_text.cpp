#include "sim/input/json_text.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <system_error>

#include "sim/input/document_parse.hpp"
#include "sim/input/input_error.hpp"

namespace coordsim::sim {

namespace {

bool number_char(char c) {
  return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
}

// One pass over the text, outside strings: containers counted, number tokens
// read as nlohmann reads them (strtod: what overflows there overflows here).
// `on_open(depth, offset)` and `on_number(token, offset)` return a problem to stop.
template <class OnOpen, class OnNumber>
std::optional<JsonTextProblem> scan(std::string_view text, OnOpen on_open, OnNumber on_number) {
  int depth = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '"') {
      for (++i; i < text.size() && text[i] != '"'; ++i)
        if (text[i] == '\\') ++i;
    } else if (c == '[' || c == '{') {
      if (auto p = on_open(++depth, i)) return p;
    } else if (c == ']' || c == '}') {
      if (depth > 0) --depth;
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      std::size_t end = i;
      while (end < text.size() && number_char(text[end])) ++end;
      if (auto p = on_number(text.substr(i, end - i), i)) return p;
      i = end - 1;
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<JsonTextProblem> check_json_text(std::string_view text, int max_depth) {
  return scan(
      text,
      [max_depth](int depth, std::size_t at) -> std::optional<JsonTextProblem> {
        if (depth <= max_depth) return std::nullopt;
        return JsonTextProblem{JsonTextProblem::Kind::too_deep, at, "nested deeper than " + std::to_string(max_depth) +
                                       " levels (arrays and objects inside each other)"};
      },
      [](std::string_view token, std::size_t at) -> std::optional<JsonTextProblem> {
        // Only a digit after the optional '-' starts a JSON number; anything
        // else is the parser's to report.
        const std::size_t digit = token.front() == '-' ? 1 : 0;
        if (token.size() <= digit || token[digit] < '0' || token[digit] > '9') return std::nullopt;
        const std::string copy(token);  // strtod needs the terminating NUL
        const double v = std::strtod(copy.c_str(), nullptr);
        if (std::isfinite(v)) return std::nullopt;
        const std::string shown = token.size() > 40 ? std::string(token.substr(0, 40)) + "..." : copy;
        return JsonTextProblem{JsonTextProblem::Kind::number_out_of_range, at, "the number " + shown +
                                       " is out of range: a number must be within +-1.8e308 (a double)"};
      });
}

int json_text_depth(std::string_view text) {
  int deepest = 0;
  scan(
      text,
      [&deepest](int depth, std::size_t) -> std::optional<JsonTextProblem> {
        deepest = std::max(deepest, depth);
        return std::nullopt;
      },
      [](std::string_view, std::size_t) -> std::optional<JsonTextProblem> { return std::nullopt; });
  return deepest;
}

std::string text_position(std::string_view text, std::size_t offset) {
  const std::size_t at = std::min(offset, text.size());
  std::size_t line = 1;
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < at; ++i) {
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(at - line_start + 1);
}

std::string read_input_file(const std::string& path, std::string_view what, std::size_t max_bytes) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!file) {
    throw InputError(path, "cannot open " + std::string(what) + ": " + std::generic_category().message(errno));
  }
  std::string text;
  char buffer[1 << 16];
  // At most one byte past the limit: enough to know the file is too large,
  // and a character device such as /dev/zero is never read further.
  while (text.size() <= max_bytes) {
    const std::size_t want = std::min(sizeof buffer, max_bytes + 1 - text.size());
    const std::size_t n = std::fread(buffer, 1, want, file.get());
    if (n == 0) break;
    text.append(buffer, n);
  }
  if (std::ferror(file.get())) {
    // A directory opens fine and fails here, with EISDIR.
    throw InputError(path, "cannot read " + std::string(what) + ": " + std::generic_category().message(errno));
  }
  if (text.size() > max_bytes) {
    // 16 MiB, or 64 KiB for the small limits (a token file).
    const std::string limit = max_bytes >= (std::size_t{1} << 20) && max_bytes % (std::size_t{1} << 20) == 0
                                  ? std::to_string(max_bytes >> 20) + " MiB"
                              : max_bytes % 1024 == 0 ? std::to_string(max_bytes >> 10) + " KiB"
                                                      : std::to_string(max_bytes) + " bytes";
    throw InputError(path, "the " + std::string(what) + " is larger than " + limit +
                               ", the most coordsim reads: is it the right file?");
  }
  return text;
}

nlohmann::json parse_json_text(std::string_view text, const std::string& source, int max_depth) {
  return loader::parse_document(text, source, max_depth);
}

}  // namespace coordsim::sim
