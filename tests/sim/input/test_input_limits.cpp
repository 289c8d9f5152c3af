// Issue #15, input side: no scenario text crashes a load, exhausts memory,
// surfaces a library's own message or silently changes the answer; every
// refusal names the file and the place. Each case here crashed, printed
// "[json.exception...]" or was accepted before (see tests/fuzz/regression/).
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "sim/input/input_error.hpp"
#include "sim/input/json_text.hpp"
#include "sim/input/scenario_loader.hpp"

namespace {

using Catch::Contains;
using Catch::StartsWith;
using coordsim::sim::InputError;
using coordsim::sim::load_scenario_file;
using coordsim::sim::load_scenario_text;
using coordsim::sim::ScenarioFile;

ScenarioFile load(const std::string& text, const std::vector<std::string>& sets = {}) {
  return load_scenario_text(text, "x.json", sets);
}

std::string with(const std::string& member) {
  return R"({"name": "m", "workload": {"flavors": ["a", "b"]}, )" + member + "}";
}

std::string error_of(const std::string& text, const std::vector<std::string>& sets = {}) {
  try {
    (void)load(text, sets);
  } catch (const InputError& e) {
    return e.what();
  }
  return "(accepted)";
}

std::string nested(int levels, const std::string& inner = "") {
  return std::string(static_cast<std::size_t>(levels), '[') + inner + std::string(static_cast<std::size_t>(levels), ']');
}

std::string mixture(int levels) {
  std::string m = "1";
  for (int i = 0; i < levels; ++i) m = R"({"dist":"mixture","weights":[1],"components":[)" + m + "]}";
  return m;
}

// A directory of the test's own, removed at the end.
struct TempDir {
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "coordsim-input-limits-XXXXXX").string();
    path = ::mkdtemp(pattern.data());
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::filesystem::path path;
};

}  // namespace

TEST_CASE("JSON nested past the limit is refused before a document is built", "[limits][input]") {
  // 120,000 levels overflowed the stack in every command that loads a scenario.
  const std::string deep = with(R"("description": )" + nested(120'000));
  const auto started = std::chrono::steady_clock::now();
  CHECK_THAT(error_of(deep), StartsWith("x.json: line 1, column ") &&
                                 Contains("invalid JSON: nested deeper than 64 levels"));
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(2));
  // The root is level 1: 63 arrays under "description" reach level 64.
  CHECK_THAT(error_of(with(R"("description": )" + nested(63))), Contains("/description: expected a string"));
  CHECK_THAT(error_of(with(R"("description": )" + nested(64))), Contains("nested deeper than 64 levels"));
  // Brackets inside strings are text, not nesting.
  CHECK(load(with(R"("description": ")" + std::string(1000, '[') + "\"")).description.size() == 1000);
}

TEST_CASE("a number out of a double's range is an input error with its line and column", "[limits][input]") {
  // It used to end in "[json.exception.out_of_range.406] number overflow parsing '1e400'", exit 1.
  CHECK(error_of("{\"name\": \"m\",\n \"seed\": 1e400, \"workload\": {\"flavors\": [\"a\"]}}") ==
        "x.json: line 2, column 10: invalid JSON: the number 1e400 is out of range: a number must be within "
        "+-1.8e308 (a double)");
  CHECK_THAT(error_of(with(R"("trials": -2e999)")), Contains("the number -2e999 is out of range"));
  // A 400-digit integer is no double either.
  CHECK_THAT(error_of(with(R"("seed": )" + std::string(400, '9'))), Contains("is out of range"));
  // Underflow is not an error: 1e-400 reads as 0, as nlohmann reads it.
  CHECK(load(R"({"name": "m", "workload": {"flavors": ["a"], "start_stagger_s": 1e-400}})").workload.start_stagger_s == 0);
  // In a string it is text.
  CHECK(load(with(R"("description": "1e400")")).description == "1e400");
}

