// Fuzz target: a `--where` expression -> sim::Predicate::parse, then what
// `find` and `shrink` do with a predicate: evaluate it on trial metrics, list
// the metrics it reads, and print it. Its canonical form (used in messages
// and by tests) must parse again to the same canonical form and to a
// predicate with the same values.
#include <cstdint>
#include <string>

#include "fuzz_support.hpp"
#include "sim/analysis/predicate.hpp"
#include "sim/engine/trial_metrics.hpp"
#include "sim/input/input_error.hpp"

using namespace coordsim;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return fuzz::run_target([&] {
    const std::string_view text = fuzz::text_of(data, size);
    fuzz::expect_only<sim::InputError>(text, [&] {
      const sim::Predicate p = sim::Predicate::parse(text);
      const std::size_t n = sim::trial_metric_infos().size();
      for (const double fill : {0.0, 1.0, -2.5, 1e300}) {
        sim::TrialMetrics m(n, fill);
        (void)p.evaluate(m);
        (void)p.matches(m);
      }
      for (const int id : p.metrics_used())
        fuzz::require(id >= 0 && static_cast<std::size_t>(id) < n, "metrics_used returned an unknown metric id");
      const std::string canonical = p.canonical();
      std::string again;
      try {
        again = sim::Predicate::parse(canonical).canonical();
      } catch (const sim::InputError& e) {
        fuzz::finding("the canonical form does not parse", canonical + "\n" + e.what());
      }
      fuzz::require(again == canonical, "the canonical form parses to another expression", canonical + " -> " + again);
      // And to the same predicate: {:g} printed 1.2345678 as 1.23457, which
      // parses to itself but is another number.
      const sim::Predicate reparsed = sim::Predicate::parse(canonical);
      for (const double fill : {0.0, 1.0, -2.5, 1e300}) {
        const sim::TrialMetrics m(n, fill);
        const double a = p.evaluate(m), b = reparsed.evaluate(m);
        fuzz::require(a == b || (a != a && b != b), "the canonical form evaluates differently", canonical);
      }
    });
  });
}
