// Fuzz target: raw HTTP/1.1 requests (records separated by 0x1E, sent in
// order half a second apart) -> the server's own parser
// (sim::http::parse_raw_request, the path tests/sim/http's "[fuzz]" cases
// use) -> Router::handle -> a response. The router never throws; without
// faults in the scenario it never answers 5xx (its catch-all 500 hides an
// exception); every body is JSON (or empty); no header value can split the
// response. After the requests, the state saves as strict UTF-8 JSON and
// loads back to the same state, as `serve --state` needs.
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "fuzz_support.hpp"
#include "serve_scenario.hpp"
#include "sim/http/router.hpp"
#include "sim/http/server.hpp"

using namespace coordsim;

namespace {

void check_response(const sim::http::Response& r) {
  fuzz::require(r.status >= 200 && r.status <= 599, "status out of range", std::to_string(r.status));
  fuzz::require(r.status < 500, "a 5xx without faults (an exception in the router?)", r.body);
  fuzz::require(r.body.empty() || nlohmann::json::accept(r.body), "a body that is not JSON", r.body);
  for (const auto& h : r.headers)
    fuzz::require(h.name.find_first_of("\r\n:") == std::string::npos && h.value.find_first_of("\r\n") == std::string::npos,
                  "a response header with CR, LF or ':' in its name or CR/LF in its value", h.name + ": " + h.value);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return fuzz::run_target([&] {
    const std::string_view text = fuzz::text_of(data, size);
    try {
      sim::http::Router router(fuzz::serve_scenario(), fuzz::serve_options());
      std::int64_t i = 0;
      for (std::string_view raw : fuzz::split_records(text, 32)) {
        const auto request = sim::http::parse_raw_request(raw);
        if (!request) continue;  // the server answers 400 or closes the connection
        check_response(router.handle(*request, agent::Time(++i * 500'000)));
      }
      const agent::Time end(++i * 500'000);
      const nlohmann::json saved = router.save_state(end);
      std::string written;
      try {
        written = saved.dump();
      } catch (const nlohmann::json::exception& e) {
        fuzz::finding("the state holds text that is not UTF-8", e.what());
      }
      sim::http::Router reloaded(fuzz::serve_scenario(), fuzz::serve_options());
      reloaded.load_state(nlohmann::json::parse(written), "saved.json");
      fuzz::require(reloaded.save_state(end) == saved, "a saved state loads to a different state", written);
    } catch (const std::exception& e) {
      fuzz::finding("exception out of the parser or the router", e.what());
    }
  });
}