TEST_CASE("a --set value or path nested past the limit is refused; an out-of-range number names the --set",
          "[limits][input]") {
  CHECK_THAT(error_of(std::string(R"({"name": "m", "workload": {"flavors": ["a"]}})"),
                      {"description=" + nested(100'000)}),
             StartsWith("--set description=[[[[") && Contains("PATH and VALUE together nest deeper than 64 levels"));
  std::string path = "a";
  for (int i = 0; i < 100; ++i) path += ".a";
  CHECK_THAT(error_of(R"({"name": "m", "workload": {"flavors": ["a"]}})", {path + "=1"}),
             Contains("nest deeper than 64 levels"));
  CHECK_THAT(error_of(R"({"name": "m", "workload": {"flavors": ["a"]}})", {"seed=1e400"}),
             StartsWith("--set seed=1e400: ") && Contains("the number 1e400 is out of range"));
  // Where the schema wants a string, the text stays the string it always was.
  CHECK(load(R"({"name": "m", "workload": {"flavors": ["a"]}})", {"name=1e400"}).name == "1e400");
}

TEST_CASE("text that is not UTF-8 is refused where it enters, naming the place", "[limits][input][utf8]") {
  const std::string base = R"({"name": "m", "workload": {"flavors": ["a"]}})";
  // A --set string passed validation and made --json, --trace and --shrink
  // fail later with "[json.exception.type_error.316] invalid UTF-8 byte" (exit 1).
  CHECK(error_of(base, {"name=\xff"}) ==
        "--set name=\\xff: /name: the value is not valid UTF-8 at byte 1 (\\xff); a scenario's text is UTF-8");
  CHECK(error_of(base, {"workload.flavors.0=linux\xe2"}) ==
        "--set workload.flavors.0=linux\\xe2: /workload/flavors/0: the value is not valid UTF-8 at byte 6 (\\xe2); "
        "a scenario's text is UTF-8");
  CHECK(error_of(base, {"workload.flavors.-=\xed\xa0\x80"}) ==  // a surrogate, as CESU-8 writes it
        "--set workload.flavors.-=\\xed\\xa0\\x80: /workload/flavors/-: the value is not valid UTF-8 at byte 1 "
        "(\\xed); a scenario's text is UTF-8");
  CHECK(error_of(base, {"description=\xc0\xaf"}) ==  // an overlong '/'
        "--set description=\\xc0\\xaf: /description: the value is not valid UTF-8 at byte 1 (\\xc0); a scenario's "
        "text is UTF-8");
  CHECK(error_of(base, {"na\xffme=1"}) ==
        "--set na\\xffme=1: PATH is not valid UTF-8 at byte 3 (\\xff); names in a scenario are UTF-8");
  // In JSON as well as as text.
  CHECK_THAT(error_of(base, {"description=\"\xff\""}), Contains("/description: the value is not valid UTF-8 at byte 2"));
  // UTF-8 is fine, four-byte sequences included.
  CHECK(load(base, {"name=\xe6\x97\xa5\xf0\x9f\x99\x82"}).name == "\xe6\x97\xa5\xf0\x9f\x99\x82");

  // A scenario file: nlohmann refused these too, but quoted the raw byte; now
  // the line, column and pointer say where.
  CHECK(error_of("{\"name\": \"m\",\n \"workload\": {\"flavors\": [\"a\", \"b\xff\"]}}") ==
        "x.json: line 2, column 34 (in /workload/flavors/1): not valid UTF-8 at byte 48 (\\xff); JSON text must "
        "be UTF-8");
  CHECK(error_of("{\"name\": \"m\xe2\x82\", \"workload\": {\"flavors\": [\"a\"]}}") ==
        "x.json: line 1, column 12 (in /name): not valid UTF-8 at byte 12 (\\xe2); JSON text must be UTF-8");
  CHECK_THAT(error_of("{\"name\": \"m\", \"x\xff\": 1, \"workload\": {\"flavors\": [\"a\"]}}"),
             StartsWith("x.json: line 1, column 17: not valid UTF-8 at byte 17"));  // in a key of the root
  CHECK_THAT(error_of("\xff{}"), StartsWith("x.json: line 1, column 1: not valid UTF-8 at byte 1"));
}

TEST_CASE("mixtures nest at most 8 deep", "[limits][input][distribution]") {
  const auto jitter = [](const std::string& d) {
    return R"({"name": "m", "workload": {"flavors": ["a"], "start_jitter_s": )" + d + "}}";
  };
  CHECK_NOTHROW(load(jitter(mixture(8))));
  CHECK_THAT(error_of(jitter(mixture(9))),
             StartsWith("x.json: /workload/start_jitter_s/components/0/components/0/components/0/components/0/"
                        "components/0/components/0/components/0/components/0: mixtures nest deeper than 8 levels"));
  // 5,000 levels: schema-valid, and the validator took 4 GB and a segfault
  // (measured); now the nesting limit refuses the text at once.
  const auto started = std::chrono::steady_clock::now();
  CHECK_THAT(error_of(jitter(mixture(5000))), Contains("nested deeper than 64 levels"));
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(2));
}

TEST_CASE("a scenario file is read up to 16 MiB, never more", "[limits][input]") {
  TempDir tmp;
  const auto big = tmp.path / "big.json";
  {
    std::ofstream out(big, std::ios::binary);
    out << R"({"name": "m", "workload": {"flavors": ["a"]}, "description": ")";
    out << std::string(coordsim::sim::kMaxInputBytes, 'x') << "\"}";
  }
  CHECK_THROWS_WITH(load_scenario_file(big.string()),
                    StartsWith(big.string() + ": the scenario file is larger than 16 MiB"));
  // A character device never ends: `run` on /dev/zero read until std::bad_alloc.
  // A scratch node of the test's own (major 1, minor 5 is /dev/zero's).
  const auto zero = tmp.path / "zero";
  if (::mknod(zero.c_str(), S_IFCHR | 0600, makedev(1, 5)) != 0) {
    WARN("cannot make a character device here (not root?): the /dev/zero case is not run");
    return;
  }
  const auto started = std::chrono::steady_clock::now();
  CHECK_THROWS_WITH(load_scenario_file(zero.string()), Contains("is larger than 16 MiB"));
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(5));
}

