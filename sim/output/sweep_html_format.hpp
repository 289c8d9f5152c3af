#pragma once
// Numbers and text as the sweep's HTML page prints them. Internal to
// sim/output/sweep_html*.cpp.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace coordsim::sim::sweep_page {

enum class Unit { kRate, kSeconds, kUsd };

std::string escape(std::string_view s);

// Every number on the page goes through here. A finite input can still
// overflow once scaled (a rate of 1e308 is inf%), and a fixed format of 1e300
// is 300 digits, so both are caught in one place.
std::string decimal(double v, int decimals);
std::string significant(double v, int digits);
std::string percent(double rate);
std::string usd(double v);
std::string show(std::optional<double> v, Unit unit);
// A heatmap cell's text: as the table prints the number (a cell too narrow shows none).
std::string cell_text(double v, Unit unit);
std::string tick_text(double v, Unit unit);
std::string fixed(std::optional<double> v, int decimals);

// SVG coordinates: one decimal is sub-pixel and keeps the page small. A
// non-finite coordinate would print "nan", which browsers reject.
// Absurd values are clamped so they cannot print 300-digit coordinates.
std::string px(double v);

std::string shorten(const std::string& s, std::size_t max_chars);
// Long dotted parameter names would make their table column as wide as the name.
std::string break_at_dots(const std::string& html);
// Rough width of 11px sans-serif text, for layout without a font engine.
double text_width(std::size_t chars);

}  // namespace coordsim::sim::sweep_page
