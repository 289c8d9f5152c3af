#include "sim/output/sweep_html.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <iterator>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <spdlog/fmt/fmt.h>

namespace coordsim::sim {

namespace {

using nlohmann::json;

// ---------------------------------------------------------------------------
// Reading the document defensively: the page is often made from a file that
// another version of coordsim wrote, so nothing in it is trusted to be there.

std::string escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (const char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// How a person reads a JSON value; dump() would throw on invalid UTF-8.
std::string plain(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "n/a";
  return v.dump(-1, ' ', false, json::error_handler_t::replace);
}

const json* child(const json* j, std::string_view key) {
  if (j == nullptr || !j->is_object()) return nullptr;
  const auto it = j->find(std::string(key));
  return it == j->end() ? nullptr : &*it;
}

// A document built in memory can hold NaN or infinity; neither may reach the page.
std::optional<double> finite(const json* j) {
  if (j == nullptr || !j->is_number()) return std::nullopt;
  const double v = j->get<double>();
  if (!std::isfinite(v)) return std::nullopt;
  return v;
}

std::optional<double> metric_at(const json& point, std::string_view group, std::string_view field) {
  return finite(child(child(child(&point, "metrics"), group), field));
}

std::optional<double> ci_at(const json& point, std::string_view group, std::size_t side) {
  const json* ci = child(child(child(&point, "metrics"), group), "ci95");
  if (ci == nullptr || !ci->is_array() || ci->size() != 2) return std::nullopt;
  return finite(&(*ci)[side]);
}

// ---------------------------------------------------------------------------
// Numbers as text.

enum class Unit { kRate, kSeconds, kUsd };

// Every number on the page goes through here. A finite input can still
// overflow once scaled (a rate of 1e308 is inf%), and a fixed format of 1e300
// is 300 digits, so both are caught in one place.
std::string decimal(double v, int decimals) {
  if (!std::isfinite(v)) return "n/a";
  if (std::abs(v) >= 1e12) return fmt::format("{:.3g}", v);
  return fmt::format("{:.{}f}", v, decimals);
}

std::string significant(double v, int digits) {
  if (!std::isfinite(v)) return "n/a";
  // Three significant digits, but never "1.2e+03" for a long latency.
  if (std::abs(v) >= 1000 && std::abs(v) < 1e12) return fmt::format("{:.0f}", v);
  return fmt::format("{:.{}g}", v, digits);
}

std::string percent(double rate) {
  const double p = rate * 100;
  // Two decimals would print a real but tiny rate (one miss in 100,000) as 0.00%.
  if (p != 0 && std::abs(p) < 0.01) return significant(p, 2) + "%";
  return decimal(p, 2) + "%";
}

std::string usd(double v) { return "$" + decimal(v, v != 0 && std::abs(v) < 0.1 ? 4 : 2); }

std::string show(std::optional<double> v, Unit unit) {
  if (!v) return "n/a";
  switch (unit) {
    case Unit::kRate:
      return percent(*v);
    case Unit::kSeconds:
      return decimal(*v, 2) + " s";
    case Unit::kUsd:
      return usd(*v);
  }
  return "n/a";
}

// Short enough to sit inside a heatmap cell.
std::string cell_text(double v, Unit unit) {
  switch (unit) {
    case Unit::kRate:
      return significant(v * 100, 3) + "%";
    case Unit::kSeconds:
      return significant(v, 3) + " s";
    case Unit::kUsd:
      return "$" + significant(v, 3);
  }
  return "";
}

std::string tick_text(double v, Unit unit) {
  switch (unit) {
    case Unit::kRate:
      return significant(v * 100, 6) + "%";
    case Unit::kSeconds:
      return significant(v, 6);
    case Unit::kUsd:
      return "$" + significant(v, 6);
  }
  return "";
}

std::string fixed(std::optional<double> v, int decimals) {
  return v ? decimal(*v, decimals) : std::string("n/a");
}

// SVG coordinates: one decimal is sub-pixel and keeps the page small. A
// non-finite coordinate would print "nan", which browsers reject.
// Absurd values are clamped so they cannot print 300-digit coordinates.
std::string px(double v) {
  if (!std::isfinite(v)) return "0";
  const std::string s = fmt::format("{:.1f}", std::clamp(v, -1e6, 1e6));
  return s == "-0.0" ? "0.0" : s;
}

std::string shorten(const std::string& s, std::size_t max_chars) {
  if (s.size() <= max_chars) return s;
  std::size_t cut = max_chars - 1;
  // Never split a UTF-8 sequence.
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  return s.substr(0, cut) + "\u2026";
}

// Long dotted parameter names would make their table column as wide as the name.
std::string break_at_dots(const std::string& html) {
  std::string out;
  for (const char c : html) out += c == '.' ? std::string(".<wbr>") : std::string(1, c);
  return out;
}

// Rough width of 11px sans-serif text, for layout without a font engine.
double text_width(std::size_t chars) { return 6.2 * static_cast<double>(chars); }

// ---------------------------------------------------------------------------
// Scales.

struct Ticks {
  double lo = 0;
  double hi = 1;
  std::vector<double> at;
};

double clean(double v) { return v == 0 ? 0.0 : v; }  // no "-0" labels

// Round 1-2-5 ticks spanning [lo, hi]; the scale's domain is widened to the
// outer ticks so the axis starts and ends on a label.
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

// ---------------------------------------------------------------------------
// Colour: sequential ColorBrewer ramps, light = low. Stops are linear in sRGB,
// which is close enough for five stops.

struct Rgb {
  double r, g, b;
};
using Palette = std::array<Rgb, 5>;

constexpr Palette kReds{
    {{255, 255, 204}, {254, 217, 118}, {253, 141, 60}, {227, 26, 28}, {128, 0, 38}}};
constexpr Palette kBlues{
    {{239, 243, 255}, {189, 215, 231}, {107, 174, 214}, {33, 113, 181}, {8, 48, 107}}};
constexpr Palette kGreens{
    {{237, 248, 233}, {186, 228, 179}, {116, 196, 118}, {35, 139, 69}, {0, 68, 27}}};

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

// Whether white text contrasts better than dark text: WCAG relative luminance,
// whose crossover between the two is at 0.179.
bool is_dark(const Rgb& c) {
  const auto linear = [](double channel) {
    const double v = channel / 255;
    return v <= 0.04045 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4);
  };
  return 0.2126 * linear(c.r) + 0.7152 * linear(c.g) + 0.0722 * linear(c.b) < 0.179;
}

// ---------------------------------------------------------------------------
// The sweep as the page needs it.

struct Axis {
  std::string name;
  std::vector<std::string> labels;  // distinct values in grid order
  std::vector<double> numbers;      // their numeric values when `numeric`
  bool numeric = true;
  std::map<std::string, int> index_of;

