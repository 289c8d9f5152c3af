// Fuzz target: `--set PATH=VALUE` arguments (records separated by 0x1E, see
// fuzz_support.hpp) applied in order to the built-in scenario, as `coordsim
// run --set ...` does: sim::apply_set, then validation of the result. An
// accepted override must give a scenario that runs one trial.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "fuzz_support.hpp"
#include "run_trial.hpp"
#include "sim/input/input_error.hpp"
#include "sim/input/scenario_loader.hpp"

using namespace coordsim;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return fuzz::run_target([&] {
    const std::string_view text = fuzz::text_of(data, size);
    std::vector<std::string> sets;
    for (std::string_view r : fuzz::split_records(text, 8)) sets.emplace_back(r);
    fuzz::expect_only<sim::InputError>(text, [&] {
      const sim::ScenarioFile s = sim::load_default_scenario(sets);
      // Reports (--json), shrink and explore --out write the name and the document.
      try {
        (void)nlohmann::json{{"name", s.name}, {"description", s.description}, {"document", s.document}}.dump();
      } catch (const nlohmann::json::exception& e) {
        fuzz::finding("a loaded scenario cannot be written as JSON", e.what());
      }
      fuzz::run_one_trial(s);
    });
  });
}
