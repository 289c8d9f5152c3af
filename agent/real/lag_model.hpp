#pragma once
// What `coordsim calibrate` computes from its observations: one visibility-lag
// sample per marker and read path, bracketed by the last poll that did not see
// the marker and the first that did, and a lognormal fitted to the samples by
// log-moments. Pure functions, unit-tested.
#include <optional>
#include <vector>

#include "agent/time.hpp"

namespace coordsim::agent::real {

// One request's send and receive times (its snapshot lies between them).
struct Exchange {
  Time sent{};
  Time received{};
  Time mid() const { return sent + (received - sent) / 2; }
};

// The lag of one write on one read path. The write committed during `create`;
// `last_miss` (if any) did not see it, `first_hit` did. The lag therefore lies
// in [last_miss.sent - create.received, first_hit.received - create.sent];
// the estimate is the midpoint of the two polls' midpoints, relative to the
// create's midpoint: unbiased when polls are evenly spaced, since the first hit
// falls uniformly within a poll interval after the write became visible.
struct LagSample {
  double estimate_s = 0;
  double lower_s = 0;
  double upper_s = 0;
};
LagSample estimate_lag(const Exchange& create, const std::optional<Exchange>& last_miss, const Exchange& first_hit);

// Linear interpolation between order statistics (R's type 7); `sorted` non-empty.
double quantile(const std::vector<double>& sorted, double p);

struct LagFit {
  int samples = 0;
  double median_s = 0;  // exp(mean of ln x)
  double sigma = 0;     // standard deviation of ln x (n - 1)
  double mean_s = 0;
  double p50_s = 0, p90_s = 0, p95_s = 0, p99_s = 0, min_s = 0, max_s = 0;
  // The model to write: a lognormal, or — when the empirical median is within
  // the measurement resolution — a constant (the lag is too short to measure).
  bool constant = false;
  double constant_s = 0;
};
// Fits `samples` (non-empty). Samples under 1 ms count as 1 ms in the logs.
LagFit fit_lognormal(std::vector<double> samples, double resolution_s);

}  // namespace coordsim::agent::real
