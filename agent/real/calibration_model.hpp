#pragma once
// The lag model a calibration run yields, as `coordsim calibrate` writes it:
// per measured read path a lognormal fitted to the samples (a constant when
// the lag is within the poll resolution) in the scenario's
// `github.visibility_lag_s` shape, the samples themselves, the fit's figures
// per path ("fit"), and how the run went ("calibration").
#include <string>

#include <nlohmann/json.hpp>

#include "agent/real/calibration.hpp"

namespace coordsim::agent::real {

// `api_url` and `wall_s` are recorded as given. Paths never seen have a "fit"
// entry with no samples and no model.
nlohmann::json lag_model_json(const Calibration& c, const std::string& api_url, double wall_s);

}  // namespace coordsim::agent::real
