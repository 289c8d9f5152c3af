// `coordsim audit`: after a real matrix run, what happened — per failure
// signature, who analyzed, duplicates, misses, leftover locks, legs that never
// decided — read back from the API (agent/real/audit_reader.*) and the legs'
// decision.json files; with --scenario, whether the counts over the audited
// runs fall inside the simulator's 95% interval.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "agent/protocol.hpp"
#include "agent/real/audit.hpp"
#include "agent/real/audit_reader.hpp"
#include "agent/real/audit_report.hpp"
#include "agent/real/http_transport.hpp"
#include "agent/real/rest_client.hpp"
#include "agent/real/runtime.hpp"
#include "cli/api_connection.hpp"
#include "cli/commands.hpp"
#include "cli/terminal_text.hpp"
#include "sim/engine/run_trials.hpp"
#include "sim/input/input_error.hpp"
#include "sim/input/scenario_loader.hpp"

namespace coordsim::cli {

namespace {

namespace real = agent::real;
namespace fs = std::filesystem;

struct AuditArgs {
  ApiConnectionArgs api;
  std::string repo;
  std::vector<std::string> commits;
  std::string decisions;
  std::string scenario;
  std::vector<std::string> sets;
  std::string strategy;
  std::string label = "autonomous-coordination";
  std::string json_path;
  std::string markdown_path;
};

std::vector<real::LegRecord> load_decisions(const std::string& dir, std::vector<std::string>& files) {
  std::vector<fs::path> paths;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    if (it->is_regular_file() && it->path().extension() == ".json") paths.push_back(it->path());
  if (ec) throw sim::InputError("--decisions", "cannot read " + dir + ": " + ec.message());
  std::sort(paths.begin(), paths.end());
  std::vector<real::LegRecord> legs;
  for (const fs::path& p : paths) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    if (!in && !in.eof()) throw sim::InputError("--decisions", "cannot read " + p.string());
    try {
      legs.push_back(real::parse_leg_record(text.str(), p.string()));
    } catch (const std::invalid_argument& e) {
      throw sim::InputError("--decisions", e.what());
    }
    files.push_back(p.string());
  }
  return legs;
}

bool plain_commit(const std::string& s) {
  if (s.empty() || s.size() > 200 || s.front() == '.' || s.find("..") != std::string::npos) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
           c == '.';
  });
}

real::ScenarioCheck simulate(const AuditArgs& a, const std::vector<real::LegRecord>& legs) {
  const sim::ScenarioFile scenario = sim::load_scenario_file(a.scenario, a.sets);
  agent::ProtocolConfig protocol = scenario.protocol;
  // The strategy the legs ran, when they agree; --strategy overrides.
  std::set<std::string> ran;
  for (const real::LegRecord& l : legs) ran.insert(l.strategy);
  std::string name = a.strategy;
  if (name.empty() && ran.size() == 1) name = *ran.begin();
  if (name.empty() && ran.size() > 1)
    throw sim::InputError("--strategy", "the decision files name several strategies; say which one to simulate");
  if (!name.empty()) {
    const auto st = agent::parse_strategy(name);
    if (!st) throw sim::InputError("--strategy", "expected one of " + agent::strategy_names() + ", got '" + name + "'");
    protocol.strategy = *st;
  }
  sim::RunOptions options;
  options.trials = scenario.trials;
  options.seed = scenario.seed;
  const sim::RunResult result = sim::run_trials(scenario, protocol, options);
  const sim::Summary& s = result.summary;
  real::ScenarioCheck check;
  check.scenario = a.scenario;
  check.strategy = std::string(agent::strategy_name(protocol.strategy));
  check.trials = s.trials;
  const double events = static_cast<double>(std::max<std::int64_t>(1, s.failure_events));
  check.duplicate_rate = static_cast<double>(s.duplicates) / events;
  check.miss_rate = static_cast<double>(s.misses) / events;
  return check;
}

