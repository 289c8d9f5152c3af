// Appending a report: GitHub's job summary ($GITHUB_STEP_SUMMARY) is one file
// per step that every command in it appends to; replacing it would erase what
// earlier commands wrote there.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <system_error>

#include "cli/commands.hpp"

namespace coordsim::cli {

void append_file(const std::string& path, const std::string& text) {
  if (path == "-") return write_stdout(text);
  const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666);
  if (fd < 0) throw std::runtime_error("cannot append to " + path + ": " + std::strerror(errno));
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int err = n < 0 ? errno : EIO;
      ::close(fd);
      throw std::runtime_error("cannot append to " + path + ": " + std::strerror(err));
    }
    done += static_cast<std::size_t>(n);
  }
  if (::close(fd) != 0) throw std::runtime_error("cannot append to " + path + ": " + std::strerror(errno));
}

bool is_step_summary(const std::string& path) {
  const char* summary = std::getenv("GITHUB_STEP_SUMMARY");
  if (!summary || !*summary || path == "-") return false;
  if (path == summary) return true;
  std::error_code ec;
  return std::filesystem::equivalent(path, summary, ec) && !ec;
}

}  // namespace coordsim::cli
