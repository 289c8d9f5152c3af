#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <numbers>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "sim/input/distribution_json.hpp"
#include "sim/input/input_error.hpp"
#include "sim/random/rng.hpp"

namespace {

using coordsim::sim::DistKind;
using coordsim::sim::Distribution;
using coordsim::sim::InputError;
using coordsim::sim::parse_distribution;
using coordsim::sim::Rng;
using coordsim::sim::to_json;
using nlohmann::json;
using Catch::StartsWith;

constexpr int kDraws = 200'000;
constexpr std::uint64_t kSeed = 0x5eed'2024;
constexpr double kInf = std::numeric_limits<double>::infinity();

Distribution parse(const std::string& text, bool non_negative = true) {
  return parse_distribution(json::parse(text), "/x", non_negative);
}

struct Summary {
  double mean = 0;
  double sd = 0;
  double min = kInf;
  double max = -kInf;
  std::map<double, int> counts;  // only filled when asked: continuous draws are all distinct
};

Summary summarize(const Distribution& d, bool count = false) {
  Rng rng(kSeed);
  Summary s;
  double sum = 0;
  double sum_sq = 0;
  for (int i = 0; i < kDraws; ++i) {
    const double x = d.sample(rng);
    sum += x;
    sum_sq += x * x;
    s.min = std::min(s.min, x);
    s.max = std::max(s.max, x);
    if (count) ++s.counts[x];
  }
  s.mean = sum / kDraws;
  s.sd = std::sqrt(sum_sq / kDraws - s.mean * s.mean);
  return s;
}

// Tolerance for a sample mean of kDraws draws with standard deviation `sd`:
// 5 standard errors, so a correct sampler misses with probability ~6e-7 for a
// random seed (and, with the fixed seed, the outcome is reproducible).
double mean_tolerance(double sd) { return 5 * sd / std::sqrt(double{kDraws}); }

// Same, for an observed frequency of an event with probability p.
double frequency_tolerance(double p) { return mean_tolerance(std::sqrt(p * (1 - p))); }

double frequency(const Summary& s, double value) {
  const auto it = s.counts.find(value);
  return it == s.counts.end() ? 0.0 : static_cast<double>(it->second) / kDraws;
}

template <typename Pred>
double fraction(const Distribution& d, Pred pred) {
  Rng rng(kSeed + 1);
  int hits = 0;
  for (int i = 0; i < kDraws; ++i) hits += pred(d.sample(rng)) ? 1 : 0;
  return static_cast<double>(hits) / kDraws;
}

std::vector<double> draws(const Distribution& d, std::uint64_t seed, int n = 1000) {
  Rng rng(seed);
  std::vector<double> out;
  for (int i = 0; i < n; ++i) out.push_back(d.sample(rng));
  return out;
}

// Field-by-field equality. Mixture cumulative weights are compared to 1e-15:
// the weights in to_json are differences, which the re-parse's running sum
// may not undo to the last bit.
void require_same(const Distribution& x, const Distribution& y) {
  REQUIRE(x.kind == y.kind);
  REQUIRE(x.a == y.a);
  REQUIRE(x.b == y.b);
  REQUIRE(x.samples == y.samples);
  REQUIRE(x.cumulative_weights.size() == y.cumulative_weights.size());
  for (std::size_t i = 0; i < x.cumulative_weights.size(); ++i) {
    REQUIRE(x.cumulative_weights[i] == Approx(y.cumulative_weights[i]).margin(1e-15).epsilon(0));
  }
  REQUIRE(x.components.size() == y.components.size());
  for (std::size_t i = 0; i < x.components.size(); ++i) {
    require_same(x.components[i], y.components[i]);
  }
}

const char* const kEveryKind[] = {
    "2.5",
    R"({"dist":"uniform","min":1.5,"max":4})",
    R"({"dist":"exponential","mean":3})",
    R"({"dist":"normal","mean":-0.5,"sd":2})",
    R"({"dist":"lognormal","median":2,"sigma":0.5})",
    R"({"dist":"empirical","samples":[1,2,2,7.25]})",
    R"({"dist":"mixture","weights":[0.7,0.2,0.1],"components":[
         1, {"dist":"uniform","min":0,"max":1},
         {"dist":"mixture","weights":[1,2],"components":[{"dist":"exponential","mean":5},3]}]})",
};

}  // namespace

