#include "sim/output/percent.hpp"

#include <spdlog/fmt/fmt.h>

namespace coordsim::sim {

std::string percent(double v) {
  return v > 0 && v < 0.001 ? fmt::format("{:.4f}%", 100 * v) : fmt::format("{:.2f}%", 100 * v);
}

std::string percent_interval(const Interval& ci) { return "[" + percent(ci.low) + ", " + percent(ci.high) + "]"; }

// 100 * 0.07 is 7.000000000000001: ten significant digits hide that.
std::string percent_bound(double v) { return fmt::format("{:.10g}%", 100 * v); }

}  // namespace coordsim::sim
