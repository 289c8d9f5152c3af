// `coordsim calibrate`'s measurement and fit (agent/real/calibration*.hpp)
// against coordsim serve's router, in one process and in virtual time
// (router_transport.hpp): the lags configured in the router's scenario are
// recovered, to the values worked out by hand below, and the run cleans up
// after itself.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/github_types.hpp"
#include "agent/real/calibration.hpp"
#include "agent/real/calibration_model.hpp"
#include "agent/real/rest_client.hpp"
#include "integration/router_transport.hpp"
#include "sim/http/router.hpp"
#include "sim/input/scenario_loader.hpp"

using namespace coordsim;
using agent::ReadPath;
using nlohmann::json;
namespace real = agent::real;

namespace {

// Constant lags, none a multiple of the 0.1 s poll interval used below, so
// that no poll lands exactly on the moment a marker becomes visible.
constexpr double kListLag = 0.35;
constexpr double kSearchLag = 0.75;
constexpr double kRefsLag = 0.25;

sim::ScenarioFile router_scenario(double latency_s) {
  const std::string l = std::to_string(latency_s);
  return sim::load_scenario_text(R"({"name": "calibration", "workload": {"flavors": ["x"]},
    "github": {"latency": {"default": {"request_s": )" + l + R"(, "response_s": )" + l + R"(}},
               "visibility_lag_s": {"get": 0, "list": 0.35, "search": 0.75, "refs": 0.25}}})",
                                 "calibration-test.json");
}

sim::http::RouterOptions router_options() {
  sim::http::RouterOptions o;
  // This measures lags, not GitHub's budgets (30 searches a minute).
  o.rate_limit.core_per_hour = 1'000'000;
  o.rate_limit.search_per_minute = 1'000'000;
  return o;
}

// Every read path, refs included.
real::CalibrationOptions calibration_options(int samples, int parallel) {
  real::CalibrationOptions o;
  o.samples = samples;
  o.parallel = parallel;
  o.poll_interval_s = 0.1;
  o.search_interval_s = 0;  // a search every round, like the other paths
  o.max_lag_s = 10;
  o.max_calls = 10'000;
  o.measure.fill(true);
  return o;
}

// One calibration run, measured and cleaned up, on a router of its own.
struct Run {
  sim::ScenarioFile scenario;
  sim::http::Router router;
  test::VirtualTime time;
  test::VirtualClock clock{time};
  test::RouterTransport transport{router, time};
  real::RestClient client{transport, real::RepoName{"cal", "known"}};
  real::CalibrationOptions options;
  real::Calibration calibration{options, client, clock, "0123abcd"};
  json model;
  double measured_s = 0;

  Run(double latency_s, real::CalibrationOptions o)
      : scenario(router_scenario(latency_s)), router(scenario, router_options()), options(std::move(o)) {
    auto measuring = real::measure_lags(calibration);
    time.run(measuring);
    measured_s = agent::to_seconds(time.now());
    auto cleaning = real::clean_up(calibration);
    time.run(cleaning);
    model = real::lag_model_json(calibration, "http://router.test/api/v3", measured_s);
  }

  // The router's answer to a request of our own, long after the run (every lag passed).
  json get(const std::string& target, int& status) {
    sim::http::Request r;
    r.method = "GET";
    r.target = "/api/v3/repos/cal/known" + target;
    r.headers = {{"host", "router.test"}};
    r.remote = "127.0.0.1";
    const sim::http::Response answer = router.handle(r, time.now() + agent::from_seconds(60));
    status = answer.status;
    return answer.body.empty() ? json() : json::parse(answer.body);
  }
};

const json& fit(const Run& run, const char* path) { return run.model.at("fit").at(path); }
const json& lag(const Run& run, const char* path) {
  return run.model.at("github").at("visibility_lag_s").at(path);
}

}  // namespace