TEST_CASE("constants parse from bare numbers and from {dist: constant}", "[distribution]") {
  for (const char* text : {"2.5", R"({"dist":"constant","value":2.5})"}) {
    CAPTURE(text);
    const Distribution d = parse(text);
    REQUIRE(d.is_constant());
    REQUIRE(d.a == 2.5);
    REQUIRE(d.mean() == 2.5);
    REQUIRE(d.lower_bound() == 2.5);
    REQUIRE(d.upper_bound() == 2.5);
    Rng rng(kSeed);
    for (int i = 0; i < 10; ++i) REQUIRE(d.sample(rng) == 2.5);
  }
  REQUIRE(parse("0").a == 0);
  REQUIRE(parse("-1", /*non_negative=*/false).a == -1);
}

TEST_CASE("a constant draw does not advance the RNG", "[distribution]") {
  const Distribution c = parse("4");
  const Distribution u = parse(R"({"dist":"uniform","min":0,"max":1})");
  Rng used(kSeed);
  Rng untouched(kSeed);
  for (int i = 0; i < 5; ++i) c.sample(used);
  REQUIRE(used() == untouched());

  // What this buys: making one parameter constant leaves the other draws of
  // the stream unchanged.
  Rng interleaved(kSeed);
  Rng alone(kSeed);
  for (int i = 0; i < 100; ++i) {
    c.sample(interleaved);
    REQUIRE(u.sample(interleaved) == u.sample(alone));
  }
}

TEST_CASE("uniform draws stay in [min, max] with the right mean", "[distribution]") {
  const Distribution d = parse(R"({"dist":"uniform","min":2,"max":10})");
  REQUIRE(d.kind == DistKind::uniform);
  REQUIRE(d.mean() == 6);
  REQUIRE(d.lower_bound() == 2);
  REQUIRE(d.upper_bound() == 10);
  const Summary s = summarize(d);
  REQUIRE(s.min >= 2);
  REQUIRE(s.max <= 10);
  // The draws cover the whole interval, not just part of it.
  REQUIRE(s.min < 2.01);
  REQUIRE(s.max > 9.99);
  REQUIRE(s.mean == Approx(6).margin(mean_tolerance(8 / std::sqrt(12.0))));

  const Distribution point = parse(R"({"dist":"uniform","min":3,"max":3})");
  Rng rng(kSeed);
  REQUIRE(point.sample(rng) == 3);

  const Distribution negative = parse(R"({"dist":"uniform","min":-3,"max":-1})", false);
  const Summary n = summarize(negative);
  REQUIRE(n.min >= -3);
  REQUIRE(n.max <= -1);
  REQUIRE(n.mean == Approx(-2).margin(mean_tolerance(2 / std::sqrt(12.0))));
}

TEST_CASE("exponential draws have the right mean and tail", "[distribution]") {
  const Distribution d = parse(R"({"dist":"exponential","mean":3})");
  REQUIRE(d.mean() == 3);
  REQUIRE(d.lower_bound() == 0);
  REQUIRE(d.upper_bound() == kInf);
  const Summary s = summarize(d);
  REQUIRE(s.min >= 0);
  REQUIRE(s.mean == Approx(3).margin(mean_tolerance(3)));  // sd of an exponential = its mean
  const double p = std::exp(-1.0);                         // P(X > mean)
  REQUIRE(fraction(d, [](double x) { return x > 3; }) == Approx(p).margin(frequency_tolerance(p)));

  const Distribution zero = parse(R"({"dist":"exponential","mean":0})");
  REQUIRE(zero.upper_bound() == 0);
  const Summary z = summarize(zero);
  REQUIRE(z.min == 0);
  REQUIRE(z.max == 0);
}

