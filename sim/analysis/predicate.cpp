#include "sim/analysis/predicate.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>

#include <spdlog/fmt/fmt.h>

#include "sim/input/edit_distance.hpp"
#include "sim/input/input_error.hpp"

namespace coordsim::sim {

namespace {

enum class Tok : std::uint8_t {
  number, name, lparen, rparen, not_, and_, or_, lt, le, gt, ge, eq, ne, plus, minus, star, slash, end
};

struct Token {
  Tok kind;
  std::size_t pos;  // 0-based offset into the text
  std::string_view text;
  double number = 0;
};

std::string_view describe(const Token& t) {
  return t.kind == Tok::end ? std::string_view("the end of the expression") : t.text;
}

}  // namespace

class PredicateParser {
 public:
  PredicateParser(std::string_view text, const std::string& where, Predicate& p)
      : text_(text), where_(where), p_(p) {}

  void parse() {
    // A --where is typed on a command line; the longest in the docs is 60
    // characters. Bounding the tokens bounds the tree's depth (a 60,000-term
    // sum recursed 60,000 frames deep in evaluate and crashed), and bounding
    // the nesting bounds the parser's own recursion (10,000 parentheses did).
    if (text_.size() > kMaxLength)
      throw InputError(where_, fmt::format("the expression is {} characters long; the limit is {}", text_.size(),
                                           kMaxLength));
    tokenize();
    if (tokens_.size() > kMaxTokens + 1)  // the end counts too
      fail(tokens_[kMaxTokens].pos, fmt::format("more than {} tokens (numbers, names, operators and parentheses)",
                                                kMaxTokens));
    p_.root_ = parse_or();
    if (peek().kind == Tok::rparen) fail(peek().pos, "unmatched ')'");
    if (peek().kind != Tok::end)
      fail(peek().pos, fmt::format("unexpected '{}' after a complete expression; join conditions with && or ||",
                                   peek().text));
  }

 private:
  // The expression with a caret under column pos + 1, then the hint.
  [[noreturn]] void fail(std::size_t pos, const std::string& what, const std::string& hint = {}) const {
    throw InputError(where_, fmt::format("column {}: {}\n  {}\n  {}^{}", pos + 1, what, text_, std::string(pos, ' '),
                                         hint.empty() ? "" : "\n" + hint));
  }

