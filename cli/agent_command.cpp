// `coordsim agent`: one protocol decision, for real, against a GitHub API —
// the same coroutine (agent::decide) the simulator runs, over the REST client
// and the Asio clock. `coordsim agent done`: record a leader's analysis where
// the protocol needs it (agent::finish).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "agent/assumptions.hpp"
#include "agent/protocol.hpp"
#include "agent/protocols/keyed.hpp"
#include "agent/protocols/ref_lock.hpp"
#include "agent/real/http_transport.hpp"
#include "agent/real/rest_client.hpp"
#include "agent/real/rest_json.hpp"
#include "agent/real/runtime.hpp"
#include "agent/real/token.hpp"
#include "cli/api_connection.hpp"
#include "cli/commands.hpp"
#include "cli/number_options.hpp"
#include "sim/input/agent_settings.hpp"
#include "sim/input/input_error.hpp"

namespace coordsim::cli {

namespace {

namespace real = agent::real;
// Insertion order: the decision first, as a reader looks for it.
using json = nlohmann::ordered_json;

constexpr int kExitSkip = 3;

struct AgentArgs {
  ApiConnectionArgs api;
  std::string repo;
  std::string commit;
  std::string flavor;
  std::string strategy;
  std::string signature;
  double timeout_s = 600;
  std::string on_error;
  std::string json_path;
  std::string scenario;
  std::vector<std::string> sets;
  std::optional<double> lease_ttl_s;
  std::string label;
  std::optional<int> attempt;  // default $GITHUB_RUN_ATTEMPT, else 1
  std::string lock_target;     // ref-lock: commit or blob; default the scenario's, else commit
  bool done = false;  // `coordsim agent done`
};

// The LLM is out of scope here: decide() never calls it, and the workflow runs
// its own analysis step when the exit code says so.
class NoLlm final : public agent::Llm {
 public:
  void start_analyze(const agent::AnalysisRequest&, agent::AnalysisResult&, std::coroutine_handle<>) override {
    throw std::logic_error("coordsim agent does not run the analysis; the workflow's next step does");
  }
};

// Protocol notes at debug level (--log-level debug), with the time since start.
class LogJournal final : public agent::Journal {
 public:
  explicit LogJournal(const agent::Clock& clock) : clock_(clock) {}
  void note(std::string_view text) override {
    if (!spdlog::should_log(spdlog::level::debug)) return;
    spdlog::debug("{}", real::redact("[+" + format_seconds(clock_.now()) + " s] " + std::string(text)));
  }
  static std::string format_seconds(agent::Duration d) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3f", agent::to_seconds(d));
    return buf;
  }

