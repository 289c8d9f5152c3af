// `coordsim sweep` and `coordsim merge`: parameter grids, Pareto fronts,
// recommendations; sweeps split into shards and merged back.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include <spdlog/fmt/fmt.h>

#include "cli/commands.hpp"
#include "cli/progress.hpp"
#include "cli/number_options.hpp"
#include "cli/terminal_text.hpp"
#include "sim/analysis/sweep.hpp"
#include "sim/input/input_error.hpp"
#include "sim/output/sweep_html.hpp"

namespace coordsim::cli {

namespace {

struct Outputs {
  std::string json_path, csv_path, markdown_path, html_path;

  void add_to(CLI::App* cmd) {
    cmd->add_option("--json", json_path, "Write the sweep document as JSON to FILE ('-' for stdout)");
    cmd->add_option("--csv", csv_path, "Write a tidy CSV, one row per point, to FILE");
    cmd->add_option("--markdown", markdown_path, "Write a Markdown report to FILE (e.g. $GITHUB_STEP_SUMMARY)");
    cmd->add_option("--html", html_path, "Write a self-contained HTML report with SVG charts to FILE");
  }
  void write(const nlohmann::json& sweep) const {
    if (!json_path.empty()) write_file_atomically(json_path, json_text(sweep));
    if (!csv_path.empty()) write_file_atomically(csv_path, sim::sweep_csv(sweep));
    if (!html_path.empty()) write_file_atomically(html_path, sim::sweep_html(sweep));
    if (!markdown_path.empty()) write_file_atomically(markdown_path, sim::sweep_markdown(sweep));
    if (json_path != "-" && markdown_path != "-") print_text(sim::sweep_markdown(sweep));
  }
};

struct SweepArgs {
  std::string scenario;
  std::vector<std::string> vary;
  std::vector<std::string> sets;
  std::string strategy;
  std::optional<std::int64_t> trials;
  std::optional<std::uint64_t> seed;
  int threads = 0;
  double target = 0.05;
  std::string rule = "cheapest";
  double cost_tolerance = sim::kDefaultCostTolerance;
  std::string shard;
  Outputs outputs;
};

int sweep(const SweepArgs& a) {
  sim::SweepOptions o;
  o.scenario_path = a.scenario;
  o.sets = a.sets;
  // parse_vary's values are finite (1e300:1e300:1 is 1e300, which the schema
  // then judges like any --set).
  for (const std::string& v : a.vary) o.vary.push_back(sim::parse_vary(v));
  o.strategy = a.strategy;
  o.trials = a.trials;
  o.seed = a.seed;
  o.threads = a.threads;
  o.target_duplicate_rate = a.target;
  o.recommendation_rule = a.rule;
  o.cost_tolerance = a.cost_tolerance;
  if (!a.shard.empty()) std::tie(o.shard, o.shards) = sim::parse_shard(a.shard);
  // Progress for people at a terminal; CI logs (stderr not a terminal) stay quiet.
  if (::isatty(STDERR_FILENO) && !progress_quiet()) {
    const auto started = std::chrono::steady_clock::now();
    o.progress = [started](int done, int total, double trials_per_s) {
      const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      const double eta = done > 0 ? elapsed / done * (total - done) : 0;
      std::fprintf(stderr, "\rpoint %d/%d  %.0f trials/s  ETA %.0f s   %s", done, total, trials_per_s, eta,
                   done == total ? "\n" : "");
    };
  }
  // A CI log gets cli/progress's line every 30 s instead.
  std::optional<Progress> log_progress;
  if (!::isatty(STDERR_FILENO)) log_progress.emplace("sweep", 0);
  auto result = sim::run_sweep(o);
  log_progress.reset();
  a.outputs.write(result);
  return kExitOk;
}

struct MergeArgs {
  std::vector<std::string> shards;
  Outputs outputs;
};

int merge(const MergeArgs& a) {
  std::vector<nlohmann::json> docs;
  for (const std::string& path : a.shards) docs.push_back(sim::read_sweep_shard(path));
  a.outputs.write(sim::merge_sweeps(docs, a.shards));
  return kExitOk;
}

}  // namespace

void add_sweep_commands(CLI::App& app, Action& action) {
  auto args = std::make_shared<SweepArgs>();
  CLI::App* cmd = app.add_subcommand(
      "sweep",
      "Run a scenario over a grid of one to three parameters, every point on the same trials, and\n"
      "report each point's metrics, the Pareto front (duplicate rate, p95 decision latency, cost)\n"
      "and the recommended point: by default the cheapest whose duplicate-rate upper 95% bound is\n"
      "under the target (--recommend lowest-p95 trades a little cost for latency).\n\n"
      "SPEC is start:stop:step (stop included) or a list a,b,c (JSON values allowed: [1,2],[2,4]).\n\n"
      "Examples:\n"
      "  coordsim sweep scenarios/tuning-seed.json --vary agent.post_create_wait_s=0:30:5\n"
      "  coordsim sweep scenarios/tuning-seed.json --strategy seed-lowest --vary agent.find_attempts=1:4:1 \\\n"
      "      --vary agent.post_create_wait_s=1,5,10 --recommend lowest-p95 --html sweep.html --csv sweep.csv\n"
      "  coordsim sweep scenarios/tuning-seed.json --vary agent.post_create_wait_s=0:30:5 --shard 2/4 \\\n"
      "      --json part2.json   # then: coordsim merge part*.json");
  cmd->add_option("scenario", args->scenario, "Scenario JSON file")->required()->check(CLI::ExistingFile);
  cmd->add_option("--vary", args->vary, "PATH=SPEC: a parameter to vary (1 to 3)")->required()->type_name("PATH=SPEC");
  cmd->add_option("--trials,-n", args->trials, "Trials per point (default: the scenario's `trials`)")
      ->transform(trial_count());
  cmd->add_option("--seed,-s", args->seed, "RNG seed (default: the scenario's)")->transform(any_uint64());
  cmd->add_option("--threads,-j", args->threads, "Worker threads (default: all cores); results do not depend on it")
      ->transform(integer_in(0, 1024, range_description(0, 1024)));
  cmd->add_option("--set", args->sets, "Override a scenario value at every point")->type_name("PATH=VALUE");
  cmd->add_option("--strategy", args->strategy, "Protocol, overriding agent.strategy");
  cmd->add_option("--target-duplicate-rate", args->target,
                  "Recommend the cheapest point whose duplicate-rate upper 95% bound is under this")
      ->transform(number_in(0.0, 1.0, range_description(0.0, 1.0)))
      ->capture_default_str();
  cmd->add_option("--recommend", args->rule,
                  "Rule choosing the recommendation among the points under the target: cheapest (least cost) or\n"
                  "lowest-p95 (least p95 decision latency among those within --cost-tolerance of the cheapest)")
      ->check(CLI::IsMember({"cheapest", "lowest-p95"}))
      ->capture_default_str();
  cmd->add_option("--cost-tolerance", args->cost_tolerance,
                  "For --recommend lowest-p95: how much more than the cheapest a point may cost, as a fraction")
      ->transform(number_in(0.0, 10.0, range_description(0.0, 10.0)))
      ->capture_default_str();
  cmd->add_option("--shard", args->shard, "K/N: run only the K-th of N deterministic slices of the grid");
  args->outputs.add_to(cmd);
  cmd->callback([args, &action] { action = [args] { return sweep(*args); }; });

  auto margs = std::make_shared<MergeArgs>();
  CLI::App* m = app.add_subcommand(
      "merge",
      "Merge the shard documents of one sweep (coordsim sweep --shard K/N --json FILE) into what\n"
      "the unsplit sweep would have written, byte for byte.");
  m->add_option("shards", margs->shards, "Shard JSON files, every K of N once")->required()->check(CLI::ExistingFile);
  margs->outputs.add_to(m);
  m->callback([margs, &action] { action = [margs] { return merge(*margs); }; });
}

}  // namespace coordsim::cli
