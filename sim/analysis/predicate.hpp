#pragma once
// Predicates over one trial's metrics, as `coordsim find --where` takes them:
//   analyses>1            misses>0 && api_calls<20        !(duplicate || miss)
//   cost_usd > 2 * baseline_cost_usd / failing_flavors    min_gap_s < 0.5
//
// Grammar, loosest binding first:
//   or      := and ('||' and)*
//   and     := not ('&&' not)*
//   not     := '!' not | compare
//   compare := sum (('<' | '<=' | '>' | '>=' | '==' | '!=') sum)?    (no chains)
//   sum     := product (('+' | '-') product)*
//   product := unary (('*' | '/') unary)*
//   unary   := '-' unary | NUMBER | METRIC | '(' or ')'
// `!` binds looser than a comparison (as Python's `not`): `!analyses>1` is
// `!(analyses>1)`. A bare value is true when it is not 0. Metric names are
// those of trial_metric_infos().
//
// Division by zero is undefined (1/0 as well as 0/0), and so is everything
// computed from an undefined value: arithmetic, comparisons and `!`. `&&` and
// `||` follow Kleene's logic: `false && undefined` is false, `true ||
// undefined` true, otherwise undefined. A trial matches only when the whole
// predicate is defined and true, so `0/0` or `!(cost_usd/analyses > 1)`
// matches no trial with analyses == 0 instead of every one.
//
// At most 4,096 tokens (numbers, names, operators and parentheses; a 1 MiB
// text at most) and 64 levels of '(', '!' and unary '-'. Tokens, not
// characters: the canonical form spaces its operators and spells numbers its
// own way, and must fit wherever the text it came from fit.
#include <string>
#include <string_view>
#include <vector>

#include "sim/engine/trial_metrics.hpp"

namespace coordsim::sim {

class Predicate {
 public:
  // Throws InputError(`where`, "column N: ...") with the expression and a caret
  // under the problem; an unknown name lists the known metrics.
  static Predicate parse(std::string_view text, const std::string& where = "--where");

  // NaN when undefined (a division by zero).
  double evaluate(const TrialMetrics& m) const { return eval(root_, m); }
  bool matches(const TrialMetrics& m) const {
    const double v = evaluate(m);
    return v != 0 && v == v;  // v == v: not NaN
  }
  const std::string& text() const noexcept { return text_; }
  // How the expression was understood, for messages and `find --json`
  // "parsed": operators spaced, numbers in their shortest exact form
  // ("0.5e1" is "5"), and only the parentheses the grammar needs, so
  // `(a>1) && b==0` is "a > 1 && b == 0" and `(!(1+2))*3` is "(!1 + 2) * 3"
  // (`!` binds looser than `+`). It parses back to the same predicate and the
  // same canonical form, within the same limits as its text (it has at most
  // the text's tokens and nesting): a fully parenthesised form did not — a
  // 66-term sum nested 65 parentheses deep — and printing `-(!1)` as "-!1" and
  // `(!x)*3` as "(!x * 3)" changed or broke the predicate.
  std::string canonical() const;
  // The metric ids the expression reads (ascending, once each).
  std::vector<int> metrics_used() const;

  enum class Op : std::uint8_t { number, metric, neg, add, sub, mul, div, lt, le, gt, ge, eq, ne, not_, and_, or_ };

 private:
  struct Node {
    Op op;
    double value = 0;  // number
    int metric = -1;   // metric
    int lhs = -1;
    int rhs = -1;
  };
  friend class PredicateParser;
  double eval(int n, const TrialMetrics& m) const;
  void show(int n, int min_level, std::string& out) const;

  std::string text_;
  std::vector<Node> nodes_;
  int root_ = -1;
};

}  // namespace coordsim::sim
