// `find`'s predicate language (precedence, errors) and its scan: exactly the
// trials `run` counts, smallest indices first, independent of the thread count.
#include <catch2/catch.hpp>

#include "sim/analysis/find.hpp"
#include "sim/analysis/predicate.hpp"
#include "sim/engine/run_trials.hpp"
#include "sim/input/input_error.hpp"
#include "sim/input/scenario_loader.hpp"

using namespace coordsim;
using Catch::Matchers::Contains;

namespace {

std::string parsed(std::string_view text) { return sim::Predicate::parse(text).canonical(); }

// The InputError message of parsing `text`.
std::string error_of(std::string_view text) {
  try {
    (void)sim::Predicate::parse(text);
  } catch (const sim::InputError& e) {
    return e.what();
  }
  FAIL("no error for: " << text);
  return "";
}

sim::TrialMetrics metrics_with(std::initializer_list<std::pair<std::string_view, double>> values) {
  sim::TrialMetrics m(sim::trial_metric_infos().size(), 0.0);
  for (const auto& [name, v] : values) m[static_cast<std::size_t>(*sim::find_trial_metric(name))] = v;
  return m;
}

}  // namespace

TEST_CASE("predicate precedence", "[find][predicate]") {
  // The canonical form keeps only the parentheses the grammar needs, so a
  // pair that precedence makes redundant disappears, and one it does not stays.
  CHECK(parsed("analyses>1") == "analyses > 1");
  CHECK(parsed("(misses>0) && (api_calls<20)") == "misses > 0 && api_calls < 20");
  CHECK(parsed("((analyses))") == "analyses");
  // && binds tighter than ||.
  CHECK(parsed("duplicate || (miss && analyses == 0)") == "duplicate || miss && analyses == 0");
  CHECK(parsed("(duplicate || miss) && analyses == 0") == "(duplicate || miss) && analyses == 0");
  // ! binds looser than a comparison, tighter than &&.
  CHECK(parsed("!(analyses>1)") == "!analyses > 1");
  CHECK(parsed("(!analyses)>1") == "(!analyses) > 1");
  CHECK(parsed("(!duplicate) && (!miss)") == "!duplicate && !miss");
  CHECK(parsed("!(duplicate && miss)") == "!(duplicate && miss)");
  CHECK(parsed("!(!duplicate)") == "!!duplicate");
  // Arithmetic: * / before + -, left to right, unary minus tightest.
  CHECK(parsed("cost_usd > ((2 * baseline_cost_usd) / failing_flavors)") ==
        "cost_usd > 2 * baseline_cost_usd / failing_flavors");
  CHECK(parsed("2 * (baseline_cost_usd / failing_flavors)") == "2 * (baseline_cost_usd / failing_flavors)");
  CHECK(parsed("((1 - 2) - 3) < (-analyses)") == "1 - 2 - 3 < -analyses");
  CHECK(parsed("1 - (2 - 3)") == "1 - (2 - 3)");
  CHECK(parsed("(-1) * 2 + -(3 * 4)") == "-1 * 2 + -(3 * 4)");
  CHECK(parsed("(1 < 2) == (3 < 4)") == "(1 < 2) == (3 < 4)");
  CHECK(parsed("api_calls.list_issues>=6") == "api_calls.list_issues >= 6");
  // Numbers in their shortest exact form.
  CHECK(parsed(" 0.5e1 <= min_gap_s ") == "5 <= min_gap_s");
  CHECK(parsed("1.2345678 + .5 + 1e22 + 0.1") == "1.2345678 + 0.5 + 1e+22 + 0.1");
}

