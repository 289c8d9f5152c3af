// Fuzz target: a `--vary PATH=SPEC` argument -> sim::parse_vary, then what
// run_sweep does with each value: the `--set PATH=VALUE` it becomes, loaded
// into the built-in scenario (the first few values; the grid is capped at
// 10,000 per range). A second record (0x1E) is a `--shard K/N` argument.
#include <cmath>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "fuzz_support.hpp"
#include "sim/analysis/sweep.hpp"
#include "sim/input/input_error.hpp"
#include "sim/input/scenario_loader.hpp"

using namespace coordsim;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return fuzz::run_target([&] {
    const std::string_view text = fuzz::text_of(data, size);
    const auto records = fuzz::split_records(text, 2);
    fuzz::expect_only<sim::InputError>(text, [&] {
      const sim::Vary v = sim::parse_vary(std::string(records[0]));
      fuzz::require(!v.values.empty(), "parse_vary accepted a SPEC with no values", records[0]);
      fuzz::require(v.values.size() <= 100000, "parse_vary returned more values than a sweep can run", records[0]);
      for (const auto& value : v.values)
        if (value.is_number_float())
          fuzz::require(std::isfinite(value.get<double>()), "parse_vary produced a non-finite value", records[0]);
      for (std::size_t i = 0; i < v.values.size() && i < 3; ++i) {
        const auto& value = v.values[i];
        const std::string set = v.path + "=" + (value.is_string() ? value.get<std::string>() : value.dump());
        fuzz::expect_only<sim::InputError>(set, [&] { sim::load_default_scenario({set}); });
      }
    });
    if (records.size() > 1) {
      fuzz::expect_only<sim::InputError>(records[1], [&] {
        const auto [k, n] = sim::parse_shard(std::string(records[1]));
        fuzz::require(1 <= k && k <= n, "parse_shard accepted K/N outside 1 <= K <= N", records[1]);
      });
    }
  });
}
