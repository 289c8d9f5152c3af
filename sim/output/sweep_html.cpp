#include "sim/output/sweep_html.hpp"

#include <cstddef>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include <spdlog/fmt/fmt.h>

#include "sim/output/sweep_html_charts.hpp"
#include "sim/output/sweep_html_data.hpp"
#include "sim/output/sweep_html_format.hpp"
#include "sim/output/sweep_html_scales.hpp"

// Generated at build time from sim/output/sweep_report.css by cmake/EmbedFile.cmake.
namespace coordsim::embedded {
extern const std::string_view sweep_report_css;
}  // namespace coordsim::embedded

namespace coordsim::sim {

using namespace sweep_page;

namespace {

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

void warnings(std::string& out, const std::vector<std::string>& texts, std::string_view prefix) {
  for (const std::string& w : texts)
    fmt::format_to(std::back_inserter(out), "<p class=\"warning\">\u26a0\ufe0f {}{}.</p>\n", prefix,
                   escape(w));
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
    out += "</p>\n";
    warnings(out, s.warnings, "");
    out += "</section>\n";
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
  warnings(out, s.recommendation_warnings, "The recommended point is ");
  if (!s.alternative.empty())
    fmt::format_to(std::back_inserter(out),
                   "<p class=\"note\">Latency-aware alternative (<code>--recommend lowest-p95</code>): "
                   "{}.</p>\n",
                   escape(s.alternative));
  warnings(out, s.warnings, "");
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
        "<span>darker: higher (every scale is lower = better; the bar beside each map is its "
        "legend)</span><span>grey: n/a</span><span>hover a cell for its figures</span></p>\n";
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
      "<th>cost</th><th>cost/year</th><th>savings</th><th>p95 decision</th><th>API calls</th>"
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
                   "<td>{}</td><td>{}</td><td class=\"flag\">{}{}</td></tr>\n",
                   escape(show(p.dup, Unit::kRate)), escape(ci), escape(show(p.miss, Unit::kRate)),
                   fixed(p.analyses, 3), escape(show(p.cost, Unit::kUsd)),
                   p.cost_year ? "$" + decimal(*p.cost_year, 0) : std::string("n/a"),
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
                 "<title>coordsim sweep: {} \u2014 {}</title>\n<style>\n{}</style>\n</head>\n"
                 "<body>\n<main>\n",
                 escape(s.scenario), escape(s.strategy), embedded::sweep_report_css);
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
