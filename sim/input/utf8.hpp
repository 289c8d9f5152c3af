#pragma once
// UTF-8 as JSON text must be (RFC 8259 §8.1, RFC 3629): no overlong forms,
// surrogates (U+D800-U+DFFF) or code points past U+10FFFF, no truncated or
// stray continuation bytes. A string that is not UTF-8 cannot be written as
// JSON: a `--set name=<0xFF>` passed validation and later made --json, --trace
// and --shrink fail with nlohmann's "[json.exception.type_error.316]" (exit 1),
// so input text is checked where it enters.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace coordsim::sim {

// The offset of the first byte that is not part of well-formed UTF-8.
std::optional<std::size_t> invalid_utf8_at(std::string_view text);

// `text` with every byte that is not part of well-formed UTF-8 written as
// \xHH, so that a message can quote it.
std::string escape_invalid_utf8(std::string_view text);

// "byte 7 (\xff)": where the first bad byte is, 1-based, for messages.
std::string describe_invalid_utf8(std::string_view text, std::size_t at);

}  // namespace coordsim::sim