TEST_CASE("a long list of flavors is refused at once, and duplicates found in n log n", "[limits][input]") {
  // valijson's uniqueItems compares every pair: 20,000 names took 48 s,
  // 200,000 did not finish in 2 minutes (measured), before maxItems was looked at.
  const auto flavors = [](int n, bool repeat_last) {
    nlohmann::json names = nlohmann::json::array();
    for (int i = 0; i < n; ++i) names.push_back("f" + std::to_string(i));
    if (repeat_last) names.back() = "f0";
    return nlohmann::json{{"name", "m"}, {"workload", {{"flavors", names}}}}.dump();
  };
  const auto started = std::chrono::steady_clock::now();
  CHECK(error_of(flavors(200'000, false)) ==
        "x.json: /workload/flavors: expected a non-empty array of unique non-empty strings (at most 10000), got "
        "200000 items");
  CHECK(load(flavors(10'000, false)).workload.flavors.size() == 10'000);
  CHECK_THAT(error_of(flavors(10'000, true)), StartsWith("x.json: /workload/flavors/9999: duplicate of /workload/flavors/0"));
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(5));
}

TEST_CASE("the limits section sets the trial's limits, which may be lowered, not raised", "[limits][input]") {
  const ScenarioFile defaults = load(with(R"("seed": 1)"));
  CHECK(defaults.limits.max_events == 10'000'000);
  CHECK(defaults.limits.horizon == std::chrono::seconds(10'000'000'000));
  const ScenarioFile s = load(with(R"("limits": {"max_events_per_trial": 5000, "horizon_s": 3600.5})"));
  CHECK(s.limits.max_events == 5000);
  CHECK(s.limits.horizon == std::chrono::microseconds(3'600'500'000));
  CHECK_THAT(error_of(with(R"("limits": {"max_events_per_trial": 10000001})")),
             StartsWith("x.json: /limits/max_events_per_trial: expected an integer in [1, 1e7]"));
  CHECK_THAT(error_of(with(R"("limits": {"horizon_s": 0})")), StartsWith("x.json: /limits/horizon_s: expected a number > 0"));
  CHECK_THAT(error_of(with(R"("limits": {"horizon_s": 2e10})")), StartsWith("x.json: /limits/horizon_s: expected"));
  CHECK_THAT(error_of(with(R"("limits": {"max_event_per_trial": 5})")), Contains("did you mean \"max_events_per_trial\"?"));
}

TEST_CASE("time parameters of distributions are capped like plain times", "[limits][input][distribution]") {
  const auto jitter = [](const std::string& d) {
    return R"({"name": "m", "workload": {"flavors": ["a"], "start_jitter_s": )" + d + "}}";
  };
  struct Case {
    const char* dist;
    const char* where;
  };
  // Each was accepted and then saturated or overflowed in the engine.
  const Case cases[] = {
      {"2e9", "/workload/start_jitter_s"},
      {R"({"dist":"constant","value":2e9})", "/workload/start_jitter_s/value"},
      {R"({"dist":"uniform","min":0,"max":1e300})", "/workload/start_jitter_s/max"},
      {R"({"dist":"empirical","samples":[1,2e9]})", "/workload/start_jitter_s/samples/1"},
      {R"({"dist":"normal","mean":2e9,"sd":1})", "/workload/start_jitter_s/mean"},
      {R"({"dist":"normal","mean":1,"sd":2e9})", "/workload/start_jitter_s/sd"},
      {R"({"dist":"exponential","mean":2e9})", "/workload/start_jitter_s/mean"},
      {R"({"dist":"lognormal","median":2e9,"sigma":1})", "/workload/start_jitter_s/median"},
      {R"({"dist":"lognormal","median":1,"sigma":1e6})", "/workload/start_jitter_s/sigma"},
      {R"({"dist":"mixture","weights":[1],"components":[3e9]})", "/workload/start_jitter_s/components/0"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.dist);
    CHECK_THAT(error_of(jitter(c.dist)), StartsWith(std::string("x.json: ") + c.where + ": expected a number"));
  }
  CHECK_THAT(error_of(jitter(R"({"dist":"lognormal","median":1,"sigma":6})")), Contains("in [0, 5], got 6"));
  CHECK_NOTHROW(load(jitter(R"({"dist":"lognormal","median":1e9,"sigma":5})")));
  CHECK_NOTHROW(load(jitter(R"({"dist":"uniform","min":0,"max":1e9})")));
  // Plain times, and the counts that share the schema's distribution.
  CHECK_THAT(error_of(with(R"("agent": {"lease": {"ttl_s": 1e12}})")), StartsWith("x.json: /agent/lease/ttl_s: expected"));
  CHECK_THAT(error_of(with(R"("llm": {"tokens_in": 1e12})")), StartsWith("x.json: /llm/tokens_in: expected"));
}

TEST_CASE("sums of capped times past the horizon are refused, naming both places", "[limits][input]") {
  // 10,000 flavors staggered by 1e9 s: each value within its cap, the last
  // start 1e13 s in.
  CHECK(error_of(R"({"name": "m", "workload": {"flavors": 10000, "start_stagger_s": 1e9}})") ==
        "x.json: /workload/start_stagger_s: the last flavor's start, (flavors - 1) x start_stagger_s with 10000 "
        "flavors (/workload/flavors), adds up to 9.999e+12 s, past the trial's horizon of 1e+10 s (/limits/horizon_s)");
  // A lowered horizon counts.
  CHECK_THAT(error_of(R"({"name": "m", "workload": {"flavors": 3, "start_stagger_s": 60}, "limits": {"horizon_s": 100}})"),
             Contains("adds up to 120 s, past the trial's horizon of 100 s"));
  CHECK_THAT(error_of(with(R"("agent": {"find_attempts": 2000000000, "retry_delays_s": [1e9]})")),
             StartsWith("x.json: /agent/retry_delays_s: find_attempts (/agent/find_attempts) x the longest retry delay"));
  // workload.rerun: validated where it is written.
  CHECK_THAT(error_of(R"({"name": "m", "workload": {"flavors": 2, "rerun": {"probability": 2}}})"),
             StartsWith("x.json: /workload/rerun/probability: expected a number in [0, 1]"));
  CHECK_THAT(error_of(R"({"name": "m", "workload": {"flavors": 2, "rerun": {"after_s": -1}}})"),
             StartsWith("x.json: /workload/rerun/after_s:"));
  CHECK_THAT(error_of(R"({"name": "m", "workload": {"flavors": 2, "rerun": {"when": 1}}})"),
             Contains("unknown field"));
  // The read-back is bounded by the decision's wait budget, not a count: the count is gone.
  CHECK_THAT(error_of(with(R"("agent": {"ref_lock": {"read_back_attempts": 60}})")), Contains("read_back_attempts"));
  CHECK_THAT(error_of(with(R"("agent": {"scan_down": {"horizon": 1000000, "not_visible_attempts": 100000}})")),
             StartsWith("x.json: /agent/scan_down/not_visible_retry_s: horizon (/agent/scan_down/horizon)"));
  CHECK_THAT(error_of(with(R"("agent": {"lease": {"max_generations": 1000, "ttl_s": 1e9}})")),
             StartsWith("x.json: /agent/lease/ttl_s: max_generations"));
  CHECK_NOTHROW(load(R"({"name": "m", "workload": {"flavors": 11, "start_stagger_s": 1e9}})"));
}

TEST_CASE("prices and yearly figures are bounded so every cost is a finite number", "[limits][input]") {
  // 1e308 $/M printed "$inf" and "savings -nan%".
  CHECK_THAT(error_of(with(R"("llm": {"usd_per_million_in": 1e308})")),
             StartsWith("x.json: /llm/usd_per_million_in: expected a number in [0, 1e6], got 1e+308"));
  CHECK_THAT(error_of(with(R"("llm": {"usd_per_million_out": 1e7})")), StartsWith("x.json: /llm/usd_per_million_out"));
  CHECK_THAT(error_of(with(R"("report": {"failures_per_year": 1e300})")), StartsWith("x.json: /report/failures_per_year"));
  CHECK_NOTHROW(load(with(R"("llm": {"usd_per_million_in": 1e6, "tokens_in": 1e9})")));
}

TEST_CASE("an integral number is an integer, as JSON Schema has it", "[input]") {
  // "trials": 1.0 was refused though the published schema accepts it.
  CHECK(load(with(R"("trials": 1.0)")).trials == 1);
  CHECK(load(with(R"("seed": 1e19)")).seed == 10'000'000'000'000'000'000u);
  CHECK(load(R"({"name": "m", "workload": {"flavors": 3.0}})").workload.flavors.size() == 3);
  CHECK(load(with(R"("agent": {"find_attempts": 5.0})")).protocol.seed.find_attempts == 5);
  CHECK_THAT(error_of(with(R"("trials": 1.5)")), StartsWith("x.json: /trials: expected an integer in [1, "));
  CHECK_THAT(error_of(with(R"("agent": {"find_attempts": 3e9})")), StartsWith("x.json: /agent/find_attempts: expected an integer in [1, 2147483647]"));
}

TEST_CASE("a key or metric that differs only in case gets a suggestion", "[input]") {
  CHECK_THAT(error_of(with(R"("TRIALS": 5)")), Contains("/TRIALS: unknown field; did you mean \"trials\"?"));
  CHECK_THAT(error_of(with(R"("agent": {"POST_CREATE_WAIT_S": 5})")),
             Contains("/agent/POST_CREATE_WAIT_S: unknown field; did you mean \"post_create_wait_s\"?"));
  CHECK_THAT(error_of(with(R"("agent": {"strategy": "SEED-LOWEST"})")), Contains("did you mean \"seed-lowest\"?"));
  CHECK_THAT(error_of(with(R"("expect": {"DUPLICATE_RATE": {"max": 0.1}})")),
             Contains("/expect/DUPLICATE_RATE: unknown metric \"DUPLICATE_RATE\"; did you mean \"duplicate_rate\"?"));
  CHECK_THAT(error_of(with(R"("expect": {"duplicate_rat": {"max": 0.1}})")), Contains("did you mean \"duplicate_rate\"?"));
}