TEST_CASE("normal draws are truncated at 0 and match the truncated mean", "[distribution]") {
  SECTION("far from 0: an ordinary normal") {
    const Distribution d = parse(R"({"dist":"normal","mean":10,"sd":2})");
    REQUIRE(d.mean() == Approx(10).margin(1e-5));  // truncation at -5 sd shifts it by 3e-6
    REQUIRE(d.lower_bound() == 0);
    REQUIRE(d.upper_bound() == kInf);
    const Summary s = summarize(d);
    REQUIRE(s.mean == Approx(10).margin(mean_tolerance(2)));
    // Standard error of a sample sd is about sd / sqrt(2 n); 5 of them.
    REQUIRE(s.sd == Approx(2).margin(5 * 2 / std::sqrt(2.0 * kDraws)));
  }
  SECTION("mean 0: a half-normal") {
    const Distribution d = parse(R"({"dist":"normal","mean":0,"sd":1})");
    const double expected = std::sqrt(2 / std::numbers::pi);
    REQUIRE(d.mean() == Approx(expected).epsilon(1e-12));
    const Summary s = summarize(d);
    REQUIRE(s.min >= 0);
    REQUIRE(s.mean == Approx(expected).margin(mean_tolerance(1)));  // truncation shrinks the sd
  }
  SECTION("negative mean: most of the mass is cut off") {
    const Distribution d = parse(R"({"dist":"normal","mean":-1,"sd":1})");
    // -1 + phi(1) / (1 - Phi(1)), from tables.
    REQUIRE(d.mean() == Approx(0.5251352).margin(1e-6));
    const Summary s = summarize(d);
    REQUIRE(s.min >= 0);
    REQUIRE(s.mean == Approx(0.5251352).margin(mean_tolerance(1)));
  }
  SECTION("sd 0 is a point mass") {
    const Distribution d = parse(R"({"dist":"normal","mean":1.5,"sd":0})");
    REQUIRE(d.mean() == 1.5);
    REQUIRE(d.lower_bound() == 1.5);
    REQUIRE(d.upper_bound() == 1.5);
    Rng rng(kSeed);
    REQUIRE(d.sample(rng) == 1.5);
  }
}

TEST_CASE("lognormal draws have the right median and mean", "[distribution]") {
  const Distribution d = parse(R"({"dist":"lognormal","median":2,"sigma":0.5})");
  const double mean = 2 * std::exp(0.125);
  REQUIRE(d.mean() == Approx(mean).epsilon(1e-12));
  REQUIRE(d.lower_bound() == 0);
  REQUIRE(d.upper_bound() == kInf);
  const Summary s = summarize(d);
  REQUIRE(s.min > 0);
  const double sd = mean * std::sqrt(std::exp(0.25) - 1);
  REQUIRE(s.mean == Approx(mean).margin(mean_tolerance(sd)));
  REQUIRE(fraction(d, [](double x) { return x < 2; }) ==
          Approx(0.5).margin(frequency_tolerance(0.5)));
}

TEST_CASE("empirical draws pick listed samples uniformly", "[distribution]") {
  const Distribution d = parse(R"({"dist":"empirical","samples":[1,2,7]})");
  REQUIRE(d.mean() == Approx(10.0 / 3));
  REQUIRE(d.lower_bound() == 1);
  REQUIRE(d.upper_bound() == 7);
  const Summary s = summarize(d, /*count=*/true);
  REQUIRE(s.counts.size() == 3);
  for (double v : {1.0, 2.0, 7.0}) {
    CAPTURE(v);
    REQUIRE(frequency(s, v) == Approx(1.0 / 3).margin(frequency_tolerance(1.0 / 3)));
  }

  const Distribution one = parse(R"({"dist":"empirical","samples":[4.5]})");
  Rng rng(kSeed);
  REQUIRE(one.sample(rng) == 4.5);
}

