#include "sim/output/sweep_html_format.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <spdlog/fmt/fmt.h>

namespace coordsim::sim::sweep_page {

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

// Three decimals: neighbouring sweep points differ by a tenth of a cent
// ($0.602 against $0.601), which two decimals would print as equal.
std::string usd(double v) { return "$" + decimal(v, v != 0 && std::abs(v) < 0.1 ? 4 : 3); }

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

// A heatmap cell prints its number as the table does (the cell said "60.8%"
// and "$0.6" where the table said "60.80%" and "$0.60").
std::string cell_text(double v, Unit unit) { return show(v, unit); }

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

std::string break_at_dots(const std::string& html) {
  std::string out;
  for (const char c : html) out += c == '.' ? std::string(".<wbr>") : std::string(1, c);
  return out;
}

double text_width(std::size_t chars) { return 6.2 * static_cast<double>(chars); }

}  // namespace coordsim::sim::sweep_page
