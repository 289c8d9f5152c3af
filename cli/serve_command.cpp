// `coordsim serve`: the fake GitHub over HTTP, in real time, for real clients.
#include <sys/resource.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/number_options.hpp"
#include "cli/terminal_text.hpp"
#include "sim/http/journal.hpp"
#include "sim/http/router.hpp"
#include "sim/http/server.hpp"
#include "sim/input/input_error.hpp"
#include "sim/input/scenario_loader.hpp"

namespace coordsim::cli {

namespace {

// Spaces, tabs and line ends around a token are not part of it.
std::string trim_token(std::string s) {
  const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!s.empty() && is_space(s.back())) s.pop_back();
  std::size_t i = 0;
  while (i < s.size() && is_space(s[i])) ++i;
  return s.substr(i);
}

// What an Authorization header can carry after "token ": no spaces or controls.
bool token_chars_ok(const std::string& token) {
  for (unsigned char c : token)
    if (c <= 0x20 || c == 0x7f) return false;
  return true;
}

struct ServeArgs {
  std::string host = "127.0.0.1";
  int port = 8080;
  std::string scenario;
  std::vector<std::string> sets;
  std::string token;
  std::string token_file;
  std::string tls_cert;
  std::string tls_key;
  bool log_requests = false;
  std::string state;
  std::int64_t rate_limit = 5000;
  std::int64_t search_rate_limit = 30;
  bool rate_limit_given = false;  // on the command line, rather than the default
  bool search_rate_limit_given = false;
  double idle_timeout_s = 30;
  std::int64_t max_connections = 10'000;
  int threads = 0;
};

std::string read_text(const std::string& path, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw sim::InputError(path, std::string("cannot read ") + what + ": " + std::strerror(errno));
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Many concurrent clients need many descriptors: take the hard limit.
void raise_open_files_limit() {
  rlimit rl{};
  if (::getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &rl);
  }
}

std::int64_t unix_now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// FILE.tmp.PID[.N]: what write_file_atomically leaves when killed mid-write.
// The state lock is held, so no other server is writing one.
void remove_stale_temp_files(const std::string& state) {
  namespace fs = std::filesystem;
  const fs::path p(state);
  const fs::path dir = p.has_parent_path() ? p.parent_path() : fs::path(".");
  const std::string prefix = p.filename().string() + ".tmp.";
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(prefix, 0) != 0 || name.size() == prefix.size()) continue;
    if (name.find_first_not_of("0123456789.", prefix.size()) != std::string::npos) continue;
    if (entry.is_regular_file(ec)) fs::remove(entry.path(), ec);
  }
}

// Folds the journal into a new snapshot when the journal has grown to half
// the snapshot's size (or there is no snapshot yet): saving then costs at most
// a few times what changed, rather than the whole state at every stop.
bool compact_if_due(sim::http::Router& router, sim::http::Journal& journal, const std::string& state,
                    agent::Time now, std::uint64_t& snapshot_bytes) {
  const std::uint64_t journal_bytes = journal.size();
  if (journal_bytes == 0 || (snapshot_bytes > 0 && journal_bytes < snapshot_bytes / 2)) return false;
  const std::string text =
      router.save_state(now).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  sim::http::write_durably(state, text);  // on disk before the journal is emptied
  journal.truncate();
  snapshot_bytes = text.size();
  return true;
}

