// A sweep's run, the merge of shard files with their validation, and the CSV
// and Markdown tables; the recommendation and the warnings are in
// sweep_advice.cpp. The shard validation (ShardCheck) is the next seam.
#include "sim/analysis/sweep.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <limits>
#include <sstream>

#include <spdlog/fmt/fmt.h>

#include "sim/engine/run_trials.hpp"
#include "sim/input/input_error.hpp"
#include "sim/input/json_pointer.hpp"
#include "sim/input/json_text.hpp"
#include "sim/input/scenario_loader.hpp"
#include "sim/input/utf8.hpp"
#include "sim/output/report.hpp"
#include "sim/output/sweep_html_format.hpp"

namespace coordsim::sim {

namespace {

std::optional<double> parse_number(std::string_view s) {
  double v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

nlohmann::json parse_value(const std::string& text) {
  nlohmann::json v = nlohmann::json::parse(text, nullptr, false);
  return v.is_discarded() ? nlohmann::json(text) : v;
}

// The JSON text of a value as --set takes it.
std::string set_text(const nlohmann::json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

}  // namespace

Vary parse_vary(const std::string& argument) {
  // Each value becomes a --set and a field of the sweep document: a string
  // that is not UTF-8 could not be written as JSON.
  if (const auto bad = invalid_utf8_at(argument))
    throw InputError("--vary " + escape_invalid_utf8(argument),
                     "not valid UTF-8 at " + describe_invalid_utf8(argument, *bad) + "; a scenario's text is UTF-8");
  const std::string where = "--vary " + argument;
  const auto eq = argument.find('=');
  if (eq == std::string::npos || eq == 0)
    throw InputError(where, "expected PATH=SPEC, e.g. agent.post_create_wait_s=0:10:2 or agent.find_attempts=2,3,5");
  Vary v;
  v.path = argument.substr(0, eq);
  const std::string spec = argument.substr(eq + 1);
  if (spec.empty()) throw InputError(where, "empty SPEC; expected start:stop:step or a,b,c");
  // The values are copied into every point's scenario and the sweep document,
  // by functions that recurse once per level: 100,000 nested arrays crashed.
  if (json_text_depth(spec) > kMaxJsonDepth)
    throw InputError(where, "SPEC nests deeper than " + std::to_string(kMaxJsonDepth) +
                                " levels (arrays and objects inside each other)");
  if (spec.find(':') != std::string::npos && spec.find(',') == std::string::npos && spec.front() != '[' &&
      spec.front() != '{') {
    std::vector<std::string> parts;
    std::stringstream ss(spec);
    for (std::string p; std::getline(ss, p, ':');) parts.push_back(p);
    if (parts.size() != 3)
      throw InputError(where, "a range is start:stop:step, got " + std::to_string(parts.size()) + " parts");
    const auto start = parse_number(parts[0]), stop = parse_number(parts[1]), step = parse_number(parts[2]);
    if (!start || !stop || !step) throw InputError(where, "start, stop and step must be numbers");
    if (*step <= 0) throw InputError(where, "step must be > 0, got " + parts[2]);
    if (*stop < *start) throw InputError(where, "stop (" + parts[1] + ") must be >= start (" + parts[0] + ")");
    const double count = std::floor((*stop - *start) / *step + 1e-9) + 1;
    if (count > 10000) throw InputError(where, "the range has more than 10,000 values");
    for (int i = 0; i < static_cast<int>(count); ++i) {
      // Computed from the index, not accumulated, so 0.1 steps do not drift.
      const double x = *start + i * *step;
      // Only where nine decimals are below a double's precision: x * 1e9
      // overflowed to infinity past 1.8e299 (1e300:1e300:1 gave null).
      const double rounded = std::abs(x) < 1e15 ? std::round(x * 1e9) / 1e9 : x;
      if (!std::isfinite(rounded))
        throw InputError(where, fmt::format("value {} of the range is not a finite number", i + 1));
      if (rounded == std::floor(rounded) && std::abs(rounded) < 1e15)
        v.values.emplace_back(static_cast<std::int64_t>(rounded));
      else
        v.values.emplace_back(rounded);
    }
    return v;
  }
  // A list: split on commas outside brackets/braces/quotes, so JSON values work.
  std::string current;
  int depth = 0;
  bool quoted = false;
  for (char c : spec) {
    if (c == '"') quoted = !quoted;
    if (!quoted && (c == '[' || c == '{')) ++depth;
    if (!quoted && (c == ']' || c == '}')) --depth;
    if (c == ',' && depth == 0 && !quoted) {
      v.values.push_back(parse_value(current));
      current.clear();
    } else {
      current += c;
    }
  }
  v.values.push_back(parse_value(current));
  for (const auto& value : v.values)
    if (value.is_string() && value.get<std::string>().empty()) throw InputError(where, "empty value in the list");
  return v;
}

std::pair<int, int> parse_shard(const std::string& text) {
  const auto slash = text.find('/');
  int k = 0, n = 0;
  const auto parse = [](std::string_view s, int& out) {
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && end == s.data() + s.size();
  };
  if (slash == std::string::npos || !parse(std::string_view(text).substr(0, slash), k) ||
      !parse(std::string_view(text).substr(slash + 1), n) || n < 1 || k < 1 || k > n)
    throw InputError("--shard " + text, "expected K/N with 1 <= K <= N, e.g. 2/4");
  return {k, n};
}

namespace {

nlohmann::json point_metrics(const RunReport& report) {
  nlohmann::json j = report_json(report);
  // Timing varies run to run; a sweep document must not, so shards merge byte-identically.
  for (const char* k : {"wall_s", "trials_per_s", "scenario", "strategy", "trials", "seed"}) j.erase(k);
  return j;
}

double number_at(const nlohmann::json& metrics, const char* a, const char* b) {
  const auto& x = metrics.at(a).at(b);
  return x.get<double>();
}

}  // namespace

nlohmann::json run_sweep(const SweepOptions& o) {
  if (o.vary.empty() || o.vary.size() > 3)
    throw InputError("--vary", "give one to three --vary parameters, got " + std::to_string(o.vary.size()));
  for (std::size_t i = 0; i < o.vary.size(); ++i)
    for (std::size_t j = 0; j < i; ++j)
      if (o.vary[i].path == o.vary[j].path) throw InputError("--vary " + o.vary[i].path, "varied twice");

  std::size_t total = 1;
  for (const Vary& v : o.vary) total *= v.values.size();
  if (total > 100000) throw InputError("--vary", "the grid has more than 100,000 points");

  const auto load = [&](const std::vector<std::string>& sets) {
    return o.scenario_path.empty() ? load_default_scenario(sets) : load_scenario_file(o.scenario_path, sets);
  };
  const ScenarioFile base = load(o.sets);
  std::optional<agent::Strategy> strategy;
  if (!o.strategy.empty()) {
    strategy = agent::parse_strategy(o.strategy);
    if (!strategy)
      throw InputError("--strategy", "unknown strategy \"" + o.strategy + "\"; expected one of " +
                                         agent::strategy_names());
  }

  nlohmann::json doc;
  doc["scenario"] = base.name;
  doc["strategy"] = std::string(agent::strategy_name(strategy.value_or(base.protocol.strategy)));
  RunOptions run;
  run.trials = o.trials.value_or(base.trials);
  run.seed = o.seed.value_or(base.seed);
  run.threads = o.threads;
  doc["seed"] = run.seed;
  doc["trials_per_point"] = run.trials;
  doc["parameters"] = nlohmann::json::array();
  doc["grid"] = nlohmann::json::array();
  for (const Vary& v : o.vary) {
    doc["parameters"].push_back(v.path);
    doc["grid"].push_back(v.values);
  }
  doc["points_total"] = total;
  doc["target_duplicate_rate"] = o.target_duplicate_rate;
  check_recommendation_rule(o.recommendation_rule, o.cost_tolerance);
  // Only when not the default, so the documents of earlier sweeps stay as they were.
  if (o.recommendation_rule != "cheapest")
    doc["recommendation_rule"] = {{"name", o.recommendation_rule}, {"cost_tolerance", o.cost_tolerance}};
  if (o.shards > 1) doc["shard"] = {{"k", o.shard}, {"n", o.shards}};
  doc["points"] = nlohmann::json::array();

  int done = 0;
  const int mine = static_cast<int>((total + static_cast<std::size_t>(o.shards - o.shard)) / static_cast<std::size_t>(o.shards));
  for (std::size_t index = 0; index < total; ++index) {
    if (static_cast<int>(index % static_cast<std::size_t>(o.shards)) != o.shard - 1) continue;
    // Grid order: the first parameter varies slowest.
    std::vector<std::string> sets = o.sets;
    nlohmann::json values = nlohmann::json::object();
    std::size_t rest = index;
    std::vector<std::size_t> coordinate(o.vary.size());
    for (std::size_t d = o.vary.size(); d-- > 0;) {
      coordinate[d] = rest % o.vary[d].values.size();
      rest /= o.vary[d].values.size();
    }
    for (std::size_t d = 0; d < o.vary.size(); ++d) {
      const nlohmann::json& value = o.vary[d].values[coordinate[d]];
      sets.push_back(o.vary[d].path + "=" + set_text(value));
      values[o.vary[d].path] = value;
    }
    const ScenarioFile scenario = load(sets);
    agent::ProtocolConfig protocol = scenario.protocol;
    if (strategy) protocol.strategy = *strategy;
    RunReport report{scenario, doc["strategy"].get<std::string>(), run, run_trials(scenario, protocol, run),
                     scenario.failures_per_year};
    doc["points"].push_back({{"index", index}, {"values", values}, {"metrics", point_metrics(report)}});
    ++done;
    if (o.progress)
      o.progress(done, mine, report.result.wall_seconds > 0 ? static_cast<double>(run.trials) / report.result.wall_seconds : 0);
  }
  finish_sweep(doc);
  return doc;
}

nlohmann::json read_sweep_shard(const std::string& path) {
  // A shard nests its grid's values three levels below the root, and a --vary
  // value may itself nest up to kMaxJsonDepth: twice that is room enough and
  // still a shallow recursion.
  nlohmann::json doc = parse_json_text(read_input_file(path, "shard file", kMaxShardBytes), path, 2 * kMaxJsonDepth);
  if (!doc.is_object() || !doc.contains("points"))
    throw InputError(path, "not a sweep document (write shards with coordsim sweep --shard K/N --json FILE)");
  return doc;
}

namespace {

// Checks of one shard document, each error "FILE: /pointer: expected ..., got ...".
class ShardCheck {
 public:
  ShardCheck(const nlohmann::json& doc, const std::string& name) : doc_(doc), name_(name) {}

  [[noreturn]] void fail(const std::string& pointer, const std::string& what) const {
    throw InputError(name_ + ": " + (pointer.empty() ? "(root)" : pointer), what);
  }

  static std::string got(const nlohmann::json& v) {
    if (v.is_structured()) return std::string(v.is_array() ? "an array" : "an object");
    if (v.is_null()) return "null";
    const std::string text = v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return text.size() > 40 ? text.substr(0, 40) + "..." : text;
  }

  const nlohmann::json& field(const nlohmann::json& object, const std::string& pointer, const char* key,
                              nlohmann::json::value_t type, const char* expected) const {
    if (!object.is_object()) fail(pointer, std::string("expected an object, got ") + got(object));
    const auto it = object.find(key);
    const std::string at = pointer + "/" + key;
    if (it == object.end()) fail(at, std::string("missing field (") + expected + ")");
    // number_float: any number; number_unsigned: any integer (a document
    // built in memory holds signed ones, a parsed one unsigned).
    const bool ok = type == nlohmann::json::value_t::number_float ? it->is_number()
                    : type == nlohmann::json::value_t::number_unsigned ? it->is_number_integer()
                                                                       : it->type() == type;
    if (!ok) fail(at, std::string("expected ") + expected + ", got " + got(*it));
    return *it;
  }

  std::uint64_t count(const nlohmann::json& object, const std::string& pointer, const char* key,
                      std::uint64_t low, std::uint64_t high) const {
    const auto& v = field(object, pointer, key, nlohmann::json::value_t::number_unsigned,
                          "an integer >= 0");
    if (!v.is_number_unsigned() && v.get<std::int64_t>() < 0)
      fail(pointer + "/" + key, "expected an integer >= " + std::to_string(low) + ", got " + v.dump());
    const std::uint64_t n = v.get<std::uint64_t>();
    if (n < low || n > high)
      fail(pointer + "/" + key, "expected an integer in [" + std::to_string(low) + ", " + std::to_string(high) +
                                    "], got " + std::to_string(n));
    return n;
  }

  double number(const nlohmann::json& object, const std::string& pointer, const char* key) const {
    return field(object, pointer, key, nlohmann::json::value_t::number_float, "a number").get<double>();
  }

  const nlohmann::json& doc() const { return doc_; }

 private:
  const nlohmann::json& doc_;
  const std::string& name_;
};

using value_t = nlohmann::json::value_t;

// The shape of the sweep fields every shard carries, and the grid's size.
std::uint64_t check_header(const ShardCheck& c) {
  const nlohmann::json& d = c.doc();
  c.field(d, "", "scenario", value_t::string, "a string");
  c.field(d, "", "strategy", value_t::string, "a string");
  c.count(d, "", "seed", 0, std::numeric_limits<std::uint64_t>::max());
  c.count(d, "", "trials_per_point", 1, std::uint64_t{1} << 40);
  const double target = c.number(d, "", "target_duplicate_rate");
  if (!(target >= 0 && target <= 1)) c.fail("/target_duplicate_rate", "expected a number in [0, 1], got " + ShardCheck::got(d["target_duplicate_rate"]));
  if (d.contains("recommendation_rule")) {
    const auto& rule = c.field(d, "", "recommendation_rule", value_t::object, "an object {\"name\", \"cost_tolerance\"}");
    const auto& name = c.field(rule, "/recommendation_rule", "name", value_t::string, "\"cheapest\" or \"lowest-p95\"");
    const double tolerance = c.number(rule, "/recommendation_rule", "cost_tolerance");
    try {
      check_recommendation_rule(name.get<std::string>(), tolerance);
    } catch (const InputError& e) {
      c.fail("/recommendation_rule", e.what());
    }
  }
  const auto& parameters = c.field(d, "", "parameters", value_t::array, "an array of 1 to 3 parameter paths");
  if (parameters.empty() || parameters.size() > 3)
    c.fail("/parameters", "expected an array of 1 to 3 parameter paths, got " + std::to_string(parameters.size()));
  for (std::size_t i = 0; i < parameters.size(); ++i)
    if (!parameters[i].is_string())
      c.fail("/parameters/" + std::to_string(i), "expected a string, got " + ShardCheck::got(parameters[i]));
  const auto& grid = c.field(d, "", "grid", value_t::array, "an array of value lists, one per parameter");
  if (grid.size() != parameters.size())
    c.fail("/grid", "expected " + std::to_string(parameters.size()) + " value lists (one per parameter), got " +
                        std::to_string(grid.size()));
  std::uint64_t total = 1;
  for (std::size_t i = 0; i < grid.size(); ++i) {
    if (!grid[i].is_array() || grid[i].empty())
      c.fail("/grid/" + std::to_string(i), "expected a non-empty array of values, got " + ShardCheck::got(grid[i]));
    total *= grid[i].size();
    if (total > 100000) c.fail("/grid", "the grid has more than 100,000 points");
  }
  const std::uint64_t declared = c.count(d, "", "points_total", 1, 100000);
  if (declared != total)
    c.fail("/points_total", "expected " + std::to_string(total) + " (the grid's size), got " + std::to_string(declared));
  return total;
}

// The metrics the merge and the reports read.
void check_metrics(const ShardCheck& c, const nlohmann::json& point, const std::string& at) {
  const auto& m = c.field(point, at, "metrics", value_t::object, "an object of metrics");
  const std::string mat = at + "/metrics";
  const auto group = [&](const char* name) -> const nlohmann::json& {
    return c.field(m, mat, name, value_t::object, "an object");
  };
  for (const char* rate : {"duplicate_rate", "miss_rate"}) {
    const auto& g = group(rate);
    c.number(g, mat + "/" + rate, "value");
    const auto& ci = c.field(g, mat + "/" + rate, "ci95", value_t::array, "an array of 2 numbers");
    if (ci.size() != 2 || !ci[0].is_number() || !ci[1].is_number())
      c.fail(mat + "/" + rate + "/ci95", "expected an array of 2 numbers");
  }
  for (const char* name : {"analyses", "issues_created", "api_calls", "tokens"}) c.number(group(name), mat + "/" + name, "mean");
  c.number(group("cost_usd"), mat + "/cost_usd", "mean");
  c.number(group("cost_usd"), mat + "/cost_usd", "savings");
  c.number(group("cost_usd"), mat + "/cost_usd", "per_year");
  if (m.at("cost_usd").contains("total_mean")) {
    c.number(group("cost_usd"), mat + "/cost_usd", "total_mean");
    c.number(group("cost_usd"), mat + "/cost_usd", "total_per_year");
  }
  for (const char* q : {"p50", "p95", "p99"}) c.number(group("decision_latency_s"), mat + "/decision_latency_s", q);
}

}  // namespace

nlohmann::json merge_sweeps(const std::vector<nlohmann::json>& shards, const std::vector<std::string>& names) {
  if (shards.empty()) throw InputError("merge", "no shard files given");
  // Every shard is checked before any is copied or compared: those recurse,
  // and the reports read fields without looking (a corrupt shard used to end
  // in "[json.exception.type_error...]" or merge silently).
  std::vector<std::uint64_t> totals;
  for (std::size_t i = 0; i < shards.size(); ++i) {
    if (!shards[i].is_object()) ShardCheck(shards[i], names[i]).fail("", "expected a sweep document (an object)");
    totals.push_back(check_header(ShardCheck(shards[i], names[i])));
  }
  const auto& first = shards.front();
  for (std::size_t i = 0; i < shards.size(); ++i) {
    const auto& s = shards[i];
    for (const char* field : {"scenario", "strategy", "seed", "trials_per_point", "parameters", "grid",
                              "points_total", "target_duplicate_rate"})
      if (s.at(field) != first.at(field))
        throw InputError(names[i] + ": /" + field, "differs from " + names[0] + ": not shards of the same sweep");
    if (s.value("recommendation_rule", nlohmann::json()) != first.value("recommendation_rule", nlohmann::json()))
      throw InputError(names[i] + ": /recommendation_rule",
                       "differs from " + names[0] + ": not shards of the same sweep");
  }
  const auto shard_of = [&](std::size_t i) {
    const ShardCheck c(shards[i], names[i]);
    const auto& shard = c.field(shards[i], "", "shard", value_t::object, "an object {\"k\": K, \"n\": N}");
    const auto n = c.count(shard, "/shard", "n", 1, 100000);
    const auto k = c.count(shard, "/shard", "k", 1, n);
    return std::pair{k, n};
  };
  const std::uint64_t n = shard_of(0).second;
  const std::uint64_t total = totals.front();
  std::vector<int> seen(static_cast<std::size_t>(n) + 1, 0);
  // Which shard file holds each point, to name both places of a duplicate.
  std::vector<std::pair<int, std::size_t>> holder(total, {-1, 0});
  nlohmann::json merged = first;
  merged.erase("shard");
  merged["points"] = nlohmann::json::array();
  const auto& parameters = first.at("parameters");
  const auto& grid = first.at("grid");
  for (std::size_t i = 0; i < shards.size(); ++i) {
    const auto& s = shards[i];
    const ShardCheck c(s, names[i]);
    const auto [k, shard_n] = shard_of(i);
    if (shard_n != n)
      c.fail("/shard/n", "expected a shard of " + std::to_string(n) + " (as " + names[0] + "), got " + std::to_string(shard_n));
    if (seen[static_cast<std::size_t>(k)]++) throw InputError(names[i], "shard " + std::to_string(k) + " given twice");
    const auto& points = c.field(s, "", "points", value_t::array, "an array of points");
    for (std::size_t j = 0; j < points.size(); ++j) {
      const std::string at = "/points/" + std::to_string(j);
      const auto& p = points[j];
      const std::uint64_t index = c.count(p, at, "index", 0, total - 1);
      if (index % n != k - 1)
        c.fail(at + "/index", "point " + std::to_string(index) + " does not belong to shard " + std::to_string(k) +
                                  "/" + std::to_string(n) + " (its points have index % " + std::to_string(n) +
                                  " == " + std::to_string(k - 1) + ")");
      auto& h = holder[static_cast<std::size_t>(index)];
      if (h.first >= 0)
        c.fail(at + "/index", "point " + std::to_string(index) + " appears twice; first in " +
                                  names[static_cast<std::size_t>(h.first)] + " at /points/" + std::to_string(h.second));
      h = {static_cast<int>(i), j};
      const auto& values = c.field(p, at, "values", value_t::object, "an object of parameter values");
      std::uint64_t rest = index;
      for (std::size_t d = parameters.size(); d-- > 0;) {
        const auto& axis = grid[d];
        const auto& expected = axis[static_cast<std::size_t>(rest % axis.size())];
        rest /= axis.size();
        const std::string name = parameters[d].get<std::string>();
        const auto v = values.find(name);
        if (v == values.end() || *v != expected)
          c.fail(at + "/values/" + escape_pointer_token(name),
                 "expected " + ShardCheck::got(expected) + ", the grid's value at point " + std::to_string(index) +
                     ", got " + (v == values.end() ? std::string("nothing") : ShardCheck::got(*v)));
      }
      if (values.size() != parameters.size())
        c.fail(at + "/values", "expected only the " + std::to_string(parameters.size()) + " swept parameters");
      check_metrics(c, p, at);
    }
  }
  for (std::uint64_t k = 1; k <= n; ++k)
    if (!seen[static_cast<std::size_t>(k)])
      throw InputError("merge", "shard " + std::to_string(k) + "/" + std::to_string(n) + " is missing");
  for (std::uint64_t index = 0; index < total; ++index)
    if (holder[static_cast<std::size_t>(index)].first < 0)
      throw InputError("merge", "point " + std::to_string(index) + " of " + std::to_string(total) +
                                    " is in no shard (shard " + std::to_string(index % n + 1) + "/" +
                                    std::to_string(n) + " lacks it)");
  // In index order: shard k holds k-1, k-1+n, ... in that order.
  std::vector<const nlohmann::json*> ordered(total, nullptr);
  for (std::size_t i = 0; i < shards.size(); ++i)
    for (const auto& p : shards[i].at("points")) ordered[p.at("index").get<std::size_t>()] = &p;
  for (const nlohmann::json* p : ordered) merged["points"].push_back(*p);
  finish_sweep(merged);
  return merged;
}

namespace {
std::string csv_field(const nlohmann::json& v) {
  std::string s = v.is_string() ? v.get<std::string>() : v.dump();
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}
}  // namespace

std::string sweep_csv(const nlohmann::json& sweep) {
  std::ostringstream out;
  out << "index";
  for (const auto& p : sweep.at("parameters")) out << "," << csv_field(p);
  out << ",duplicate_rate,duplicate_rate_ci95_low,duplicate_rate_ci95_high,miss_rate,miss_rate_ci95_high,"
         "analyses_mean,issues_created_mean,api_calls_mean,tokens_mean,cost_usd_mean,cost_usd_savings,"
         "decision_latency_p50_s,decision_latency_p95_s,decision_latency_p99_s,pareto,recommended,cost_usd_per_year\n";
  const auto& rec = sweep.at("recommendation");
  for (const auto& p : sweep.at("points")) {
    const auto& m = p.at("metrics");
    out << p.at("index").dump();
    for (const auto& name : sweep.at("parameters")) out << "," << csv_field(p.at("values").at(name.get<std::string>()));
    out << "," << m["duplicate_rate"]["value"].dump() << "," << m["duplicate_rate"]["ci95"][0].dump() << ","
        << m["duplicate_rate"]["ci95"][1].dump() << "," << m["miss_rate"]["value"].dump() << ","
        << m["miss_rate"]["ci95"][1].dump() << "," << m["analyses"]["mean"].dump() << ","
        << m["issues_created"]["mean"].dump() << "," << m["api_calls"]["mean"].dump() << ","
        << m["tokens"]["mean"].dump() << "," << m["cost_usd"]["mean"].dump() << ","
        << m["cost_usd"]["savings"].dump() << "," << m["decision_latency_s"]["p50"].dump() << ","
        << m["decision_latency_s"]["p95"].dump() << "," << m["decision_latency_s"]["p99"].dump() << ","
        << (p.value("pareto", false) ? "true" : "false") << ","
        << (!rec.is_null() && rec.at("index") == p.at("index") ? "true" : "false") << ","
        << m["cost_usd"]["per_year"].dump() << "\n";
  }
  return out.str();
}

std::string sweep_markdown(const nlohmann::json& sweep) {
  std::ostringstream out;
  out << "## coordsim sweep: " << sweep.at("scenario").get<std::string>() << " — `"
      << sweep.at("strategy").get<std::string>() << "`\n\n";
  out << fmt::format("{} trials per point (the same trials at every point), seed {}, {} point{}.\n\n",
                     sweep.at("trials_per_point").get<std::int64_t>(), sweep.at("seed").get<std::uint64_t>(),
                     sweep.at("points").size(), sweep.at("points").size() == 1 ? "" : "s");
  const auto& rec = sweep.at("recommendation");
  if (sweep.contains("shard")) {
    // A shard holds some of the points: no claim that needs them all.
    out << fmt::format("This is shard {} of {}: the Pareto front and the recommendation need every point; "
                       "`coordsim merge` the shards for them.\n\n",
                       sweep.at("shard").at("k").get<int>(), sweep.at("shard").at("n").get<int>());
  } else if (rec.is_null()) {
    out << fmt::format("**No point** has a duplicate-rate upper 95% bound under the target {:g}.\n\n",
                       sweep.at("target_duplicate_rate").get<double>());
  } else {
    out << recommendation_markdown(sweep);
  }
  if (!sweep.contains("shard")) out << sweep_warnings_markdown(sweep);
  out << "|";
  for (const auto& p : sweep.at("parameters")) out << " `" << p.get<std::string>() << "` |";
  // With a runner price the cost is the total, LLM + runner (what the Pareto
  // front and the recommendation compare).
  const bool total = !sweep.at("points").empty() &&
                     sweep.at("points").at(0).at("metrics").at("cost_usd").contains("total_mean");
  out << " duplicate rate [95% CI] | miss rate | analyses | " << (total ? "total cost" : "cost")
      << " | cost/year | p95 decision | API calls | |\n|";
  for (std::size_t i = 0; i < sweep.at("parameters").size(); ++i) out << "---:|";
  out << "---|---:|---:|---:|---:|---:|---:|---|\n";
  for (const auto& p : sweep.at("points")) {
    const auto& m = p.at("metrics");
    out << "|";
    for (const auto& name : sweep.at("parameters")) {
      const auto& v = p.at("values").at(name.get<std::string>());
      out << " " << (v.is_string() ? v.get<std::string>() : v.dump()) << " |";
    }
    const bool recommended = !rec.is_null() && rec.at("index") == p.at("index");
    // A point without the total (a hand-edited shard) shows its LLM cost rather than fail.
    const bool has_total = total && m.at("cost_usd").contains("total_mean") && m.at("cost_usd").contains("total_per_year");
    const char* mean = has_total ? "total_mean" : "mean";
    const char* per_year = has_total ? "total_per_year" : "per_year";
    out << fmt::format(" {:.2f}% [{:.2f}, {:.2f}] | {:.2f}% | {:.3f} | {} | ${:.0f} | {:.2f} s | {:.1f} | {}{} |\n",
                       100 * number_at(m, "duplicate_rate", "value"),
                       100 * m["duplicate_rate"]["ci95"][0].get<double>(),
                       100 * m["duplicate_rate"]["ci95"][1].get<double>(), 100 * number_at(m, "miss_rate", "value"),
                       number_at(m, "analyses", "mean"),
                       // The HTML page's table and heatmap print costs this way too.
                       sweep_page::usd(number_at(m, "cost_usd", mean)),
                       number_at(m, "cost_usd", per_year),
                       number_at(m, "decision_latency_s", "p95"), number_at(m, "api_calls", "mean"),
                       p.value("pareto", false) ? "Pareto" : "", recommended ? " **recommended**" : "");
  }
  out << "\nPareto: no other point is at least as good on duplicate rate, p95 decision latency and cost, and "
         "better on one.\n";
  return out.str();
}

}  // namespace coordsim::sim
