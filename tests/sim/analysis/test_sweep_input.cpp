// Issue #15, sweep input: a corrupt shard or --vary never crashes, never
// surfaces "[json.exception...]" and never merges silently; errors name the
// file and the JSON pointer.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <spdlog/fmt/fmt.h>

#include "sim/analysis/sweep.hpp"
#include "sim/input/input_error.hpp"

using namespace coordsim::sim;
using Catch::Contains;
using Catch::StartsWith;
using nlohmann::json;

namespace {

const std::string kScenario = COORDSIM_SOURCE_DIR "/scenarios/seed-reproduction.json";

// Two shards of a 3 x 2 grid, as files would hold them (parsed from text).
const std::vector<json>& shards() {
  static const std::vector<json> parts = [] {
    std::vector<json> out;
    for (int k : {1, 2}) {
      SweepOptions o;
      o.scenario_path = kScenario;
      o.strategy = "seed-lowest";
      o.trials = 200;
      o.vary = {parse_vary("agent.post_create_wait_s=0:10:5"), parse_vary("agent.find_attempts=1,3")};
      o.shard = k;
      o.shards = 2;
      out.push_back(json::parse(run_sweep(o).dump()));
    }
    return out;
  }();
  return parts;
}

// The merge's error after `corrupt` edits shard 1 (named "one.json"; shard 2 is "two.json").
std::string merge_error(const std::function<void(json&)>& corrupt) {
  std::vector<json> parts = shards();
  corrupt(parts[0]);
  try {
    (void)merge_sweeps(parts, {"one.json", "two.json"});
  } catch (const InputError& e) {
    return e.what();
  }
  return "(merged)";
}

struct TempDir {
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "coordsim-sweep-input-XXXXXX").string();
    path = ::mkdtemp(pattern.data());
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::filesystem::path path;
};

}  // namespace

