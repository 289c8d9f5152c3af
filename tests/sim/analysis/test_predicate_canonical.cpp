// Predicate::canonical round trip, as a property over generated predicates:
// the canonical form parses to the same canonical form and to a predicate that
// evaluates like the original, and the parser reads a fully parenthesised
// text as the tree it was generated from (an evaluator written here, from the
// grammar's semantics, is the oracle). Before the fix `-(!1)` printed as
// "-!1", which does not parse, and `(!(1+2))*3==9` as a text that parses to
// `!((1+2)*3) == 9`; a 66-term sum printed 65 parentheses deep and did not
// parse either.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <iterator>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "sim/analysis/predicate.hpp"
#include "sim/input/input_error.hpp"

using namespace coordsim;

namespace {

// A generated expression: its tree, evaluated by the oracle, and its text.
struct Gen {
  enum Kind { number, metric, neg, not_, binary } kind = number;
  std::string op;  // binary: "+", "&&", "<", ...
  double value = 0;
  int metric_id = 0;
  std::vector<Gen> kids;
};

const std::vector<std::string> kBinary = {"+", "-", "*", "/", "<", "<=", ">", ">=", "==", "!=", "&&", "||"};

Gen generate(std::mt19937_64& rng, int depth) {
  std::uniform_int_distribution<int> pick(0, 99);
  Gen g;
  const int k = depth <= 0 ? pick(rng) % 30 : pick(rng);
  if (k < 15) {
    g.kind = Gen::number;
    static const double numbers[] = {0, 1, 2, 3, 0.5, 1.2345678901234567, 1e22, 5e-324, 1e300, 0.1};
    g.value = numbers[static_cast<std::size_t>(pick(rng)) % std::size(numbers)];
  } else if (k < 30) {
    g.kind = Gen::metric;
    g.metric_id = pick(rng) % static_cast<int>(sim::trial_metric_infos().size());
  } else if (k < 40) {
    g.kind = Gen::neg;
    g.kids.push_back(generate(rng, depth - 1));
  } else if (k < 50) {
    g.kind = Gen::not_;
    g.kids.push_back(generate(rng, depth - 1));
  } else {
    g.kind = Gen::binary;
    g.op = kBinary[static_cast<std::size_t>(pick(rng)) % kBinary.size()];
    g.kids.push_back(generate(rng, depth - 1));
    g.kids.push_back(generate(rng, depth - 1));
  }
  return g;
}

// Every operator inside parentheses: unambiguous whatever the precedence.
std::string text_of(const Gen& g) {
  switch (g.kind) {
    case Gen::number: {
      char buffer[40];
      std::snprintf(buffer, sizeof buffer, "%.17g", g.value);
      return buffer;
    }
    case Gen::metric: return sim::trial_metric_infos()[static_cast<std::size_t>(g.metric_id)].name;
    case Gen::neg: return "(-" + text_of(g.kids[0]) + ")";
    case Gen::not_: return "(!" + text_of(g.kids[0]) + ")";
    case Gen::binary: return "(" + text_of(g.kids[0]) + g.op + text_of(g.kids[1]) + ")";
  }
  return "";
}

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// predicate.hpp's semantics: division by zero undefined (NaN), undefined
// propagates through arithmetic, comparisons and `!`; && and || are Kleene's.
double oracle(const Gen& g, const sim::TrialMetrics& m) {
  switch (g.kind) {
    case Gen::number: return g.value;
    case Gen::metric: return m[static_cast<std::size_t>(g.metric_id)];
    case Gen::neg: return -oracle(g.kids[0], m);
    case Gen::not_: {
      const double a = oracle(g.kids[0], m);
      return std::isnan(a) ? kNaN : (a == 0 ? 1 : 0);
    }
    case Gen::binary: break;
  }
  const double a = oracle(g.kids[0], m), b = oracle(g.kids[1], m);
  const std::string& op = g.op;
  if (op == "&&") {
    if (a == 0 || b == 0) return 0;
    return std::isnan(a) || std::isnan(b) ? kNaN : 1;
  }
  if (op == "||") {
    if ((a != 0 && !std::isnan(a)) || (b != 0 && !std::isnan(b))) return 1;
    return std::isnan(a) || std::isnan(b) ? kNaN : 0;
  }
  if (op == "+") return a + b;
  if (op == "-") return a - b;
  if (op == "*") return a * b;
  if (op == "/") return b == 0 ? kNaN : a / b;
  if (std::isnan(a) || std::isnan(b)) return kNaN;
  if (op == "<") return a < b;
  if (op == "<=") return a <= b;
  if (op == ">") return a > b;
  if (op == ">=") return a >= b;
  if (op == "==") return a == b;
  return a != b;
}

bool same(double a, double b) { return (std::isnan(a) && std::isnan(b)) || a == b; }

std::vector<sim::TrialMetrics> metric_vectors(std::mt19937_64& rng) {
  const std::size_t n = sim::trial_metric_infos().size();
  static const double values[] = {0, 1, -2.5, 3, 1e300, std::numeric_limits<double>::infinity()};
  std::vector<sim::TrialMetrics> out;
  for (int k = 0; k < 4; ++k) {
    sim::TrialMetrics m(n);
    for (double& v : m) v = values[rng() % std::size(values)];
    out.push_back(m);
  }
  return out;
}

}  // namespace

