#include <catch2/catch.hpp>
#include <cctype>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "sim/output/sweep_html.hpp"
#include "sim/output/sweep_html_format.hpp"
#include "sim/output/sweep_html_scales.hpp"

using coordsim::sim::sweep_html;
using nlohmann::json;

namespace {

std::string source_file(const std::string& path) {
  std::ifstream in(COORDSIM_SOURCE_DIR "/" + path, std::ios::binary);
  REQUIRE(in);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

json fixture(const std::string& name) { return json::parse(source_file("tests/data/" + name)); }

std::size_t count(const std::string& haystack, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = haystack.find(needle); at != std::string::npos; at = haystack.find(needle, at + 1))
    ++n;
  return n;
}

// The SVG elements of the page, each from "<svg" to "</svg>".
std::vector<std::string> svgs(const std::string& html, const std::string& kind = "") {
  std::vector<std::string> out;
  for (auto at = html.find("<svg"); at != std::string::npos; at = html.find("<svg", at + 1)) {
    const auto end = html.find("</svg>", at);
    REQUIRE(end != std::string::npos);
    std::string svg = html.substr(at, end + 6 - at);
    if (kind.empty() || svg.find("data-kind=\"" + kind + "\"") != std::string::npos)
      out.push_back(std::move(svg));
  }
  return out;
}

// "nan" or "inf" as a word: what printing a non-finite double produces. (No
// std::regex: GCC 12 warns inside it under -O1 with sanitizers.)
bool has_non_finite(const std::string& html) {
  std::string lower = html;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const auto letter = [&](std::size_t i) {
    return i < lower.size() && std::isalpha(static_cast<unsigned char>(lower[i])) != 0;
  };
  for (const std::string word : {"nan", "inf"})
    for (auto at = lower.find(word); at != std::string::npos; at = lower.find(word, at + 1)) {
      const std::size_t end = at + word.size();
      const bool starts = at == 0 || !letter(at - 1);
      if (starts && (!letter(end) || lower.compare(end, 5, "inity") == 0)) return true;
    }
  return false;
}

json point(int index, json values, double dup, double p95, double cost) {
  return {{"index", index},
          {"values", std::move(values)},
          {"pareto", true},
          {"metrics",
           {{"failure_events", 1000},
            {"analyses", {{"mean", 1 + dup}, {"max", 3}}},
            {"duplicate_rate", {{"value", dup}, {"ci95", {dup, dup}}, {"count", 0}}},
            {"miss_rate", {{"value", 0}, {"ci95", {0, 0}}, {"count", 0}}},
            {"issues_created", {{"mean", 1}}},
            {"issues_left_open", {{"mean", 1}}},
            {"api_calls", {{"mean", 10}, {"by_endpoint", {{"list_issues", 8}}}}},
            {"tokens", {{"mean", 8000}}},
            {"cost_usd", {{"mean", cost}, {"baseline_mean", 4.2}, {"savings", 1 - cost / 4.2}}},
            {"decision_latency_s", {{"p50", p95}, {"p95", p95}, {"p99", p95}}}}}};
}

json one_parameter_doc(const std::vector<json>& values, double dup, double p95, double cost) {
  json doc = {
      {"scenario", "edge"},       {"strategy", "seed"},        {"seed", 1},
      {"trials_per_point", 1000}, {"parameters", {"agent.x"}}, {"target_duplicate_rate", 0.05},
      {"points", json::array()},  {"recommendation", nullptr}};
  for (std::size_t i = 0; i < values.size(); ++i)
    doc["points"].push_back(point(static_cast<int>(i), {{"agent.x", values[i]}}, dup, p95, cost));
  return doc;
}

// The 2-D fixture with a third parameter whose values are lists, as `--vary
// PATH=0.5,1` cannot make them but a hand-edited sweep can.
json three_parameter_doc() {
  const json two = fixture("sweep-2d.json");
  json doc = two;
  const std::vector<std::string> third = {"0.5,1", "1,2", "2,4"};
  doc["parameters"].push_back("agent.retry_delays_s");
  doc["grid"].push_back(third);
  doc["points"] = json::array();
  int index = 0;
  for (const json& p : two["points"])
    for (std::size_t k = 0; k < third.size(); ++k) {
      json q = p;
      q["index"] = index++;
      q["values"]["agent.retry_delays_s"] = third[k];
      q["metrics"]["duplicate_rate"]["value"] =
          p["metrics"]["duplicate_rate"]["value"].get<double>() * (1 - 0.2 * k);
      doc["points"].push_back(q);
    }
  doc["points_total"] = index;
  doc["recommendation"]["index"] = index - 1;
  doc["recommendation"]["values"] = doc["points"].back()["values"];
  return doc;
}

}  // namespace