TEST_CASE("calibration recovers constant lags, to values worked out by hand", "[integration][calibrate]") {
  // d = 1 ms each way: a write commits d into its request and a read takes its
  // snapshot d into its own, so an exchange's midpoint is its commit or
  // snapshot. One marker at a time; each runs, from its create sent at t:
  //   t + 0d create issue (commits t + d), 2d create ref (commits t + 3d),
  //   4d first look at get (snapshot 5d: seen), 6d first look at the ref (missed),
  //   8d = R: the rounds, one every P = 0.1 s (each takes under P, the rest
  //   is slept), each polling what is pending in order list, search, ref.
  // Snapshots after the write, in round r: list R + rP + d, i.e. 8d + rP after
  // the issue's commit; search 10d + rP while the list is polled, 8d + rP after;
  // the ref 10d + rP after its commit (list and search come first). The sample
  // is the midpoint of the last miss and the first hit:
  //   list   0.35: miss r = 3, hit r = 4 -> 8d + 0.35 = 0.358  (bounds 6d + 0.3, 10d + 0.4)
  //   search 0.75: miss r = 7, hit r = 8 -> 8d + 0.75 = 0.758  (bounds 6d + 0.7, 10d + 0.8)
  //   refs   0.25: miss r = 2, hit r = 3 -> 10d + 0.25 = 0.26  (bounds 8d + 0.2, 12d + 0.3)
  //   get    0:    first look, no miss   -> 4d / 2 = 0.002    (bounds 0, 6d)
  // Every sample within P / 2 of the lag, as the method promises. The polled
  // paths' bracket is P + 4d wide, a resolution of 0.052 s; get's is 6d, so
  // its resolution is the floor, P / 2, and get (under it) is written as a
  // constant. All four markers alike: sigma 0.
  constexpr double d = 0.001;
  Run run(d, calibration_options(/*samples=*/4, /*parallel=*/1));
  const real::Calibration& c = run.calibration;
  REQUIRE(c.fatal.empty());
  REQUIRE(c.stop_reason.empty());
  REQUIRE(c.markers.size() == 4);

  const auto check_path = [&](const char* path, double configured, double want, double lower, double upper,
                               double resolution) {
    INFO(path);
    const json& f = fit(run, path);
    CHECK(f.at("samples") == 4);
    CHECK(f.at("censored") == 0);
    for (const json& b : f.at("bounds_s")) {
      CHECK(b.at(0).get<double>() == Approx(lower).margin(1e-9));
      CHECK(b.at(1).get<double>() == Approx(upper).margin(1e-9));
    }
    // Four equal samples: median, quantiles and extremes are the sample.
    CHECK(f.at("median_s").get<double>() == Approx(want).margin(1e-9));
    CHECK(f.at("p90_s").get<double>() == Approx(want).margin(1e-9));
    CHECK(f.at("min_s").get<double>() == Approx(want).margin(1e-9));
    CHECK(f.at("max_s").get<double>() == Approx(want).margin(1e-9));
    CHECK(f.at("sigma").get<double>() == 0);
    CHECK(f.at("resolution_s").get<double>() == Approx(resolution).margin(1e-9));
    CHECK(std::abs(want - configured) <= 0.1 / 2);
  };
  check_path("list", kListLag, 8 * d + 0.35, 6 * d + 0.3, 10 * d + 0.4, 0.1 / 2 + 2 * d);
  check_path("search", kSearchLag, 8 * d + 0.75, 6 * d + 0.7, 10 * d + 0.8, 0.1 / 2 + 2 * d);
  check_path("refs", kRefsLag, 10 * d + 0.25, 8 * d + 0.2, 12 * d + 0.3, 0.1 / 2 + 2 * d);
  check_path("get", 0, 2 * d, 0, 6 * d, 0.1 / 2);  // a 6d bracket: the floor, P / 2
  for (const char* path : {"list", "search", "refs"}) {
    INFO(path);
    CHECK(fit(run, path).at("model") == "lognormal");
    CHECK(lag(run, path).at("dist") == "lognormal");
    CHECK(lag(run, path).at("median") == fit(run, path).at("median_s"));
    CHECK(lag(run, path).at("sigma").get<double>() == Approx(1e-4).margin(1e-12));  // the floor a lognormal needs
  }
  CHECK(fit(run, "get").at("model") == "constant (median within the poll resolution)");
  REQUIRE(lag(run, "get").is_number());
  CHECK(lag(run, "get").get<double>() == Approx(2 * d).margin(1e-9));

  // Calls per marker: 2 creates, 2 first looks, lists in rounds 0-4, searches
  // in 0-8, ref reads in 0-3, a close and a ref delete: 2 + 2 + 5 + 9 + 4 + 2 =
  // 24. Four markers, the blob before them, the cleanup's listing: 98.
  const std::map<std::string, std::int64_t> calls = {
      {"create_blob", 1},  {"create_issue", 4}, {"create_ref", 4},    {"get_issue", 4},  {"get_ref", 4 + 16},
      {"list_issues", 21}, {"search_issues", 36}, {"update_issue", 4}, {"delete_ref", 4}};
  CHECK(c.client.calls() == calls);
  CHECK(c.client.total_calls() == 98);
  CHECK(run.transport.requests() == 98);
  // The blob (2d), then per marker 8d to its rounds, 9 rounds of P (the last
  // one's rest slept too): 2d + 4 (8d + 0.9) = 3.634 s.
  CHECK(run.measured_s == Approx(2 * d + 4 * (8 * d + 0.9)).margin(1e-9));
  const json& cal = run.model.at("calibration");
  CHECK(cal.at("complete") == true);
  CHECK(cal.at("stopped_by").is_null());
  CHECK(cal.at("markers") == 4);
  CHECK(cal.at("api_calls") == 98);
  CHECK(cal.at("api_url") == "http://router.test/api/v3");

  // Cleaned up: every marker closed, every ref deleted, nothing left behind.
  CHECK(c.left_behind.empty());
  int status = 0;
  CHECK(run.get("/issues?labels=coordsim-calibrate&state=open", status).empty());
  CHECK(status == 200);
  CHECK(run.get("/issues?labels=coordsim-calibrate&state=closed&per_page=100", status).size() == 4);
  for (const real::Marker& m : c.markers) {
    INFO(m.ref);
    (void)run.get("/git/ref/" + m.ref.substr(5), status);  // m.ref without "refs/"
    CHECK(status == 404);
  }

  // The model drops into a scenario as it is.
  CHECK_NOTHROW(sim::load_scenario_text(
      R"({"name": "m", "workload": {"flavors": ["x"]}})", "m.json",
      {"github.visibility_lag_s=" + run.model.at("github").at("visibility_lag_s").dump()}));
}

