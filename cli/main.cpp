// coordsim: simulate, measure and check how CI jobs coordinate through an
// eventually consistent API.
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "agent/real/token.hpp"
#include "cli/commands.hpp"
#include "sim/input/input_error.hpp"

int main(int argc, char** argv) {
  using namespace coordsim::cli;
  CLI::App app{
      "coordsim — measure how parallel CI jobs coordinate through GitHub's eventually consistent API.\n"
      "Runs seeded Monte-Carlo trials of N flavor agents against a fake GitHub with visibility lag,\n"
      "and reports duplicate analyses, misses, token cost and decision latency.\n\n"
      "Start with `coordsim run` (the reference system's 3-flavor reproduction, built in),\n"
      "then `coordsim run scenarios/aprapipes-production.json --strategy seed-lowest`.\n"
      "In CI, `coordsim agent` runs the same protocol code for real against GitHub (docs/agent.md).",
      "coordsim"};
  app.require_subcommand(1);
  // Options of the main command (--log-level) are accepted after a subcommand too.
  app.fallthrough();
  app.set_version_flag("--version", "coordsim 0.1.0");

  std::string log_level = "warn";
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error or off")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}))
      ->capture_default_str();

  // A token in the environment is a secret from the start: even a parse error
  // that echoes a mistaken argument must not show it.
  for (const char* name : {"GITHUB_TOKEN", "GH_TOKEN"})
    if (const char* v = std::getenv(name)) coordsim::agent::real::register_secret(v);
  app.failure_message([](const CLI::App* a, const CLI::Error& e) {
    return coordsim::agent::real::redact(CLI::FailureMessage::simple(a, e));
  });

  Action action;
  add_run_command(app, action);
  add_check_command(app, action);
  add_sweep_commands(app, action);
  add_replay_command(app, action);
  add_find_command(app, action);
  add_explore_command(app, action);
  add_serve_command(app, action);
  add_agent_command(app, action);
  add_calibrate_command(app, action);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitBadInput;
  }

  auto logger = spdlog::stderr_color_mt("coordsim");
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::from_str(log_level));
  spdlog::set_pattern("%^%l%$: %v");

  try {
    return action();
  } catch (const coordsim::sim::InputError& e) {
    // Redacted: `agent` and `calibrate` hold an API token, which no message may show.
    std::fprintf(stderr, "coordsim: error: %s\n", coordsim::agent::real::redact(e.what()).c_str());
    return kExitBadInput;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "coordsim: error: %s\n", coordsim::agent::real::redact(e.what()).c_str());
    return kExitFailure;
  }
}