TEST_CASE("sweep html, one parameter: three line charts with band, points and recommendation",
          "[sweep_html]") {
  const json doc = fixture("sweep-1d.json");
  const std::size_t n = doc["points"].size();
  REQUIRE(n >= 5);
  const std::string html = sweep_html(doc);

  CHECK(html.rfind("<!DOCTYPE html>", 0) == 0);
  CHECK(count(html, "class=\"chart\"") == 3);
  const auto charts = svgs(html, "line");
  REQUIRE(charts.size() == 3);
  for (const std::string& svg : charts) {
    INFO(svg.substr(0, 300));
    CHECK(count(svg, "<circle") == n);  // one per point, the recommended one included
    CHECK(count(svg, "role=\"img\"") == 1);
    CHECK(count(svg, "viewBox=\"0 0 ") == 1);
    CHECK(count(svg, "aria-label=\"") == 1);
    CHECK(count(svg, "<title>") >= 1);
    CHECK(count(svg, "class=\"line\"") == 1);
    CHECK(count(svg, " rec\"") == 1);  // the recommended point's circle
    CHECK(count(svg, "class=\"rec-line\"") == 1);
  }
  // The band and the target belong to the duplicate-rate chart only.
  CHECK(count(charts[0], "<path class=\"band\"") == 1);
  CHECK(count(charts[0], "class=\"target\"") == 1);
  CHECK(count(charts[1], "class=\"band\"") == 0);
  CHECK(count(charts[2], "class=\"band\"") == 0);
  // Every point of this sweep is on the Pareto front.
  CHECK(count(charts[0], "class=\"pt pareto") == n);

  CHECK(html.find("<code>agent.post_create_wait_s=30</code>") != std::string::npos);
  CHECK(html.find("upper 95% bound (0.0008) is under the target 0.05") != std::string::npos);
  // The table: one row per point, the recommended one marked.
  CHECK(count(html, "<tr class=\"pareto") == n);
  CHECK(count(html, "<tr class=\"pareto recommended\">") == 1);
  CHECK(html.find("[66.55%, 69.14%]") != std::string::npos);
  CHECK(html.find("scenario</dt><dd>aprapipes-production") != std::string::npos);
  CHECK(html.find("trials per point</dt><dd>5000") != std::string::npos);
}

TEST_CASE("sweep html: text from the document is escaped", "[sweep_html]") {
  json doc = fixture("sweep-1d.json");
  doc["scenario"] = "<script>alert('x')</script> & co";
  doc["strategy"] = "\"quoted\"";
  const std::string html = sweep_html(doc);
  CHECK(html.find("<script") == std::string::npos);
  CHECK(html.find("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; co") != std::string::npos);
  CHECK(html.find("&quot;quoted&quot;") != std::string::npos);

  // Parameter names and values reach attributes (aria-label) and tooltips too.
  json odd = one_parameter_doc({"<a>", "b\"c", "d&e"}, 0.1, 1, 1);
  odd["parameters"] = {"x<y>"};
  for (auto& p : odd["points"]) p["values"] = {{"x<y>", p["values"]["agent.x"]}};
  const std::string page = sweep_html(odd);
  CHECK(page.find("x<y>") == std::string::npos);
  CHECK(page.find("<a>") == std::string::npos);
  CHECK(page.find("b\"c") == std::string::npos);
  CHECK(page.find("x&lt;y&gt;") != std::string::npos);
  CHECK(page.find("d&amp;e") != std::string::npos);
}