TEST_CASE("predicate evaluation", "[find][predicate]") {
  const auto m = metrics_with({{"analyses", 2}, {"misses", 0}, {"api_calls", 21}, {"cost_usd", 1.2},
                               {"baseline_cost_usd", 1.8}, {"duplicate", 1}, {"min_gap_s", 1}});
  CHECK(sim::Predicate::parse("analyses>1").matches(m));
  CHECK(!sim::Predicate::parse("analyses>2").matches(m));
  CHECK(sim::Predicate::parse("analyses>=2 && analyses<=2 && analyses==2 && analyses!=3").matches(m));
  CHECK(!sim::Predicate::parse("misses>0 && api_calls<20").matches(m));
  CHECK(sim::Predicate::parse("misses>0 || api_calls>20").matches(m));
  CHECK(sim::Predicate::parse("duplicate").matches(m));
  CHECK(!sim::Predicate::parse("!duplicate").matches(m));
  CHECK(!sim::Predicate::parse("!analyses>1").matches(m));
  CHECK(sim::Predicate::parse("cost_usd < baseline_cost_usd * 2 / 3 + 0.01").matches(m));
  CHECK(sim::Predicate::parse("1 + 2 * 3 == 7").matches(m));
  CHECK(sim::Predicate::parse("(1 + 2) * 3 == 9").matches(m));
  CHECK(sim::Predicate::parse("-analyses == 0 - 2").matches(m));
  CHECK(sim::Predicate::parse("min_gap_s < 1.5").matches(m));
}

TEST_CASE("predicate errors point at the column and list the metrics", "[find][predicate]") {
  std::string e = error_of("analyses >");
  CHECK_THAT(e, Contains("--where: column 11: expected a number, a metric name or '(' after '>', found the end"));
  CHECK_THAT(e, Contains("\n  analyses >\n            ^"));

  e = error_of("analysis > 1");
  CHECK_THAT(e, Contains("column 1: unknown metric \"analysis\" (did you mean \"analyses\"?)"));
  CHECK_THAT(e, Contains("known metrics: failing_flavors, signatures, analyses"));
  CHECK_THAT(e, Contains("api_calls.list_issues"));

  CHECK_THAT(error_of("zzz > 1"), Contains("unknown metric \"zzz\"\n"));
  CHECK_THAT(error_of("analyses = 1"), Contains("column 10: '=' is not an operator; use '==' to compare"));
  CHECK_THAT(error_of("duplicate & miss"), Contains("column 11: '&' is not an operator; use '&&'"));
  CHECK_THAT(error_of("duplicate | miss"), Contains("column 11: '|' is not an operator; use '||'"));
  CHECK_THAT(error_of("(analyses > 1"), Contains("column 14: expected ')' to close the '(' at column 1"));
  CHECK_THAT(error_of("analyses > 1)"), Contains("column 13: unmatched ')'"));
  CHECK_THAT(error_of("1 < analyses < 3"), Contains("column 14: comparisons do not chain"));
  CHECK_THAT(error_of("analyses > 1 misses"), Contains("column 14: unexpected 'misses' after a complete expression"));
  CHECK_THAT(error_of("analyses $ 1"), Contains("column 10: unexpected character '$'"));
  CHECK_THAT(error_of(""), Contains("column 1: expected a number, a metric name or '(' at the start, found the end"));
  CHECK_THAT(error_of("2analyses"), Contains("column 2: a number must not run into a name"));
  CHECK_THAT(error_of("analyses > && 1"), Contains("column 12: expected a number, a metric name or '(' after '>', found &&"));
}

