#pragma once
// The sweep page's charts, static inline SVG: a line chart per metric for one
// varied parameter, a heatmap per metric (or per value of a third parameter)
// for two or three. Internal to sim/output/sweep_html*.cpp.
#include <optional>
#include <string>
#include <string_view>

#include "sim/output/sweep_html_data.hpp"
#include "sim/output/sweep_html_format.hpp"
#include "sim/output/sweep_html_scales.hpp"

namespace coordsim::sim::sweep_page {

struct Metric {
  std::string_view key;     // data-metric attribute, for tests and scripts
  std::string_view title;   // "Duplicate rate"
  std::string_view axis;    // y-axis label
  std::string_view legend;  // heatmap legend title: the legend column is narrow
  Unit unit;
  const Palette* palette;
  std::optional<double> Point::*value;
};

inline constexpr Metric kDuplicate{.key = "duplicate_rate",
                                   .title = "Duplicate rate",
                                   .axis = "duplicate rate",
                                   .legend = "duplicates",
                                   .unit = Unit::kRate,
                                   .palette = &kReds,
                                   .value = &Point::dup};
inline constexpr Metric kLatency{.key = "decision_latency_p95",
                                 .title = "p95 decision latency",
                                 .axis = "p95 decision latency (s)",
                                 .legend = "p95 (s)",
                                 .unit = Unit::kSeconds,
                                 .palette = &kBlues,
                                 .value = &Point::p95};
inline constexpr Metric kCost{.key = "cost_mean",
                              .title = "Mean cost per failure",
                              .axis = "mean cost per failure (USD)",
                              .legend = "cost",
                              .unit = Unit::kUsd,
                              .palette = &kPurples,
                              .value = &Point::cost};

// Metric against the single varied parameter. Numeric parameters get a linear
// axis (uneven grids stay uneven); anything else is spaced evenly in grid order.
std::string line_chart(const Sweep& s, const Metric& m);

// The colour domain of a metric over every point, shared by small multiples so
// equal colours mean equal values across them.
Ticks colour_domain(const Sweep& s, const Metric& m);

// Rows are the first parameter (first value at the bottom, like a y axis),
// columns the second. `layer` picks one value of the third parameter, or -1.
// Takes a mutable sweep for the page-wide counter of element ids.
std::string heatmap(Sweep& s, const Metric& m, const Ticks& domain, int layer, bool compact);

}  // namespace coordsim::sim::sweep_page
