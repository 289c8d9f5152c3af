#pragma once
// JSON text from users, before it becomes a document: how much is read, how
// deep it may nest and which numbers it may hold, so that no input crashes,
// exhausts memory or surfaces one of nlohmann's own messages (issue #15).
//
// * Size: a file is read up to kMaxInputBytes + 1 bytes, never more, so
//   `coordsim run /dev/zero` (or a 1 GB mistake) stops after 16 MiB instead of
//   growing a string until std::bad_alloc.
// * Depth: nlohmann parses without recursion, but copying, dumping and
//   validating a document recurse once per level; 120,000 nested arrays
//   overflow the stack (measured: a segfault in every command that loads a
//   scenario). The text is scanned without recursion first, so no document
//   deeper than kMaxJsonDepth is ever built.
// * Numbers: 1e400 is valid JSON but no double; nlohmann throws
//   "[json.exception.out_of_range.406]" without a position. The scan finds it
//   and says where.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace coordsim::sim {

// A scenario file is kilobytes (the largest in scenarios/ is 4 KB); 16 MiB
// leaves room for empirical samples of a million measurements.
inline constexpr std::size_t kMaxInputBytes = std::size_t{16} << 20;

// Containers inside containers, the root counting 1. A scenario nests at most
// ~25 levels (a mixture of mixtures 8 deep inside /github/latency/...), a
// sweep shard 6; 64 keeps every stack use small (also under the sanitizers).
inline constexpr int kMaxJsonDepth = 64;

struct JsonTextProblem {
  enum class Kind { too_deep, number_out_of_range };
  Kind kind = Kind::too_deep;
  std::size_t offset = 0;  // byte offset of the offending character
  std::string message;     // "nested deeper than 64 levels ..."
};

// Finds the first place where `text` nests deeper than `max_depth` or holds a
// number outside a double's range, without recursion. Says nothing about the
// text's syntax otherwise (the parser does); `max_depth` counts the root as 1.
std::optional<JsonTextProblem> check_json_text(std::string_view text, int max_depth = kMaxJsonDepth);

// How deep `text` nests (0 for a scalar or non-JSON text), scanned as above.
int json_text_depth(std::string_view text);

// "line L, column C" of a byte offset, 1-based.
std::string text_position(std::string_view text, std::size_t offset);

// Reads a whole file of at most kMaxInputBytes. `what` names it in errors
// ("scenario file", "shard file"). Throws InputError(path, ...) when it cannot
// be opened or read, or is larger.
std::string read_input_file(const std::string& path, std::string_view what,
                            std::size_t max_bytes = kMaxInputBytes);

// check_json_text, then parse with the scenario loader's rules (a duplicated
// key is an error). Throws InputError "SOURCE: line L, column C: invalid
// JSON: ..." or "SOURCE: /pointer: duplicate field ...".
nlohmann::json parse_json_text(std::string_view text, const std::string& source,
                               int max_depth = kMaxJsonDepth);

}  // namespace coordsim::sim
