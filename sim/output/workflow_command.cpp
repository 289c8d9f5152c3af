#include "sim/output/workflow_command.hpp"

#include <cstdlib>
#include <cstring>

namespace coordsim::sim {

namespace {

std::string escape(std::string_view s, bool property) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '%': out += "%25"; break;
      case '\r': out += "%0D"; break;
      case '\n': out += "%0A"; break;
      case ':': out += property ? "%3A" : ":"; break;
      case ',': out += property ? "%2C" : ","; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace

std::string workflow_command(std::string_view command,
                             const std::vector<std::pair<std::string, std::string>>& properties,
                             std::string_view message) {
  std::string out = "::" + std::string(command);
  for (std::size_t i = 0; i < properties.size(); ++i)
    out += (i ? "," : " ") + properties[i].first + "=" + escape(properties[i].second, true);
  return out + "::" + escape(message, false) + "\n";
}

bool in_github_actions() {
  const char* v = std::getenv("GITHUB_ACTIONS");
  return v && std::strcmp(v, "true") == 0;
}

}  // namespace coordsim::sim
