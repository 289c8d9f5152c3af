// Where reports go (--json, --markdown, --csv, --html, --junit, --trace,
// --out, --shrink, --state): what each kind of path means and how it is
// written. A regular file (or a path that does not exist yet) is replaced
// atomically; anything else is written in place, because renaming a file over
// it would destroy it: `--json /dev/null` run as root must not turn the
// machine's /dev/null into a regular file.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <string_view>

#include "cli/commands.hpp"
#include "sim/input/input_error.hpp"

namespace coordsim::cli {

namespace {

std::string error_text(int err) { return std::strerror(err); }

// What a path turned out to be, in the words of a message.
const char* kind_name(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

struct Target {
  std::string path;  // what is written: the path itself, or its symlink's final target
  bool exists = false;
  struct stat st {};
};

// Follows symlinks link by link, so that a dangling one still names the file
// to create (as the shell's `>` does) and a chain ends at its last target.
Target resolve(const std::string& given) {
  Target t;
  t.path = given;
  for (int hops = 0; hops < 40; ++hops) {
    if (::lstat(t.path.c_str(), &t.st) != 0) {
      if (errno != ENOENT) throw std::runtime_error("cannot write " + given + ": " + error_text(errno));
      return t;  // a new file
    }
    if (!S_ISLNK(t.st.st_mode)) {
      t.exists = true;
      return t;
    }
    std::string link(static_cast<std::size_t>(t.st.st_size > 0 ? t.st.st_size : 4096), '\0');
    const ssize_t n = ::readlink(t.path.c_str(), link.data(), link.size());
    if (n < 0) throw std::runtime_error("cannot write " + given + ": " + error_text(errno));
    link.resize(static_cast<std::size_t>(n));
    // A relative target is relative to the link's directory, not ours.
    const std::filesystem::path dir = std::filesystem::path(t.path).parent_path();
    t.path = link.front() == '/' || dir.empty() ? link : (dir / link).string();
  }
  throw std::runtime_error("cannot write " + given + ": " + error_text(ELOOP));
}

// "out.json" or "out.json (a symlink to reports/out.json)".
std::string named(const std::string& given, const Target& t) {
  return t.path == given ? given : given + " (a symlink to " + t.path + ")";
}

bool written_in_place(mode_t mode) { return S_ISCHR(mode) || S_ISFIFO(mode); }

// write(2) until done: a FIFO or a terminal takes a large report in pieces.
int write_all(int fd, std::string_view text) {
  while (!text.empty()) {
    const ssize_t n = ::write(fd, text.data(), text.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    text.remove_prefix(static_cast<std::size_t>(n));
  }
  return 0;
}

void write_in_place(const std::string& what, const Target& t, const std::string& text) {
  // No O_CREAT: the device or FIFO exists; no O_TRUNC: it means nothing there.
  // A FIFO blocks here until a reader opens it, as `> fifo` does.
  const int fd = ::open(t.path.c_str(), O_WRONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) throw std::runtime_error("cannot write " + what + ": " + error_text(errno));
  const int err = write_all(fd, text);
  const int close_err = ::close(fd) != 0 ? errno : 0;
  if (err || close_err) throw std::runtime_error("cannot write " + what + ": " + error_text(err ? err : close_err));
}

void replace_atomically(const std::string& what, const Target& t, const std::string& text) {
  // O_EXCL: a name someone else planted (a symlink to elsewhere) is not followed.
  std::string tmp;
  int fd = -1;
  for (int attempt = 0; fd < 0 && attempt < 100; ++attempt) {
    tmp = t.path + ".tmp." + std::to_string(::getpid()) + (attempt ? "." + std::to_string(attempt) : "");
    fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0 && errno != EEXIST) throw std::runtime_error("cannot write " + what + ": " + error_text(errno));
  }
  if (fd < 0) throw std::runtime_error("cannot write " + what + ": " + error_text(EEXIST));
  // A replaced file keeps its permissions (a report made private stays so).
  if (t.exists) (void)::fchmod(fd, t.st.st_mode & 0777);
  int err = write_all(fd, text);
  if (::close(fd) != 0 && !err) err = errno;
  if (!err && std::rename(tmp.c_str(), t.path.c_str()) != 0) err = errno;
  if (err) {
    std::remove(tmp.c_str());
    throw std::runtime_error("cannot write " + what + ": " + error_text(err));
  }
}

}  // namespace

std::string json_text(const nlohmann::json& j) {
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

void write_stdout(std::string_view text) {
  errno = 0;
  const bool ok = std::fwrite(text.data(), 1, text.size(), stdout) == text.size();
  // The error shows at the flush (stdout is buffered), and an earlier one
  // stays on the stream: both mean the output is lost.
  if (std::fflush(stdout) != 0 || !ok || std::ferror(stdout))
    throw std::runtime_error("cannot write standard output" + (errno ? ": " + error_text(errno) : std::string()));
}

void write_file_atomically(const std::string& path, const std::string& text) {
  if (path == "-") return write_stdout(text);
  const Target t = resolve(path);
  const std::string what = named(path, t);
  if (!t.exists || S_ISREG(t.st.st_mode)) return replace_atomically(what, t, text);
  if (written_in_place(t.st.st_mode)) return write_in_place(what, t, text);
  throw std::runtime_error("cannot write " + what + ": it is " + kind_name(t.st.st_mode) +
                           "; expected a regular file, a character device, a FIFO or '-'");
}

void check_writable(const std::string& path, const std::string& option) {
  if (path.empty() || path == "-") return;
  Target t;
  try {
    t = resolve(path);
  } catch (const std::runtime_error& e) {
    throw sim::InputError(option, e.what());
  }
  const std::string what = named(path, t);
  if (t.exists && written_in_place(t.st.st_mode)) {
    if (::access(t.path.c_str(), W_OK) != 0)
      throw sim::InputError(option, "cannot write " + what + ": " + error_text(errno));
    return;
  }
  if (t.exists && !S_ISREG(t.st.st_mode))
    throw sim::InputError(option, "cannot write " + what + ": it is " + kind_name(t.st.st_mode) +
                                      "; expected a regular file, a character device, a FIFO or '-'");
  // Replacing a file or creating one needs its directory.
  const std::filesystem::path p(t.path);
  const std::filesystem::path dir = p.has_parent_path() ? p.parent_path() : std::filesystem::path(".");
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec))
    throw sim::InputError(option, "cannot write " + what + ": directory " + dir.string() + " does not exist");
  if (::access(dir.c_str(), W_OK) != 0)
    throw sim::InputError(option, "cannot write " + what + ": " + error_text(errno));
}

}  // namespace coordsim::cli