TEST_CASE("a --vary SPEC nested past the limit is refused", "[sweep][input][limits]") {
  // 100,000 nested arrays crashed sweep while it copied the values.
  const std::string deep = std::string(100'000, '[') + std::string(100'000, ']');
  REQUIRE_THROWS_WITH(parse_vary("description=" + deep),
                      StartsWith("--vary description=[[[") && Contains("SPEC nests deeper than 64 levels"));
  CHECK(parse_vary("description=" + std::string(64, '[') + std::string(64, ']')).values.size() == 1);
}

TEST_CASE("a --vary range near the largest double keeps its values", "[sweep][input][limits]") {
  // The values were rounded to nine decimals through x * 1e9, which is
  // infinite past 1.8e299: 1e300:1e300:1 became infinity, written as null.
  for (const double x : {1e299, 1.8e299, 2e299, 1e300, 1e308, 1.7976931348623157e308}) {
    const std::string spec = fmt::format("report.failures_per_year={0}:{0}:1", x);
    const Vary v = parse_vary(spec);
    REQUIRE(v.values.size() == 1);
    CHECK(v.values[0].get<double>() == x);
  }
  // Below that, rounding still removes the drift of 0.1 steps.
  CHECK(parse_vary("x=0:0.3:0.1").values.back().get<double>() == 0.3);
  CHECK(parse_vary("x=0:0.3:0.1").values.size() == 4);
}

TEST_CASE("a --vary that is not UTF-8 is refused", "[sweep][input]") {
  // Each value becomes a --set and a field of the sweep document, which
  // could not be written as JSON.
  REQUIRE_THROWS_WITH(parse_vary("name=a,b\xff" "c"),
                      "--vary name=a,b\\xffc: not valid UTF-8 at byte 9 (\\xff); a scenario's text is UTF-8");
  REQUIRE_THROWS_WITH(parse_vary("name=\xe2\x82"), Contains("not valid UTF-8 at byte 6 (\\xe2)"));
  CHECK(parse_vary("name=\xe2\x82\xac,b").values.size() == 2);  // the euro sign is UTF-8
}

TEST_CASE("merging corrupt shards names the file and the JSON pointer", "[sweep][input]") {
  CHECK(merge_error([](json&) {}) == "(merged)");
  // Were "[json.exception.type_error.302] ..." or "out_of_range" (exit 1):
  CHECK(merge_error([](json& s) { s["points"][0]["index"] = "0"; }) ==
        "one.json: /points/0/index: expected an integer >= 0, got \"0\"");
  CHECK(merge_error([](json& s) { s["points"][0]["metrics"]["duplicate_rate"]["value"] = "x"; }) ==
        "one.json: /points/0/metrics/duplicate_rate/value: expected a number, got \"x\"");
  CHECK(merge_error([](json& s) { s["points"][1]["metrics"].erase("cost_usd"); }) ==
        "one.json: /points/1/metrics/cost_usd: missing field (an object)");
  CHECK(merge_error([](json& s) { s["points"][0]["metrics"]["duplicate_rate"]["ci95"] = {0.1}; }) ==
        "one.json: /points/0/metrics/duplicate_rate/ci95: expected an array of 2 numbers");
  CHECK(merge_error([](json& s) { s.erase("points_total"); }) == "one.json: /points_total: missing field (an integer >= 0)");
  CHECK(merge_error([](json& s) { s["grid"] = 3; }) ==
        "one.json: /grid: expected an array of value lists, one per parameter, got 3");
  CHECK(merge_error([](json& s) { s["shard"]["k"] = 0; }) == "one.json: /shard/k: expected an integer in [1, 2], got 0");
  CHECK(merge_error([](json& s) { s["shard"] = "1/2"; }) ==
        "one.json: /shard: expected an object {\"k\": K, \"n\": N}, got \"1/2\"");
  CHECK(merge_error([](json& s) { s = json::array(); }) == "one.json: (root): expected a sweep document (an object)");
  // ... or merged without a word (exit 0):
  CHECK(merge_error([](json& s) { s["points"][0]["index"] = -2; }) ==
        "one.json: /points/0/index: expected an integer >= 0, got -2");
  CHECK(merge_error([](json& s) { s["points"][0]["index"] = 600; }) ==
        "one.json: /points/0/index: expected an integer in [0, 5], got 600");
  CHECK(merge_error([](json& s) { s["points"].push_back(s["points"][0]); }) ==
        "one.json: /points/3/index: point 0 appears twice; first in one.json at /points/0");
  CHECK(merge_error([](json& s) { s["points"][1]["index"] = 1; }) ==
        "one.json: /points/1/index: point 1 does not belong to shard 1/2 (its points have index % 2 == 0)");
  CHECK(merge_error([](json& s) { s["points"].erase(s["points"].begin()); }) ==
        "merge: point 0 of 6 is in no shard (shard 1/2 lacks it)");
  CHECK(merge_error([](json& s) { s["points"][1]["values"]["agent.find_attempts"] = 7; }) ==
        "one.json: /points/1/values/agent.find_attempts: expected 1, the grid's value at point 2, got 7");
  CHECK(merge_error([](json& s) { s["points_total"] = 7; }) == "one.json: /points_total: expected 6 (the grid's size), got 7");
  // Not the same sweep: named by the field, as before.
  CHECK_THAT(merge_error([](json& s) { s["trials_per_point"] = 5; }),
             StartsWith("two.json: /trials_per_point: differs from one.json"));
}

TEST_CASE("a shard file is read with the scenario loader's limits", "[sweep][input][limits]") {
  TempDir tmp;
  const auto write = [&](const std::string& name, const std::string& text) {
    const auto p = tmp.path / name;
    std::ofstream(p, std::ios::binary) << text;
    return p.string();
  };
  const std::string e400 = write("e400.json", "{\"points\": [],\n\"seed\": 1e400}");
  REQUIRE_THROWS_WITH(read_sweep_shard(e400), e400 + ": line 2, column 9: invalid JSON: the number 1e400 is out of range: "
                                                     "a number must be within +-1.8e308 (a double)");
  const std::string deep = write("deep.json", "{\"points\": " + std::string(200'000, '[') + std::string(200'000, ']') + "}");
  REQUIRE_THROWS_WITH(read_sweep_shard(deep), StartsWith(deep + ": line 1, column ") && Contains("nested deeper than 128 levels"));
  const std::string twice = write("twice.json", R"({"points": [], "seed": 1, "seed": 2})");
  REQUIRE_THROWS_WITH(read_sweep_shard(twice), twice + ": /seed: duplicate field (JSON keeps only the last; remove one)");
  const std::string other = write("other.json", R"({"name": "a scenario"})");
  REQUIRE_THROWS_WITH(read_sweep_shard(other), Contains("not a sweep document"));
  REQUIRE_THROWS_WITH(read_sweep_shard((tmp.path / "missing.json").string()), Contains("cannot open shard file"));
  const std::string good = write("good.json", shards()[0].dump());
  CHECK(read_sweep_shard(good) == shards()[0]);
}
