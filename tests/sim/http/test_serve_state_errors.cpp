// A corrupt `coordsim serve --state` file is refused with the JSON pointer and
// what was expected, never with nlohmann's own words: before, a missing
// version read "x.json: /: invalid state: [json.exception.out_of_range.403]
// key 'version' not found" and an id given as a string "[json.exception.
// type_error.302] type must be number, but is string" (the reproducers
// tests/fuzz/regression/serve_state/bug-raw-message-*).
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <functional>
#include <string>

#include "sim/http/router.hpp"
#include "support/http_requests.hpp"
#include "sim/http/state_fields.hpp"
#include "sim/input/input_error.hpp"
#include "sim/input/scenario_loader.hpp"

using namespace coordsim;
using namespace coordsim::sim::http;
using nlohmann::json;
using namespace coordsim::test;

namespace {

// A state with one of every journal entry: label, create_issue, update_issue,
// comment, create_ref, content, blob.
const json& saved() {
  static const json state = [] {
    Router a(serve_scenario(), {});
    const auto at = [](double s) { return agent::from_seconds(s); };
    a.handle(req("POST", "/api/v3/repos/acme/widgets/labels", R"({"name":"lock","color":"fff"})"), at(0.5));
    a.handle(req("POST", "/api/v3/repos/acme/widgets/issues", R"({"title":"one","labels":["lock"]})"), at(1));
    a.handle(req("PATCH", "/api/v3/repos/acme/widgets/issues/1", R"({"state":"closed","body":"done"})"), at(2));
    a.handle(req("POST", "/api/v3/repos/acme/widgets/issues/1/comments", R"({"body":"c"})"), at(3));
    a.handle(req("POST", "/api/v3/repos/acme/widgets/git/refs", R"({"ref":"refs/x/y","sha":"1111111111111111111111111111111111111111"})"), at(4));
    a.handle(req("PUT", "/api/v3/repos/acme/widgets/contents/f", R"({"message":"m","content":"eA=="})"), at(5));
    a.handle(req("POST", "/api/v3/repos/acme/widgets/git/blobs", R"({"content":"hi"})"), at(5.5));
    a.handle(req("POST", "/api/v3/repos/acme/widgets/git/commits",
                 R"({"message":"m","tree":"4b825dc642cb6eb9a060e54bf8d69288fbee4904","parents":[]})"),
             at(5.7));
    return a.save_state(at(6));
  }();
  return state;
}

// The index in the journal of the first entry with this op.
std::size_t entry(const std::string& op) {
  const json& journal = saved()["repositories"][0]["journal"];
  for (std::size_t i = 0; i < journal.size(); ++i)
    if (journal[i]["op"] == op) return i;
  FAIL("no " << op << " entry in the journal");
  return 0;
}

std::string error_of(const std::function<void(json&)>& edit) {
  json state = saved();
  edit(state);
  Router r(serve_scenario(), {});
  try {
    r.load_state(state, "state.json");
  } catch (const sim::InputError& e) {
    return e.what();
  }
  return "(loaded)";
}

}  // namespace

