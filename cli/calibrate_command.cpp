// `coordsim calibrate`: measure an API's visibility lag per read path. Creates
// marker issues (and refs with --refs), polls list, search and get (and the
// ref) until each marker shows, and writes the lags as a lag model in the
// scenario's `github.visibility_lag_s` shape. Closes what it made, also on
// Ctrl-C, and stays within --max-calls. The measurement and the fit are
// agent/real/calibration*.hpp; this file holds the options, the progress and
// the exit codes.
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "agent/github_types.hpp"
#include "agent/real/calibration.hpp"
#include "agent/real/calibration_model.hpp"
#include "agent/real/http_transport.hpp"
#include "agent/real/rest_client.hpp"
#include "agent/real/runtime.hpp"
#include "agent/real/token.hpp"
#include "cli/api_connection.hpp"
#include "cli/commands.hpp"
#include "cli/number_options.hpp"
#include "cli/progress.hpp"
#include "sim/input/input_error.hpp"

namespace coordsim::cli {

namespace {

namespace real = agent::real;
using agent::ReadPath;
using nlohmann::json;

constexpr int kExitInterrupted = 130;

struct CalibrateArgs {
  ApiConnectionArgs api;
  std::string repo;
  std::string out = "lag-model.json";
  bool refs = false;
  std::string paths = "list,search,get";
  real::CalibrationOptions calibration;  // all but `measure`, which --paths and --refs make
};

void print_summary(const json& fit) {
  std::printf("  %-7s %8s %9s %9s %7s %9s %9s %9s %9s\n", "path", "samples", "censored", "median", "sigma", "p50",
              "p90", "p95", "max");
  for (const auto& [name, f] : fit.items()) {
    if (f["samples"].get<int>() == 0) {
      std::printf("  %-7s %8d %9d   (never seen)\n", name.c_str(), 0, f["censored"].get<int>());
      continue;
    }
    std::printf("  %-7s %8d %9d %8.3fs %7.3f %8.3fs %8.3fs %8.3fs %8.3fs\n", name.c_str(), f["samples"].get<int>(),
                f["censored"].get<int>(), f["median_s"].get<double>(), f["sigma"].get<double>(),
                f["p50_s"].get<double>(), f["p90_s"].get<double>(), f["p95_s"].get<double>(),
                f["max_s"].get<double>());
  }
}

int run_calibrate(const CalibrateArgs& a) {
  // The token first: once read it is a secret, whatever error comes next.
  const ApiConnection connection = make_api_connection(a.api, 30.0);
  real::CalibrationOptions options = a.calibration;
  for (std::size_t pos = 0; pos <= a.paths.size();) {
    const auto comma = a.paths.find(',', pos);
    const std::string name = a.paths.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    pos = comma == std::string::npos ? a.paths.size() + 1 : comma + 1;
    if (name.empty()) continue;
    int path = 0;
    while (path < agent::kReadPathCount && name != agent::read_path_name(static_cast<ReadPath>(path))) ++path;
    if (path == agent::kReadPathCount || static_cast<ReadPath>(path) == ReadPath::refs)
      throw sim::InputError("--paths", "expected a list of list, search, get (refs: --refs), got '" + name + "'");
    options.measure[static_cast<std::size_t>(path)] = true;
  }
  if (a.refs) options.measure[real::path_index(ReadPath::refs)] = true;
  if (std::none_of(options.measure.begin(), options.measure.end(), [](bool b) { return b; }))
    throw sim::InputError("--paths", "expected at least one read path");
  if (a.repo.empty()) throw sim::InputError("--repo", "required: OWNER/NAME");
  real::RepoName repo;
  try {
    repo = real::parse_repo(a.repo, "--repo");
  } catch (const std::invalid_argument& e) {
    throw sim::InputError("", e.what());
  }
  if (options.label.empty() || options.label.find(',') != std::string::npos)
    throw sim::InputError("--label", "expected a label name without commas");

  real::Runtime runtime;
  std::unique_ptr<real::HttpTransport> transport_ptr;
  try {
    transport_ptr = std::make_unique<real::HttpTransport>(runtime.io(), connection.transport);
  } catch (const std::invalid_argument& e) {
    throw sim::InputError("", e.what());  // an unusable --ca-file
  }
  real::HttpTransport& transport = *transport_ptr;
  real::RestClient client(transport, repo);
  real::AsioClock clock(runtime);
  real::Calibration c(options, client, clock, real::random_run_id());
  c.on_wait = [](const std::string& text) { spdlog::info("{}", real::redact(text)); };
  // Markers created, for the progress line: a calibration waits minutes on GitHub's lag.
  std::atomic<std::int64_t> markers{0};
  c.on_marker = [&markers](int index, std::int64_t number) {
    markers.fetch_add(1, std::memory_order_relaxed);
    spdlog::debug("marker {} is #{}", index, number);
  };

  int signals = 0;
  runtime.on_signals([&](int) {
    ++signals;
    if (signals == 1) {
      print_stderr("coordsim calibrate: interrupted; closing the markers it made (Ctrl-C again to stop at once)");
      c.interrupted = true;
      clock.wake();
    } else {
      // Everything fails at once from here: the cleanup reports what is left.
      transport.expire("interrupted");
      clock.expire();
    }
  });

  std::printf("coordsim calibrate: %s on %s, run %s: %d markers, up to %lld API calls\n", repo.display().c_str(),
              connection.transport.base.display().c_str(), c.run_id.c_str(), options.samples,
              static_cast<long long>(options.max_calls));
  std::fflush(stdout);
  const agent::Time started = clock.now();
  auto measuring = real::measure_lags(c);
  {
    const Progress progress("calibrate", options.samples, "markers", &markers);
    real::run_task(runtime, measuring);
  }
  auto cleaning = real::clean_up(c);
  real::run_task(runtime, cleaning);
  runtime.stop_signals();
  const double wall_s = agent::to_seconds(clock.now() - started);

  if (!c.left_behind.empty()) {
    std::string list;
    for (const std::string& s : c.left_behind) list += (list.empty() ? "" : ", ") + s;
    print_stderr("coordsim calibrate: warning: could not clean up " + list + " in " + repo.display() +
                 "; close or delete them by hand");
  }
  if (c.interrupted) {
    print_stderr("coordsim calibrate: interrupted after " + std::to_string(c.markers.size()) +
                 " markers; no lag model written");
    return kExitInterrupted;
  }
  if (!c.fatal.empty()) {
    print_stderr("coordsim calibrate: error: " + c.fatal);
    return kExitFailure;
  }
  const json model = real::lag_model_json(c, connection.transport.base.display(), wall_s);
  write_file_atomically(a.out, real::redact(model.dump(2)) + "\n");
  print_summary(model["fit"]);
  std::printf("%lld API calls in %.1f s%s; lag model written to %s\n", static_cast<long long>(client.total_calls()),
              wall_s, c.stop_reason.empty() ? "" : (" (stopped early: " + c.stop_reason + ")").c_str(), a.out.c_str());
  return kExitOk;
}

}  // namespace

void add_calibrate_command(CLI::App& app, Action& action) {
  auto args = std::make_shared<CalibrateArgs>();
  CLI::App* cmd = app.add_subcommand(
      "calibrate",
      "Measure an API's visibility lag: create marker issues (and refs with --refs), poll list, search\n"
      "and get until each marker shows, and write the lags as a lag model (a lognormal per read path,\n"
      "plus the samples) in the scenario's github.visibility_lag_s shape. Closes what it made, also on\n"
      "Ctrl-C; stays within --max-calls and waits out rate limits. Needs `issues: write` (and\n"
      "`contents: write` for --refs). Details: docs/agent.md.\n\n"
      "Examples:\n"
      "  GITHUB_TOKEN=... coordsim calibrate --repo me/scratch --samples 30 --out lag-model.json\n"
      "  coordsim calibrate --api-url http://127.0.0.1:8080/api/v3 --repo me/demo --samples 100 \\\n"
      "                     --poll-interval 0.05 --search-interval 0.1 --parallel 20 --max-calls 20000\n"
      "  coordsim run scenarios/aprapipes-production.json \\\n"
      "      --set \"github.visibility_lag_s=$(python3 -c 'import json; print(json.dumps(json.load(open(\"lag-model.json\"))[\"github\"][\"visibility_lag_s\"]))')\"");
  add_api_connection_options(cmd, args->api);
  cmd->add_option("--repo", args->repo, "Repository OWNER/NAME to put the markers in (a scratch repository)")->required();
  cmd->add_option("--samples", args->calibration.samples,
                  "Marker issues to create (one lag sample per read path each)")
      ->transform(integer_in(1, 100000, range_description(1, 100000)))
      ->capture_default_str();
  cmd->add_option("--out", args->out, "Lag model file to write")->capture_default_str();
  cmd->add_option("--max-calls", args->calibration.max_calls,
                  "API calls at most, cleanup included: measuring stops early to leave enough to clean up")
      ->transform(integer_in(10, 10'000'000, range_description(std::int64_t{10}, std::int64_t{10'000'000})))
      ->capture_default_str();
  cmd->add_option("--poll-interval", args->calibration.poll_interval_s,
                  "Seconds between polls; the lag's resolution is about half of it")
      ->transform(number_in(0.001, 3600.0, range_description(0.001, 3600.0)))
      ->capture_default_str();
  cmd->add_flag("--refs", args->refs, "Also measure git refs (create a ref per marker; needs contents: write)");
  cmd->add_option("--paths", args->paths, "Read paths to measure: any of list, search, get")->capture_default_str();
  cmd->add_option("--search-interval", args->calibration.search_interval_s,
                  "Seconds between searches at least (GitHub allows 30 searches a minute)")
      ->transform(number_in(0.0, 3600.0, range_description(0.0, 3600.0)))
      ->capture_default_str();
  cmd->add_option("--parallel", args->calibration.parallel, "Markers being measured at once")
      ->transform(integer_in(1, 100, range_description(1, 100)))
      ->capture_default_str();
  cmd->add_option("--max-lag", args->calibration.max_lag_s,
                  "Seconds after which a marker not yet seen on a path counts as censored (left out of the fit)")
      ->transform(number_in(0.01, 86400.0, range_description(0.01, 86400.0)))
      ->capture_default_str();
  cmd->add_option("--label", args->calibration.label, "Label of the marker issues")->capture_default_str();
  cmd->callback([args, &action] { action = [args] { return run_calibrate(*args); }; });
}

}  // namespace coordsim::cli