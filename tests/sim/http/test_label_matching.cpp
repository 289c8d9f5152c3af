// One label rule for both fakes: the same label queries, in different case and
// with spaces, through `coordsim serve`'s router and through the simulator's
// GitHubModel::list_issues, list the same issues with the same label names.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "sim/http/query.hpp"
#include "sim/http/router.hpp"
#include "sim/input/scenario_loader.hpp"
#include "sim/model/github_model.hpp"

using namespace coordsim;
using nlohmann::json;

namespace {

sim::http::Request request(std::string method, std::string target, std::string body = {}) {
  sim::http::Request r;
  r.method = std::move(method);
  r.target = std::move(target);
  r.body = std::move(body);
  r.headers.push_back({"host", "127.0.0.1:9999"});
  r.remote = "127.0.0.1";
  return r;
}

struct Listing {
  std::vector<std::int64_t> numbers;
  std::vector<std::vector<std::string>> labels;
  bool operator==(const Listing&) const = default;
};

}  // namespace

TEST_CASE("label queries: router and model agree on case and spaces", "[http][labels]") {
  // serve-test.json: no latency, list lag 1 s.
  const sim::ScenarioFile scenario = sim::load_scenario_file(COORDSIM_SOURCE_DIR "/tests/data/serve-test.json");
  sim::http::Router router(scenario, {});
  sim::GitHubModel model;
  const std::vector<agent::NewIssue> issues = {
      {"one", "", {"Lock", "commit-a"}},  {"two", "", {"lock"}}, {"three", "", {"other"}},
      {"four", "", {"LOCK", "Commit-A"}}, {"five", "", {}},
  };
  for (std::size_t i = 0; i < issues.size(); ++i) {
    const agent::Time at = agent::from_seconds(static_cast<double>(i + 1));
    const json body = {{"title", issues[i].title}, {"labels", issues[i].labels}};
    REQUIRE(router.handle(request("POST", "/api/v3/repos/acme/widgets/issues", body.dump()), at).status == 201);
    model.create_issue(at, issues[i], {});
  }
  const agent::Time read_at = agent::from_seconds(100);

  const auto through_router = [&](const std::string& labels, const char* extra) {
    const auto r = router.handle(
        request("GET", "/api/v3/repos/acme/widgets/issues?labels=" + sim::http::percent_encode(labels) + extra),
        read_at);
    REQUIRE(r.status == 200);
    Listing out;
    for (const json& issue : json::parse(r.body)) {
      out.numbers.push_back(issue["number"].get<std::int64_t>());
      auto& names = out.labels.emplace_back();
      for (const json& l : issue["labels"]) names.push_back(l["name"].get<std::string>());
    }
    return out;
  };
  const auto through_model = [&](const std::string& labels, agent::SortDirection direction) {
    agent::ListIssuesQuery q;
    q.labels = labels;
    q.direction = direction;
    agent::IssuePage page;
    model.list_issues(read_at, q, page);
    Listing out;
    for (const agent::Issue& issue : page.issues) {
      out.numbers.push_back(issue.number);
      out.labels.push_back(issue.labels);
    }
    return out;
  };

  const std::vector<std::string> queries = {
      "lock",    "LOCK",       " Lock ",        "lock , commit-A", "LOCK,,COMMIT-a",
      "  other", "Other,lock", "missing",       "lock,missing",    "",
      ",",       " , ",        "commit-a,LoCk", "COMMIT-A",        "lock,lock,LOCK ",
  };
  for (const std::string& q : queries) {
    INFO("labels=\"" << q << "\"");
    const Listing served = through_router(q, "");
    CHECK(served == through_model(q, agent::SortDirection::desc));
    CHECK(through_router(q, "&direction=asc") == through_model(q, agent::SortDirection::asc));
  }
  // What the two agree on is GitHub's behaviour, not an accident of both.
  CHECK(through_router("lock", "").numbers == std::vector<std::int64_t>{4, 2, 1});
  CHECK(through_router(" LOCK , Commit-A ", "").numbers == std::vector<std::int64_t>{4, 1});
  CHECK(through_router("lock", "").labels.front() == std::vector<std::string>{"Lock", "commit-a"});
}