TEST_CASE("a corrupt serve state names the JSON pointer and what was expected", "[http][state]") {
  REQUIRE(error_of([](json&) {}) == "(loaded)");
  for (const char* op : {"label", "create_issue", "update_issue", "comment", "create_ref", "content", "blob", "commit"}) {
    CAPTURE(op);
    CHECK(entry(op) < saved()["repositories"][0]["journal"].size());
  }

  // The reproducers.
  CHECK(error_of([](json& s) { s.erase("version"); }) == "state.json: missing \"version\"");
  CHECK(error_of([](json& s) { s["repositories"][0]["id"] = "1"; }) ==
        "state.json: /repositories/0/id: expected an integer, got string \"1\"");

  CHECK(error_of([](json& s) { s["version"] = 2; }) == "state.json: /version: unsupported state file version 2");
  CHECK(error_of([](json& s) { s["version"] = "1"; }) ==
        "state.json: /version: expected an integer, got string \"1\"");
  CHECK(error_of([](json& s) { s["clock_us"] = -1; }) ==
        "state.json: /clock_us: expected an integer from 0 to 2305843009213693952, got number -1");
  CHECK(error_of([](json& s) { s["clock_us"] = 1.5; }) ==
        "state.json: /clock_us: expected an integer from 0 to 2305843009213693952, got number 1.5");
  CHECK(error_of([](json& s) { s["repositories"] = json::object(); }) ==
        "state.json: /repositories: expected an array of repositories, got an object");
  CHECK(error_of([](json& s) { s["repositories"][0] = 7; }) ==
        "state.json: /repositories/0: expected an object, got number 7");
  CHECK(error_of([](json& s) { s["repositories"][0].erase("owner"); }) ==
        "state.json: /repositories/0: missing \"owner\"");
  CHECK(error_of([](json& s) { s["repositories"][0]["name"] = nullptr; }) ==
        "state.json: /repositories/0/name: expected a string, got null");
  // An id past 2^61 would overflow the next id; 2^64 - 1 read as -1 before.
  CHECK(error_of([](json& s) { s["repositories"][0]["id"] = 18446744073709551615ULL; }) ==
        "state.json: /repositories/0/id: expected an integer from 1 to 2305843009213693952, got number "
        "18446744073709551615");
  CHECK(error_of([](json& s) { s["repositories"][0]["journal"] = "x"; }) ==
        "state.json: /repositories/0/journal: expected an array of journal entries, got string \"x\"");

  const auto in_entry = [](const std::string& op, const std::function<void(json&)>& edit) {
    return error_of([&](json& s) { edit(s["repositories"][0]["journal"][entry(op)]); });
  };
  const auto at = [](const std::string& op) { return "state.json: /repositories/0/journal/" + std::to_string(entry(op)); };
  CHECK(in_entry("label", [](json& e) { e = json::array(); }) == at("label") + ": expected an object, got an array");
  CHECK(in_entry("label", [](json& e) { e.erase("op"); }) == at("label") + ": missing \"op\"");
  CHECK(in_entry("label", [](json& e) { e["op"] = "explode"; }) ==
        at("label") + "/op: unknown op \"explode\"; expected label, create_issue, update_issue, comment, "
                      "update_comment, delete_comment, create_ref, update_ref, delete_ref, blob, commit, content "
                      "or delete_content");
  CHECK(in_entry("label", [](json& e) { e["description"] = 3; }) ==
        at("label") + "/description: expected a string or null, got number 3");
  CHECK(in_entry("create_issue", [](json& e) { e["labels"] = {"a", 2}; }) ==
        at("create_issue") + "/labels/1: expected a string, got number 2");
  CHECK(in_entry("create_issue", [](json& e) { e["lags"] = {1, 2, 3}; }) ==
        at("create_issue") + "/lags: expected an array of 4 lags (microseconds), got an array");
  CHECK(in_entry("create_issue", [](json& e) { e["lags"][2] = -5; }) ==
        at("create_issue") + "/lags/2: expected an integer from 0 to 2305843009213693952, got number -5");
  CHECK(in_entry("create_issue", [](json& e) { e.erase("c"); }) == at("create_issue") + ": missing \"c\"");
  CHECK(in_entry("update_issue", [](json& e) { e["state"] = "merged"; }) ==
        at("update_issue") + "/state: expected \"open\" or \"closed\", got string \"merged\"");
  CHECK(in_entry("update_issue", [](json& e) { e["number"] = 0; }) ==
        at("update_issue") + "/number: expected an integer from 1 to 9223372036854775807, got number 0");
  CHECK(in_entry("comment", [](json& e) { e["body"] = json::object(); }) ==
        at("comment") + "/body: expected a string, got an object");
  // c + lag is a sum the model forms: both bounded, so it cannot overflow.
  CHECK(in_entry("create_ref", [](json& e) { e["lag"] = 9223372036854775807LL; }) ==
        at("create_ref") + "/lag: expected an integer from 0 to 2305843009213693952, got number 9223372036854775807");
  CHECK(in_entry("content", [](json& e) { e["path"] = true; }) ==
        at("content") + "/path: expected a string, got boolean true");
  CHECK(in_entry("blob", [](json& e) { e.erase("content_base64"); }) == at("blob") + ": missing \"content_base64\"");
  CHECK(in_entry("commit", [](json& e) { e["parents"] = {"a", 2}; }) ==
        at("commit") + "/parents/1: expected a string, got number 2");
  CHECK(in_entry("commit", [](json& e) { e["unix_s"] = -1; }) ==
        at("commit") + "/unix_s: expected an integer from 0 to 2305843009213693952, got number -1");
  CHECK(in_entry("commit", [](json& e) { e.erase("sha"); }) == at("commit") + ": missing \"sha\"");
  // What the entries mean is replay's to say, in its own words.
  CHECK(in_entry("commit", [](json& e) { e["message"] = "forged"; }) ==
        at("commit") + ": invalid state: commit whose sha is not its content's");
  CHECK(in_entry("comment", [](json& e) { e["number"] = 99; }) ==
        at("comment") + ": invalid state: comment on a missing issue");
}

TEST_CASE("no message about a state quotes nlohmann", "[http][state]") {
  // Every field of every entry replaced by values of each type: whatever the
  // verdict, never a library's words.
  const json& journal = saved()["repositories"][0]["journal"];
  const json values[] = {nullptr, true, -1, 1.5, "x", json::array(), json::object(), 18446744073709551615ULL};
  int refused = 0;
  for (std::size_t i = 0; i < journal.size(); ++i)
    for (const auto& [key, _] : journal[i].items())
      for (const json& v : values) {
        const std::string e = error_of([&](json& s) { s["repositories"][0]["journal"][i][key] = v; });
        CAPTURE(i, key, v.dump(), e);
        CHECK(e.find("json.exception") == std::string::npos);
        CHECK(e.find("type must be") == std::string::npos);
        refused += e != "(loaded)";
      }
  CHECK(refused > 100);
  CHECK(without_library_prefix("[json.exception.type_error.302] type must be number") == "type must be number");
  CHECK(without_library_prefix("update of a missing issue") == "update of a missing issue");
}
