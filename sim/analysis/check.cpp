#include "sim/analysis/check.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <optional>
#include <sstream>
#include <string_view>
#include <utility>

#include <boost/math/distributions/students_t.hpp>
#include <boost/math/special_functions/beta.hpp>
#include <spdlog/fmt/fmt.h>

#include "sim/input/input_error.hpp"
#include "sim/output/percent.hpp"
#include "sim/output/report.hpp"

namespace coordsim::sim {

const char* verdict_name(Verdict v) {
  switch (v) {
    case Verdict::pass: return "PASS";
    case Verdict::fail: return "FAIL";
    case Verdict::inconclusive: return "INCONCLUSIVE";
  }
  return "?";
}

namespace {

std::string num(double v) { return fmt::format("{:.6g}", v); }

std::string bounds_text(const Expectation& e) {
  std::string out;
  if (e.min) out += "min " + num(*e.min);
  if (e.max) out += std::string(out.empty() ? "" : ", ") + "max " + num(*e.max);
  return out;
}

// Combines the verdicts of the min and the max side.
Verdict combine(std::optional<Verdict> a, std::optional<Verdict> b) {
  if (a == Verdict::fail || b == Verdict::fail) return Verdict::fail;
  if (a == Verdict::inconclusive || b == Verdict::inconclusive) return Verdict::inconclusive;
  return Verdict::pass;
}

// The verdict of one side from the interval [low, high] of the metric.
Verdict against_max(double low, double high, double max) {
  if (high <= max) return Verdict::pass;
  if (low > max) return Verdict::fail;
  return Verdict::inconclusive;
}
Verdict against_min(double low, double high, double min) {
  if (low >= min) return Verdict::pass;
  if (high < min) return Verdict::fail;
  return Verdict::inconclusive;
}

std::string because(Verdict v, const Expectation& e, double value, const Interval& ci, const char* method) {
  return fmt::format("{} {} ({}: one-sided bounds [{}, {}]) against {}", e.metric, num(value), method,
                     num(ci.low), num(ci.high), bounds_text(e)) +
         (v == Verdict::inconclusive ? ": the interval straddles a bound" : "");
}

double metric_value(std::string_view name, const Metrics& m, double failures_per_year) {
  if (name == "analyses.mean") return m.analyses_mean;
  if (name == "analyses.max") return static_cast<double>(m.analyses_max);
  if (name == "failing_flavors.mean") return m.failing_flavors_mean;
  if (name == "issues_created.mean") return m.issues_created_mean;
  if (name == "issues_left_open.mean") return m.issues_left_open_mean;
  if (name == "api_calls.mean") return m.api_calls_mean;
  if (name == "rate_limited.mean") return m.rate_limited_mean;
  if (name == "agents_died.mean") return m.agents_died_mean;
  if (name == "tokens.mean") return m.tokens_mean;
  if (name == "cost_usd.mean") return m.cost_mean;
  if (name == "cost_usd.baseline_mean") return m.baseline_cost_mean;
  if (name == "cost_usd.savings") return m.savings;
  if (name == "cost_usd.per_year") return m.cost_mean * failures_per_year;
  if (name == "decision_latency_s.p50") return m.latency_p50_s;
  if (name == "decision_latency_s.p95") return m.latency_p95_s;
  if (name == "decision_latency_s.p99") return m.latency_p99_s;
  if (name == "duplicate_rate") return m.duplicate_rate;
  if (name == "miss_rate") return m.miss_rate;
  throw std::logic_error("metric without a value: " + std::string(name));
}

}  // namespace

ExpectationResult judge_rate(const Expectation& e, std::int64_t x, std::int64_t n, double alpha) {
  ExpectationResult r{e, n > 0 ? static_cast<double>(x) / static_cast<double>(n) : 0.0, {0, 1},
                      Verdict::inconclusive, ""};
  if (n <= 0) {
    r.reason = e.metric + ": no failure event yet";
    return r;
  }
  using boost::math::ibeta_inv;
  const double a = static_cast<double>(x), b = static_cast<double>(n - x);
  r.interval.low = x == 0 ? 0.0 : ibeta_inv(a, b + 1, alpha);
  r.interval.high = x == n ? 1.0 : ibeta_inv(a + 1, b, 1 - alpha);
  std::optional<Verdict> lo, hi;
  // max 0 (min 1) is a statement about every failure event, not a proportion.
  if (e.max) hi = *e.max == 0 ? (x == 0 ? Verdict::pass : Verdict::fail)
                              : against_max(r.interval.low, r.interval.high, *e.max);
  if (e.min) lo = *e.min == 1 ? (x == n ? Verdict::pass : Verdict::fail)
                              : against_min(r.interval.low, r.interval.high, *e.min);
  r.verdict = combine(lo, hi);
  r.reason = because(r.verdict, e, r.value, r.interval, "Clopper-Pearson") +
             fmt::format(" — {} of {} failure events", x, n);
  return r;
}

ExpectationResult judge_estimate(const Expectation& e, double value, const std::vector<double>& batch_values,
                                 double alpha) {
  ExpectationResult r{e, value, {value, value}, Verdict::inconclusive, ""};
  const std::size_t k = batch_values.size();
  if (k < 2) {
    r.reason = e.metric + ": too few batches for an interval";
    return r;
  }
  double mean = 0;
  for (double v : batch_values) mean += v;
  mean /= static_cast<double>(k);
  double ss = 0;
  for (double v : batch_values) ss += (v - mean) * (v - mean);
  const double sd = std::sqrt(ss / static_cast<double>(k - 1));
  const boost::math::students_t t(static_cast<double>(k - 1));
  const double half = boost::math::quantile(t, 1 - alpha) * sd / std::sqrt(static_cast<double>(k));
  r.interval = {value - half, value + half};
  std::optional<Verdict> lo, hi;
  if (e.max) hi = against_max(r.interval.low, r.interval.high, *e.max);
  if (e.min) lo = against_min(r.interval.low, r.interval.high, *e.min);
  r.verdict = combine(lo, hi);
  r.reason = because(r.verdict, e, value, r.interval, fmt::format("batch means, {} batches", k).c_str());
  return r;
}

namespace {

ExpectationResult judge_extreme(const Expectation& e, double observed) {
  ExpectationResult r{e, observed, {observed, observed}, Verdict::pass, ""};
  std::optional<Verdict> lo, hi;
  if (e.max) hi = observed <= *e.max ? Verdict::pass : Verdict::fail;
  // A larger maximum may still turn up in more trials.
  if (e.min) lo = observed >= *e.min ? Verdict::pass : Verdict::inconclusive;
  r.verdict = combine(lo, hi);
  r.reason = fmt::format("{} {} observed over all trials, against {}", e.metric, num(observed), bounds_text(e));
  return r;
}

void merge_into(RunResult& into, const RunResult& more) {
  into.summary.merge(more.summary);
  if (into.batches.size() < more.batches.size()) into.batches.resize(more.batches.size());
  for (std::size_t b = 0; b < more.batches.size(); ++b) into.batches[b].merge(more.batches[b]);
  into.wall_seconds += more.wall_seconds;
  into.threads_used = more.threads_used;
}

// A verdict's time is the wall time when it last changed: looks after that
// only confirmed it.
void settle_times(const std::vector<ExpectationResult>& before, const std::vector<ExpectationResult>& now,
                  double elapsed, std::vector<double>& settled) {
  settled.resize(now.size(), elapsed);
  for (std::size_t i = 0; i < now.size() && i < before.size(); ++i)
    if (now[i].verdict != before[i].verdict) settled[i] = elapsed;
}

}  // namespace

Verdict ScenarioCheck::verdict() const {
  bool inconclusive = false;
  for (const auto& r : results) {
    if (r.verdict == Verdict::fail) return Verdict::fail;
    inconclusive |= r.verdict == Verdict::inconclusive;
  }
  return inconclusive ? Verdict::inconclusive : Verdict::pass;
}

ScenarioCheck check_scenario(const ScenarioFile& scenario, const agent::ProtocolConfig& protocol,
                             const CheckOptions& options) {
  if (scenario.expectations.empty())
    throw InputError(scenario.source, "no \"expect\" block: nothing to check (see docs/ci.md)");
  const std::int64_t first = std::max<std::int64_t>(1, options.trials.value_or(scenario.trials));
  const std::int64_t cap = std::max(first, options.max_trials.value_or(16 * first));
  // Looks happen at first, 2 first, 4 first, ... and at the cap.
  int max_looks = 1;
  for (std::int64_t t = first; t < cap; t *= 2) ++max_looks;
  const double alpha = 0.05 / max_looks;

  ScenarioCheck check;
  check.scenario = scenario.name;
  check.source = scenario.source;
  check.strategy = std::string(agent::strategy_name(protocol.strategy));
  check.seed = options.seed.value_or(scenario.seed);
  check.max_looks = max_looks;

  RunResult all;
  RunOptions run;
  run.seed = check.seed;
  run.threads = options.threads;
  run.batches = options.batches;
  std::int64_t done = 0;
  std::int64_t next = first;
  std::vector<ExpectationResult> previous;
  std::vector<double> settled;  // per expectation: wall time when its verdict last changed
  while (true) {
    run.first_trial = static_cast<std::uint64_t>(done);
    run.trials = next - done;
    merge_into(all, run_trials(scenario, protocol, run));
    done = next;
    ++check.looks;

    const RunReport report{scenario, check.strategy, run, all, scenario.failures_per_year};
    const Metrics total = compute_metrics(report);
    std::vector<Metrics> per_batch;
    for (const Summary& b : all.batches)
      per_batch.push_back(compute_metrics(RunReport{scenario, check.strategy, run, RunResult{b, {}, 0, 1},
                                                    scenario.failures_per_year}));
    check.results.clear();
    for (const Expectation& e : scenario.expectations) {
      const double value = metric_value(e.metric, total, scenario.failures_per_year);
      if (e.kind == MetricKind::rate) {
        const std::int64_t x = e.metric == "duplicate_rate" ? all.summary.duplicates : all.summary.misses;
        check.results.push_back(judge_rate(e, x, all.summary.failure_events, alpha));
      } else if (e.kind == MetricKind::extreme) {
        check.results.push_back(judge_extreme(e, value));
      } else {
        std::vector<double> values;
        bool every_batch_has_events = true;
        for (std::size_t b = 0; b < per_batch.size(); ++b) {
          every_batch_has_events &= all.batches[b].failure_events > 0;
          values.push_back(metric_value(e.metric, per_batch[b], scenario.failures_per_year));
        }
        ExpectationResult r = judge_estimate(e, value, values, alpha);
        if (!every_batch_has_events) {
          r.verdict = Verdict::inconclusive;
          r.reason = e.metric + ": some batch has no failure event yet";
        }
        check.results.push_back(std::move(r));
      }
    }
    settle_times(previous, check.results, all.wall_seconds, settled);
    previous = check.results;
    check.metrics = total;
    check.batch_metrics = per_batch;
    if (check.verdict() != Verdict::inconclusive || done >= cap) break;
    next = std::min(cap, 2 * done);
  }
  for (std::size_t i = 0; i < check.results.size(); ++i) check.results[i].seconds = settled[i];
  check.trials = done;
  check.failure_events = all.summary.failure_events;
  check.duplicates = all.summary.duplicates;
  check.misses = all.summary.misses;
  check.wall_seconds = all.wall_seconds;
  return check;
}

namespace {

// Rates and savings read as percentages, as `run` prints them.
bool is_fraction(const Expectation& e) { return e.kind == MetricKind::rate || e.metric == "cost_usd.savings"; }
std::string value_text(const Expectation& e, double v) { return is_fraction(e) ? percent(v) : num(v); }
std::string interval_text(const Expectation& e, const Interval& ci) {
  return is_fraction(e) ? percent_interval(ci) : fmt::format("[{}, {}]", num(ci.low), num(ci.high));
}
std::string expected_text(const Expectation& e) {
  if (!is_fraction(e)) return bounds_text(e);
  std::string out;
  if (e.min) out += "min " + percent_bound(*e.min);
  if (e.max) out += std::string(out.empty() ? "" : ", ") + "max " + percent_bound(*e.max);
  return out;
}
std::string seconds_text(double s) { return fmt::format("{:.2f} s", s); }

}  // namespace

std::string result_summary(const ExpectationResult& r) {
  return fmt::format("{} {} (one-sided bounds {}) against {}", r.expectation.metric, value_text(r.expectation, r.value),
                     interval_text(r.expectation, r.interval), expected_text(r.expectation));
}

CheckTotals check_totals(const std::vector<ScenarioCheck>& checks) {
  CheckTotals t;
  for (const ScenarioCheck& c : checks) {
    ++t.scenarios;
    t.trials += c.trials;
    t.seconds += c.wall_seconds;
    for (const ExpectationResult& r : c.results) {
      t.passed += r.verdict == Verdict::pass;
      t.failed += r.verdict == Verdict::fail;
      t.inconclusive += r.verdict == Verdict::inconclusive;
    }
  }
  return t;
}

std::string totals_line(const CheckTotals& t) {
  return fmt::format("{} passed, {} failed, {} inconclusive ({} scenario{}, {} trials, {})", t.passed, t.failed,
                     t.inconclusive, t.scenarios, t.scenarios == 1 ? "" : "s", t.trials, seconds_text(t.seconds));
}

std::string check_text(const std::vector<ScenarioCheck>& checks) {
  std::ostringstream out;
  for (const ScenarioCheck& c : checks) {
    out << fmt::format("{} ({}, strategy {}): {} trials, {} failure events, {} look{} of at most {}\n", c.scenario,
                       c.source, c.strategy, c.trials, c.failure_events, c.looks, c.looks == 1 ? "" : "s",
                       c.max_looks);
    for (const ExpectationResult& r : c.results)
      out << fmt::format("  {:<12} {:<24} {:>12}  {:<22}  {:<18} {:>9}\n", verdict_name(r.verdict),
                         r.expectation.metric, value_text(r.expectation, r.value),
                         interval_text(r.expectation, r.interval), expected_text(r.expectation),
                         seconds_text(r.seconds));
    out << fmt::format("  => {}\n", verdict_name(c.verdict()));
  }
  out << totals_line(check_totals(checks)) << "\n";
  return out.str();
}

namespace {

void markdown_rows(std::ostringstream& out, const std::vector<ScenarioCheck>& checks, bool only_unsettled) {
  out << "| scenario | metric | observed | one-sided bounds | expected | verdict | time |\n"
         "|---|---|---:|---|---|---|---:|\n";
  for (const ScenarioCheck& c : checks)
    for (const ExpectationResult& r : c.results) {
      if (only_unsettled && r.verdict == Verdict::pass) continue;
      const char* mark = r.verdict == Verdict::pass ? "✅" : r.verdict == Verdict::fail ? "❌" : "⚠️";
      out << fmt::format("| {} (`{}`) | `{}` | {} | {} | {} | {} {} | {} |\n", c.scenario, c.strategy,
                         r.expectation.metric, value_text(r.expectation, r.value),
                         interval_text(r.expectation, r.interval), expected_text(r.expectation), mark,
                         verdict_name(r.verdict), seconds_text(r.seconds));
    }
}

}  // namespace

// A job summary collects every step's Markdown: the headline says the verdict
// in one line, what failed is shown, and the full table is folded.
std::string check_markdown(const std::vector<ScenarioCheck>& checks) {
  const CheckTotals t = check_totals(checks);
  const char* mark = t.failed ? "❌" : t.inconclusive ? "⚠️" : "✅";
  std::ostringstream out;
  out << fmt::format("## coordsim check: {} {}\n\n", mark, totals_line(t));
  if (t.failed + t.inconclusive > 0) {
    out << "Failed or inconclusive:\n\n";
    markdown_rows(out, checks, true);
    out << "\n";
  }
  out << fmt::format("<details><summary>All {} expectation{}</summary>\n\n", t.passed + t.failed + t.inconclusive,
                     t.passed + t.failed + t.inconclusive == 1 ? "" : "s");
  markdown_rows(out, checks, false);
  out << "\nBounds are one-sided 95% (Bonferroni over the looks a check may take); rates use Clopper-Pearson, "
         "other metrics batch means. Time is the wall time of the trials a verdict needed. Trials per scenario: ";
  for (std::size_t i = 0; i < checks.size(); ++i)
    out << (i ? ", " : "") << checks[i].scenario << " " << checks[i].trials;
  out << ".\n\n</details>\n\n";
  return out.str();
}

namespace {

// The code point of the UTF-8 sequence at s[i] and its length, or nothing for
// a byte that does not start a valid one (overlong forms, surrogates and
// values past U+10FFFF are not valid).
std::optional<std::pair<char32_t, std::size_t>> utf8_at(std::string_view s, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char b = byte(i);
  if (b < 0x80) return std::pair{char32_t{b}, std::size_t{1}};
  const std::size_t n = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 0;
  if (n == 0 || b > 0xf4 || i + n > s.size()) return std::nullopt;
  char32_t cp = b & (0x7f >> n);
  for (std::size_t k = 1; k < n; ++k) {
    if ((byte(i + k) & 0xc0) != 0x80) return std::nullopt;
    cp = (cp << 6) | (byte(i + k) & 0x3f);
  }
  constexpr char32_t kSmallest[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kSmallest[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return std::nullopt;
  return std::pair{cp, n};
}

// What XML 1.0 can carry at all (its production Char): no other C0 control,
// no U+FFFE or U+FFFF, not even as a character reference.
bool xml_char(char32_t c) {
  return c == 0x9 || c == 0xa || c == 0xd || (c >= 0x20 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd) ||
         c >= 0x10000;
}

// Escaped for an attribute value or text. A scenario name or path may hold
// anything JSON or the file system allows; what XML cannot carry (NUL, ESC,
// U+FFFF, bytes that are not UTF-8) is written visibly, as \u001b or \xff,
// so the report stays well-formed and still shows what was there. Tab,
// newline and CR are references: in an attribute a parser would make them
// spaces.
std::string xml_escape(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    const auto u = utf8_at(s, i);
    if (!u) {
      out += fmt::format("\\x{:02x}", static_cast<unsigned char>(s[i]));
      ++i;
      continue;
    }
    const auto [c, n] = *u;
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      case '\t': out += "&#9;"; break;
      case '\n': out += "&#10;"; break;
      case '\r': out += "&#13;"; break;
      default:
        if (xml_char(c)) out.append(s.substr(i, n));
        else out += fmt::format("\\u{:04x}", static_cast<std::uint32_t>(c));
    }
    i += n;
  }
  return out;
}

}  // namespace

std::string check_junit(const std::vector<ScenarioCheck>& checks) {
  int tests = 0, failures = 0, errors = 0;
  double time = 0;
  for (const ScenarioCheck& c : checks) {
    time += c.wall_seconds;
    for (const ExpectationResult& r : c.results) {
      ++tests;
      failures += r.verdict == Verdict::fail;
      errors += r.verdict == Verdict::inconclusive;
    }
  }
  std::ostringstream out;
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out << fmt::format("<testsuites name=\"coordsim check\" tests=\"{}\" failures=\"{}\" errors=\"{}\" time=\"{:.6f}\">\n",
                     tests, failures, errors, time);
  for (std::size_t i = 0; i < checks.size(); ++i) {
    const ScenarioCheck& c = checks[i];
    int f = 0, e = 0;
    for (const ExpectationResult& r : c.results) {
      f += r.verdict == Verdict::fail;
      e += r.verdict == Verdict::inconclusive;
    }
    out << fmt::format(
        "  <testsuite name=\"{}\" id=\"{}\" package=\"coordsim\" tests=\"{}\" failures=\"{}\" errors=\"{}\" "
        "skipped=\"0\" time=\"{:.6f}\">\n",
        xml_escape(c.scenario), i, c.results.size(), f, e, c.wall_seconds);
    out << "    <properties>\n";
    for (const auto& [k, v] : {std::pair<const char*, std::string>{"source", c.source}, {"strategy", c.strategy},
                               {"seed", std::to_string(c.seed)}, {"trials", std::to_string(c.trials)}})
      out << fmt::format("      <property name=\"{}\" value=\"{}\"/>\n", k, xml_escape(v));
    out << "    </properties>\n";
    for (const ExpectationResult& r : c.results) {
      out << fmt::format("    <testcase name=\"{}\" classname=\"coordsim.{}\" time=\"{:.6f}\"",
                         xml_escape(r.expectation.metric + " " + bounds_text(r.expectation)), xml_escape(c.scenario),
                         r.seconds);
      if (r.verdict == Verdict::pass) {
        out << "/>\n";
        continue;
      }
      const char* tag = r.verdict == Verdict::fail ? "failure" : "error";
      out << fmt::format(">\n      <{} message=\"{}\" type=\"{}\">{}</{}>\n    </testcase>\n", tag,
                         xml_escape(r.reason), r.verdict == Verdict::fail ? "ExpectationFailed" : "Inconclusive",
                         xml_escape(r.reason + fmt::format(" after {} trials", c.trials)), tag);
    }
    out << "  </testsuite>\n";
  }
  out << "</testsuites>\n";
  return out.str();
}

nlohmann::json check_json(const std::vector<ScenarioCheck>& checks) {
  nlohmann::json out = nlohmann::json::array();
  for (const ScenarioCheck& c : checks) {
    nlohmann::json j{{"scenario", c.scenario}, {"source", c.source}, {"strategy", c.strategy},
                     {"seed", c.seed}, {"trials", c.trials}, {"failure_events", c.failure_events},
                     {"looks", c.looks}, {"verdict", verdict_name(c.verdict())}};
    j["expectations"] = nlohmann::json::array();
    for (const ExpectationResult& r : c.results) {
      nlohmann::json e{{"metric", r.expectation.metric}, {"value", r.value},
                       {"bounds", {r.interval.low, r.interval.high}}, {"verdict", verdict_name(r.verdict)},
                       {"reason", r.reason}};
      if (r.expectation.min) e["min"] = *r.expectation.min;
      if (r.expectation.max) e["max"] = *r.expectation.max;
      j["expectations"].push_back(std::move(e));
    }
    out.push_back(std::move(j));
  }
  return out;
}

}  // namespace coordsim::sim
