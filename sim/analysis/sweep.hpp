#pragma once
// Parameter sweeps: a grid of scenario overrides, every point run on the same
// trials (common random numbers: same seed, same trial indices), so differences
// between points are the parameters' doing and not noise. The sweep document
// (JSON) carries everything needed to merge shards back byte-for-byte.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace coordsim::sim {

// One `--vary PATH=SPEC`: SPEC is `start:stop:step` (inclusive of stop) or a
// comma list `a,b,c` (each JSON if it parses, else a string).
struct Vary {
  std::string path;
  std::vector<nlohmann::json> values;
};
// Throws InputError naming the --vary argument.
Vary parse_vary(const std::string& argument);

struct SweepOptions {
  std::string scenario_path;  // empty: the embedded seed reproduction
  std::vector<std::string> sets;
  std::vector<Vary> vary;
  std::string strategy;  // empty: the scenario's
  std::optional<std::int64_t> trials;
  std::optional<std::uint64_t> seed;
  int threads = 0;
  double target_duplicate_rate = 0.05;
  // "cheapest" (the default) or "lowest-p95": the least p95 decision latency
  // among the points under the target costing at most (1 + cost_tolerance) x
  // the cheapest of them.
  std::string recommendation_rule = "cheapest";
  double cost_tolerance = 0.10;
  int shard = 1;  // 1-based: this run does points with index % shards == shard - 1
  int shards = 1;
  // Called after each point (points done, points in this shard, trials/s).
  std::function<void(int, int, double)> progress;
};

// Runs the sweep (or its shard) and returns the sweep document.
nlohmann::json run_sweep(const SweepOptions& options);

// Parses "K/N" (1 <= K <= N). Throws InputError.
std::pair<int, int> parse_shard(const std::string& text);

// Reads one shard file (`coordsim sweep --shard K/N --json FILE`): at most
// kMaxShardBytes, JSON parsed with the scenario loader's limits (nesting,
// numbers, duplicate keys). Throws InputError naming the file and the place.
nlohmann::json read_sweep_shard(const std::string& path);

// A 100,000-point sweep (the grid's limit) writes about 200 MB unsplit
// (measured: 2 KB a point).
inline constexpr std::size_t kMaxShardBytes = std::size_t{256} << 20;

// Merges shard documents into the document the unsplit sweep would have
// produced. Validates every shard first: the fields the merge and the reports
// read, with their types; point indices in range, in their shard, each once
// over all shards; the values at each point those of the grid. Throws
// InputError "FILE: /json/pointer: expected ..., got ..." when a shard is
// malformed, when shards do not belong together, or when one is missing or
// repeated.
nlohmann::json merge_sweeps(const std::vector<nlohmann::json>& shards, const std::vector<std::string>& names);

// The latency-aware rule's cost tolerance when the cheapest rule names it as
// an alternative, and --cost-tolerance's default.
inline constexpr double kDefaultCostTolerance = 0.10;

// Throws InputError for a rule other than cheapest / lowest-p95 or a
// tolerance outside [0, 10].
void check_recommendation_rule(const std::string& name, double cost_tolerance);

// Marks the Pareto front (minimising duplicate rate, p95 decision latency and
// cost), picks the recommendation by the document's rule (saying which rule
// chose it, and what the latency-aware rule would choose instead), and adds
// the warnings: the choice on the grid's edge (recommendation.warnings), a
// parameter that changes nothing (warnings). Used by run_sweep and
// merge_sweeps (sim/analysis/sweep_advice.cpp).
void finish_sweep(nlohmann::json& sweep);

// The Markdown of a finished (not shard) sweep's recommendation, with its
// warnings and alternative; and of the sweep's own warnings ("" for none).
std::string recommendation_markdown(const nlohmann::json& sweep);
std::string sweep_warnings_markdown(const nlohmann::json& sweep);

std::string sweep_csv(const nlohmann::json& sweep);
std::string sweep_markdown(const nlohmann::json& sweep);

}  // namespace coordsim::sim
