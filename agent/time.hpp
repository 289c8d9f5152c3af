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

// Where from_seconds saturates: 2^61 us, 73,000 years. Far beyond any trial
// (the simulator stops one at its horizon, sim::TrialLimits), and small enough
// that adding two saturated values cannot overflow int64: no drawn value,
// however wild its distribution (lognormal sigma 1e308), wraps around into a
// negative or small time.
inline constexpr std::int64_t kSaturatedUs = std::int64_t{1} << 61;

// Rounds to the nearest microsecond, halves away from zero (as llround, without
// the libm call on the simulator's hot path); seconds are the unit of scenario
// files. Saturates at +-kSaturatedUs; NaN saturates high.
inline Duration from_seconds(double s) {
  const double us = s * 1e6;
  if (us >= 0) {
    if (us < 0x1p61) [[likely]]
      return Duration(static_cast<std::int64_t>(us + 0.5));
    return Duration(kSaturatedUs);
  }
  if (us > -0x1p61) return Duration(-static_cast<std::int64_t>(-us + 0.5));
  return Duration(us < 0 ? -kSaturatedUs : kSaturatedUs);
}

// t + d, clamped to +-2^62 us: for sums of saturated values (a start offset,
// a time to failure, a delay), which the engine then refuses as past its
// horizon instead of seeing them wrap.
inline constexpr Duration add_saturated(Duration t, Duration d) {
  constexpr std::int64_t kMax = std::int64_t{1} << 62;
  const std::int64_t a = t.count(), b = d.count();
  if (b > 0 && a > kMax - b) return Duration(kMax);
  if (b < 0 && a < -kMax - b) return Duration(-kMax);
  return Duration(a + b);
}

inline constexpr double to_seconds(Duration d) { return static_cast<double>(d.count()) / 1e6; }

}  // namespace coordsim::agent
