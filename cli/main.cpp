// coordsim: simulate, measure and check how CI jobs coordinate through an
// eventually consistent API.
#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "agent/real/token.hpp"
#include "cli/commands.hpp"
#include "cli/progress.hpp"
#include "cli/terminal_text.hpp"
#include "sim/input/edit_distance.hpp"
#include "sim/input/input_error.hpp"

namespace {

using namespace coordsim::cli;

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

// CLI11 reports a mistyped subcommand as "A subcommand is required" (the word
// is taken for a positional the main command does not have). The first word
// that is not an option, or no word at all, says what went wrong better.
std::optional<std::string> subcommand_message(const CLI::App& app, int argc, char** argv) {
  std::vector<std::string> names;
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; }))
    names.push_back(sub->get_name());
  std::string all;
  for (const std::string& n : names) all += (all.empty() ? "" : ", ") + n;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--log-level") {  // the one option of the main command that takes a value
      ++i;
      continue;
    }
    if (arg.empty() || arg.front() == '-') continue;
    if (std::find(names.begin(), names.end(), arg) != names.end()) return std::nullopt;  // CLI11's message is right
    // Case first (`Run`), then the nearest name within a third of the word.
    std::string best;
    std::size_t best_distance = std::max<std::size_t>(2, arg.size() / 3) + 1;
    for (const std::string& n : names) {
      const std::size_t d = lower(arg) == n ? 0 : coordsim::sim::edit_distance(lower(arg), n);
      if (d < best_distance && d < arg.size()) best_distance = d, best = n;
    }
    return "unknown subcommand '" + std::string(arg) + "'; " +
           (best.empty() ? "expected one of " + all : "did you mean '" + best + "'?");
  }
  return "a subcommand is required: one of " + all;
}

// Help and version go to stdout like reports: losing them is an error too.
int stdout_status(int code) {
  std::cout.flush();
  errno = 0;
  if (std::fflush(stdout) == 0 && !std::ferror(stdout) && std::cout) return code;
  std::fprintf(stderr, "coordsim: error: cannot write standard output%s%s\n", errno ? ": " : "",
               errno ? std::strerror(errno) : "");
  // What was printed is lost, but a failure already reported stays what it was
  // (check's exit codes 3 and 4 included).
  return code != kExitOk ? code : kExitFailure;
}

// `coordsim --help` lists each subcommand on one line; the full description
// (examples, exit codes) is in `coordsim SUB --help`.
class OneLineSubcommands : public CLI::Formatter {
 public:
  std::string make_subcommand(const CLI::App* sub) const override {
    static const std::map<std::string, std::string> kSummary = {
        {"run", "Monte-Carlo trials of a scenario: duplicate rate, miss rate, cost, latency"},
        {"check", "CI gate: a scenario's `expect` bounds, with statistical confidence"},
        {"compare", "Regressions between two `check --json` outputs (baseline, change)"},
        {"sweep", "A scenario over a grid of parameters: Pareto front, recommendation"},
        {"merge", "Merge the shards of one sweep"},
        {"replay", "One trial as a timeline or a Chrome trace"},
        {"find", "The trials whose metrics satisfy an expression"},
        {"explore", "Every combination of bounded draws: a proof or a counterexample"},
        {"serve", "The fake GitHub over HTTP, on loopback, for real clients"},
        {"agent", "One coordination decision for real against a GitHub API"},
        {"calibrate", "Measure an API's visibility lag as a lag model"},
        {"done", "Record that this flavor's analysis is done"},
    };
    const auto it = kSummary.find(sub->get_name());
    const std::string& d = sub->get_description();
    const std::string line = it != kSummary.end() ? it->second : d.substr(0, d.find('\n'));
    std::stringstream out;
    CLI::detail::format_help(out, sub->get_display_name(true), line, get_column_width());
    return out.str();
  }
};

void print_error(const std::string& message) {
  // Redacted: `agent` and `calibrate` hold an API token, which no message may show.
  std::fprintf(stderr, "coordsim: error: %s\n", printable(coordsim::agent::real::redact(message)).c_str());
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "coordsim — measure how parallel CI jobs coordinate through GitHub's eventually consistent API.\n"
      "Runs seeded Monte-Carlo trials of N flavor agents against a fake GitHub with visibility lag,\n"
      "and reports duplicate analyses, misses, token cost and decision latency.\n\n"
#ifdef COORDSIM_MINIMAL
      "This is the runner build: agent, agent done, calibrate and audit only (docs/install.md).\n"
#else
      "Start with `coordsim run` (the reference system's 3-flavor reproduction, built in),\n"
      "then `coordsim run scenarios/aprapipes-production.json --strategy seed-lowest`.\n"
#endif
      "In CI, `coordsim agent` runs the same protocol code for real against GitHub (docs/agent.md).",
      "coordsim"};
  app.formatter(std::make_shared<OneLineSubcommands>());
  app.require_subcommand(1);
  // Options of the main command (--log-level) are accepted after a subcommand too.
  app.fallthrough();
  app.set_version_flag("--version", "coordsim 0.1.0");

  std::string log_level = "warn";
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error or off")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}))
      ->capture_default_str();
  bool quiet = false;
  app.add_flag("--quiet,-q", quiet, "No progress on stderr (long commands show it: done/total, rate, ETA)");

  // A token in the environment is a secret from the start: even a parse error
  // that echoes a mistaken argument must not show it.
  for (const char* name : {"GITHUB_TOKEN", "GH_TOKEN"})
    if (const char* v = std::getenv(name)) coordsim::agent::real::register_secret(v);
  // Every error on one pattern, "coordsim: error: WHERE: WHAT", CLI11's too.
  app.failure_message([](const CLI::App* a, const CLI::Error& e) {
    return "coordsim: error: " + printable(coordsim::agent::real::redact(CLI::FailureMessage::simple(a, e)));
  });

  Action action;
#ifndef COORDSIM_MINIMAL
  add_run_command(app, action);
  add_check_command(app, action);
  add_compare_command(app, action);
  add_sweep_commands(app, action);
  add_replay_command(app, action);
  add_find_command(app, action);
  add_explore_command(app, action);
  add_serve_command(app, action);
#endif
  add_agent_command(app, action);
  add_calibrate_command(app, action);
  add_audit_command(app, action);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return stdout_status(app.exit(e));
  } catch (const CLI::CallForAllHelp& e) {
    return stdout_status(app.exit(e));
  } catch (const CLI::CallForVersion& e) {
    return stdout_status(app.exit(e));
  } catch (const CLI::ParseError& e) {
    if (const auto message = subcommand_message(app, argc, argv)) {
      print_error(*message + "\nRun with --help for more information.");
      return kExitBadInput;
    }
    app.exit(e);
    return kExitBadInput;
  }

  auto logger = spdlog::stderr_color_mt("coordsim");
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::from_str(log_level));
  spdlog::set_pattern("%^%l%$: %v");
  set_progress_quiet(quiet);

  try {
    // Reports printed with printf and friends are checked here, at the end:
    // a full disk or device on stdout is a failure, not a success (exit 1).
    return stdout_status(action());
  } catch (const coordsim::sim::InputError& e) {
    print_error(e.what());
    return kExitBadInput;
  } catch (const std::exception& e) {
    print_error(e.what());
    return kExitFailure;
  }
}
