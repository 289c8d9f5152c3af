#pragma once
// Validators for the numeric options of every subcommand. CLI11 converts an
// unsigned option with strtoull, which wraps "-1" to 2^64-1 and saturates
// what overflows, reads "010" as octal, and lets NaN through every range
// check (NaN compares false); these take the text first, accept plain
// decimal only, and refuse with the range that was expected:
//
//   coordsim: error: --seed: expected an integer from 0 to 18446744073709551615, got '-1'
//
// They are transforms: a value that passes is rewritten in the form CLI11
// converts to the same number ("010" -> "10", "+5" -> "5").
#include <cstdint>
#include <sstream>
#include <string>

#include <CLI/CLI.hpp>

namespace coordsim::cli {

// An integer in [min, max]. `description` is what --help shows after the
// type ("" for nothing); it keeps the help text the options had before.
CLI::Validator integer_in(std::int64_t min, std::int64_t max, const std::string& description = "");
CLI::Validator unsigned_in(std::uint64_t min, std::uint64_t max, const std::string& description = "");
// Seeds: any 64-bit unsigned integer.
CLI::Validator any_uint64();

// --trials and the like: 1 to 2^40, what the engine's trial indices allow.
inline constexpr std::int64_t kMaxTrials = std::int64_t{1} << 40;
CLI::Validator trial_count();

// A finite number in [min, max] (in (min, max] when `min_exclusive`): never
// NaN or an infinity.
CLI::Validator number_in(double min, double max, const std::string& description = "", bool min_exclusive = false);
// A finite number >= 0.
CLI::Validator non_negative_number(const std::string& description = "");

// CLI11's own help text for CLI::Range(min, max) ("INT in [1 - 1099511627776]"),
// so options that had a Range keep their help unchanged.
template <class T>
std::string range_description(T min, T max) {
  std::stringstream out;
  out << CLI::detail::type_name<T>() << " in [" << min << " - " << max << "]";
  return out.str();
}

}  // namespace coordsim::cli
