// Fuzz target: `coordsim merge SHARD_FILES...` on the shard files' contents
// (records separated by 0x1E, each one file), the way the command reads them
// (cli/sweep_command.cpp: parse, "not a sweep document" unless an object with
// "points"), then sim::merge_sweeps and every report merge can write: JSON,
// CSV, Markdown and HTML. sweep_html is documented never to throw on a
// malformed or partial document, so it also renders each shard on its own.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "fuzz_support.hpp"
#include "sim/analysis/sweep.hpp"
#include "sim/input/input_error.hpp"
#include "sim/output/sweep_html.hpp"

using namespace coordsim;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return fuzz::run_target([&] {
    const std::string_view text = fuzz::text_of(data, size);
    std::vector<nlohmann::json> docs;
    std::vector<std::string> names;
    for (std::string_view r : fuzz::split_records(text, 16)) {
      nlohmann::json doc = nlohmann::json::parse(r, nullptr, false);
      if (doc.is_discarded() || !doc.is_object() || !doc.contains("points")) return;  // the CLI's InputError
      names.push_back("shard" + std::to_string(names.size() + 1) + ".json");
      docs.push_back(std::move(doc));
    }
    for (const auto& doc : docs) {
      try {
        (void)sim::sweep_html(doc);
      } catch (const std::exception& e) {
        fuzz::finding("sweep_html threw on a shard", e.what());
      }
    }
    fuzz::expect_only<sim::InputError>(text, [&] {
      const nlohmann::json merged = sim::merge_sweeps(docs, names);
      (void)merged.dump(2);
      (void)sim::sweep_csv(merged);
      (void)sim::sweep_markdown(merged);
      try {
        (void)sim::sweep_html(merged);
      } catch (const std::exception& e) {
        fuzz::finding("sweep_html threw on a merged document", e.what());
      }
    });
  });
}
