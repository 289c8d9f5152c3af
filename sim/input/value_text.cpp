#include "sim/input/value_text.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>

#include "sim/input/edit_distance.hpp"

namespace coordsim::sim::loader {

using nlohmann::json;

std::string quoted(const json& string_value) {
  std::string s = string_value.get<std::string>();
  constexpr std::size_t kMax = 60;
  if (s.size() > kMax) s = s.substr(0, kMax) + "...";
  // replace: a cut through a UTF-8 sequence must not turn into an exception here.
  return json(s).dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string got(const json& v, bool with_type) {
  switch (v.type()) {
    case json::value_t::string: return (with_type ? "string " : "") + quoted(v);
    case json::value_t::boolean: return (with_type ? "boolean " : "") + v.dump();
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float: return (with_type ? "number " : "") + v.dump();
    case json::value_t::array: return v.empty() ? "an empty array" : "an array";
    case json::value_t::object: return "an object";
    case json::value_t::null: return "null";
    default: return "an invalid value";
  }
}

std::string number_text(const json& n) {
  // A cap such as 1e9 or 1e10 reads as written, not as ten digits.
  if (const double d = n.get<double>(); d >= 1e6 && d <= 1e15) {
    const double exponent = std::round(std::log10(d));
    if (std::pow(10.0, exponent) == d) return "1e" + std::to_string(static_cast<int>(exponent));
  }
  if (n.is_number_float()) {
    const double d = n.get<double>();
    if (d == static_cast<double>(static_cast<std::int64_t>(d)) && d > -1e15 && d < 1e15) {
      return std::to_string(static_cast<std::int64_t>(d));
    }
  }
  return n.dump();
}

std::string suggestion(std::string_view wrong, const std::vector<std::string>& candidates) {
  // A key that differs only in case ("Trials", "WORKLOAD") is that key however
  // many letters differ; edit distance alone misses all but the shortest.
  const auto lower = [](std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
  };
  for (const std::string& c : candidates) {
    if (c != wrong && lower(c) == lower(wrong)) return "; did you mean \"" + c + "\"?";
  }
  const std::string* best = nullptr;
  std::size_t best_distance = std::max<std::size_t>(2, wrong.size() / 3) + 1;
  for (const std::string& c : candidates) {
    const std::size_t d = edit_distance(wrong, c);
    if (d < best_distance && d < wrong.size()) {
      best_distance = d;
      best = &c;
    }
  }
  return best ? "; did you mean \"" + *best + "\"?" : "";
}

std::string join(const std::vector<std::string>& items, std::string_view separator) {
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty()) out += separator;
    out += item;
  }
  return out;
}

}  // namespace coordsim::sim::loader