TEST_CASE("sweep html, two parameters: heatmaps with one cell per point and a legend",
          "[sweep_html]") {
  const json doc = fixture("sweep-2d.json");
  const std::size_t n = doc["points"].size();
  REQUIRE(n == 12);
  const std::string html = sweep_html(doc);
  const auto maps = svgs(html, "heatmap");
  REQUIRE(maps.size() == 3);  // duplicate rate, p95 latency, cost
  CHECK(count(html, "class=\"chart\"") == 3);
  CHECK(maps[0].find("data-metric=\"duplicate_rate\"") != std::string::npos);
  CHECK(maps[1].find("data-metric=\"decision_latency_p95\"") != std::string::npos);
  for (const std::string& svg : maps) {
    CHECK(count(svg, "<rect class=\"cell\"") == n);
    CHECK(count(svg, "<rect") == n + 1);  // the cells and the legend bar
    CHECK(count(svg, "class=\"legend\"") == 1);
    CHECK(count(svg, "<linearGradient id=\"") == 1);
    CHECK(count(svg, "class=\"rec-mark\"") == 1);
    CHECK(count(svg, "class=\"pareto-mark\"") == 11);
    CHECK(svg.find(">agent.find_attempts</text>") != std::string::npos);
    CHECK(svg.find(">agent.post_create_wait_s</text>") != std::string::npos);
  }
  // Values are printed in the cells (the grid is small enough for them), as
  // the table prints them (the cells said "78.6%" and "22.7 s").
  CHECK(maps[0].find(">78.61%</text>") != std::string::npos);
  CHECK(maps[1].find(">22.68 s</text>") != std::string::npos);
  // The recommendation lists its values in grid order.
  CHECK(html.find("<code>agent.post_create_wait_s=20</code> <code>agent.find_attempts=3</code>") !=
        std::string::npos);
  // Gradient ids are unique across the page.
  CHECK(count(html, "id=\"sweep-gradient-0\"") == 1);
  CHECK(count(html, "id=\"sweep-gradient-2\"") == 1);
  // No line charts for a grid.
  CHECK(svgs(html, "line").empty());
}

TEST_CASE("sweep html, two parameters without a grid field: order comes from the points",
          "[sweep_html]") {
  json doc = fixture("sweep-2d.json");
  doc.erase("grid");
  doc.erase("points_total");
  const auto maps = svgs(sweep_html(doc), "heatmap");
  REQUIRE(maps.size() == 3);
  CHECK(count(maps[0], "<rect class=\"cell\"") == 12);
}

TEST_CASE("sweep html, three parameters: one duplicate-rate heatmap per third value",
          "[sweep_html]") {
  const json doc = three_parameter_doc();
  const std::string html = sweep_html(doc);
  const auto maps = svgs(html, "heatmap");
  REQUIRE(maps.size() == 3);
  CHECK(count(html, "class=\"chart\"") == 3);
  for (const std::string& svg : maps) {
    CHECK(svg.find("data-metric=\"duplicate_rate\"") != std::string::npos);
    CHECK(count(svg, "<rect class=\"cell\"") == 12);
  }
  // List values are categorical labels, shown as given.
  CHECK(maps[0].find("agent.retry_delays_s = 0.5,1") != std::string::npos);
  CHECK(maps[2].find("agent.retry_delays_s = 2,4") != std::string::npos);
  CHECK(html.find("<code>agent.retry_delays_s=1,2</code>") != std::string::npos);
  // Only the last panel holds the recommended point.
  CHECK(count(maps[0], "class=\"rec-mark\"") == 0);
  CHECK(count(maps[2], "class=\"rec-mark\"") == 1);
  CHECK(count(html, "<tr") == 1 + 36);
}

TEST_CASE("sweep html: no recommendation says so", "[sweep_html]") {
  json doc = fixture("sweep-2d.json");
  doc["recommendation"] = nullptr;
  const std::string html = sweep_html(doc);
  CHECK(html.find("No point meets the target") != std::string::npos);
  CHECK(html.find("under 5.00%") != std::string::npos);
  CHECK(count(html, "class=\"rec-mark\"") == 0);
  CHECK(count(html, "recommended\">") == 0);
}

