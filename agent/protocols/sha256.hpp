#pragma once
// SHA-256 (FIPS 180-4), for key_names' digest of a long signature. The agent
// layer links only the standard library, so it carries its own.
#include <string>
#include <string_view>

namespace coordsim::agent {

// Lower-case hex, 64 characters.
std::string sha256_hex(std::string_view bytes);

}  // namespace coordsim::agent
