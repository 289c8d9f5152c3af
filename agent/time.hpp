#pragma once
// Time as the protocols see it. Integer microseconds, never a double, so that a
// simulated trial is exact and byte-reproducible; the real runtime measures the
// same type from a steady clock.
#include <chrono>
#include <cmath>
#include <cstdint>

namespace coordsim::agent {

using Duration = std::chrono::microseconds;
// A point on the runtime's clock, as the offset from its origin (the start of a
// trial in the simulator, the start of the process in the real runtime).
using Time = std::chrono::microseconds;

inline constexpr Duration kNever = Duration::max();

// Rounds to the nearest microsecond, halves away from zero (as llround, without
// the libm call on the simulator's hot path); seconds are the unit of scenario files.
inline Duration from_seconds(double s) {
  const double us = s * 1e6;
  return Duration(us >= 0 ? static_cast<std::int64_t>(us + 0.5) : -static_cast<std::int64_t>(-us + 0.5));
}
inline constexpr double to_seconds(Duration d) { return static_cast<double>(d.count()) / 1e6; }

}  // namespace coordsim::agent