TEST_CASE("sweep html: degenerate sweeps render without NaN or infinity", "[sweep_html]") {
  SECTION("a single point") {
    const std::string html = sweep_html(one_parameter_doc({5}, 0.3, 4.2, 1.1));
    CHECK_FALSE(has_non_finite(html));
    CHECK(count(html, "class=\"chart\"") == 3);
    CHECK(count(html, "<circle") == 3);
    CHECK(count(html, "<path class=\"band\"") == 1);  // a bar, since there is no run to shade
  }
  SECTION("every value equal, zero-width intervals") {
    const std::string html = sweep_html(one_parameter_doc({1, 2, 3, 4, 5}, 0.25, 3, 0.6));
    CHECK_FALSE(has_non_finite(html));
    CHECK(count(html, "<circle") == 15);
  }
  SECTION("every metric zero") {
    const std::string html = sweep_html(one_parameter_doc({1, 2, 3}, 0, 0, 0));
    CHECK_FALSE(has_non_finite(html));
    CHECK(count(html, "<circle") == 9);
  }
  SECTION("one parameter value, many points") {
    const std::string html = sweep_html(one_parameter_doc({7, 7, 7}, 0.1, 1, 1));
    CHECK_FALSE(has_non_finite(html));
  }
  SECTION("a 1x1 grid") {
    json doc = one_parameter_doc({1}, 0.1, 1, 1);
    doc["parameters"] = {"a", "b"};
    doc["points"][0]["values"] = {{"a", 1}, {"b", "x"}};
    const std::string html = sweep_html(doc);
    CHECK_FALSE(has_non_finite(html));
    CHECK(count(html, "<rect class=\"cell\"") == 3);
  }
  SECTION("the fixtures") {
    CHECK_FALSE(has_non_finite(sweep_html(fixture("sweep-1d.json"))));
    CHECK_FALSE(has_non_finite(sweep_html(fixture("sweep-2d.json"))));
    CHECK_FALSE(has_non_finite(sweep_html(three_parameter_doc())));
  }
  SECTION("extreme magnitudes") {
    json doc = one_parameter_doc({1e17, 1e17 + 32, 1e300}, 1e308, -1e308, 5e-324);
    doc["points_total"] = 1e300;
    const std::string html = sweep_html(doc);
    CHECK_FALSE(has_non_finite(html));
    CHECK(count(html, "<circle") == 9);
    json grid = one_parameter_doc({1}, 1e-300, 1e300, 1);
    grid["parameters"] = {"agent.x", "agent.y"};
    grid["points"][0]["values"]["agent.y"] = -1e308;
    CHECK_FALSE(has_non_finite(sweep_html(grid)));
  }
  SECTION("non-finite numbers built in memory are treated as missing") {
    json doc = one_parameter_doc({1, 2, 3}, 0.1, 1, 1);
    doc["points"][1]["metrics"]["duplicate_rate"]["value"] = std::nan("");
    doc["points"][2]["metrics"]["cost_usd"]["mean"] = HUGE_VAL;
    doc["target_duplicate_rate"] = -HUGE_VAL;
    const std::string html = sweep_html(doc);
    CHECK_FALSE(has_non_finite(html));
    CHECK(count(html, "<circle") == 7);
  }
}

TEST_CASE("sweep html: missing fields show as n/a", "[sweep_html]") {
  json doc = fixture("sweep-1d.json");
  doc.erase("seed");
  doc["points"][1]["metrics"].erase("cost_usd");
  doc["points"][2]["metrics"]["duplicate_rate"].erase("ci95");
  doc["points"][3]["metrics"].erase("decision_latency_s");
  doc["points"][4].erase("metrics");
  doc["points"][5]["values"] = json::object();
  const std::string html = sweep_html(doc);
  CHECK_FALSE(has_non_finite(html));
  CHECK(html.find("seed</dt><dd>n/a") != std::string::npos);
  CHECK(count(html, ">n/a<") >= 10);
  const auto charts = svgs(html, "line");
  REQUIRE(charts.size() == 3);
  // Point 5 has no parameter value and point 4 no metrics: neither is drawn.
  CHECK(count(charts[0], "<circle") == 5);
  CHECK(count(charts[1], "<circle") == 4);
  CHECK(count(charts[2], "<circle") == 4);
  // The band breaks around the point without an interval (and the one without metrics).
  CHECK(count(charts[0], "<path class=\"band\"") == 3);
}

TEST_CASE("sweep html: non-numeric parameter values are categories", "[sweep_html]") {
  const std::string html =
      sweep_html(one_parameter_doc({"0.5,1", json::array({1, 2}), "linear"}, 0.1, 1, 1));
  const auto charts = svgs(html, "line");
  REQUIRE(charts.size() == 3);
  for (const std::string& svg : charts) {
    CHECK(svg.find(">0.5,1</text>") != std::string::npos);
    CHECK(svg.find(">[1,2]</text>") != std::string::npos);
    CHECK(svg.find(">linear</text>") != std::string::npos);
    CHECK(count(svg, "<circle") == 3);
  }
}

TEST_CASE("sweep html: malformed documents do not throw", "[sweep_html]") {
  for (const json& doc :
       {json(), json::array({1, 2}), json("text"), json::object(),
        json{{"parameters", 5}, {"points", "none"}},
        json{{"parameters", {"a", "b", "c", "d"}}, {"points", {1, json::object()}}},
        json{{"parameters", {"a"}},
             {"points", {{{"values", {{"a", nullptr}}}}}},
             {"recommendation", {{"index", "x"}}}}}) {
    INFO(doc.dump());
    std::string html;
    REQUIRE_NOTHROW(html = sweep_html(doc));
    CHECK(html.find("<table>") != std::string::npos);
    CHECK(html.find("</html>") != std::string::npos);
    CHECK_FALSE(has_non_finite(html));
  }
  // Four parameters: the table, and a note instead of charts.
  const std::string four =
      sweep_html({{"parameters", {"a", "b", "c", "d"}}, {"points", json::array()}});
  CHECK(four.find("one to three varied parameters") != std::string::npos);
  CHECK(count(four, "<svg") == 0);
}

