#pragma once
// The sweep page's scales: round axis ticks and the colour ramps of its
// heatmaps. Internal to sim/output/sweep_html*.cpp.
#include <array>
#include <string>
#include <vector>

namespace coordsim::sim::sweep_page {

struct Ticks {
  double lo = 0;
  double hi = 1;
  std::vector<double> at;
};

// Round 1-2-5 ticks spanning [lo, hi]; the scale's domain is widened to the
// outer ticks so the axis starts and ends on a label.
Ticks nice_ticks(double lo, double hi, int wanted);
double scale(double v, const Ticks& t, double from, double to);

// Colour: sequential ColorBrewer ramps, light = low. Stops are linear in sRGB,
// which is close enough for five stops.

struct Rgb {
  double r, g, b;
};
using Palette = std::array<Rgb, 5>;

inline constexpr Palette kReds{
    {{255, 255, 204}, {254, 217, 118}, {253, 141, 60}, {227, 26, 28}, {128, 0, 38}}};
inline constexpr Palette kBlues{
    {{239, 243, 255}, {189, 215, 231}, {107, 174, 214}, {33, 113, 181}, {8, 48, 107}}};
// Cost is purple, not green: a dark green read as "good" where it meant the
// most expensive point. Every scale is darker = higher = worse.
inline constexpr Palette kPurples{
    {{252, 251, 253}, {203, 201, 226}, {158, 154, 200}, {117, 107, 177}, {63, 0, 125}}};

Rgb mix(const Palette& p, double t);
std::string hex(const Rgb& c);
// Whether white text contrasts better than dark text: WCAG relative luminance,
// whose crossover between the two is at 0.179.
bool is_dark(const Rgb& c);

}  // namespace coordsim::sim::sweep_page