TEST_CASE("mixture draws follow the weights", "[distribution]") {
  SECTION("component frequencies") {
    const Distribution d = parse(R"({"dist":"mixture","weights":[1,3],"components":[0,10]})");
    REQUIRE(d.cumulative_weights == std::vector<double>{0.25, 1.0});
    REQUIRE(d.mean() == 7.5);
    const Summary s = summarize(d, /*count=*/true);
    REQUIRE(s.counts.size() == 2);
    REQUIRE(frequency(s, 0) == Approx(0.25).margin(frequency_tolerance(0.25)));
    REQUIRE(frequency(s, 10) == Approx(0.75).margin(frequency_tolerance(0.75)));
  }
  SECTION("mean of mixed kinds") {
    const Distribution d = parse(R"({"dist":"mixture","weights":[2,1,1],"components":[
        {"dist":"uniform","min":0,"max":1}, {"dist":"exponential","mean":10}, 5]})");
    // 0.5 * 0.5 + 0.25 * 10 + 0.25 * 5
    REQUIRE(d.mean() == Approx(4.0));
    REQUIRE(d.lower_bound() == 0);
    REQUIRE(d.upper_bound() == kInf);
    // E[X^2] = 0.5 / 3 + 0.25 * 200 + 0.25 * 25, so var = 56.4167 - 16.
    const double sd = std::sqrt(0.5 / 3 + 0.25 * 200 + 0.25 * 25 - 16);
    REQUIRE(summarize(d).mean == Approx(4.0).margin(mean_tolerance(sd)));
  }
  SECTION("a zero-weight component is never drawn and does not widen the bounds") {
    const Distribution d = parse(R"({"dist":"mixture","weights":[1,0,1],"components":[1,100,3]})");
    REQUIRE(d.lower_bound() == 1);
    REQUIRE(d.upper_bound() == 3);
    REQUIRE(d.mean() == 2);
    const Summary s = summarize(d, /*count=*/true);
    REQUIRE(frequency(s, 100) == 0);
    REQUIRE(frequency(s, 1) == Approx(0.5).margin(frequency_tolerance(0.5)));
  }
  SECTION("an unreachable component with an infinite mean does not spoil the mean") {
    // Sigma 40 is past the parser's cap (kMaxLognormalSigma): set by hand.
    Distribution d = parse(R"({"dist":"mixture","weights":[1,0],"components":[
        2, {"dist":"lognormal","median":1,"sigma":1}]})");
    d.components[1].b = 40;
    REQUIRE(d.components[1].mean() == kInf);  // exp(800) overflows
    REQUIRE(d.mean() == 2);
  }
}

TEST_CASE("the same seed gives the same draws", "[distribution]") {
  for (const char* text : kEveryKind) {
    CAPTURE(text);
    const Distribution d = parse(text);
    const std::vector<double> first = draws(d, kSeed);
    REQUIRE(first == draws(d, kSeed));
    if (!d.is_constant()) REQUIRE(first != draws(d, kSeed + 1));
  }
}

TEST_CASE("to_json round-trips every kind", "[distribution]") {
  for (const char* text : kEveryKind) {
    CAPTURE(text);
    const Distribution d = parse(text);
    const json j = to_json(d);
    REQUIRE(j.is_number() == d.is_constant());
    // Through text, as a scenario written by the tool would be read back.
    const Distribution back = parse_distribution(json::parse(j.dump()), "/x");
    require_same(d, back);
    REQUIRE(draws(back, kSeed) == draws(d, kSeed));
  }
  REQUIRE(to_json(parse(R"({"dist":"constant","value":3})")) == json(3.0));
  REQUIRE(to_json(parse(R"({"dist":"uniform","min":1,"max":2})")) ==
          json::parse(R"({"dist":"uniform","min":1.0,"max":2.0})"));
  REQUIRE(to_json(parse(R"({"dist":"mixture","weights":[1,3],"components":[0,10]})")) ==
          json::parse(R"({"dist":"mixture","weights":[0.25,0.75],"components":[0.0,10.0]})"));
}

TEST_CASE("non_negative = false admits negative values", "[distribution]") {
  REQUIRE(parse(R"({"dist":"constant","value":-2})", false).a == -2);
  const Distribution e = parse(R"({"dist":"empirical","samples":[-1,-2]})", false);
  REQUIRE(e.lower_bound() == -2);
  REQUIRE(e.upper_bound() == -1);
  const Distribution m = parse(
      R"({"dist":"mixture","weights":[1,1],"components":[-4,{"dist":"uniform","min":-1,"max":0}]})",
      false);
  REQUIRE(m.lower_bound() == -4);
}