  void tokenize() {
    std::size_t i = 0;
    const auto two = [&](char a, char b) { return text_[i] == a && i + 1 < text_.size() && text_[i + 1] == b; };
    // One token past the limit is enough to refuse the text.
    while (tokens_.size() <= kMaxTokens) {
      while (i < text_.size() && std::isspace(static_cast<unsigned char>(text_[i]))) ++i;
      if (i == text_.size()) break;
      const char c = text_[i];
      const std::size_t start = i;
      Token t{Tok::end, start, {}, 0};
      if (std::isdigit(static_cast<unsigned char>(c)) || (c == '.' && i + 1 < text_.size() &&
                                                          std::isdigit(static_cast<unsigned char>(text_[i + 1])))) {
        const auto [end, ec] = std::from_chars(text_.data() + i, text_.data() + text_.size(), t.number);
        if (ec != std::errc()) fail(i, "malformed number");
        i = static_cast<std::size_t>(end - text_.data());
        if (i < text_.size() && (std::isalpha(static_cast<unsigned char>(text_[i])) || text_[i] == '_'))
          fail(i, "a number must not run into a name; put an operator between them");
        t.kind = Tok::number;
      } else if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
        while (i < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[i])) || text_[i] == '_' || text_[i] == '.'))
          ++i;
        t.kind = Tok::name;
      } else if (two('&', '&')) {
        t.kind = Tok::and_, i += 2;
      } else if (two('|', '|')) {
        t.kind = Tok::or_, i += 2;
      } else if (two('<', '=')) {
        t.kind = Tok::le, i += 2;
      } else if (two('>', '=')) {
        t.kind = Tok::ge, i += 2;
      } else if (two('=', '=')) {
        t.kind = Tok::eq, i += 2;
      } else if (two('!', '=')) {
        t.kind = Tok::ne, i += 2;
      } else {
        switch (c) {
          case '(': t.kind = Tok::lparen; break;
          case ')': t.kind = Tok::rparen; break;
          case '!': t.kind = Tok::not_; break;
          case '<': t.kind = Tok::lt; break;
          case '>': t.kind = Tok::gt; break;
          case '+': t.kind = Tok::plus; break;
          case '-': t.kind = Tok::minus; break;
          case '*': t.kind = Tok::star; break;
          case '/': t.kind = Tok::slash; break;
          case '=': fail(i, "'=' is not an operator; use '==' to compare");
          case '&': fail(i, "'&' is not an operator; use '&&' for 'and'");
          case '|': fail(i, "'|' is not an operator; use '||' for 'or'");
          default: fail(i, fmt::format("unexpected character '{}'", c));
        }
        ++i;
      }
      t.text = text_.substr(start, i - start);
      tokens_.push_back(t);
    }
    tokens_.push_back(Token{Tok::end, text_.size(), {}, 0});
  }

  static constexpr std::size_t kMaxTokens = 4096;
  // Any length the tokens leave: a canonical form of 4,096 tokens is at most
  // ~160 KB (the longest token a number of 24 characters or a metric name,
  // plus two spaces), so it always fits.
  static constexpr std::size_t kMaxLength = std::size_t{1} << 20;
  static constexpr int kMaxNesting = 64;

  // Counts one level of '(', '!' or unary '-' while its operand is parsed.
  class Nest {
   public:
    Nest(PredicateParser& p, std::size_t pos) : p_(p) {
      if (++p_.nesting_ > kMaxNesting)
        p_.fail(pos, fmt::format("nested deeper than {} levels of '(', '!' and '-'", kMaxNesting));
    }
    ~Nest() { --p_.nesting_; }
    Nest(const Nest&) = delete;
    Nest& operator=(const Nest&) = delete;

   private:
    PredicateParser& p_;
  };

  const Token& peek() const { return tokens_[next_]; }
  const Token& take() { return tokens_[next_++]; }

  int add(Predicate::Op op, int lhs = -1, int rhs = -1) {
    p_.nodes_.push_back({op, 0, -1, lhs, rhs});
    return static_cast<int>(p_.nodes_.size() - 1);
  }

  int parse_or() {
    int lhs = parse_and();
    while (peek().kind == Tok::or_) {
      take();
      lhs = add(Predicate::Op::or_, lhs, parse_and());
    }
    return lhs;
  }
  int parse_and() {
    int lhs = parse_not();
    while (peek().kind == Tok::and_) {
      take();
      lhs = add(Predicate::Op::and_, lhs, parse_not());
    }
    return lhs;
  }
  int parse_not() {
    if (peek().kind == Tok::not_) {
      const Nest nest(*this, take().pos);
      return add(Predicate::Op::not_, parse_not());
    }
    return parse_compare();
  }
  static bool comparison(Tok k, Predicate::Op& op) {
    switch (k) {
      case Tok::lt: op = Predicate::Op::lt; return true;
      case Tok::le: op = Predicate::Op::le; return true;
      case Tok::gt: op = Predicate::Op::gt; return true;
      case Tok::ge: op = Predicate::Op::ge; return true;
      case Tok::eq: op = Predicate::Op::eq; return true;
      case Tok::ne: op = Predicate::Op::ne; return true;
      default: return false;
    }
  }
  int parse_compare() {
    const int lhs = parse_sum();
    Predicate::Op op{};
    if (!comparison(peek().kind, op)) return lhs;
    take();
    const int node = add(op, lhs, parse_sum());
    if (comparison(peek().kind, op))
      fail(peek().pos, "comparisons do not chain; write `a < b && b < c`");
    return node;
  }
  int parse_sum() {
    int lhs = parse_product();
    while (peek().kind == Tok::plus || peek().kind == Tok::minus) {
      const Predicate::Op op = take().kind == Tok::plus ? Predicate::Op::add : Predicate::Op::sub;
      lhs = add(op, lhs, parse_product());
    }
    return lhs;
  }
  int parse_product() {
    int lhs = parse_unary();
    while (peek().kind == Tok::star || peek().kind == Tok::slash) {
      const Predicate::Op op = take().kind == Tok::star ? Predicate::Op::mul : Predicate::Op::div;
      lhs = add(op, lhs, parse_unary());
    }
    return lhs;
  }
  int parse_unary() {
    const Token& t = peek();
    switch (t.kind) {
      case Tok::minus: {
        const Nest nest(*this, take().pos);
        return add(Predicate::Op::neg, parse_unary());
      }
      case Tok::number: {
        take();
        const int n = add(Predicate::Op::number);
        p_.nodes_[static_cast<std::size_t>(n)].value = t.number;
        return n;
      }
      case Tok::name: {
        take();
        const auto id = find_trial_metric(t.text);
        if (!id) fail(t.pos, unknown_name(t.text), "known metrics: " + trial_metric_names());
        const int n = add(Predicate::Op::metric);
        p_.nodes_[static_cast<std::size_t>(n)].metric = *id;
        return n;
      }
      case Tok::lparen: {
        const Nest nest(*this, take().pos);
        const int inner = parse_or();
        if (peek().kind != Tok::rparen)
          fail(peek().pos, fmt::format("expected ')' to close the '(' at column {}, found {}", t.pos + 1,
                                       describe(peek())));
        take();
        return inner;
      }
      default: {
        const std::string after =
            next_ == 0 ? std::string("at the start") : fmt::format("after '{}'", tokens_[next_ - 1].text);
        fail(t.pos, fmt::format("expected a number, a metric name or '(' {}, found {}", after, describe(t)));
      }
    }
  }

  static std::string unknown_name(std::string_view name) {
    std::string best;
    std::size_t best_distance = 3;  // suggest only close names
    const auto same_but_case = [](std::string_view a, std::string_view b) {
      return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
             });
    };
    for (const TrialMetricInfo& m : trial_metric_infos()) {
      // "Duplicate" is "duplicate" however many letters differ in case.
      const std::size_t d = same_but_case(name, m.name) ? 0 : edit_distance(name, m.name);
      if (d < best_distance) best_distance = d, best = m.name;
    }
    std::string msg = fmt::format("unknown metric \"{}\"", name);
    if (!best.empty()) msg += fmt::format(" (did you mean \"{}\"?)", best);
    return msg;
  }

  std::string_view text_;
  const std::string& where_;
  Predicate& p_;
  std::vector<Token> tokens_;
  std::size_t next_ = 0;
  int nesting_ = 0;
};

