// Fuzz target: a `coordsim serve --state FILE` file's contents, the way the
// command loads it (cli/serve_command.cpp: sim::parse_json_text, as strict as
// a scenario file, then Router::load_state into a fresh router). A state that loads must save
// and load again to the same state (a restart must not change the server's
// answers) and must be writable (the server dumps it on shutdown).
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "fuzz_support.hpp"
#include "serve_scenario.hpp"
#include "sim/http/router.hpp"
#include "sim/input/input_error.hpp"
#include "sim/input/json_text.hpp"

using namespace coordsim;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return fuzz::run_target([&] {
    const std::string_view text = fuzz::text_of(data, size);
    fuzz::expect_only<sim::InputError>(text, [&] {
      const nlohmann::json doc = sim::parse_json_text(text, "state.json");
      sim::http::Router router(fuzz::serve_scenario(), fuzz::serve_options());
      const agent::Time clock = router.load_state(doc, "state.json");
      // The server continues from the saved clock: requests after it still work.
      sim::http::Request list;
      list.method = "GET";
      list.target = "/api/v3/repos/acme/widgets/issues?state=all";
      list.headers.push_back({"host", "127.0.0.1"});
      list.remote = "127.0.0.1";
      const sim::http::Response r = router.handle(list, clock);
      fuzz::require(r.status < 500, "a loaded state makes a list fail", r.body);
      const nlohmann::json saved = router.save_state(clock);
      const std::string written = saved.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
      sim::http::Router reloaded(fuzz::serve_scenario(), fuzz::serve_options());
      try {
        reloaded.load_state(nlohmann::json::parse(written), "saved.json");
      } catch (const std::exception& e) {
        fuzz::finding("a saved state does not load", e.what());
      }
      fuzz::require(reloaded.save_state(clock) == saved, "a saved state loads to a different state", written);
    });
  });
}
