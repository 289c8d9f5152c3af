#include "sim/input/document_parse.hpp"

#include <algorithm>
#include <set>
#include <utility>
#include <vector>

#include "sim/input/document_pointer.hpp"

namespace coordsim::sim::loader {

using nlohmann::json;

namespace {

std::pair<std::size_t, std::size_t> line_column(std::string_view text, std::size_t byte) {
  // nlohmann's `byte` counts the characters read, so the offending one is byte - 1.
  const std::size_t at = std::min(byte == 0 ? 0 : byte - 1, text.size());
  std::size_t line = 1;
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < at; ++i) {
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  return {line, at - line_start + 1};
}

// Tracks where the parser is, to name a duplicated key by its pointer: JSON
// allows duplicates and nlohmann silently keeps the last, which turns a pasted
// second "seed" into a quiet change of results.
class DuplicateKeyCheck {
 public:
  explicit DuplicateKeyCheck(std::string source) : source_(std::move(source)) {}

  bool operator()(int /*depth*/, json::parse_event_t event, json& parsed) {
    switch (event) {
      case json::parse_event_t::object_start: frames_.emplace_back().array = false; break;
      case json::parse_event_t::array_start: frames_.emplace_back().array = true; break;
      case json::parse_event_t::key: {
        Frame& top = frames_.back();
        top.key = parsed.get<std::string>();
        if (!top.keys.insert(top.key).second) {
          throw InputError(source_ + ": " + pointer(),
                           "duplicate field (JSON keeps only the last; remove one)");
        }
        break;
      }
      case json::parse_event_t::object_end:
      case json::parse_event_t::array_end:
        frames_.pop_back();
        next_element();
        break;
      case json::parse_event_t::value: next_element(); break;
    }
    return true;
  }

 private:
  struct Frame {
    bool array = false;
    std::size_t index = 0;
    std::string key;
    std::set<std::string> keys;
  };

  void next_element() {
    if (!frames_.empty() && frames_.back().array) ++frames_.back().index;
  }

  std::string pointer() const {
    std::string out;
    for (const Frame& f : frames_) out = f.array ? child(out, f.index) : child(out, f.key);
    return out;
  }

  std::string source_;
  std::vector<Frame> frames_;
};

}  // namespace

json parse_document(std::string_view text, const std::string& source) {
  DuplicateKeyCheck check(source);
  try {
    return json::parse(text, [&check](int depth, json::parse_event_t event, json& parsed) {
      return check(depth, event, parsed);
    });
  } catch (const json::parse_error& e) {
    const auto [line, column] = line_column(text, e.byte);
    // Keep nlohmann's detail but not its own position prefix, which counts differently.
    std::string detail = e.what();
    if (const auto p = detail.find("parse error"); p != std::string::npos) {
      if (const auto colon = detail.find(": ", p); colon != std::string::npos) {
        detail = detail.substr(colon + 2);
      }
    }
    throw InputError(
        source + ": line " + std::to_string(line) + ", column " + std::to_string(column),
        "invalid JSON: " + detail);
  }
}

}  // namespace coordsim::sim::loader