 private:
  const agent::Clock& clock_;
};

std::string env_or(const char* name, const std::string& fallback) {
  if (!fallback.empty()) return fallback;
  const char* v = std::getenv(name);
  return v ? v : "";
}

bool plain_id(std::string_view s) {
  if (s.empty() || s.size() > 200 || s.front() == '.' || s.find("..") != std::string_view::npos) return false;
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                    c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

struct Setup {
  agent::ProtocolConfig config;
  agent::CoordinationKey key;
  real::RepoName repo;
  ApiConnection connection;
};

Setup make_setup(const AgentArgs& a) {
  Setup s;
  // The token first: once read it is a secret, whatever error comes next
  // (make_api_connection reads it again, below).
  try {
    (void)real::load_token(a.api.token_file);
  } catch (const std::invalid_argument& e) {
    throw sim::InputError("", e.what());
  }
  const sim::AgentSettings settings = sim::load_agent_settings(a.scenario, a.sets);
  s.config = settings.protocol;
  // Default ref-lock, unless a scenario (or --set) names the strategy; the
  // built-in scenario's own `seed` is the simulator's default, not ours.
  if (!a.strategy.empty()) {
    const auto st = agent::parse_strategy(a.strategy);
    if (!st) throw sim::InputError("--strategy", "expected one of " + agent::strategy_names() + ", got '" + a.strategy + "'");
    s.config.strategy = *st;
  } else if (!settings.strategy_chosen) {
    s.config.strategy = agent::Strategy::ref_lock;
  }
  if (!a.on_error.empty()) s.config.on_error = a.on_error == "skip" ? agent::OnError::skip : agent::OnError::analyze;
  if (!a.label.empty()) s.config.seed.label = a.label;
  if (!a.lock_target.empty())
    s.config.ref_lock.target = a.lock_target == "blob" ? agent::LockTarget::blob : agent::LockTarget::commit;
  if (a.lease_ttl_s) {
    s.config.lease.enabled = true;
    s.config.lease.ttl = agent::from_seconds(*a.lease_ttl_s);
  }

  const std::string repo = env_or("GITHUB_REPOSITORY", a.repo);
  if (repo.empty()) throw sim::InputError("--repo", "required: OWNER/NAME (or set GITHUB_REPOSITORY)");
  try {
    s.repo = real::parse_repo(repo, "--repo");
  } catch (const std::invalid_argument& e) {
    throw sim::InputError("", e.what());
  }
  s.key.commit = env_or("GITHUB_SHA", a.commit);
  if (s.key.commit.empty()) throw sim::InputError("--commit", "required: the commit SHA under test (or set GITHUB_SHA)");
  // The commit goes into ref names and titles as it is.
  if (!plain_id(s.key.commit))
    throw sim::InputError("--commit", "expected a commit SHA (letters, digits, '.', '_', '-'), got '" + s.key.commit + "'");
  s.key.flavor = a.flavor;
  if (!plain_id(s.key.flavor))
    throw sim::InputError("--flavor", "expected a name of letters, digits, '.', '_', '-' (e.g. linux-x64), got '" +
                                          a.flavor + "'");
  // The job's attempt: a re-run ("Re-run failed jobs") may find this flavor's
  // own earlier lock (docs/protocols.md#re-runs).
  if (a.attempt) {
    s.key.attempt = *a.attempt;
  } else if (const char* env = std::getenv("GITHUB_RUN_ATTEMPT"); env && *env) {
    char* end = nullptr;
    const long v = std::strtol(env, &end, 10);
    if (*end != '\0' || v < 1 || v > 1'000'000)
      throw sim::InputError("--attempt", std::string("$GITHUB_RUN_ATTEMPT must be a whole number from 1, got '") + env + "'");
    s.key.attempt = static_cast<int>(v);
  }
  s.key.signature = a.signature;
  if (s.key.signature.size() > 200) throw sim::InputError("--signature", "expected at most 200 characters");
  for (unsigned char c : s.key.signature)
    if (c < 0x20 || c == 0x7f) throw sim::InputError("--signature", "control characters are not allowed");

  if (!(a.timeout_s > 0) || !(a.timeout_s <= 604800))
    throw sim::InputError("--timeout", "expected seconds in (0, 604800] (a week)");
  // The client policy's request timeout (agent.client.timeout_s) when the
  // scenario sets one; else 30 s.
  const double scenario_timeout = agent::to_seconds(settings.request_timeout);
  s.connection = make_api_connection(a.api, scenario_timeout > 0 ? scenario_timeout : 30.0);
  return s;
}

json calls_json(const real::RestClient& client, const real::HttpTransport& transport) {
  json by = json::object();
  for (const auto& [name, n] : client.calls()) by[name] = n;
  return {{"total", client.total_calls()}, {"by_endpoint", by}, {"connections", transport.connections_opened()}};
}

void emit(const AgentArgs& a, const json& out) {
  const std::string text = real::redact(out.dump(2)) + "\n";
  if (!a.json_path.empty() && a.json_path != "-") write_file_atomically(a.json_path, text);
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
}

void warn(const std::string& message) {
  // In GitHub Actions, as an annotation on the run's summary.
  const char* actions = std::getenv("GITHUB_ACTIONS");
  print_stderr((actions && std::string_view(actions) == "true" ? "::warning::coordsim agent: " : "coordsim agent: warning: ") + message);
}

// Everything a run holds, in the order it must be torn down (the runtime last).
struct Live {
  real::Runtime runtime;
  real::HttpTransport transport;
  real::RestClient client;
  real::AsioClock clock;
  NoLlm llm;
  LogJournal journal;
  real::OneShotTimer deadline;
  bool expired = false;

  explicit Live(const Setup& s)
      : transport(runtime.io(), s.connection.transport),
        client(transport, s.repo),
        clock(runtime),
        journal(clock),
        deadline(runtime) {
    client.set_lock_target(s.config.ref_lock.target);
  }
  agent::Ports ports() { return agent::Ports{clock, client, llm, &journal}; }

  // At the deadline every request fails at once and sleeps stop waiting: the
  // protocol runs out of its retry budget and decides as --on-error says.
  void arm(double timeout_s) {
    deadline.start(agent::from_seconds(timeout_s), [this, timeout_s] {
      expired = true;
      journal.note("deadline (--timeout " + LogJournal::format_seconds(agent::from_seconds(timeout_s)) + " s) passed");
      transport.expire("the --timeout deadline passed before the decision");
      clock.expire();
    });
  }
};

// The transport refuses an unusable --ca-file when it is made: bad input.
std::unique_ptr<Live> start(const Setup& s) {
  try {
    return std::make_unique<Live>(s);
  } catch (const std::invalid_argument& e) {
    throw sim::InputError("", e.what());
  }
}

// The fields every output starts with (after the decision, for `agent`).
void add_base(json& out, const Setup& s) {
  out["strategy"] = agent::strategy_name(s.config.strategy);
  out["flavor"] = s.key.flavor;
  out["commit"] = s.key.commit;
  out["signature"] = s.key.signature;
  out["repo"] = s.repo.display();
  out["api_url"] = s.connection.transport.base.display();
  // For `coordsim audit`: under a lease a lock without its done marker is left over.
  const bool lease = s.config.strategy == agent::Strategy::ref_lock && s.config.lease.enabled;
  out["lease_ttl_s"] = lease ? json(agent::to_seconds(s.config.lease.ttl)) : json(nullptr);
}

// What a user most likely has to change, for the errors a workflow's setup causes
// (the message alone, "Not Found", does not say that the token is the usual culprit).
std::string error_hint(const agent::ApiError& e) {
  const auto says = [&](const char* what) { return e.message.find(what) != std::string::npos; };
  switch (e.status) {
    case 401:
      return "the token was refused: check GITHUB_TOKEN / GH_TOKEN / --token-file";
    case 403:
    case 429:
      if (says("rate limit")) return "rate limited: the retry budget (agent.client.max_total_wait_s) ended first";
      // GitHub's answer to a write with a read-only GITHUB_TOKEN.
      if (says("Resource not accessible by integration"))
        return "the token is read-only (a pull request from a fork gets one): coordination cannot write; "
               "see docs/github-actions.md#fork-pull-requests";
      return "the token lacks a permission: ref-lock needs contents: write, issue protocols issues: write";
    case 404:
      return "no such repository, or the token cannot see it (a GITHUB_TOKEN sees only its own repository)";
    case 0:
      if (says("certificate")) return "TLS verification failed: for a private CA pass --ca-file";
      return "no answer from the API: check --api-url and the network (and HTTPS_PROXY / NO_PROXY)";
    default:
      return "";
  }
}

int decide(const AgentArgs& a) {
  const Setup s = make_setup(a);
  spdlog::debug("coordsim agent: {} for {} on {} ({}), token from {}{}", agent::strategy_name(s.config.strategy),
                s.key.flavor, s.repo.display(), s.connection.transport.base.display(),
                real::token_source_name(s.connection.token_source),
                s.connection.proxy_variable.empty() ? "" : ", proxy from " + s.connection.proxy_variable);
  const std::unique_ptr<Live> live_ptr = start(s);
  Live& live = *live_ptr;
  agent::AgentBuffers buffers;
  agent::Conditions known;
  known.timeout_s = a.timeout_s;
  for (const std::string& w : agent::broken_assumptions(s.config, known)) warn(w);
  live.arm(a.timeout_s);

  const double started_unix_s = real::unix_now_s();
  const agent::Time started = live.clock.now();
  if (s.config.strategy == agent::Strategy::ref_lock) {
    agent::prepare_ref_lock_names(s.config, s.key, buffers);
    live.client.know_token(buffers.takeover);
  }
  auto decision_task = agent::decide(s.config, live.ports(), s.key, buffers);
  const agent::Decision d = real::run_task(live.runtime, decision_task);
  const agent::Time decided = live.clock.now();
  const std::int64_t decision_calls = live.client.total_calls();
  if (agent::needs_clean_up(d)) {
    auto cleanup = agent::clean_up(live.ports(), d, buffers);
    real::run_task(live.runtime, cleanup);
  }
  live.deadline.cancel();

  json out;
  out["command"] = "agent";
  out["decision"] = d.kind == agent::DecisionKind::analyze ? "analyze" : "skip";
  out["reason"] = agent::reason_name(d.reason);
  out["exit_code"] = d.kind == agent::DecisionKind::analyze ? kExitOk : kExitSkip;
  add_base(out, s);
  if (s.config.strategy == agent::Strategy::ref_lock) {
    out["lock_ref"] = buffers.lock_ref;
    out["done_ref"] = buffers.done_ref;
    out["holder"] = buffers.holder;
    out["lock_target"] = s.config.ref_lock.target == agent::LockTarget::blob ? "blob" : "commit";
  }
  out["attempt"] = s.key.attempt;
  out["own_issue"] = d.own_issue == 0 ? json(nullptr) : json(d.own_issue);
  out["leader_issue"] = d.leader_issue == 0 ? json(nullptr) : json(d.leader_issue);
  // When it started (wall clock, to line legs of a matrix up) and how long it took.
  out["started_unix_s"] = std::round(started_unix_s * 1e3) / 1e3;
  out["elapsed_s"] = std::round(agent::to_seconds(decided - started) * 1e6) / 1e6;
  out["api_calls"] = calls_json(live.client, live.transport);
  out["api_calls"]["for_decision"] = decision_calls;
  out["deadline_expired"] = live.expired;
  const bool undecided = d.reason == agent::Reason::error_fail_open || d.reason == agent::Reason::error_fail_closed ||
                         d.reason == agent::Reason::create_failed;
  if (undecided || live.expired) {
    const agent::ApiError& e = live.client.last_error();
    const std::string hint = error_hint(e);
    out["error"] = {{"endpoint", live.client.last_error_endpoint()}, {"status", e.status}, {"message", e.message}};
    if (!hint.empty()) out["error"]["hint"] = hint;
    warn(std::string("could not coordinate (") + (live.expired ? "deadline passed; " : "") + "last error: " +
         live.client.last_error_endpoint() + " " + std::to_string(e.status) + " " + e.message + "); decided " +
         out["decision"].get<std::string>() + " (" + out["reason"].get<std::string>() + ")" +
         (hint.empty() ? "" : "; " + hint));
  }
  emit(a, out);
  return d.kind == agent::DecisionKind::analyze ? kExitOk : kExitSkip;
}

// The newest generation of the key whose lock this flavor holds (> 0), 0 for
// none (`seen` says who does, or that there is none), -1 unknown (an API
// error). The newest: a re-run that took its own earlier attempt's generation
// over holds two, and its done marker belongs to the second.
// The lock's name comes from --commit and --signature: a signature computed in
// another step and lost (an empty shell variable) names another key, and a
// done marker there would tell nobody anything while the real leader's
// followers take over and analyze again.
agent::Task<int> holds_lock(real::RestClient& client, agent::Clock& clock, const agent::ProtocolConfig& config,
                            agent::AgentBuffers& b, std::string& seen) {
  const std::string ours = real::git_blob_sha(b.holder);
  // The refs path lags behind a create (calibrated on GitHub: ~0.4 s): a lock
  // this flavor made a moment ago may not be visible yet, so while none is
  // found a 404 is read again for up to ten read-back intervals before it
  // counts as "no lock". Once one is, the first missing generation ends it.
  constexpr int kPolls = 10;
  int held = 0;
  for (int gen = 1; gen <= std::max(1, config.lease.max_generations); ++gen) {
    agent::name_generation(b, gen);
    for (int attempt = 1;; ++attempt) {
      const agent::ApiResult<agent::GitRef>& r = co_await client.get_ref(b.lock_ref, b.ref);
      if (r.ok()) {
        if (r.value.sha == ours || r.value.sha == b.holder)
          held = gen;
        else
          seen += (seen.empty() ? "" : ", ") + b.lock_ref + " is held by another flavor";
        break;
      }
      if (r.status != 404) co_return held > 0 ? held : -1;
      if (held > 0) co_return held;
      if (attempt >= kPolls) {
        if (gen == 1) seen = b.lock_ref + " does not exist";
        co_return 0;
      }
      co_await clock.sleep(config.ref_lock.read_back_interval);
    }
  }
  co_return held;
}

int done(const AgentArgs& a) {
  const Setup s = make_setup(a);
  const std::unique_ptr<Live> live_ptr = start(s);
  Live& live = *live_ptr;
  agent::AgentBuffers buffers;
  live.arm(a.timeout_s);
  json out;
  out["command"] = "agent done";
  add_base(out, s);
  // With or without a lease: a re-run reads the marker (docs/protocols.md#re-runs).
  const bool records = s.config.strategy == agent::Strategy::ref_lock;
  if (records) {
    agent::prepare_ref_lock_names(s.config, s.key, buffers);
    live.client.know_token(buffers.takeover);
    std::string seen;
    auto check = holds_lock(live.client, live.clock, s.config, buffers, seen);
    const int held = real::run_task(live.runtime, check);
    agent::name_generation(buffers, std::max(held, 1));
    if (held == 0) {
      live.deadline.cancel();
      out["recorded"] = false;
      out["done_ref"] = buffers.done_ref;
      out["error"] = {{"endpoint", "get_ref"},
                      {"status", 0},
                      {"message", "this flavor holds no lock for this key: " + seen},
                      {"hint", "pass the same --commit and --signature as to `coordsim agent` (a signature "
                               "computed in an earlier step must be passed through $GITHUB_OUTPUT)"}};
      print_stderr("coordsim agent done: error: " + s.key.flavor + " holds no lock for " + buffers.key_id + " (" +
                   seen + "); nothing recorded. Pass the same --commit and --signature as to `coordsim agent` " +
                   "(a signature computed in an earlier step must be passed through $GITHUB_OUTPUT)");
      out["api_calls"] = calls_json(live.client, live.transport);
      emit(a, out);
      return kExitFailure;
    }
    if (held < 0)
      warn("could not check that this flavor holds the lock (" + live.client.last_error_endpoint() + " " +
           std::to_string(live.client.last_error().status) + "); recording the done marker anyway");
  }
  auto task = agent::finish(s.config, live.ports(), s.key, buffers);
  real::run_task(live.runtime, task);
  live.deadline.cancel();
  int code = kExitOk;
  if (records) {
    const real::CallOutcome* last = live.client.last_outcome("create_ref");
    const bool recorded = last && (last->status == 201 || (last->status == 422 && last->message == "Reference already exists"));
    out["recorded"] = recorded;
    out["done_ref"] = buffers.done_ref;
    if (!recorded) {
      const agent::ApiError& e = live.client.last_error();
      const std::string hint = error_hint(e);
      out["error"] = {{"endpoint", live.client.last_error_endpoint()}, {"status", e.status}, {"message", e.message}};
      if (!hint.empty()) out["error"]["hint"] = hint;
      print_stderr("coordsim agent done: error: could not create " + buffers.done_ref + ": " + std::to_string(e.status) +
                   " " + e.message + (hint.empty() ? "" : "; " + hint));
      code = kExitFailure;
    }
  } else {
    out["recorded"] = false;
    out["note"] = "nothing to record for this protocol: the leader's coordination issue stays open as the "
                  "failure's record, losers closed theirs when they decided";
  }
  out["api_calls"] = calls_json(live.client, live.transport);
  emit(a, out);
  return code;
}

}  // namespace

void add_agent_command(CLI::App& app, Action& action) {
  auto args = std::make_shared<AgentArgs>();
  CLI::App* cmd = app.add_subcommand(
      "agent",
      "Run one coordination decision for real against a GitHub API: the same protocol coroutine the\n"
      "simulator measures, over HTTP(S). Prints the decision as JSON on stdout.\n\n"
      "Exit codes: 0 analyze (this flavor leads: run the analysis), 3 skip (another flavor leads),\n"
      "1 error (the agent itself failed; API errors it cannot get past are decided by --on-error first),\n"
      "2 bad arguments.\n\n"
      "The token comes from $GITHUB_TOKEN, $GH_TOKEN or --token-file and is never printed.\n"
      "HTTPS_PROXY / HTTP_PROXY / NO_PROXY are honoured. Protocol parameters: --scenario FILE's `agent`\n"
      "section and --set, as for `coordsim run`. Details: docs/agent.md, docs/github-actions.md.\n\n"
      "Examples:\n"
      "  coordsim agent --repo acme/widgets --commit $GITHUB_SHA --flavor linux-x64\n"
      "  coordsim agent --api-url http://127.0.0.1:8080/api/v3 --repo me/demo --commit abc123 --flavor win \\\n"
      "                 --strategy scan-down --json decision.json\n"
      "  coordsim agent --repo acme/widgets --commit abc123 --flavor arm64 --lease-ttl 900 --timeout 1200\n"
      "  coordsim agent done --repo acme/widgets --commit abc123 --flavor arm64 --lease-ttl 900");
  // `agent done` takes the same options: they are defined here and fall through.
  cmd->fallthrough();
  add_api_connection_options(cmd, args->api);
  cmd->add_option("--repo", args->repo, "Repository OWNER/NAME (default: $GITHUB_REPOSITORY)");
  cmd->add_option("--commit", args->commit, "Commit under test (default: $GITHUB_SHA)");
  cmd->add_option("--flavor", args->flavor, "This matrix leg's name, e.g. linux-x64")->required();
  cmd->add_option("--strategy", args->strategy,
                  "Protocol: " + agent::strategy_names() + " (default: ref-lock, or the --scenario's)");
  cmd->add_option("--signature", args->signature,
                  "Error signature of this failure (ref-lock, scan-down, settle key on commit+signature)");
  cmd->add_option("--timeout", args->timeout_s,
                  "Seconds the whole decision may take; past it every API call fails and --on-error decides")
      ->capture_default_str();
  cmd->add_option("--on-error", args->on_error,
                  "When API errors outlast the retry budget (or --timeout passes): analyze (fail open: a "
                  "possible duplicate) or skip (fail closed: a possible miss). Default: analyze")
      ->check(CLI::IsMember({"analyze", "skip"}));
  cmd->add_option("--json", args->json_path, "Also write the JSON to FILE");
  cmd->add_option("--scenario", args->scenario,
                  "Take protocol parameters (the `agent` section, agent.client.*) from this scenario file")
      ->check(CLI::ExistingFile);
  cmd->add_option("--set", args->sets, "Override a scenario value, e.g. --set agent.lease.poll_interval_s=5; repeatable")
      ->type_name("PATH=VALUE");
  cmd->add_option("--lease-ttl", args->lease_ttl_s,
                  "ref-lock: turn the lease on with this TTL in seconds (followers wait for the leader's "
                  "`agent done`, and take over after the TTL)")
      ->transform(number_in(0.001, 604800.0, range_description(0.001, 604800.0)));
  cmd->add_option("--label", args->label, "Label of coordination issues (default: autonomous-coordination)");
  cmd->add_option("--attempt", args->attempt,
                  "This job's attempt, above 1 on a re-run (default: $GITHUB_RUN_ATTEMPT, else 1): ref-lock then "
                  "checks whether a lock it finds is its own earlier attempt's")
      ->check(CLI::Range(1, 1'000'000));
  cmd->add_option("--lock-target", args->lock_target,
                  "ref-lock: what the lock ref points at: commit (a commit of the empty tree naming the holder; "
                  "any git host accepts it) or blob (a blob holding the holder token). Default: the scenario's "
                  "agent.ref_lock.target, else commit (docs/agent.md#the-lock-target)")
      ->check(CLI::IsMember({"commit", "blob"}));

  CLI::App* done_cmd = cmd->add_subcommand(
      "done",
      "Record that this flavor's analysis is done, where the protocol needs it: for ref-lock, creates the\n"
      "`-done` ref of the lock generation it holds, which followers under a lease wait for and a re-run of\n"
      "the job reads (present: skip; absent: the analysis did not finish, analyze again). Nothing to do for\n"
      "the other protocols (says so). Run it after the analysis step, with the same options as `coordsim agent`.\n"
      "Exit 0 recorded (or nothing to record), 1 could not record, 2 bad arguments.\n"
      "`coordsim agent release` is the same command (it releases the lease).");
  // The issue names it both ways: a lease is released, an analysis is done.
  done_cmd->alias("release");
  done_cmd->callback([args] { args->done = true; });
  cmd->callback([args, &action] {
    action = [args] { return args->done ? done(*args) : decide(*args); };
  });
}

}  // namespace coordsim::cli
