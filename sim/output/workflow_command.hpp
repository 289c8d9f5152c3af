#pragma once
// GitHub Actions workflow commands ("::error file=a.json,title=T::message"),
// which the runner reads from a step's stdout and shows as annotations on the
// run and the pull request. Escaped as the runner unescapes them
// (actions/toolkit, core/src/command.ts): in the message % CR LF, in a
// property also ':' and ','; anything else would end the command early or
// split a property.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace coordsim::sim {

std::string workflow_command(std::string_view command,
                             const std::vector<std::pair<std::string, std::string>>& properties,
                             std::string_view message);

// True when running as a GitHub Actions step (GITHUB_ACTIONS=true).
bool in_github_actions();

}  // namespace coordsim::sim