int serve(const ServeArgs& a) {
  sim::Scenario scenario =
      a.scenario.empty() ? sim::load_default_scenario(a.sets) : sim::load_scenario_file(a.scenario, a.sets);
  // With the scenario's rate limits on, the options set its budgets (a
  // shorthand for --set github.rate_limits.*); without them they size the
  // server's own fixed-window budget.
  sim::RateLimitConfig& limits = scenario.github.rate_limits;
  if (limits.enabled && a.rate_limit_given) limits.primary_per_hour = a.rate_limit;
  if (limits.enabled && a.search_rate_limit_given) limits.search_per_minute = a.search_rate_limit;

  sim::http::RouterOptions options;
  options.token = a.token;
  if (!a.token_file.empty()) {
    // Trimmed, as `coordsim agent` reads one: clients send the token without
    // the spaces and newline an editor leaves around it (and HTTP strips them
    // from header values), so an untrimmed one would refuse every request.
    options.token = trim_token(read_text(a.token_file, "--token-file"));
    if (options.token.empty()) throw sim::InputError("--token-file " + a.token_file, "the file holds no token");
    if (!token_chars_ok(options.token))
      throw sim::InputError("--token-file " + a.token_file,
                            "the token contains spaces or control characters (expected one line holding only "
                            "the token)");
  } else if (!a.token.empty() && !token_chars_ok(a.token)) {
    throw sim::InputError("--token", "the token contains spaces or control characters; no client could send it");
  }
  options.rate_limit.core_per_hour = a.rate_limit;
  options.rate_limit.search_per_minute = a.search_rate_limit;
  options.unix_epoch_us = unix_now_us();
  sim::http::Router router(scenario, options);

  // A saved state continues where it stopped: its clock goes on from the saved
  // time, and wall-clock timestamps are shifted so that none lies in the future.
  agent::Time clock{0};
  std::unique_ptr<sim::http::StateLock> state_lock;
  std::unique_ptr<sim::http::Journal> journal;
  std::uint64_t snapshot_bytes = 0;
  if (!a.state.empty()) {
    check_writable(a.state, "--state");  // a missing directory fails now, not at shutdown
    const std::string journal_path = a.state + ".journal";
    try {
      state_lock = std::make_unique<sim::http::StateLock>(journal_path);
    } catch (const std::runtime_error& e) {
      throw sim::InputError("--state " + a.state, e.what());
    }
    remove_stale_temp_files(a.state);
    std::ifstream probe(a.state);
    if (probe) {
      const std::string text = read_text(a.state, "--state");
      snapshot_bytes = text.size();
      const nlohmann::json doc = nlohmann::json::parse(text, nullptr, false);
      if (doc.is_discarded()) throw sim::InputError(a.state, "not valid JSON (a coordsim serve state file?)");
      clock = router.load_state(doc, a.state);
    }
    clock = router.replay_journal(journal_path, clock);
    router.set_unix_epoch_us(unix_now_us() - clock.count());
    try {
      journal = std::make_unique<sim::http::Journal>(journal_path, router.journal_seq() + 1);
    } catch (const std::runtime_error& e) {
      throw sim::InputError("--state " + a.state, e.what());
    }
    // Crash after crash, the journal would only grow: fold it in at start too.
    compact_if_due(router, *journal, a.state, clock, snapshot_bytes);
    router.attach_journal(journal.get());
  }

  sim::http::ServerOptions server_options;
  server_options.host = a.host;
  server_options.port = static_cast<std::uint16_t>(a.port);
  server_options.tls_cert = a.tls_cert;
  server_options.tls_key = a.tls_key;
  server_options.log_requests = a.log_requests;
  server_options.idle_timeout = std::chrono::milliseconds(static_cast<std::int64_t>(a.idle_timeout_s * 1000));
  server_options.max_connections = static_cast<std::size_t>(a.max_connections);
  server_options.threads = static_cast<unsigned>(a.threads);
  raise_open_files_limit();
  std::unique_ptr<sim::http::Server> server;
  try {
    server = std::make_unique<sim::http::Server>(router, server_options, clock);
  } catch (const std::runtime_error& e) {
    throw sim::InputError("", e.what());
  }

  // One line, URL first after the colon: scripts take it from here (port 0).
  std::printf("coordsim serve: listening on %s (scenario %s%s%s%s)\n", server->url().c_str(),
              printable(scenario.name).c_str(), options.token.empty() ? "" : ", token required",
              scenario.github.faults.any() ? ", faults on" : "", limits.enabled ? ", scenario rate limits" : "");
  std::fflush(stdout);
  server->run();
  const agent::Time stopped_at = server->now();
  // The journal's last waiters are answered before the server's threads and
  // sockets go: every acknowledged write is on disk by now.
  if (journal) {
    journal->wait_durable(journal->last_appended());
    router.attach_journal(nullptr);
    if (journal->failed()) std::fprintf(stderr, "coordsim serve: %s\n", printable(journal->error()).c_str());
    if (compact_if_due(router, *journal, a.state, stopped_at, snapshot_bytes))
      std::fprintf(stderr, "coordsim serve: state saved to %s\n", printable(a.state).c_str());
    else
      std::fprintf(stderr, "coordsim serve: state is in %s and %s.journal\n", printable(a.state).c_str(),
                   printable(a.state).c_str());
    journal.reset();
  }
  server.reset();
  std::fprintf(stderr, "coordsim serve: stopped\n");
  return kExitOk;
}

}  // namespace

