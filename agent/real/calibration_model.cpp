#include "agent/real/calibration_model.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "agent/real/lag_model.hpp"

namespace coordsim::agent::real {

using nlohmann::json;

namespace {

double round_to(double x, double unit) { return std::round(x / unit) * unit; }

}  // namespace

json lag_model_json(const Calibration& c, const std::string& api_url, double wall_s) {
  const double resolution = c.options.poll_interval_s / 2;
  json lag = json::object(), empirical = json::object(), fit = json::object();
  for (int p = 0; p < kReadPathCount; ++p) {
    const auto path = static_cast<ReadPath>(p);
    if (!c.options.measure[path_index(path)]) continue;
    std::vector<double> estimates, half_widths;
    json bounds = json::array();
    int censored = 0;
    for (const Marker& m : c.markers) {
      const PathState& s = m.path(path);
      if (!s.measured) continue;
      if (s.censored || !s.seen) {
        ++censored;
        continue;
      }
      const Exchange& created = path == ReadPath::refs ? m.ref_created : m.created;
      const LagSample sample = estimate_lag(created, s.last_miss, s.first_hit);
      estimates.push_back(round_to(sample.estimate_s, 1e-4));
      half_widths.push_back((sample.upper_s - sample.lower_s) / 2);
      bounds.push_back({round_to(sample.lower_s, 1e-4), round_to(sample.upper_s, 1e-4)});
    }
    const char* name = read_path_name(path);
    json f = {{"samples", estimates.size()}, {"censored", censored}, {"bounds_s", bounds}};
    if (!estimates.empty()) {
      // The resolution actually achieved: half the typical bracket between
      // the last miss and the first hit (rounds take longer than the poll
      // interval when there is much to poll), never finer than poll / 2.
      std::sort(half_widths.begin(), half_widths.end());
      const double path_resolution = std::max(resolution, quantile(half_widths, 0.5));
      f["resolution_s"] = round_to(path_resolution, 1e-4);
      const LagFit lf = fit_lognormal(estimates, path_resolution);
      f["median_s"] = round_to(lf.median_s, 1e-4);
      f["sigma"] = round_to(lf.sigma, 1e-4);
      f["mean_s"] = round_to(lf.mean_s, 1e-4);
      f["p50_s"] = round_to(lf.p50_s, 1e-4);
      f["p90_s"] = round_to(lf.p90_s, 1e-4);
      f["p95_s"] = round_to(lf.p95_s, 1e-4);
      f["p99_s"] = round_to(lf.p99_s, 1e-4);
      f["min_s"] = round_to(lf.min_s, 1e-4);
      f["max_s"] = round_to(lf.max_s, 1e-4);
      f["model"] = lf.constant ? "constant (median within the poll resolution)" : "lognormal";
      lag[name] = lf.constant ? json(round_to(lf.constant_s, 1e-3))
                              : json{{"dist", "lognormal"}, {"median", round_to(lf.median_s, 1e-4)},
                                     {"sigma", round_to(std::max(lf.sigma, 1e-4), 1e-4)}};
      empirical[name] = {{"dist", "empirical"}, {"samples", estimates}};
    }
    fit[name] = f;
  }
  json calls = json::object();
  for (const auto& [name, n] : c.client.calls()) calls[name] = n;
  return {{"description",
           "Visibility lag measured by coordsim calibrate. github.visibility_lag_s holds a lognormal per read path "
           "fitted by log-moments (a constant when the lag is within the poll resolution); "
           "empirical.github.visibility_lag_s holds the samples themselves. Use either in a scenario: "
           "--set github.visibility_lag_s.list='<the value>' (docs/agent.md)."},
          {"github", {{"visibility_lag_s", lag}}},
          {"empirical", {{"github", {{"visibility_lag_s", empirical}}}}},
          {"fit", fit},
          {"calibration",
           {{"api_url", api_url},
            {"repo", c.client.repo().display()},
            {"run_id", c.run_id},
            {"markers", c.markers.size()},
            {"poll_interval_s", c.options.poll_interval_s},
            {"search_interval_s", c.options.search_interval_s},
            {"resolution_s", resolution},
            {"max_lag_s", c.options.max_lag_s},
            {"api_calls", c.client.total_calls()},
            {"api_calls_by_endpoint", calls},
            {"wall_s", round_to(wall_s, 1e-3)},
            {"complete", c.stop_reason.empty() && !c.interrupted},
            {"stopped_by", c.stop_reason.empty() ? json(nullptr) : json(c.stop_reason)}}}};
}

}  // namespace coordsim::agent::real