TEST_CASE("sweep html: deterministic and self-contained", "[sweep_html]") {
  for (const json& doc :
       {fixture("sweep-1d.json"), fixture("sweep-2d.json"), three_parameter_doc()}) {
    const std::string a = sweep_html(doc);
    const std::string b = sweep_html(doc);
    CHECK(a == b);
    for (const char* banned :
         {"http://", "https://", "src=", "href=", "@import", "<script", "<link", "<img", "<iframe"})
      CHECK(a.find(banned) == std::string::npos);
    for (const std::string& svg : svgs(a)) {
      CHECK(svg.rfind("<svg class=\"chart\" role=\"img\"", 0) == 0);
      CHECK(svg.find("viewBox=\"0 0 ") != std::string::npos);
      CHECK(svg.find("aria-label=\"") != std::string::npos);
    }
  }
}

TEST_CASE("sweep html: the stylesheet is sim/output/sweep_report.css, inline and verbatim",
          "[sweep_html]") {
  const std::string css = source_file("sim/output/sweep_report.css");
  REQUIRE(!css.empty());
  // A "</style" in the file would end the element early and spill the rest as text.
  CHECK(css.find("</style") == std::string::npos);
  for (const json& doc : {fixture("sweep-1d.json"), fixture("sweep-2d.json"), json::object()}) {
    const std::string html = sweep_html(doc);
    CHECK(count(html, "<style>") == 1);
    CHECK(html.find("<style>\n" + css + "</style>\n") != std::string::npos);
  }
}

// The pieces the page is built from, where a regression is easier to read than in a whole page.
TEST_CASE("sweep html pieces: numbers as text", "[sweep_html]") {
  using namespace coordsim::sim::sweep_page;
  CHECK(percent(0.1234) == "12.34%");
  CHECK(percent(0.00001) == "0.001%");  // not 0.00%
  CHECK(percent(0) == "0.00%");
  CHECK(decimal(1e300, 2) == "1e+300");
  CHECK(decimal(std::nan(""), 2) == "n/a");
  CHECK(significant(1234.4, 3) == "1234");
  CHECK(usd(0.05) == "$0.0500");
  CHECK(usd(4.2) == "$4.200");
  CHECK(usd(0.602) != usd(0.601));  // a tenth of a cent apart: sweep neighbours
  CHECK(show(std::nullopt, Unit::kSeconds) == "n/a");
  CHECK(px(-0.04) == "0.0");
  CHECK(px(std::nan("")) == "0");
  CHECK(px(1e300) == "1000000.0");
  CHECK(escape("<a href='x'>&\"") == "&lt;a href=&#39;x&#39;&gt;&amp;&quot;");
  CHECK(shorten("ab\xc3\xa9z", 4) == "ab\u2026");  // never half of the two-byte \u00e9
  CHECK(break_at_dots("agent.x") == "agent.<wbr>x");
}

TEST_CASE("sweep html pieces: ticks and colours", "[sweep_html]") {
  using namespace coordsim::sim::sweep_page;
  const Ticks t = nice_ticks(0, 0.37, 5);
  CHECK(t.lo == 0);
  CHECK(t.hi == Approx(0.4));
  REQUIRE(t.at.size() == 5);
  CHECK(t.at.front() == t.lo);
  CHECK(t.at.back() == t.hi);
  const Ticks flat = nice_ticks(3, 3, 5);
  CHECK(flat.lo < 3);
  CHECK(flat.hi > 3);
  const Ticks huge = nice_ticks(-1e308, 1e308, 5);
  CHECK(huge.at == std::vector<double>{-1e308, 1e308});
  CHECK(scale(0.2, t, 100, 0) == Approx(50));

  CHECK(hex(mix(kReds, 0)) == "#ffffcc");
  CHECK(hex(mix(kReds, 1)) == "#800026");
  CHECK(hex(mix(kReds, std::nan(""))) == hex(kReds[2]));
  CHECK_FALSE(is_dark(kReds[0]));
  CHECK(is_dark(kReds[4]));
}
