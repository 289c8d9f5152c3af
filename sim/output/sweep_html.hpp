#pragma once
// The HTML report of a parameter sweep: one self-contained page (inline CSS and
// static inline SVG, no scripts, fonts or images to fetch) so it can be kept as
// a CI artifact and opened offline years later, and looks the same everywhere.
#include <nlohmann/json.hpp>
#include <string>

namespace coordsim::sim {

// `sweep` is the document run_sweep/merge_sweeps produce. Never throws on a
// malformed or partial document: a missing or non-numeric figure shows as
// "n/a", so a report can still be read when a field is renamed or a shard is
// rendered on its own. The same document always gives the same bytes.
std::string sweep_html(const nlohmann::json& sweep);

}  // namespace coordsim::sim
