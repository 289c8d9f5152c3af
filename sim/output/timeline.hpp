#pragma once
// A replayed trial as text, in the shape of the reference system's logs:
// virtual timestamps, who, what each agent did and saw, what GitHub did and
// when each write became visible on each read path, then the outcome.
#include <string>
#include <string_view>

#include "sim/engine/replay.hpp"

namespace coordsim::sim {

std::string timeline_text(const Scenario& scenario, std::string_view strategy, const TrialReplay& r);

// "duplicate", "miss", "duplicate, miss", "clean" or "no failure".
std::string outcome_class(const TrialOutcome& o);

}  // namespace coordsim::sim
