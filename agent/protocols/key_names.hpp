#pragma once
// The coordination key's names: (commit, signature) -> the ref component and
// the issue-title key ref-lock, scan-down and settle coordinate on. The
// mapping is injective, so two distinct failures never share a lock; before,
// "win x64", "win_x64" and "win/x64" all became "win_x64" (one lock, two of
// three failures never analyzed). docs/protocols.md "Coordination keys".
#include <string>
#include <string_view>

namespace coordsim::agent {

// One ref-name component from arbitrary bytes. Kept: [A-Za-z0-9-] and '.';
// every other byte, '_' included, becomes "_XX" (two upper-case hex digits).
// '_' is never kept, so decoding is unambiguous whichever positions were
// escaped, and the rules below escape a few more for git (check-ref-format):
//   * a '.' first, or right after a '.', becomes "_2E" (no leading ".", no "..");
//   * a final '.' and the '.' of a final ".lock" become "_2E";
//   * the '-' of a final "-done" or "-g<digits>" becomes "_2D", so the
//     suffixes ref-lock appends (<lock>-done, <lock>-g2 ...) never make the
//     ref of another key (signature "x-done" would be x's done marker).
// The empty string becomes "_" (a component cannot be empty).
// An encoding longer than kMaxEncodedKey is replaced by a readable prefix of
// it (at most kReadablePrefix characters, not cutting an escape) + "_-" + the
// SHA-256 of the raw bytes in hex. "_-" never occurs in the short form, so the
// two forms cannot meet; two long inputs meet only on a SHA-256 collision.
// The bound keeps the ref a file name (255 bytes, with "-done" and git's
// ".lock" added) and the issue title within GitHub's 256 characters.
inline constexpr std::size_t kMaxEncodedKey = 100;
inline constexpr std::size_t kReadablePrefix = 40;
std::string encode_key_component(std::string_view bytes);

// True when `suffix` may follow an encoded component without colliding with
// another key's component: the reserved "-done" and "-g<digits>". A new
// suffix on lock refs must be added here and to the tail rules above.
bool is_reserved_key_suffix(std::string_view suffix);

// "<enc(commit)>" or "<enc(commit)>/<enc(signature)>" (no signature or keyed by
// commit). enc never yields '/' or ' ', so the pair is recovered from the id,
// and "[coordsim] <id> by " (the title prefix) never prefixes a title of
// another id.
std::string coordination_key_id(std::string_view commit, std::string_view signature);
void write_coordination_key_id(std::string_view commit, std::string_view signature, std::string& out);

}  // namespace coordsim::agent