Predicate Predicate::parse(std::string_view text, const std::string& where) {
  Predicate p;
  p.text_.assign(text);
  PredicateParser(p.text_, where, p).parse();
  return p;
}

namespace {

// NaN stands for "undefined" (see predicate.hpp): it propagates through
// arithmetic by itself; comparisons and logic need it spelled out, as IEEE
// makes NaN != x true and a bare NaN is not 0, so `0/0` matched every trial.
constexpr double kUndefined = std::numeric_limits<double>::quiet_NaN();

double truth(bool b) { return b ? 1 : 0; }

double compare(double l, double r, bool result) { return std::isnan(l) || std::isnan(r) ? kUndefined : truth(result); }

}  // namespace

double Predicate::eval(int n, const TrialMetrics& m) const {
  const Node& x = nodes_[static_cast<std::size_t>(n)];
  const auto l = [&] { return eval(x.lhs, m); };
  const auto r = [&] { return eval(x.rhs, m); };
  switch (x.op) {
    case Op::number: return x.value;
    case Op::metric: return m[static_cast<std::size_t>(x.metric)];
    case Op::neg: return -l();
    case Op::add: return l() + r();
    case Op::sub: return l() - r();
    case Op::mul: return l() * r();
    case Op::div: {
      const double a = l(), b = r();
      return b == 0 ? kUndefined : a / b;  // 1/0 too: inf would compare as a number
    }
    case Op::lt: { const double a = l(), b = r(); return compare(a, b, a < b); }
    case Op::le: { const double a = l(), b = r(); return compare(a, b, a <= b); }
    case Op::gt: { const double a = l(), b = r(); return compare(a, b, a > b); }
    case Op::ge: { const double a = l(), b = r(); return compare(a, b, a >= b); }
    case Op::eq: { const double a = l(), b = r(); return compare(a, b, a == b); }
    case Op::ne: { const double a = l(), b = r(); return compare(a, b, a != b); }
    case Op::not_: {
      const double a = l();
      return std::isnan(a) ? kUndefined : truth(a == 0);
    }
    case Op::and_: {
      // Kleene's logic: false && undefined is false, true && undefined undefined.
      const double a = l();
      if (a == 0) return 0;
      const double b = r();
      if (b == 0) return 0;
      return std::isnan(a) || std::isnan(b) ? kUndefined : 1;
    }
    case Op::or_: {
      const double a = l();
      if (a != 0 && !std::isnan(a)) return 1;
      const double b = r();
      if (b != 0 && !std::isnan(b)) return 1;
      return std::isnan(a) || std::isnan(b) ? kUndefined : 0;
    }
  }
  return 0;
}

