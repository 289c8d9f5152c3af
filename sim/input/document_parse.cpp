#include "sim/input/document_parse.hpp"

#include <algorithm>
#include <set>
#include <utility>
#include <vector>

#include "sim/input/document_pointer.hpp"
#include "sim/input/json_text.hpp"
#include "sim/input/utf8.hpp"

namespace coordsim::sim::loader {

using nlohmann::json;

namespace {

// Tracks where the parser is, to name a duplicated key by its pointer: JSON
// allows duplicates and nlohmann silently keeps the last, which turns a pasted
// second "seed" into a quiet change of results.
class DuplicateKeyCheck {
 public:
  explicit DuplicateKeyCheck(std::string source) : source_(std::move(source)) {}

  bool operator()(int /*depth*/, json::parse_event_t event, json& parsed) {
    key_pending_ = event == json::parse_event_t::key;
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

  // Where the parser is: the pointer of the value it reads, or of the object
  // whose key it reads.
  std::string pointer() const {
    std::string out;
    for (std::size_t i = 0; i < frames_.size(); ++i) {
      const Frame& f = frames_[i];
      if (f.array) out = child(out, f.index);
      else if (i + 1 < frames_.size() || key_pending_) out = child(out, f.key);
    }
    return out;
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

  std::string source_;
  std::vector<Frame> frames_;
  bool key_pending_ = false;  // the last event was a key: its value comes next
};

}  // namespace

json parse_document(std::string_view text, const std::string& source, int max_depth) {
  // Before nlohmann sees the text: no document deeper than the limit is ever
  // built, and an out-of-range number is reported with its place.
  if (auto problem = check_json_text(text, max_depth)) {
    throw InputError(source + ": " + text_position(text, problem->offset), "invalid JSON: " + problem->message);
  }
  // JSON text is UTF-8 (RFC 8259); nlohmann refuses other bytes in a string
  // too, but quotes them raw. Said here with the place and, where the parser
  // got to, the pointer of the value or key holding them.
  if (const auto bad = invalid_utf8_at(text)) {
    DuplicateKeyCheck where(source);
    try {
      const json prefix = json::parse(text.substr(0, *bad), [&where](int depth, json::parse_event_t event,
                                                                      json& parsed) {
        return where(depth, event, parsed);
      });
    } catch (const std::exception&) {
      // The prefix ends inside a string: the parser stops there, where we want it.
    }
    const std::string in = where.pointer();
    throw InputError(source + ": " + text_position(text, *bad) + (in.empty() ? "" : " (in " + in + ")"),
                     "not valid UTF-8 at " + describe_invalid_utf8(text, *bad) + "; JSON text must be UTF-8");
  }
  DuplicateKeyCheck check(source);
  try {
    return json::parse(text, [&check](int depth, json::parse_event_t event, json& parsed) {
      return check(depth, event, parsed);
    });
  } catch (const json::parse_error& e) {
    // nlohmann's `byte` counts the characters read, so the offending one is byte - 1.
    const std::size_t at = e.byte == 0 ? 0 : e.byte - 1;
    // Keep nlohmann's detail but not its own position prefix, which counts differently.
    std::string detail = e.what();
    if (const auto p = detail.find("parse error"); p != std::string::npos) {
      if (const auto colon = detail.find(": ", p); colon != std::string::npos) {
        detail = detail.substr(colon + 2);
      }
    }
    throw InputError(source + ": " + text_position(text, at), "invalid JSON: " + detail);
  } catch (const json::exception& e) {
    // check_json_text leaves nothing else that nlohmann throws on; should a
    // new version add a case, it is still the input's fault, not a crash.
    throw InputError(source, std::string("invalid JSON: ") + e.what());
  }
}

}  // namespace coordsim::sim::loader
