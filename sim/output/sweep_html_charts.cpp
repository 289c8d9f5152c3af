#include "sim/output/sweep_html_charts.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <spdlog/fmt/fmt.h>

namespace coordsim::sim::sweep_page {

namespace {

// Everything a tooltip says about one point.
std::string describe(const Sweep& s, const Point& p) {
  std::string out;
  for (std::size_t d = 0; d < s.axes.size(); ++d)
    out += fmt::format("{}{} = {}", d == 0 ? "" : ", ", s.axes[d].name, p.labels[d]);
  out += fmt::format("\nduplicate rate {}", show(p.dup, Unit::kRate));
  if (p.dup_lo && p.dup_hi)
    out += fmt::format(" (95% CI {} \u2013 {})", percent(*p.dup_lo), percent(*p.dup_hi));
  out += fmt::format("\np95 decision latency {}\nmean cost {}", show(p.p95, Unit::kSeconds),
                     show(p.cost, Unit::kUsd));
  if (p.pareto) out += "\nPareto-optimal";
  if (p.recommended) out += "\nrecommended";
  return out;
}

void open_svg(std::string& out, std::string_view kind, std::string_view metric, double w, double h,
              const std::string& label) {
  fmt::format_to(std::back_inserter(out),
                 "<svg class=\"chart\" role=\"img\" data-kind=\"{}\" data-metric=\"{}\" "
                 "viewBox=\"0 0 {} {}\" width=\"{}\" height=\"{}\" aria-label=\"{}\">"
                 "<title>{}</title>\n",
                 kind, metric, px(w), px(h), px(w), px(h), escape(label), escape(label));
}

struct XLabels {
  bool rotate = false;
  double height = 0;  // room below the axis line
};

// Categorical labels turn 40 degrees once they no longer fit side by side.
XLabels x_labels_layout(const std::vector<std::string>& labels, double slot) {
  std::size_t longest = 0;
  for (const std::string& l : labels)
    longest = std::max(longest, std::min<std::size_t>(l.size(), 16));
  XLabels x;
  x.rotate = text_width(longest) > slot - 4;
  x.height = x.rotate ? 16 + text_width(longest) * 0.65 : 18;
  return x;
}

void x_label(std::string& out, double x, double y, const std::string& text, bool rotate) {
  if (rotate)
    fmt::format_to(std::back_inserter(out),
                   "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" transform=\"rotate(-40 {} {})\">{}"
                   "</text>\n",
                   px(x + 3), px(y), px(x + 3), px(y), escape(shorten(text, 16)));
  else
    fmt::format_to(std::back_inserter(out),
                   "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n", px(x), px(y),
                   escape(shorten(text, 16)));
}

}  // namespace

std::string line_chart(const Sweep& s, const Metric& m) {
  const Axis& axis = s.axes[0];
  const bool band = m.value == &Point::dup;
  const bool show_target = band && s.target.has_value();

  struct Vertex {
    double x_value;
    const Point* p;
  };
  std::vector<Vertex> vertices;
  for (const Point& p : s.points) {
    if (p.coord[0] < 0) continue;
    const auto c = static_cast<std::size_t>(p.coord[0]);
    vertices.push_back({axis.numeric ? axis.numbers[c] : static_cast<double>(c), &p});
  }
  std::stable_sort(vertices.begin(), vertices.end(),
                   [](const Vertex& a, const Vertex& b) { return a.x_value < b.x_value; });

  // Zero-based: these are all costs of some kind, and a cropped axis would
  // make a 1% change look like a cliff.
  double lo = 0, hi = 0;
  std::size_t drawn = 0;
  for (const Vertex& v : vertices) {
    for (const auto& field :
         {v.p->*m.value, band ? v.p->dup_lo : std::nullopt, band ? v.p->dup_hi : std::nullopt})
      if (field) {
        lo = std::min(lo, *field);
        hi = std::max(hi, *field);
      }
    if (v.p->*m.value) ++drawn;
  }
  if (show_target) hi = std::max(hi, *s.target);
  if (!(hi > lo)) hi = lo + (m.unit == Unit::kRate ? 0.1 : 1.0);
  const Ticks yt = nice_ticks(lo, hi, 5);

  constexpr double kWidth = 520, kLeft = 70, kRight = 24, kTop = 26, kPlotHeight = 220;
  const double x0 = kLeft + 14, x1 = kWidth - kRight - 14;  // points clear of the axes
  const std::size_t n = axis.labels.size();
  const double slot = n > 0 ? (x1 - x0) / static_cast<double>(n) : x1 - x0;

  Ticks xt;
  XLabels xl;
  if (axis.numeric) {
    double xlo = 0, xhi = 0;
    if (!axis.numbers.empty()) {
      xlo = *std::min_element(axis.numbers.begin(), axis.numbers.end());
      xhi = *std::max_element(axis.numbers.begin(), axis.numbers.end());
    }
    xt = nice_ticks(xlo, xhi, 6);
    std::vector<std::string> texts;
    for (double t : xt.at) texts.push_back(significant(t, 6));
    xl = x_labels_layout(texts, (x1 - x0) / std::max<double>(1, static_cast<double>(xt.at.size())));
  } else {
    xl = x_labels_layout(axis.labels, slot);
  }
  const double bottom = kTop + kPlotHeight;
  const double height = bottom + 12 + xl.height + 22;
  const auto xpos = [&](const Vertex& v) {
    return axis.numeric ? scale(v.x_value, xt, x0, x1) : x0 + (v.x_value + 0.5) * slot;
  };
  const auto ypos = [&](double v) { return scale(v, yt, bottom, kTop); };

  std::string out;
  const std::string label =
      fmt::format("Line chart of {} against {} over {} points{}{}", m.title, axis.name, drawn,
                  band ? ", with the 95% confidence interval as a shaded band" : "",
                  show_target ? " and the target as a dashed line" : "");
  open_svg(out, "line", m.key, kWidth, height, label);

  for (double t : yt.at) {
    const double y = ypos(t);
    fmt::format_to(std::back_inserter(out),
                   "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#e3e6ea\"/>"
                   "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>\n",
                   px(kLeft), px(y), px(kWidth - kRight), px(y), px(kLeft - 6), px(y + 4),
                   escape(tick_text(t, m.unit)));
  }
  fmt::format_to(std::back_inserter(out),
                 "<text x=\"14\" y=\"{}\" text-anchor=\"middle\" transform=\"rotate(-90 14 {})\" "
                 "class=\"axis-title\">{}</text>\n",
                 px(kTop + kPlotHeight / 2), px(kTop + kPlotHeight / 2), escape(m.axis));

  fmt::format_to(std::back_inserter(out),
                 "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#68707a\"/>"
                 "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#68707a\"/>\n",
                 px(kLeft), px(bottom), px(kWidth - kRight), px(bottom), px(kLeft), px(kTop),
                 px(kLeft), px(bottom));
  const double label_y = bottom + 18;
  if (axis.numeric) {
    for (double t : xt.at) {
      const double x = scale(t, xt, x0, x1);
      fmt::format_to(std::back_inserter(out),
                     "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#68707a\"/>\n", px(x),
                     px(bottom), px(x), px(bottom + 5));
      x_label(out, x, label_y, significant(t, 6), xl.rotate);
    }
  } else {
    for (std::size_t i = 0; i < n; ++i) {
      const double x = x0 + (static_cast<double>(i) + 0.5) * slot;
      fmt::format_to(std::back_inserter(out),
                     "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#68707a\"/>\n", px(x),
                     px(bottom), px(x), px(bottom + 5));
      x_label(out, x, label_y, axis.labels[i], xl.rotate);
    }
  }
  fmt::format_to(std::back_inserter(out),
                 "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" class=\"axis-title\">{}</text>\n",
                 px((kLeft + kWidth - kRight) / 2), px(height - 8), escape(shorten(axis.name, 64)));

  // The band: contiguous runs of points that have both bounds. A lone point
  // gets a narrow bar so its interval is still visible.
  if (band) {
    for (std::size_t i = 0; i < vertices.size();) {
      std::size_t j = i;
      while (j < vertices.size() && vertices[j].p->dup_lo && vertices[j].p->dup_hi) ++j;
      if (j == i) {
        ++i;
        continue;
      }
      std::string d;
      if (j - i == 1) {
        const double x = xpos(vertices[i]);
        d = fmt::format("M{},{}H{}V{}H{}Z", px(x - 5), px(ypos(*vertices[i].p->dup_hi)), px(x + 5),
                        px(ypos(*vertices[i].p->dup_lo)), px(x - 5));
      } else {
        for (std::size_t k = i; k < j; ++k)
          d += fmt::format("{}{},{}", k == i ? "M" : "L", px(xpos(vertices[k])),
                           px(ypos(*vertices[k].p->dup_hi)));
        for (std::size_t k = j; k-- > i;)
          d += fmt::format("L{},{}", px(xpos(vertices[k])), px(ypos(*vertices[k].p->dup_lo)));
        d += "Z";
      }
      fmt::format_to(std::back_inserter(out),
                     "<path class=\"band\" d=\"{}\" fill=\"#1f6fb4\" fill-opacity=\"0.18\" "
                     "stroke=\"#1f6fb4\" stroke-opacity=\"0.35\" stroke-width=\"0.8\"/>\n",
                     d);
      i = j;
    }
  }

  // Labelled on the left: duplicates usually fall as the parameter grows, and the recommended
  // point, with its own label, tends to sit on the right.
  if (show_target) {
    const double y = ypos(*s.target);
    fmt::format_to(
        std::back_inserter(out),
        "<line class=\"target\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#c0392b\" "
        "stroke-width=\"1.5\" stroke-dasharray=\"6 4\"/>"
        "<text x=\"{}\" y=\"{}\" fill=\"#c0392b\">target {}</text>\n",
        px(kLeft), px(y), px(kWidth - kRight), px(y), px(kLeft + 4), px(y - 5),
        escape(percent(*s.target)));
  }

  for (const Vertex& v : vertices) {
    if (!v.p->recommended) continue;
    const double x = xpos(v);
    const bool near_right = x > kWidth - 120;
    fmt::format_to(
        std::back_inserter(out),
        "<line class=\"rec-line\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#1a7f37\" "
        "stroke-width=\"1.5\" stroke-dasharray=\"3 3\"/>"
        "<text x=\"{}\" y=\"{}\" text-anchor=\"{}\" fill=\"#1a7f37\" "
        "font-weight=\"600\">recommended</text>\n",
        px(x), px(kTop), px(x), px(bottom), px(near_right ? x - 4 : x + 4), px(kTop - 8),
        near_right ? "end" : "start");
  }

  // The line, broken where a point has no value rather than bridging the gap.
  std::string run;
  std::size_t run_points = 0;
  const auto flush = [&] {
    if (run_points > 1)
      fmt::format_to(std::back_inserter(out),
                     "<polyline class=\"line\" points=\"{}\" fill=\"none\" stroke=\"#1f6fb4\" "
                     "stroke-width=\"2\" stroke-linejoin=\"round\"/>\n",
                     run);
    run.clear();
    run_points = 0;
  };
  for (const Vertex& v : vertices) {
    const std::optional<double> y = v.p->*m.value;
    if (!y) {
      flush();
      continue;
    }
    run += fmt::format("{}{},{}", run.empty() ? "" : " ", px(xpos(v)), px(ypos(*y)));
    ++run_points;
  }
  flush();

  for (const Vertex& v : vertices) {
    const std::optional<double> y = v.p->*m.value;
    if (!y) continue;
    std::string cls = "pt";
    if (v.p->pareto) cls += " pareto";
    if (v.p->recommended) cls += " rec";
    fmt::format_to(std::back_inserter(out),
                   "<circle class=\"{}\" cx=\"{}\" cy=\"{}\" r=\"{}\" fill=\"{}\" stroke=\"{}\" "
                   "stroke-width=\"{}\"><title>{}</title></circle>\n",
                   cls, px(xpos(v)), px(ypos(*y)), v.p->recommended ? "7" : "4.5",
                   v.p->pareto ? "#e66100" : "#ffffff", v.p->recommended ? "#1a7f37" : "#1f4e79",
                   v.p->recommended ? "3" : "1.5", escape(describe(s, *v.p)));
  }
  if (drawn == 0)
    fmt::format_to(std::back_inserter(out),
                   "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">no data</text>\n",
                   px((x0 + x1) / 2), px(kTop + kPlotHeight / 2));
  out += "</svg>\n";
  return out;
}

Ticks colour_domain(const Sweep& s, const Metric& m) {
  std::optional<double> lo, hi;
  for (const Point& p : s.points)
    if (const std::optional<double> v = p.*m.value) {
      lo = std::min(lo.value_or(*v), *v);
      hi = std::max(hi.value_or(*v), *v);
    }
  if (!lo) return nice_ticks(0, 1, 4);
  return nice_ticks(*lo, *hi, 4);
}

std::string heatmap(Sweep& s, const Metric& m, const Ticks& domain, int layer, bool compact) {
  const Axis& ay = s.axes[0];
  const Axis& ax = s.axes[1];
  const std::size_t rows = std::max<std::size_t>(1, ay.labels.size());
  const std::size_t cols = std::max<std::size_t>(1, ax.labels.size());
  const double cw = std::clamp(std::floor((compact ? 180.0 : 460.0) / static_cast<double>(cols)),
                               12.0, compact ? 60.0 : 96.0);
  const double ch = std::clamp(std::floor((compact ? 200.0 : 280.0) / static_cast<double>(rows)),
                               12.0, compact ? 36.0 : 48.0);

  std::size_t longest_y = 0;
  for (const std::string& l : ay.labels)
    longest_y = std::max(longest_y, std::min<std::size_t>(l.size(), 16));
  const XLabels xl = x_labels_layout(ax.labels, cw);
  const double left = 30 + text_width(longest_y) + 10;
  const double top = 26;
  const double plot_w = cw * static_cast<double>(cols);
  const double plot_h = ch * static_cast<double>(rows);
  // Axis titles are 12px bold; the figure grows to fit them rather than clip them.
  const std::string x_title = shorten(ax.name, 48), y_title = shorten(ay.name, 48);
  const double x_title_span = std::max(plot_w, text_width(x_title.size()) * 1.15);
  const double legend_h = std::max({plot_h, 110.0, text_width(y_title.size()) * 1.15 + 8});
  const double legend_x = left + plot_w + 22;
  const double width =
      std::max(legend_x - 4 + std::max(84.0, text_width(m.legend.size()) * 1.15 + 8),
               left + x_title_span + 8);
  const double bottom = top + std::max(plot_h, legend_h);
  const double height = bottom + 8 + xl.height + 22;

  std::size_t cells = 0;
  for (const Point& p : s.points)
    if (p.coord[0] >= 0 && p.coord[1] >= 0 && (layer < 0 || p.coord[2] == layer)) ++cells;

  std::string out;
  std::string label =
      fmt::format("Heatmap of {} by {} (rows) and {} (columns)", m.title, ay.name, ax.name);
  if (layer >= 0)
    label += fmt::format(" at {} = {}", s.axes[2].name,
                         s.axes[2].labels[static_cast<std::size_t>(layer)]);
  label += fmt::format(", {} cells", cells);
  open_svg(out, "heatmap", m.key, width, height, label);

  const std::string gradient = fmt::format("sweep-gradient-{}", s.next_id++);
  fmt::format_to(std::back_inserter(out),
                 "<defs><linearGradient id=\"{}\" x1=\"0\" y1=\"1\" x2=\"0\" y2=\"0\">", gradient);
  for (std::size_t i = 0; i < m.palette->size(); ++i)
    fmt::format_to(std::back_inserter(out), "<stop offset=\"{}\" stop-color=\"{}\"/>",
                   static_cast<double>(i) / 4, hex((*m.palette)[i]));
  out += "</linearGradient></defs>\n";

  // Cells sit at the bottom of the plot area when the legend is taller.
  const double plot_top = bottom - plot_h;
  const bool text_fits = cw >= 40 && ch >= 16;
  for (const Point& p : s.points) {
    if (p.coord[0] < 0 || p.coord[1] < 0 || (layer >= 0 && p.coord[2] != layer)) continue;
    const double x = left + cw * p.coord[1];
    const double y =
        plot_top + ch * static_cast<double>(rows - 1 - static_cast<std::size_t>(p.coord[0]));
    const std::optional<double> v = p.*m.value;
    const Rgb colour =
        v ? mix(*m.palette, (*v - domain.lo) / (domain.hi - domain.lo)) : Rgb{224, 224, 224};
    fmt::format_to(std::back_inserter(out),
                   "<rect class=\"cell\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\" "
                   "stroke=\"#ffffff\" stroke-width=\"1\"><title>{}</title></rect>\n",
                   px(x), px(y), px(cw), px(ch), hex(colour), escape(describe(s, p)));
    const std::string text = v ? cell_text(*v, m.unit) : std::string("n/a");
    if (text_fits && text_width(text.size()) <= cw - 4)
      fmt::format_to(std::back_inserter(out),
                     "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"{}\" "
                     "pointer-events=\"none\">{}</text>\n",
                     px(x + cw / 2), px(y + ch / 2 + 4), is_dark(colour) ? "#ffffff" : "#1d2733",
                     escape(text));
    if (p.pareto) {
      const double size = std::min(9.0, std::min(cw, ch) / 2);
      fmt::format_to(std::back_inserter(out),
                     "<path class=\"pareto-mark\" d=\"M{},{}h{}v{}Z\" fill=\"#1d2733\" "
                     "pointer-events=\"none\"/>\n",
                     px(x + cw - 1 - size), px(y + 1), px(size), px(size));
    }
    if (p.recommended)
      fmt::format_to(std::back_inserter(out),
                     "<path class=\"rec-mark\" d=\"M{},{}h{}v{}h{}Z\" fill=\"none\" "
                     "stroke=\"#1a7f37\" stroke-width=\"3\" pointer-events=\"none\"/>\n",
                     px(x + 1.5), px(y + 1.5), px(cw - 3), px(ch - 3), px(-(cw - 3)));
  }

  for (std::size_t r = 0; r < ay.labels.size(); ++r) {
    const double y = plot_top + ch * static_cast<double>(rows - 1 - r) + ch / 2 + 4;
    fmt::format_to(std::back_inserter(out),
                   "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>\n", px(left - 6), px(y),
                   escape(shorten(ay.labels[r], 16)));
  }
  for (std::size_t c = 0; c < ax.labels.size(); ++c)
    x_label(out, left + cw * static_cast<double>(c) + cw / 2, bottom + 16, ax.labels[c], xl.rotate);
  fmt::format_to(std::back_inserter(out),
                 "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" class=\"axis-title\">{}</text>\n"
                 "<text x=\"12\" y=\"{}\" text-anchor=\"middle\" transform=\"rotate(-90 12 {})\" "
                 "class=\"axis-title\">{}</text>\n",
                 px(left + x_title_span / 2), px(height - 8), escape(x_title),
                 px(plot_top + plot_h / 2), px(plot_top + plot_h / 2), escape(y_title));

  const double legend_top = bottom - legend_h;
  fmt::format_to(std::back_inserter(out),
                 "<text x=\"{}\" y=\"{}\" class=\"legend-title\">{}</text>"
                 "<rect class=\"legend\" x=\"{}\" y=\"{}\" width=\"14\" height=\"{}\" "
                 "fill=\"url(#{})\" stroke=\"#68707a\" stroke-width=\"0.5\"/>\n",
                 px(legend_x - 4), px(legend_top - 10), m.legend, px(legend_x), px(legend_top),
                 px(legend_h), gradient);
  for (double t : domain.at) {
    const double y = scale(t, domain, bottom, legend_top);
    fmt::format_to(std::back_inserter(out),
                   "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#68707a\"/>"
                   "<text x=\"{}\" y=\"{}\">{}</text>\n",
                   px(legend_x + 14), px(y), px(legend_x + 18), px(y), px(legend_x + 21), px(y + 4),
                   escape(tick_text(t, m.unit)));
  }
  out += "</svg>\n";
  return out;
}

}  // namespace coordsim::sim::sweep_page
