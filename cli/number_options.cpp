#include "cli/number_options.hpp"

#include <charconv>
#include <cmath>
#include <limits>
#include <optional>
#include <string_view>

#include <spdlog/fmt/fmt.h>

namespace coordsim::cli {

namespace {

// What was given, for the message: an argument can be any length.
std::string shown(std::string_view text) {
  constexpr std::size_t kMax = 40;
  return text.size() <= kMax ? std::string(text) : std::string(text.substr(0, kMax)) + "...";
}

struct Decimal {
  bool negative = false;
  std::uint64_t magnitude = 0;
  bool overflow = false;  // more than 2^64-1: outside every range
};

// An optional sign and decimal digits, nothing else: no spaces, no 0x, and a
// leading zero is not octal.
std::optional<Decimal> parse_decimal(std::string_view s) {
  Decimal d;
  if (!s.empty() && (s.front() == '-' || s.front() == '+')) {
    d.negative = s.front() == '-';
    s.remove_prefix(1);
  }
  if (s.empty() || s.find_first_not_of("0123456789") != std::string_view::npos) return std::nullopt;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), d.magnitude);
  d.overflow = ec == std::errc::result_out_of_range;
  return d;
}

}  // namespace

CLI::Validator integer_in(std::int64_t min, std::int64_t max, const std::string& description) {
  return CLI::Validator(
      [min, max](std::string& text) -> std::string {
        const std::string expected = fmt::format("expected an integer from {} to {}, got '{}'", min, max, shown(text));
        const std::optional<Decimal> d = parse_decimal(text);
        if (!d || d->overflow) return expected;
        // -2^63 is the one magnitude that fits only when negative.
        constexpr std::uint64_t kMaxMagnitude = std::uint64_t{1} << 63;
        if (d->magnitude > (d->negative ? kMaxMagnitude : kMaxMagnitude - 1)) return expected;
        const std::int64_t value = d->negative ? static_cast<std::int64_t>(0 - d->magnitude)
                                               : static_cast<std::int64_t>(d->magnitude);
        if (value < min || value > max) return expected;
        text = std::to_string(value);
        return {};
      },
      description);
}

CLI::Validator unsigned_in(std::uint64_t min, std::uint64_t max, const std::string& description) {
  return CLI::Validator(
      [min, max](std::string& text) -> std::string {
        const std::string expected = fmt::format("expected an integer from {} to {}, got '{}'", min, max, shown(text));
        const std::optional<Decimal> d = parse_decimal(text);
        // "-0" is 0; any other negative is what strtoull would have wrapped.
        if (!d || d->overflow || (d->negative && d->magnitude != 0)) return expected;
        if (d->magnitude < min || d->magnitude > max) return expected;
        text = std::to_string(d->magnitude);
        return {};
      },
      description);
}

CLI::Validator any_uint64() { return unsigned_in(0, std::numeric_limits<std::uint64_t>::max()); }

CLI::Validator trial_count() { return integer_in(1, kMaxTrials, range_description(std::int64_t{1}, kMaxTrials)); }

CLI::Validator number_in(double min, double max, const std::string& description, bool min_exclusive) {
  return CLI::Validator(
      [min, max, min_exclusive](std::string& text) -> std::string {
        const std::string lower = fmt::format("{} {}", min_exclusive ? ">" : ">=", min);
        const std::string expected =
            std::isinf(max) ? fmt::format("expected a finite number {}, got '{}'", lower, shown(text))
            : min_exclusive ? fmt::format("expected a number {} and <= {}, got '{}'", lower, max, shown(text))
                            : fmt::format("expected a number from {} to {}, got '{}'", min, max, shown(text));
        std::string_view s = text;
        if (!s.empty() && s.front() == '+') s.remove_prefix(1);
        double value = 0;
        const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
        // from_chars reads "nan" and "inf" as numbers: refused here, as is an
        // overflow to infinity (result_out_of_range).
        if (s.empty() || ec != std::errc() || end != s.data() + s.size() || !std::isfinite(value)) return expected;
        if (min_exclusive ? !(value > min) : !(value >= min)) return expected;
        if (!(value <= max)) return expected;
        if (value == 0) text = "0";  // "-0" would reach the reports as -0
        return {};
      },
      description);
}

CLI::Validator non_negative_number(const std::string& description) {
  return number_in(0.0, std::numeric_limits<double>::infinity(), description);
}

}  // namespace coordsim::cli