  // 1 and 1.0 are the same grid value, so numbers are keyed by value, not by spelling.
  static std::string key(const json& v) {
    if (v.is_number()) return fmt::format("n{}", v.get<double>());
    return "j" + v.dump(-1, ' ', false, json::error_handler_t::replace);
  }

  int find_or_add(const json& v) {
    const std::string k = key(v);
    const auto it = index_of.find(k);
    if (it != index_of.end()) return it->second;
    const int i = static_cast<int>(labels.size());
    index_of.emplace(k, i);
    labels.push_back(plain(v));
    const std::optional<double> n = finite(&v);
    numbers.push_back(n.value_or(0));
    numeric = numeric && n.has_value();
    return i;
  }
};

struct Point {
  std::string index;
  std::vector<std::string> labels;  // per parameter
  std::vector<int> coord;           // per parameter, index into Axis::labels; -1: missing
  std::optional<double> dup, dup_lo, dup_hi, miss, analyses, cost, savings, p95, api;
  bool pareto = false;
  bool recommended = false;
};

struct Sweep {
  std::string scenario, strategy, trials, seed;
  std::optional<double> target;
  std::vector<Axis> axes;
  std::vector<Point> points;
  bool has_recommendation = false;
  std::string recommendation_reason;
  std::vector<std::pair<std::string, std::string>> recommendation_values;
  std::string shard;  // "k/n" when the document is one shard of a sweep
  std::size_t points_total = 0;
  int next_id = 0;  // element ids must be unique across the page's SVGs
};

std::string text_field(const json& doc, std::string_view key) {
  const json* v = child(&doc, key);
  return v == nullptr ? std::string("n/a") : plain(*v);
}

Sweep read_sweep(const json& doc) {
  Sweep s;
  s.scenario = text_field(doc, "scenario");
  s.strategy = text_field(doc, "strategy");
  s.trials = text_field(doc, "trials_per_point");
  s.seed = text_field(doc, "seed");
  s.target = finite(child(&doc, "target_duplicate_rate"));
  if (const json* params = child(&doc, "parameters"); params != nullptr && params->is_array())
    for (const json& p : *params) s.axes.push_back(Axis{plain(p), {}, {}, true, {}});
  // The grid fixes the order of values even for those no point (in a shard) has.
  if (const json* grid = child(&doc, "grid");
      grid != nullptr && grid->is_array() && grid->size() == s.axes.size())
    for (std::size_t d = 0; d < s.axes.size(); ++d)
      if ((*grid)[d].is_array())
        for (const json& v : (*grid)[d]) s.axes[d].find_or_add(v);

  const json* rec = child(&doc, "recommendation");
  const json* rec_index = child(rec, "index");
  const json* rec_values = child(rec, "values");
  if (rec != nullptr && rec->is_object()) {
    s.has_recommendation = true;
    if (const json* reason = child(rec, "reason")) s.recommendation_reason = plain(*reason);
    // In grid order, as the reader met the parameters; JSON objects sort their keys.
    if (rec_values != nullptr && rec_values->is_object()) {
      for (const Axis& axis : s.axes)
        if (const json* v = child(rec_values, axis.name))
          s.recommendation_values.emplace_back(axis.name, plain(*v));
      for (const auto& [k, v] : rec_values->items())
        if (std::none_of(s.axes.begin(), s.axes.end(), [&](const Axis& a) { return a.name == k; }))
          s.recommendation_values.emplace_back(k, plain(v));
    }
  }

  if (const json* points = child(&doc, "points"); points != nullptr && points->is_array()) {
    for (const json& p : *points) {
      Point pt;
      const json* index = child(&p, "index");
      pt.index = index == nullptr ? std::string("n/a") : plain(*index);
      const json* values = child(&p, "values");
      for (Axis& axis : s.axes) {
        const json* v = child(values, axis.name);
        pt.labels.push_back(v == nullptr ? std::string("n/a") : plain(*v));
        pt.coord.push_back(v == nullptr ? -1 : axis.find_or_add(*v));
      }
      pt.dup = metric_at(p, "duplicate_rate", "value");
      pt.dup_lo = ci_at(p, "duplicate_rate", 0);
      pt.dup_hi = ci_at(p, "duplicate_rate", 1);
      pt.miss = metric_at(p, "miss_rate", "value");
      pt.analyses = metric_at(p, "analyses", "mean");
      pt.cost = metric_at(p, "cost_usd", "mean");
      pt.savings = metric_at(p, "cost_usd", "savings");
      pt.p95 = metric_at(p, "decision_latency_s", "p95");
      pt.api = metric_at(p, "api_calls", "mean");
      const json* pareto = child(&p, "pareto");
      pt.pareto = pareto != nullptr && pareto->is_boolean() && pareto->get<bool>();
      if (s.has_recommendation) {
        if (rec_index != nullptr)
          pt.recommended = index != nullptr && *index == *rec_index;
        else if (rec_values != nullptr)
          pt.recommended = values != nullptr && *values == *rec_values;
      }
      s.points.push_back(std::move(pt));
    }
  }
  if (const json* shard = child(&doc, "shard"))
    s.shard = text_field(*shard, "k") + "/" + text_field(*shard, "n");
  const std::optional<double> total = finite(child(&doc, "points_total"));
  s.points_total =
      total && *total > 0 && *total < 1e12 ? static_cast<std::size_t>(*total) : s.points.size();
  return s;
}

// ---------------------------------------------------------------------------
// Charts.

struct Metric {
  std::string_view key;     // data-metric attribute, for tests and scripts
  std::string_view title;   // "Duplicate rate"
  std::string_view axis;    // y-axis label
  std::string_view legend;  // heatmap legend title: the legend column is narrow
  Unit unit;
  const Palette* palette;
  std::optional<double> Point::*value;
};

constexpr Metric kDuplicate{.key = "duplicate_rate",
                            .title = "Duplicate rate",
                            .axis = "duplicate rate",
                            .legend = "duplicates",
                            .unit = Unit::kRate,
                            .palette = &kReds,
                            .value = &Point::dup};
constexpr Metric kLatency{.key = "decision_latency_p95",
                          .title = "p95 decision latency",
                          .axis = "p95 decision latency (s)",
                          .legend = "p95 (s)",
                          .unit = Unit::kSeconds,
                          .palette = &kBlues,
                          .value = &Point::p95};
constexpr Metric kCost{.key = "cost_mean",
                       .title = "Mean cost per failure",
                       .axis = "mean cost per failure (USD)",
                       .legend = "cost",
                       .unit = Unit::kUsd,
                       .palette = &kGreens,
                       .value = &Point::cost};

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

// Metric against the single varied parameter. Numeric parameters get a linear
// axis (uneven grids stay uneven); anything else is spaced evenly in grid order.
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

// The colour domain of a metric over every point, shared by small multiples so
// equal colours mean equal values across them.
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

// Rows are the first parameter (first value at the bottom, like a y axis),
// columns the second. `layer` picks one value of the third parameter, or -1.
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

// ---------------------------------------------------------------------------
// The page.

constexpr std::string_view kStyle = R"(
:root { color-scheme: light; }
body { margin: 0; background: #f6f7f9; color: #1d2733;
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", Arial, sans-serif; }
main { max-width: 1180px; margin: 0 auto; padding: 24px; }
h1 { font-size: 22px; margin: 0 0 6px; }
h2 { font-size: 17px; margin: 28px 0 10px; }
code { font: 13px ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace;
  background: #eef1f4; padding: 1px 4px; border-radius: 3px; }
dl.meta { display: flex; flex-wrap: wrap; gap: 4px 22px; margin: 6px 0 0; }
dl.meta div { display: flex; gap: 6px; }
dl.meta dt { color: #5b6570; }
dl.meta dd { margin: 0; font-weight: 600; }
.recommendation { background: #eaf6ec; border: 1px solid #a6d5b0; border-left: 6px solid #1a7f37;
  padding: 12px 16px; border-radius: 6px; margin-top: 18px; }
.recommendation.none { background: #fdf0ee; border-color: #e8b0a8; border-left-color: #c0392b; }
.recommendation p { margin: 4px 0; }
.note { color: #5b6570; }
.charts { display: flex; flex-wrap: wrap; gap: 16px; align-items: flex-start; }
figure { margin: 0; background: #fff; border: 1px solid #dde1e6; border-radius: 6px;
  padding: 10px 12px; max-width: 100%; box-sizing: border-box; }
figcaption { font-weight: 600; margin-bottom: 6px; }
svg.chart { display: block; max-width: 100%; height: auto; }
/* On the svg, not on text: a CSS rule on text would beat the fill attributes of cell labels. */
svg.chart { font-size: 11px; fill: #1d2733; }
svg.chart text.axis-title, svg.chart text.legend-title { font-size: 12px; font-weight: 600; }
.key { display: flex; flex-wrap: wrap; gap: 4px 18px; margin: 10px 0 0; color: #3c4650; }
.key span { display: inline-flex; align-items: center; gap: 6px; }
.swatch { display: inline-block; width: 11px; height: 11px; border-radius: 50%;
  border: 1.5px solid #1f4e79; background: #fff; }
.swatch.pareto { background: #e66100; }
.swatch.rec { border: 3px solid #1a7f37; width: 9px; height: 9px; }
.swatch.band { border-radius: 2px; border-color: #8fb5d8; background: #d2e2f0; }
.swatch.target { border: 0; border-top: 2px dashed #c0392b; border-radius: 0; height: 0; }
.swatch.corner { border: 0; border-radius: 0; width: 0; height: 0; background: none;
  border-top: 9px solid #1d2733; border-left: 9px solid transparent; }
.swatch.outline { border-radius: 2px; border: 3px solid #1a7f37; }
.table-wrap { overflow-x: auto; background: #fff; border: 1px solid #dde1e6; border-radius: 6px; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { padding: 4px 7px; border-bottom: 1px solid #e8ebee; text-align: right;
  white-space: nowrap; }
th { background: #eef1f4; position: sticky; top: 0; white-space: normal; vertical-align: bottom; }
th code { overflow-wrap: break-word; }
th.param, td.param, td.flag, th.flag { text-align: left; }
/* Badges stack rather than push a wide table past the page. */
td.flag { white-space: normal; min-width: 56px; }
tr.pareto td { background: #fff5eb; }
tr.recommended td { background: #e3f4e6; font-weight: 600; }
.badge { display: inline-block; padding: 0 6px; border-radius: 8px; font-size: 11px;
  font-weight: 600; }
.badge.pareto { background: #e66100; color: #fff; }
.badge.rec { background: #1a7f37; color: #fff; }
footer { margin-top: 24px; color: #5b6570; font-size: 12px; }
)";

void header(std::string& out, const Sweep& s) {
  fmt::format_to(std::back_inserter(out),
                 "<header>\n<h1>coordsim sweep: {} \u2014 {}</h1>\n<dl class=\"meta\">\n",
                 escape(s.scenario), escape(s.strategy));
  const auto item = [&](std::string_view term, const std::string& value) {
    fmt::format_to(std::back_inserter(out), "<div><dt>{}</dt><dd>{}</dd></div>\n", term,
                   escape(value));
  };
  item("scenario", s.scenario);
  item("strategy", s.strategy);
  item("trials per point", s.trials);
  item("seed", s.seed);
  item("target", s.target ? "duplicate-rate upper 95% bound under " + percent(*s.target)
                          : std::string("n/a"));
  item("points", s.shard.empty() ? std::to_string(s.points.size())
                                 : fmt::format("{} of {} (shard {})", s.points.size(),
                                               s.points_total, s.shard));
  out += "</dl>\n";
  if (!s.axes.empty()) {
    out += "<p class=\"note\">Varied: ";
    for (std::size_t d = 0; d < s.axes.size(); ++d)
      fmt::format_to(std::back_inserter(out), "{}<code>{}</code> ({} value{})", d == 0 ? "" : ", ",
                     escape(s.axes[d].name), s.axes[d].labels.size(),
                     s.axes[d].labels.size() == 1 ? "" : "s");
    out +=
        ". Every point runs the same seeded trials, so differences between points come from "
        "the parameters, not from noise.</p>\n";
  }
  out += "</header>\n";
}

void recommendation(std::string& out, const Sweep& s) {
  const Point* best = nullptr;
  for (const Point& p : s.points)
    if (p.recommended) best = &p;
  if (!s.has_recommendation) {
    out +=
        "<section class=\"recommendation none\" id=\"recommendation\">\n<p><strong>No point meets "
        "the "
        "target.</strong> ";
    if (!s.shard.empty())
      out +=
          "This document is one shard of a sweep; the recommendation needs every point, so "
          "merge the shards first.";
    else
      fmt::format_to(std::back_inserter(out),
                     "No point's duplicate-rate upper 95% bound is under {}: widen the grid or "
                     "add trials.",
                     s.target ? escape(percent(*s.target)) : std::string("the target"));
    out += "</p>\n</section>\n";
    return;
  }
  out +=
      "<section class=\"recommendation\" id=\"recommendation\">\n<p><strong>Recommended:</strong> ";
  for (std::size_t i = 0; i < s.recommendation_values.size(); ++i)
    fmt::format_to(std::back_inserter(out), "{}<code>{}={}</code>", i == 0 ? "" : " ",
                   escape(s.recommendation_values[i].first),
                   escape(s.recommendation_values[i].second));
  out += "</p>\n";
  if (!s.recommendation_reason.empty())
    fmt::format_to(std::back_inserter(out), "<p>{}.</p>\n", escape(s.recommendation_reason));
  if (best != nullptr)
    fmt::format_to(std::back_inserter(out),
                   "<p class=\"note\">duplicate rate {}, miss rate {}, mean cost {} per failure "
                   "(savings {}), p95 decision latency {}.</p>\n",
                   escape(show(best->dup, Unit::kRate)), escape(show(best->miss, Unit::kRate)),
                   escape(show(best->cost, Unit::kUsd)), escape(show(best->savings, Unit::kRate)),
                   escape(show(best->p95, Unit::kSeconds)));
  out += "</section>\n";
}

void figure(std::string& out, const std::string& caption_html, const std::string& svg) {
  fmt::format_to(std::back_inserter(out), "<figure>\n<figcaption>{}</figcaption>\n{}</figure>\n",
                 caption_html, svg);
}

void charts(std::string& out, Sweep& s) {
  const std::size_t dims = s.axes.size();
  if (dims == 0 || dims > 3) {
    fmt::format_to(std::back_inserter(out),
                   "<section id=\"charts\">\n<h2>Charts</h2>\n<p class=\"note\">Charts are drawn "
                   "for one to three varied parameters; this sweep has {}. See the table.</p>\n"
                   "</section>\n",
                   dims);
    return;
  }
  out += "<section id=\"charts\">\n<h2>Charts</h2>\n<div class=\"charts\">\n";
  if (dims == 1) {
    const std::string param = "<code>" + escape(s.axes[0].name) + "</code>";
    figure(out, "Duplicate rate vs " + param + ", with 95% CI", line_chart(s, kDuplicate));
    figure(out, "p95 decision latency vs " + param, line_chart(s, kLatency));
    figure(out, "Mean cost per failure vs " + param, line_chart(s, kCost));
    out +=
        "</div>\n<p class=\"key\"><span><i class=\"swatch\"></i>point</span>"
        "<span><i class=\"swatch pareto\"></i>Pareto-optimal</span>"
        "<span><i class=\"swatch rec\"></i>recommended</span>"
        "<span><i class=\"swatch band\"></i>95% confidence interval</span>"
        "<span><i class=\"swatch target\"></i>target</span>"
        "<span>hover a point for its figures</span></p>\n";
  } else if (dims == 2) {
    for (const Metric* m : {&kDuplicate, &kLatency, &kCost})
      figure(out, std::string(m->title), heatmap(s, *m, colour_domain(s, *m), -1, false));
    out += "</div>\n";
  } else {
    const Ticks domain = colour_domain(s, kDuplicate);
    for (std::size_t layer = 0; layer < s.axes[2].labels.size(); ++layer)
      figure(out,
             fmt::format("Duplicate rate at <code>{}={}</code>", escape(s.axes[2].name),
                         escape(s.axes[2].labels[layer])),
             heatmap(s, kDuplicate, domain, static_cast<int>(layer), true));
    out += "</div>\n";
  }
  if (dims >= 2)
    out +=
        "<p class=\"key\"><span><i class=\"swatch corner\"></i>Pareto-optimal</span>"
        "<span><i class=\"swatch outline\"></i>recommended</span>"
        "<span>grey: n/a</span><span>hover a cell for its figures</span></p>\n";
  if (dims == 3) out += "<p class=\"note\">All panels share one colour scale.</p>\n";
  out += "</section>\n";
}

void table(std::string& out, const Sweep& s) {
  out +=
      "<section id=\"points\">\n<h2>All points</h2>\n<div class=\"table-wrap\"><table>\n"
      "<thead><tr><th>#</th>";
  for (const Axis& a : s.axes)
    fmt::format_to(std::back_inserter(out), "<th class=\"param\"><code>{}</code></th>",
                   break_at_dots(escape(a.name)));
  out +=
      "<th>duplicate rate</th><th>95% CI</th><th>miss rate</th><th>analyses</th>"
      "<th>cost</th><th>savings</th><th>p95 decision</th><th>API calls</th>"
      "<th class=\"flag\">Pareto</th></tr></thead>\n<tbody>\n";
  for (const Point& p : s.points) {
    std::string cls;
    if (p.pareto) cls += "pareto";
    if (p.recommended) cls += cls.empty() ? "recommended" : " recommended";
    fmt::format_to(std::back_inserter(out), "<tr{}><td>{}</td>",
                   cls.empty() ? std::string() : " class=\"" + cls + "\"", escape(p.index));
    for (const std::string& label : p.labels)
      fmt::format_to(std::back_inserter(out), "<td class=\"param\">{}</td>", escape(label));
    const std::string ci = p.dup_lo && p.dup_hi
                               ? fmt::format("[{}, {}]", percent(*p.dup_lo), percent(*p.dup_hi))
                               : std::string("n/a");
    fmt::format_to(std::back_inserter(out),
                   "<td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
                   "<td>{}</td><td class=\"flag\">{}{}</td></tr>\n",
                   escape(show(p.dup, Unit::kRate)), escape(ci), escape(show(p.miss, Unit::kRate)),
                   fixed(p.analyses, 3), escape(show(p.cost, Unit::kUsd)),
                   p.savings ? decimal(*p.savings * 100, 1) + "%" : std::string("n/a"),
                   escape(show(p.p95, Unit::kSeconds)), fixed(p.api, 1),
                   p.pareto ? "<span class=\"badge pareto\">Pareto</span>" : "",
                   p.recommended ? " <span class=\"badge rec\">recommended</span>" : "");
  }
  out +=
      "</tbody>\n</table></div>\n"
      "<p class=\"note\">Pareto-optimal: no other point is at least as good on duplicate rate, "
      "p95 decision latency and cost, and better on one. Rates are per failure event; costs "
      "are per failure, savings against every failing flavor analysing on its own.</p>\n"
      "</section>\n";
}

}  // namespace

std::string sweep_html(const nlohmann::json& sweep) {
  Sweep s = read_sweep(sweep);
  std::string out;
  out.reserve(16384 + 512 * s.points.size());
  fmt::format_to(std::back_inserter(out),
                 "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                 "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                 "<title>coordsim sweep: {} \u2014 {}</title>\n<style>{}</style>\n</head>\n"
                 "<body>\n<main>\n",
                 escape(s.scenario), escape(s.strategy), kStyle);
  header(out, s);
  recommendation(out, s);
  charts(out, s);
  table(out, s);
  out +=
      "<footer>Made by <code>coordsim sweep</code>. The charts are static SVG; the page loads "
      "nothing from the network.</footer>\n</main>\n</body>\n</html>\n";
  return out;
}

}  // namespace coordsim::sim