void add_serve_command(CLI::App& app, Action& action) {
  auto args = std::make_shared<ServeArgs>();
  CLI::App* cmd = app.add_subcommand(
      "serve",
      "Serve the fake GitHub over HTTP in real time, with the scenario's visibility lag, latencies, faults\n"
      "and rate limits, for real clients (PyGithub, Octokit, curl) on loopback: no GitHub account, no network.\n"
      "Base URL http://HOST:PORT/api/v3 (GitHub Enterprise style); any owner/repo exists on first use.\n"
      "Stops on Ctrl-C / SIGTERM. Endpoints, semantics and limits: docs/serve.md.\n\n"
      "Examples:\n"
      "  coordsim serve --port 8080\n"
      "  coordsim serve --port 0 --set github.visibility_lag_s.list=1.0   # a constant 1 s list lag\n"
      "  coordsim serve scenarios/aprapipes-production.json --token s3cret --state run.json --log-requests\n"
      "  curl -H 'Authorization: token s3cret' http://127.0.0.1:8080/api/v3/repos/me/demo/issues\n"
      "  python3 -c \"from github import Github; g = Github(base_url='http://127.0.0.1:8080/api/v3', "
      "login_or_token='s3cret'); print(g.get_repo('me/demo').create_issue('hello').number)\"");
  cmd->add_option("scenario,--scenario", args->scenario,
                  "Scenario JSON file whose `github` section (latencies, visibility lags, faults, rate limits) and "
                  "`seed` apply "
                  "(default: the built-in seed reproduction)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--host", args->host, "Address to listen on; loopback unless told otherwise")
      ->capture_default_str();
  cmd->add_option("--port,-p", args->port, "TCP port; 0 picks a free port (printed at start)")
      ->transform(integer_in(0, 65535, range_description(0, 65535)))
      ->capture_default_str();
  cmd->add_option("--set", args->sets,
                  "Override a scenario value, e.g. --set github.visibility_lag_s.list=1.0; repeatable")
      ->type_name("PATH=VALUE");
  cmd->add_option("--token", args->token,
                  "Require this token (Authorization: token X or Bearer X); others get 401. Visible in `ps`: "
                  "prefer --token-file on shared machines");
  cmd->add_option("--token-file", args->token_file,
                  "Read the required token from FILE (spaces and newlines around it are ignored)")
      ->check(CLI::ExistingFile)
      ->excludes(cmd->get_option("--token"));
  cmd->add_option("--tls-cert", args->tls_cert, "PEM certificate (chain): serve HTTPS")->check(CLI::ExistingFile);
  cmd->add_option("--tls-key", args->tls_key, "PEM private key for --tls-cert")->check(CLI::ExistingFile);
  cmd->get_option("--tls-cert")->needs(cmd->get_option("--tls-key"));
  cmd->get_option("--tls-key")->needs(cmd->get_option("--tls-cert"));
  cmd->add_flag("--log-requests", args->log_requests,
                "Log each request to stderr: method, path, status, duration (never headers or tokens)");
  cmd->add_option("--state", args->state,
                  "Keep state in FILE and FILE.journal: every acknowledged write is on disk before its response "
                  "(docs/serve.md, Durability); loaded at start");
  cmd->add_option("--rate-limit", args->rate_limit,
                  "Primary rate limit: requests per hour per token (GitHub: 5000). With the scenario's "
                  "github.rate_limits on, sets its primary_per_hour instead")
      ->transform(integer_in(1, std::int64_t{1} << 40, range_description(std::int64_t{1}, std::int64_t{1} << 40)))
      ->capture_default_str()
      ->each([args](const std::string&) { args->rate_limit_given = true; });
  cmd->add_option("--search-rate-limit", args->search_rate_limit,
                  "Search requests per minute per token (GitHub: 30). With the scenario's github.rate_limits on, "
                  "sets its search_per_minute instead")
      ->transform(integer_in(1, std::int64_t{1} << 40, range_description(std::int64_t{1}, std::int64_t{1} << 40)))
      ->capture_default_str()
      ->each([args](const std::string&) { args->search_rate_limit_given = true; });
  cmd->add_option("--idle-timeout", args->idle_timeout_s,
                  "Seconds a connection may take to send a request (or stay idle) before it is closed")
      ->transform(number_in(0.01, 86400.0, range_description(0.01, 86400.0)))
      ->capture_default_str();
  cmd->add_option("--max-connections", args->max_connections,
                  "Open connections at most; at the cap a new one closes the longest-idle one (or gets 503 if "
                  "every one is busy)")
      ->transform(integer_in(1, 1'000'000, range_description(std::int64_t{1}, std::int64_t{1'000'000})))
      ->capture_default_str();
  cmd->add_option("--threads", args->threads, "Threads serving connections; 0: one per core")
      ->transform(integer_in(0, 256, range_description(0, 256)))
      ->capture_default_str();
  cmd->callback([args, &action] { action = [args] { return serve(*args); }; });
}

}  // namespace coordsim::cli
