// Fuzz target: a scenario file's text -> sim::load_scenario_text (JSON,
// schema, semantic checks) -> a validated ScenarioFile, then one trial of it.
// A scenario that loads must run: validation is what stands between a file
// and the engine, so a loaded scenario that crashes, trips UBSan (a lag of
// 1e300 s converted to microseconds) or hangs the trial is a finding, and so
// is one whose validated document does not load again to the same document.
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "fuzz_support.hpp"
#include "run_trial.hpp"
#include "sim/input/input_error.hpp"
#include "sim/input/scenario_loader.hpp"

using namespace coordsim;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return fuzz::run_target([&] {
    const std::string_view text = fuzz::text_of(data, size);
    fuzz::expect_only<sim::InputError>(text, [&] {
      const sim::ScenarioFile s = sim::load_scenario_text(text, "fuzz.json");
      // Reports (--json), shrink and explore --out write the name and the document.
      try {
        (void)nlohmann::json{{"name", s.name}, {"description", s.description}, {"document", s.document}}.dump();
      } catch (const nlohmann::json::exception& e) {
        fuzz::finding("a loaded scenario cannot be written as JSON", e.what());
      }
      // What reports echo and shrink writes: it must load again, unchanged.
      const sim::ScenarioFile again = sim::load_scenario_text(s.document.dump(), "fuzz-again.json");
      fuzz::require(again.document == s.document, "the validated document does not load to itself", s.document.dump());
      fuzz::run_one_trial(s);
    });
  });
}
