// `coordsim compare BASELINE.json CURRENT.json`: two `check --json` outputs,
// per metric whether the current run is significantly worse (sim/analysis/baseline.hpp).
#include <cstdio>
#include <string>

#include "cli/commands.hpp"
#include "cli/number_options.hpp"
#include "cli/terminal_text.hpp"
#include "sim/analysis/baseline.hpp"
#include "sim/input/json_text.hpp"

namespace coordsim::cli {

namespace {

struct CompareArgs {
  std::string baseline_path;
  std::string current_path;
  double tolerance = 0.05;
  std::string markdown_path;
  bool append = false;
  std::string json_path;
};

std::vector<sim::RunNumbers> load(const std::string& path) {
  return sim::read_baseline(sim::parse_json_text(sim::read_input_file(path, "check --json file"), path), path);
}

int compare(const CompareArgs& a) {
  check_writable(a.markdown_path, "--markdown");
  check_writable(a.json_path, "--json");
  sim::CompareOptions options;
  options.tolerance = a.tolerance;
  const auto comparisons = sim::compare_all(load(a.baseline_path), load(a.current_path), options);
  try {
    if (!a.markdown_path.empty()) {
      const std::string md = sim::comparison_markdown(comparisons, options);
      if (a.append || is_step_summary(a.markdown_path)) append_file(a.markdown_path, md);
      else write_file_atomically(a.markdown_path, md);
    }
    if (!a.json_path.empty()) write_file_atomically(a.json_path, json_text(sim::comparison_json(comparisons)));
    if (a.markdown_path != "-" && a.json_path != "-") print_text(sim::comparison_text(comparisons, options));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "coordsim: error: %s\n", printable(e.what()).c_str());
    return kExitCheckError;
  }
  return sim::any_regression(comparisons) ? kExitCheckFailed : kExitOk;
}

}  // namespace

void add_compare_command(CLI::App& app, Action& action) {
  auto args = std::make_shared<CompareArgs>();
  CLI::App* cmd = app.add_subcommand(
      "compare",
      "Compare two `check --json` outputs (a baseline, e.g. main's, and a change) metric by metric;\n"
      "fail on a significant regression beyond --tolerance. Paired over batches when both runs used\n"
      "the same seed and trials (common random numbers). Exit 0: no regression; 1: a regression;\n"
      "2: bad input; 4: a report could not be written (docs/ci.md).\n\n"
      "Example:\n"
      "  coordsim compare main.json pr.json --markdown \"$GITHUB_STEP_SUMMARY\"");
  cmd->add_option("baseline", args->baseline_path, "`coordsim check --json` of the baseline")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("current", args->current_path, "`coordsim check --json` of the change")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--tolerance", args->tolerance,
                  "How much worse, relative to the baseline's value, is not yet a regression (default 0.05)")
      ->transform(number_in(0, 100, "a fraction >= 0, e.g. 0.05"));
  cmd->add_option("--markdown", args->markdown_path,
                  "Write a Markdown summary to FILE; appended when FILE is $GITHUB_STEP_SUMMARY (or with --append)");
  cmd->add_flag("--append", args->append, "Append the Markdown summary to FILE instead of replacing it");
  cmd->add_option("--json", args->json_path, "Write the comparison as JSON to FILE ('-' for stdout)");
  cmd->callback([args, &action] { action = [args] { return compare(*args); }; });
}

}  // namespace coordsim::cli