namespace {

// How tightly each operator binds, loosest first, as in the grammar
// (predicate.hpp): a child printed where the grammar wants a tighter level
// than its own gets parentheses, and no other does.
enum Level : int { kOr = 1, kAnd, kNot, kCompare, kSum, kProduct, kUnary, kAtom };

int level(Predicate::Op op) {
  using Op = Predicate::Op;
  switch (op) {
    case Op::or_: return kOr;
    case Op::and_: return kAnd;
    case Op::not_: return kNot;
    case Op::lt: case Op::le: case Op::gt: case Op::ge: case Op::eq: case Op::ne: return kCompare;
    case Op::add: case Op::sub: return kSum;
    case Op::mul: case Op::div: return kProduct;
    case Op::neg: return kUnary;
    case Op::number: case Op::metric: return kAtom;
  }
  return kAtom;
}

std::string_view symbol(Predicate::Op op) {
  using Op = Predicate::Op;
  switch (op) {
    case Op::or_: return "||";
    case Op::and_: return "&&";
    case Op::lt: return "<";
    case Op::le: return "<=";
    case Op::gt: return ">";
    case Op::ge: return ">=";
    case Op::eq: return "==";
    case Op::ne: return "!=";
    case Op::add: return "+";
    case Op::sub: return "-";
    case Op::mul: return "*";
    case Op::div: return "/";
    case Op::not_: return "!";
    case Op::neg: return "-";
    default: return "?";
  }
}

}  // namespace

std::string Predicate::canonical() const {
  std::string out;
  show(root_, kOr, out);
  return out;
}

void Predicate::show(int n, int min_level, std::string& out) const {
  const Node& x = nodes_[static_cast<std::size_t>(n)];
  const int own = level(x.op);
  const bool parens = own < min_level;
  if (parens) out += '(';
  switch (own) {
    case kAtom:
      if (x.op == Op::metric) {
        out += trial_metric_infos()[static_cast<std::size_t>(x.metric)].name;
      } else {
        // The shortest text that reads back as exactly this double ({:g}
        // printed 1.2345678 as 1.23457: another predicate).
        char buffer[32];
        const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, x.value);
        out.append(buffer, ec == std::errc() ? end : buffer);
      }
      break;
    case kNot:  // '!' not
    case kUnary:  // '-' unary
      out += symbol(x.op);
      show(x.lhs, own, out);
      break;
    default:
      // Left-associative: the left operand may be of the same level, the right
      // one must bind tighter. A comparison does not chain: both are sums.
      show(x.lhs, own == kCompare ? kSum : own, out);
      out += ' ';
      out += symbol(x.op);
      out += ' ';
      show(x.rhs, own == kCompare ? kSum : own + 1, out);
  }
  if (parens) out += ')';
}

std::vector<int> Predicate::metrics_used() const {
  std::vector<int> ids;
  for (const Node& n : nodes_)
    if (n.op == Op::metric) ids.push_back(n.metric);
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

}  // namespace coordsim::sim