TEST_CASE("bad distributions name the JSON pointer and the expectation", "[distribution]") {
  struct Case {
    const char* text;
    bool non_negative;
    const char* where;
    const char* phrase;
  };
  const Case cases[] = {
      {"-1", true, "/x", "expected a number >= 0, got -1"},
      {R"("fast")", true, "/x", "expected a number or a distribution object, got string"},
      {"true", true, "/x", "expected a number or a distribution object, got boolean"},
      {"null", true, "/x", "expected a number or a distribution object, got null"},
      {"[1,2]", true, "/x", "expected a number or a distribution object, got array"},
      {R"({"min":1,"max":2})", true, "/x", R"(missing field "dist")"},
      {R"({"dist":3})", true, "/x/dist", "expected a string naming the distribution, got 3"},
      {R"({"dist":"gamma","shape":2})", true, "/x/dist",
       R"(unknown distribution "gamma"; expected one of constant, uniform, exponential, )"
       "normal, lognormal, empirical, mixture"},
      {R"({"dist":"uniform","min":1,"maxx":2})", true, "/x/maxx",
       R"(unknown field "maxx" (uniform takes min, max))"},
      {R"({"dist":"uniform","min":0,"max":1,"a/b~":1})", true, "/x/a~1b~0", "unknown field"},
      {R"({"dist":"uniform","min":0,"max":1,"":1})", true, "/x/", "unknown field"},
      {R"({"dist":"uniform","min":1})", true, "/x",
       R"(missing field "max" (uniform takes min, max))"},
      {R"({"dist":"uniform","min":3,"max":2})", true, "/x/max", "min (3) must be <= max (2)"},
      {R"({"dist":"uniform","min":-1,"max":2})", true, "/x/min", "expected a number >= 0, got -1"},
      {R"({"dist":"uniform","min":"1","max":2})", true, "/x/min", "expected a number, got string"},
      {R"({"dist":"uniform","min":-1e308,"max":1e308})", false, "/x/max",
       "max - min must be a finite number"},
      {R"({"dist":"constant"})", true, "/x", R"(missing field "value" (constant takes value))"},
      {R"({"dist":"constant","value":-2})", true, "/x/value", "expected a number >= 0, got -2"},
      {R"({"dist":"exponential","mean":-1})", false, "/x/mean", "expected a number >= 0, got -1"},
      {R"({"dist":"exponential","mean":1,"sd":2})", true, "/x/sd",
       R"(unknown field "sd" (exponential takes mean))"},
      {R"({"dist":"normal","mean":-5,"sd":2})", false, "/x/mean",
       "normal mean (-5) must be >= -2 * sd (-4)"},
      {R"({"dist":"normal","mean":-1,"sd":0})", true, "/x/mean", "must be >= -2 * sd (0)"},
      {R"({"dist":"normal","mean":1,"sd":-1})", true, "/x/sd", "expected a number >= 0, got -1"},
      {R"({"dist":"lognormal","median":0,"sigma":1})", true, "/x/median",
       "expected a number > 0, got 0"},
      {R"({"dist":"lognormal","median":1,"sigma":-0.5})", true, "/x/sigma",
       "expected a number >= 0, got -0.5"},
      {R"({"dist":"empirical","samples":[]})", true, "/x/samples",
       "expected a non-empty array of numbers, got an empty array"},
      {R"({"dist":"empirical","samples":3})", true, "/x/samples",
       "expected a non-empty array of numbers, got 3"},
      {R"({"dist":"empirical","samples":[1,-2]})", true, "/x/samples/1",
       "expected a number >= 0, got -2"},
      {R"({"dist":"mixture","weights":[1],"components":[1,2]})", true, "/x/components",
       "expected as many components as weights (1), got 2"},
      {R"({"dist":"mixture","weights":[1],"components":[]})", true, "/x/components",
       "expected a non-empty array of distributions"},
      {R"({"dist":"mixture","weights":[1,-1],"components":[1,2]})", true, "/x/weights/1",
       "expected a number >= 0, got -1"},
      {R"({"dist":"mixture","weights":[0,0],"components":[1,2]})", true, "/x/weights",
       "expected weights with a positive finite sum, got 0"},
      {R"({"dist":"mixture","weights":[1e308,1e308],"components":[1,2]})", true, "/x/weights",
       "expected weights with a positive finite sum, got inf"},
      {R"({"dist":"mixture","weights":[1,1],"components":[1,{"dist":"uniform","min":-1,"max":1}]})",
       true, "/x/components/1/min", "expected a number >= 0, got -1"},
      {R"({"dist":"mixture","weights":[1],"components":[{"dist":"gamma"}]})", true,
       "/x/components/0/dist", R"(unknown distribution "gamma")"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.text, c.non_negative);
    REQUIRE_THROWS_AS(parse(c.text, c.non_negative), InputError);
    // The matcher is built inline: Catch's && keeps pointers to its operands.
    REQUIRE_THROWS_WITH(
        parse(c.text, c.non_negative),
        Catch::StartsWith(std::string(c.where) + ": ") && Catch::Contains(c.phrase));
  }
}

