#pragma once
// The sweep as the page needs it, read from the document run_sweep/merge_sweeps
// produce. Internal to sim/output/sweep_html*.cpp.
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace coordsim::sim::sweep_page {

struct Axis {
  std::string name;
  std::vector<std::string> labels;  // distinct values in grid order
  std::vector<double> numbers;      // their numeric values when `numeric`
  bool numeric = true;
  std::map<std::string, int> index_of;

  int find_or_add(const nlohmann::json& v);
};

struct Point {
  std::string index;
  std::vector<std::string> labels;  // per parameter
  std::vector<int> coord;           // per parameter, index into Axis::labels; -1: missing
  // cost: the total (LLM + runner) when the sweep prices runner time.
  std::optional<double> dup, dup_lo, dup_hi, miss, analyses, cost, cost_year, savings, p95, api;
  bool pareto = false;
  bool recommended = false;
};

struct Sweep {
  std::string scenario, strategy, trials, seed;
  std::optional<double> target;
  std::vector<Axis> axes;
  std::vector<Point> points;
  bool has_recommendation = false;
  std::string recommendation_reason;
  std::vector<std::string> recommendation_warnings;  // the choice on the grid's edge
  std::string alternative;  // "k=v, ...: reason" of the latency-aware rule's other choice
  std::vector<std::string> warnings;  // the sweep's own: a parameter that changes nothing
  std::vector<std::pair<std::string, std::string>> recommendation_values;
  std::string shard;  // "k/n" when the document is one shard of a sweep
  std::size_t points_total = 0;
  int next_id = 0;  // element ids must be unique across the page's SVGs
};

// Reads the document defensively: the page is often made from a file that
// another version of coordsim wrote, so nothing in it is trusted to be there.
Sweep read_sweep(const nlohmann::json& doc);

}  // namespace coordsim::sim::sweep_page
