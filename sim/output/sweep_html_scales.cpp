#include "sim/output/sweep_html_scales.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>

#include <spdlog/fmt/fmt.h>

namespace coordsim::sim::sweep_page {

namespace {

double clean(double v) { return v == 0 ? 0.0 : v; }  // no "-0" labels

}  // namespace

Ticks nice_ticks(double lo, double hi, int wanted) {
  if (!(hi > lo)) {
    // A flat series still needs a non-zero span to map onto pixels.
    const double pad = lo == 0 ? 1.0 : std::abs(lo) * 0.5;
    lo -= pad;
    hi += pad;
  }
  const double span = hi - lo;
  const double raw = span / wanted;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  const double norm = raw / magnitude;
  const double step = (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * magnitude;
  const double first = std::floor(lo / step);
  const double last = std::ceil(hi / step);
  Ticks t;
  // Past 2^53 the tick multiples are no longer distinct doubles.
  if (!std::isfinite(span) || !std::isfinite(step) || !(step > 0) || !(last > first) ||
      last - first > 50 || std::abs(first) > 1e15 || std::abs(last) > 1e15) {
    // Pathological ranges (1e300, denormals, 1e17 + 1): label just the ends.
    if (std::isfinite(lo) && std::isfinite(hi) && hi > lo) {
      t.lo = lo;
      t.hi = hi;
    }
    t.at = {t.lo, t.hi};
    return t;
  }
  t.lo = clean(first * step);
  t.hi = clean(last * step);
  const int count = static_cast<int>(last - first);
  for (int i = 0; i <= count; ++i) t.at.push_back(clean((first + i) * step));
  return t;
}

double scale(double v, const Ticks& t, double from, double to) {
  return from + (v - t.lo) / (t.hi - t.lo) * (to - from);
}

Rgb mix(const Palette& p, double t) {
  if (!std::isfinite(t)) t = 0.5;
  t = std::clamp(t, 0.0, 1.0);
  const double s = t * 4;
  const int i = std::min(3, static_cast<int>(s));
  const double f = s - i;
  const Rgb& a = p[static_cast<std::size_t>(i)];
  const Rgb& b = p[static_cast<std::size_t>(i) + 1];
  return {a.r + (b.r - a.r) * f, a.g + (b.g - a.g) * f, a.b + (b.b - a.b) * f};
}

std::string hex(const Rgb& c) {
  const auto byte = [](double v) {
    return static_cast<int>(std::lround(std::clamp(v, 0.0, 255.0)));
  };
  return fmt::format("#{:02x}{:02x}{:02x}", byte(c.r), byte(c.g), byte(c.b));
}

bool is_dark(const Rgb& c) {
  const auto linear = [](double channel) {
    const double v = channel / 255;
    return v <= 0.04045 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4);
  };
  return 0.2126 * linear(c.r) + 0.7152 * linear(c.g) + 0.0722 * linear(c.b) < 0.179;
}

}  // namespace coordsim::sim::sweep_page