TEST_CASE("value parameters are capped, sigma and mixture depth always", "[distribution][limits]") {
  using coordsim::sim::kMaxLognormalSigma;
  const auto capped = [](const std::string& text) { return parse_distribution(json::parse(text), "/x", true, 100); };
  REQUIRE(capped("100").a == 100);
  REQUIRE_THROWS_WITH(capped("101"), "/x: expected a number <= 100, got 101");
  REQUIRE_THROWS_WITH(capped(R"({"dist":"uniform","min":0,"max":1e300})"), "/x/max: expected a number <= 100, got 1e+300");
  REQUIRE_THROWS_WITH(capped(R"({"dist":"empirical","samples":[1,200]})"), StartsWith("/x/samples/1: expected a number <= 100"));
  REQUIRE_THROWS_WITH(capped(R"({"dist":"normal","mean":1,"sd":200})"), StartsWith("/x/sd: expected a number <= 100"));
  REQUIRE_THROWS_WITH(capped(R"({"dist":"exponential","mean":200})"), StartsWith("/x/mean: expected a number <= 100"));
  REQUIRE_THROWS_WITH(capped(R"({"dist":"lognormal","median":200,"sigma":1})"), StartsWith("/x/median: expected a number <= 100"));
  REQUIRE_THROWS_WITH(capped(R"({"dist":"mixture","weights":[1,1000],"components":[1,2]})"),
                      StartsWith("/x/weights/1: expected a number <= 100"));
  REQUIRE_THROWS_WITH(capped(R"({"dist":"mixture","weights":[1],"components":[{"dist":"constant","value":500}]})"),
                      StartsWith("/x/components/0/value: expected a number <= 100"));
  // Without a cap only sigma is bounded.
  REQUIRE(parse(R"({"dist":"lognormal","median":1e300,"sigma":5})").b == kMaxLognormalSigma);
  REQUIRE_THROWS_WITH(parse(R"({"dist":"lognormal","median":1,"sigma":5.5})"), "/x/sigma: expected a number <= 5, got 5.5");
  std::string m = "1";
  for (int i = 0; i < 8; ++i) m = R"({"dist":"mixture","weights":[1],"components":[)" + m + "]}";
  REQUIRE(parse(m).kind == DistKind::mixture);
  m = R"({"dist":"mixture","weights":[1],"components":[)" + m + "]}";
  REQUIRE_THROWS_WITH(parse(m), StartsWith("/x/components/0/components/0/components/0/components/0/components/0/"
                                           "components/0/components/0/components/0: mixtures nest deeper than 8"));
}

TEST_CASE("non-finite numbers are rejected", "[distribution]") {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  REQUIRE_THROWS_WITH(
      parse_distribution(json(nan), "/x"),
      Catch::StartsWith("/x: ") && Catch::Contains("expected a finite number, got nan"));
  REQUIRE_THROWS_WITH(
      parse_distribution(json(kInf), "/x", false),
      Catch::StartsWith("/x: ") && Catch::Contains("expected a finite number, got inf"));
  const json j = {{"dist", "uniform"}, {"min", 0}, {"max", kInf}};
  REQUIRE_THROWS_WITH(parse_distribution(j, "/x"),
                      Catch::StartsWith("/x/max: ") && Catch::Contains("expected a finite number"));
}

TEST_CASE("pointers compose from the document root", "[distribution]") {
  const json j = json::parse(R"({"dist":"uniform","min":3,"max":2})");
  try {
    parse_distribution(j, "");
    FAIL("expected an InputError");
  } catch (const InputError& e) {
    REQUIRE(e.where() == "/max");
  }
}