TEST_CASE("the canonical form of a generated predicate parses back to the same predicate", "[find][predicate]") {
  std::mt19937_64 rng(15);
  int checked = 0;
  for (int i = 0; i < 20'000; ++i) {
    // Depth 12: at most 24 levels of '(' and '!' or '-', inside the limit of 64.
    const Gen g = generate(rng, 1 + static_cast<int>(rng() % 12));
    const std::string text = text_of(g);
    INFO(text);
    const sim::Predicate p = sim::Predicate::parse(text);
    const std::string canonical = p.canonical();
    INFO(canonical);
    const sim::Predicate q = sim::Predicate::parse(canonical);
    REQUIRE(q.canonical() == canonical);
    CHECK(canonical.size() <= text.size() + text.size());  // spaces at most double it
    for (const sim::TrialMetrics& m : metric_vectors(rng)) {
      const double want = oracle(g, m);
      REQUIRE(same(p.evaluate(m), want));
      REQUIRE(same(q.evaluate(m), want));
    }
    ++checked;
  }
  CHECK(checked == 20'000);
}

TEST_CASE("every token soup that parses has a canonical form that parses to itself", "[find][predicate]") {
  // Random token sequences: most do not parse; those that do exercise the
  // printer on texts with only the parentheses their author wrote.
  static const char* tokens[] = {"1", "2", "0.5", "analyses", "duplicate", "(", ")", "(", ")", "!", "-", "-", "+",
                                 "*", "/", "<", "==", "&&", "||"};
  std::mt19937_64 rng(1515);
  int parsed = 0;
  for (int i = 0; i < 200'000; ++i) {
    std::string text;
    const int n = 1 + static_cast<int>(rng() % 12);
    for (int k = 0; k < n; ++k) text += tokens[rng() % std::size(tokens)], text += ' ';
    std::optional<sim::Predicate> p;
    try {
      p = sim::Predicate::parse(text);
    } catch (const sim::InputError&) {
      continue;
    }
    ++parsed;
    INFO(text);
    const std::string canonical = p->canonical();
    INFO(canonical);
    const sim::Predicate q = sim::Predicate::parse(canonical);
    REQUIRE(q.canonical() == canonical);
    for (const sim::TrialMetrics& m : metric_vectors(rng)) REQUIRE(same(p->evaluate(m), q.evaluate(m)));
  }
  CHECK(parsed > 1000);  // the soup is not all errors
}

TEST_CASE("canonical forms that did not parse or parsed to another predicate", "[find][predicate]") {
  CHECK(sim::Predicate::parse("-(!1)").canonical() == "-(!1)");
  CHECK(sim::Predicate::parse("(!(1+2))*3==9").canonical() == "(!1 + 2) * 3 == 9");
  CHECK(sim::Predicate::parse("(!(1+2))*3==9").evaluate({}) == 0);  // (0 * 3) == 9
  CHECK(sim::Predicate::parse("!((1+2)*3==9)").evaluate({}) == 0);
  CHECK(sim::Predicate::parse("(!(1+2))*3==0").evaluate({}) == 1);
  // 1.2345678 printed as 1.23457 ({:g}): another predicate.
  CHECK(sim::Predicate::parse("analyses == 1.2345678901234567").canonical() == "analyses == 1.2345678901234567");
  // 66 terms: fully parenthesised, 65 levels.
  std::string sum = "1";
  for (int i = 0; i < 65; ++i) sum += "+1";
  CHECK(sim::Predicate::parse(sim::Predicate::parse(sum).canonical()).evaluate({}) == 66);
}