int audit(const AuditArgs& a) {
  // The token first: once read it is a secret, whatever error comes next.
  try {
    (void)real::load_token(a.api.token_file);
  } catch (const std::invalid_argument& e) {
    throw sim::InputError("", e.what());
  }
  std::string repo_text = a.repo;
  if (repo_text.empty())
    if (const char* v = std::getenv("GITHUB_REPOSITORY")) repo_text = v;
  if (repo_text.empty()) throw sim::InputError("--repo", "required: OWNER/NAME (or set GITHUB_REPOSITORY)");
  real::RepoName repo;
  try {
    repo = real::parse_repo(repo_text, "--repo");
  } catch (const std::invalid_argument& e) {
    throw sim::InputError("", e.what());
  }
  real::AuditReport report;
  report.repo = repo.display();
  std::vector<real::LegRecord> legs;
  if (!a.decisions.empty()) legs = load_decisions(a.decisions, report.decision_files);

  // Which runs: --commit (repeatable), else $GITHUB_SHA, else every commit the decision files name.
  std::vector<std::string> commits = a.commits;
  if (commits.empty())
    if (const char* v = std::getenv("GITHUB_SHA"); v && *v) commits.push_back(v);
  if (commits.empty())
    for (const real::LegRecord& l : legs)
      if (std::find(commits.begin(), commits.end(), l.commit) == commits.end()) commits.push_back(l.commit);
  if (commits.empty())
    throw sim::InputError("--commit", "required: the commit SHA of the run (or set GITHUB_SHA, or pass --decisions)");
  for (const std::string& c : commits)
    if (!plain_commit(c)) throw sim::InputError("--commit", "expected a commit SHA (letters, digits, '.', '_', '-'), got '" + c + "'");
  for (const real::LegRecord& l : legs)
    if (std::find(commits.begin(), commits.end(), l.commit) == commits.end() &&
        std::find(report.other_commits.begin(), report.other_commits.end(), l.commit) == report.other_commits.end())
      report.other_commits.push_back(l.commit);

  if (!a.json_path.empty() && a.json_path != "-") check_writable(a.json_path, "--json");
  if (!a.markdown_path.empty() && a.markdown_path != "-") check_writable(a.markdown_path, "--markdown");
  std::optional<real::ScenarioCheck> check;
  if (!a.scenario.empty()) check = simulate(a, legs);  // before any request: bad input first

  ApiConnection connection = make_api_connection(a.api, 30.0);
  real::Runtime runtime;
  std::unique_ptr<real::HttpTransport> transport;
  try {
    transport = std::make_unique<real::HttpTransport>(runtime.io(), connection.transport);
  } catch (const std::invalid_argument& e) {
    throw sim::InputError("", e.what());
  }
  real::RestClient client(*transport, repo);
  for (const std::string& commit : commits) {
    real::AuditQuery q;
    q.commit = commit;
    q.label = a.label;
    std::vector<real::LegRecord> mine;
    for (const real::LegRecord& l : legs) {
      if (l.commit != commit) continue;
      mine.push_back(l);
      const std::string key =
          l.strategy == "seed" || l.strategy == "seed-lowest" ? commit : real::key_id_of(commit, l.signature);
      if (std::find(q.probe_keys.begin(), q.probe_keys.end(), key) == q.probe_keys.end()) q.probe_keys.push_back(key);
      if (std::find(q.flavors.begin(), q.flavors.end(), l.flavor) == q.flavors.end()) q.flavors.push_back(l.flavor);
    }
    if (q.probe_keys.empty()) q.probe_keys.push_back(commit);
    real::CoordinationState state;
    std::string error;
    auto task = real::read_coordination_state(client, q, state, error);
    real::run_task(runtime, task);
    if (!error.empty())
      throw std::runtime_error("reading the coordination state of " + commit + " in " + repo.display() + ": " + error);
    report.refs_listed = report.refs_listed && state.refs_listed;
    report.commits.push_back(real::audit_commit(state, mine, !a.decisions.empty()));
  }
  if (check) report.check = real::count_runs(report.commits, *check);
  spdlog::debug("coordsim audit: {} API calls", client.total_calls());

  const std::string md = real::audit_markdown(report);
  if (!a.json_path.empty()) write_file_atomically(a.json_path, json_text(real::audit_json(report)));
  if (!a.markdown_path.empty()) write_file_atomically(a.markdown_path, md);
  if (a.json_path != "-" && a.markdown_path != "-") write_stdout(real::redact(md));
  return report.clean() ? kExitOk : kExitFailure;
}

}  // namespace

void add_audit_command(CLI::App& app, Action& action) {
  auto args = std::make_shared<AuditArgs>();
  CLI::App* cmd = app.add_subcommand(
      "audit",
      "After a real matrix run, read back what happened: for each failure signature of the commit, which\n"
      "legs analyzed, duplicates (analyzed more than once), misses (every leg skipped and no leader\n"
      "analyzed), leftover locks, and legs that coordinated but never decided. Reads the refs under\n"
      "refs/coordination/<commit>, the coordination issues and their comments, and the legs' uploaded\n"
      "decision.json files (--decisions). Prints Markdown (for $GITHUB_STEP_SUMMARY); --json for scripts.\n\n"
      "Exit codes: 0 clean (every failure analyzed exactly once), 1 a duplicate or a miss (or the API\n"
      "could not be read), 2 bad arguments or decision files. Details: docs/audit.md.\n\n"
      "Examples:\n"
      "  coordsim audit --repo acme/widgets --commit $GITHUB_SHA --decisions decisions/\n"
      "  coordsim audit --api-url http://127.0.0.1:8080/api/v3 --repo me/demo --decisions runs/ \\\n"
      "                 --scenario scenarios/aprapipes-production.json --json audit.json");
  add_api_connection_options(cmd, args->api);
  cmd->add_option("--repo", args->repo, "Repository OWNER/NAME (default: $GITHUB_REPOSITORY)");
  cmd->add_option("--commit", args->commits,
                  "Commit of the run; repeatable, one run each (default: $GITHUB_SHA, else every commit in --decisions)");
  cmd->add_option("--decisions", args->decisions,
                  "Directory of the legs' `coordsim agent --json` (and `agent done --json`) files, searched recursively")
      ->check(CLI::ExistingDirectory);
  cmd->add_option("--scenario", args->scenario,
                  "Also compare the duplicates and misses over the audited runs with this scenario's simulated "
                  "95% interval")
      ->check(CLI::ExistingFile);
  cmd->add_option("--set", args->sets, "Override a --scenario value; repeatable")->type_name("PATH=VALUE");
  cmd->add_option("--strategy", args->strategy, "Strategy to simulate (default: the one the decision files name)");
  cmd->add_option("--label", args->label, "Label of coordination issues")->capture_default_str();
  cmd->add_option("--json", args->json_path, "Write the JSON report to FILE ('-': stdout, instead of Markdown)");
  cmd->add_option("--markdown", args->markdown_path, "Write the Markdown report to FILE ('-': stdout)");
  cmd->callback([args, &action] { action = [args] { return audit(*args); }; });
}

}  // namespace coordsim::cli
