#pragma once
// Errors in user input (scenario files, --set overrides, CLI values). The
// message always names where (file, JSON pointer) and what was expected.
#include <stdexcept>
#include <string>

namespace coordsim::sim {

class InputError : public std::runtime_error {
 public:
  // `where` is a JSON pointer ("/agent/find_attempts") or another location.
  InputError(std::string where, const std::string& what)
      : std::runtime_error(where.empty() ? what : where + ": " + what), where_(std::move(where)) {}
  const std::string& where() const noexcept { return where_; }

 private:
  std::string where_;
};

}  // namespace coordsim::sim