TEST_CASE("calibration brackets constant lags under API latency", "[integration][calibrate]") {
  // 10 ms each way: a write commits 10 ms into its create, a read snapshots 10
  // ms into its poll, so the create's and each poll's midpoints are the commit
  // and the snapshot. A poll that missed snapshotted before commit + lag, the
  // first hit at or after it, hence for every sample
  //   lower = miss sent - create received = miss snapshot - commit - 0.02 < lag,
  //   upper = hit received - create sent = hit snapshot - commit + 0.02 >= lag,
  // and the sample, the midpoint of the two snapshots' offsets, is within half
  // the snapshots' spacing of the lag: |sample - lag| <= (upper - lower) / 2 - 0.02.
  // With five markers at a time a round takes longer than P (each call costs
  // 20 ms), which the reported resolution shows.
  Run run(/*latency_s=*/0.01, calibration_options(/*samples=*/10, /*parallel=*/5));
  const real::Calibration& c = run.calibration;
  REQUIRE(c.fatal.empty());
  REQUIRE(c.stop_reason.empty());

  const auto check_path = [&](const char* path, double want) {
    INFO(path);
    const json& f = fit(run, path);
    REQUIRE(f.at("samples") == 10);
    CHECK(f.at("censored") == 0);
    const auto samples = run.model.at("empirical").at("github").at("visibility_lag_s").at(path).at("samples")
                             .get<std::vector<double>>();
    REQUIRE(samples.size() == 10);
    double widest = 0;
    for (std::size_t i = 0; i < samples.size(); ++i) {
      const double lower = f.at("bounds_s").at(i).at(0).get<double>();
      const double upper = f.at("bounds_s").at(i).at(1).get<double>();
      INFO("sample " << i << ": " << samples[i] << " in [" << lower << ", " << upper << "]");
      // Bounds and samples are written rounded to 0.1 ms.
      CHECK(lower <= want + 1e-4);
      CHECK(upper >= want - 1e-4);
      CHECK(std::abs(samples[i] - want) <= (upper - lower) / 2 - 0.02 + 2e-4);
      widest = std::max(widest, (upper - lower) / 2 - 0.02);
    }
    // The fitted median (a geometric mean of the samples) lies among them.
    CHECK(std::abs(lag(run, path).at("median").get<double>() - want) <= widest + 2e-4);
    CHECK(f.at("resolution_s").get<double>() >= 0.05);
  };
  check_path("list", kListLag);
  check_path("search", kSearchLag);
  check_path("refs", kRefsLag);

  // get is immediate: each first look, right after the create (and the ref's
  // create, 20 ms), sees the marker; the sample is half of that look's offset
  // from the create, under the resolution, so it is written as a constant.
  REQUIRE(lag(run, "get").is_number());
  CHECK(lag(run, "get").get<double>() < 0.05);
  CHECK(c.left_behind.empty());
  CHECK(run.model.at("calibration").at("complete") == true);
}