TEST_CASE("predicates are bounded in length and nesting", "[find][predicate][limits]") {
  // 10,000 parentheses overflowed the parser's stack, a 60,000-term sum the
  // evaluator's; both crashed find and explore.
  CHECK_THAT(error_of(std::string(10'000, '(') + "1" + std::string(10'000, ')')),
             Contains("column 4097: more than 4096 tokens (numbers, names, operators and parentheses)"));
  std::string sum = "1";
  for (int i = 0; i < 60'000; ++i) sum += "+1";
  CHECK_THAT(error_of(sum), Contains("column 4097: more than 4096 tokens"));
  CHECK_THAT(error_of(std::string((1 << 20) + 1, ' ') + "1"),
             Contains("the expression is 1048578 characters long; the limit is 1048576"));
  CHECK_THAT(error_of(std::string(65, '(') + "1" + std::string(65, ')')),
             Contains("column 65: nested deeper than 64 levels of '(', '!' and '-'"));
  CHECK_THAT(error_of(std::string(100, '!') + "duplicate"), Contains("column 65: nested deeper than 64 levels"));
  CHECK_THAT(error_of(std::string(100, '-') + "1"), Contains("column 65: nested deeper than 64 levels"));
  CHECK(parsed(std::string(64, '(') + "1" + std::string(64, ')')) == "1");
  // The longest sum that fits (4,095 tokens) evaluates (the tree is 2,047
  // deep), and so does its canonical form, twice as long with its spaces.
  std::string longest = "1";
  while (longest.size() + 2 <= 4096) longest += "+1";
  CHECK(sim::Predicate::parse(longest).evaluate(metrics_with({})) == 2048);
  const std::string spaced = parsed(longest);
  CHECK(spaced.size() == 4095 + 2 * 2047);
  CHECK(parsed(spaced) == spaced);
  CHECK_THAT(error_of(longest + "+1"), Contains("more than 4096 tokens"));
}

TEST_CASE("division by zero is undefined and never matches", "[find][predicate]") {
  const auto m = metrics_with({{"analyses", 0}, {"cost_usd", 1.5}, {"duplicate", 1}});
  // `0/0` was NaN, which is not 0, so it matched every trial.
  CHECK(!sim::Predicate::parse("0/0").matches(m));
  CHECK(!sim::Predicate::parse("1/0").matches(m));  // not infinity either
  CHECK(!sim::Predicate::parse("cost_usd/analyses > 1").matches(m));
  CHECK(!sim::Predicate::parse("!(cost_usd/analyses > 1)").matches(m));
  CHECK(!sim::Predicate::parse("cost_usd/analyses != 1").matches(m));
  CHECK(!sim::Predicate::parse("(cost_usd/analyses > 1) + 1").matches(m));
  // && and || are decided by a side that decides them.
  CHECK(sim::Predicate::parse("cost_usd/analyses > 1 || duplicate").matches(m));
  CHECK(sim::Predicate::parse("duplicate || cost_usd/analyses > 1").matches(m));
  CHECK(!sim::Predicate::parse("cost_usd/analyses > 1 && duplicate").matches(m));
  CHECK(sim::Predicate::parse("!(cost_usd/analyses > 1 && !duplicate)").matches(m));  // !(? && false) = true
  CHECK(sim::Predicate::parse("!(analyses > 0 && cost_usd/analyses > 1)").matches(m));  // false && ? = false
  CHECK(sim::Predicate::parse("cost_usd/3 == 0.5").matches(m));
}

TEST_CASE("a metric name that differs only in case gets a suggestion", "[find][predicate]") {
  CHECK_THAT(error_of("DUPLICATE"), Contains("unknown metric \"DUPLICATE\" (did you mean \"duplicate\"?)"));
}

TEST_CASE("find returns exactly the trials run counts, smallest first, for any thread count", "[find]") {
  const sim::ScenarioFile s = sim::load_scenario_file(COORDSIM_SOURCE_DIR "/scenarios/aprapipes-production.json");
  agent::ProtocolConfig p = s.protocol;
  p.strategy = agent::Strategy::seed;
  sim::RunOptions ro;
  ro.trials = 6000;
  ro.seed = 11;
  ro.threads = 2;
  const sim::RunResult run = sim::run_trials(s, p, ro);

  sim::FindOptions fo;
  fo.trials = 6000;
  fo.seed = 11;
  fo.limit = 5;
  fo.threads = 1;
  // One signature per failure (common mode): analyses > 1 is a duplicate.
  const sim::FindResult one = sim::find_trials(s, p, sim::Predicate::parse("analyses>1"), fo);
  fo.threads = 2;
  const sim::FindResult two = sim::find_trials(s, p, sim::Predicate::parse("analyses>1"), fo);
  CHECK(one.matches == run.summary.duplicates);
  CHECK(one.failure_events == run.summary.failure_events);
  CHECK(one.indices == run.examples.duplicate);
  CHECK(two.matches == one.matches);
  CHECK(two.indices == one.indices);
  CHECK(one.trials == 6000);

  const sim::FindResult dup = sim::find_trials(s, p, sim::Predicate::parse("duplicate"), fo);
  CHECK(dup.matches == run.summary.duplicates);
  const sim::FindResult clean = sim::find_trials(s, p, sim::Predicate::parse("failing_flavors > 0 && !duplicate && !miss"), fo);
  CHECK(clean.indices == run.examples.clean);
  CHECK(run.summary.misses == 0);  // `seed` never misses here, so every failure is clean or duplicate
  CHECK(clean.matches + dup.matches == run.summary.failure_events);
  const sim::FindResult none = sim::find_trials(s, p, sim::Predicate::parse("analyses > 7"), fo);
  CHECK(none.matches == 0);
  CHECK(none.indices.empty());
}
