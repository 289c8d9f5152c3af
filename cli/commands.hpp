#pragma once
// One function per subcommand: each registers its options on the app and
// returns the action to run once the command line is parsed.
#include <functional>

#include <CLI/CLI.hpp>

namespace coordsim::cli {

// Exit codes shared by all subcommands.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;    // the run itself failed (I/O, internal error)
inline constexpr int kExitBadInput = 2;   // bad arguments or scenario

using Action = std::function<int()>;

void add_run_command(CLI::App& app, Action& action);
void add_check_command(CLI::App& app, Action& action);
void add_sweep_commands(CLI::App& app, Action& action);  // sweep, merge
void add_replay_command(CLI::App& app, Action& action);
void add_find_command(CLI::App& app, Action& action);
void add_explore_command(CLI::App& app, Action& action);
void add_serve_command(CLI::App& app, Action& action);
void add_agent_command(CLI::App& app, Action& action);      // agent, agent done
void add_calibrate_command(CLI::App& app, Action& action);

// Writes `text` to `path` atomically (temporary file, then rename), so a failed
// or interrupted write never leaves a truncated report behind. Throws
// std::runtime_error naming the path.
void write_file_atomically(const std::string& path, const std::string& text);

}  // namespace coordsim::cli
