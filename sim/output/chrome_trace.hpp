#pragma once
// A replayed trial in the Chrome trace-event format (JSON object form), which
// Perfetto (ui.perfetto.dev) and chrome://tracing open. One track per failing
// flavor holds its agent, decision, API calls ("X" spans from send to
// response), sleeps and analysis, with the protocol's notes as instants; a
// GitHub track holds each commit and the instant each write becomes visible on
// each read path. Timestamps are microseconds of virtual time.
#include <string>
#include <string_view>

#include "sim/engine/replay.hpp"

namespace coordsim::sim {

// One event per line, byte-identical for the same trial.
std::string chrome_trace_json(const Scenario& scenario, std::string_view strategy, const TrialReplay& r);

}  // namespace coordsim::sim
