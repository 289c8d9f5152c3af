#pragma once
// One function per subcommand: each registers its options on the app and
// returns the action to run once the command line is parsed.
#include <functional>
#include <string>
#include <string_view>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

namespace coordsim::cli {

// Exit codes shared by all subcommands.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;    // the run itself failed (I/O, internal error)
inline constexpr int kExitBadInput = 2;   // bad arguments or scenario

// `check` and `compare` follow the test runners' convention (docs/ci.md, "Exit
// codes"): a failed bound is not a broken tool.
inline constexpr int kExitCheckFailed = 1;        // a bound failed, or a significant regression
inline constexpr int kExitCheckInconclusive = 3;  // a verdict still inconclusive at the trial cap
inline constexpr int kExitCheckError = 4;         // a report could not be written, or the run failed

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
void add_audit_command(CLI::App& app, Action& action);
void add_compare_command(CLI::App& app, Action& action);

// Writes a report to an output path (cli/write_file.cpp): a regular file, or
// one that does not exist yet, atomically (a temporary file beside it, then
// rename, keeping its permissions), so a failed or interrupted write never
// leaves a truncated report behind; a symlink's target the same way (the link
// stays); a character device or FIFO in place; "-" to stdout. Throws
// std::runtime_error naming the path on any error, a full disk or device
// included (exit 1).
void write_file_atomically(const std::string& path, const std::string& text);

// Appends `text` to `path` (cli/append_file.cpp), creating it if needed, as
// GitHub's job summary expects of every step; "-" is stdout. Throws
// std::runtime_error naming the path on any error.
void append_file(const std::string& path, const std::string& text);

// True when `path` names the file $GITHUB_STEP_SUMMARY names: `--markdown`
// then appends, so that earlier steps' summaries stay.
bool is_step_summary(const std::string& path);

// A JSON report as written: indented, one newline at the end. A byte that is
// not UTF-8 (a --set string, a path) becomes U+FFFD instead of throwing.
std::string json_text(const nlohmann::json& j);

// Writes to stdout and flushes; throws std::runtime_error if it fails.
void write_stdout(std::string_view text);

// Throws InputError(option, ...) when `path` cannot be written (its directory
// is missing or not writable, it is a directory or a block device): checked
// before running, so bad input is reported as such (exit 2) and not after the
// work.
void check_writable(const std::string& path, const std::string& option);

}  // namespace coordsim::cli
