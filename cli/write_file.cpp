// Where reports go (--json, --markdown, --csv, --html, --junit, --trace,
// --out, --shrink, --state): what each kind of path means and how it is
// written. A regular file (or a path that does not exist yet) is replaced
// atomically; a character device or FIFO is written in place, because
// renaming a file over it would destroy it: `--json /dev/null` run as root
// must not turn the machine's /dev/null into a regular file. /dev/stdout and
// /dev/fd/N are the process's own descriptors; directories, block devices and
// sockets are refused.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
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
  std::string path;  // the path itself, or its symlinks' final target
  bool exists = false;
  struct stat st {};
  int fd = -1;  // the path names this process's descriptor (/dev/stdout, /dev/fd/N)
};

// N for /proc/self/fd/N and /dev/fd/N, else -1. Opening such a path opens the
// file anew, at offset 0: what the process writes to the descriptor itself
// would then overwrite the report, so the descriptor is written instead (as
// bash's `> /dev/stdout` does).
int own_descriptor(const std::string& path) {
  for (const std::string_view prefix : {"/proc/self/fd/", "/dev/fd/"}) {
    if (path.rfind(prefix, 0) != 0) continue;
    const std::string_view digits = std::string_view(path).substr(prefix.size());
    int fd = -1;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), fd);
    if (ec == std::errc() && end == digits.data() + digits.size() && !digits.empty()) return fd;
  }
  return -1;
}

std::string read_link(const std::string& path, const std::string& given) {
  // st_size can be 0 or too small (/proc's links): grow until it fits.
  for (std::size_t size = 256;; size *= 2) {
    std::string link(size, '\0');
    const ssize_t n = ::readlink(path.c_str(), link.data(), link.size());
    if (n < 0) throw std::runtime_error("cannot write " + given + ": " + error_text(errno));
    if (static_cast<std::size_t>(n) < size) return link.substr(0, static_cast<std::size_t>(n));
  }
}

// Follows symlinks link by link, so that a dangling one still names the file
// to create (as the shell's `>` does) and a chain ends at its last target.
Target resolve(const std::string& given) {
  Target t;
  t.path = given;
  for (int hops = 0; hops < 40; ++hops) {
    if (t.fd < 0) t.fd = own_descriptor(t.path);
    if (::lstat(t.path.c_str(), &t.st) != 0) {
      if (errno != ENOENT) throw std::runtime_error("cannot write " + given + ": " + error_text(errno));
      return t;  // a new file
    }
    if (!S_ISLNK(t.st.st_mode)) {
      t.exists = true;
      return t;
    }
    const std::string link = read_link(t.path, given);
    // A relative target is relative to the link's directory, not ours.
    const std::filesystem::path dir = std::filesystem::path(t.path).parent_path();
    t.path = link.front() == '/' || dir.empty() ? link : (dir / link).string();
  }
  throw std::runtime_error("cannot write " + given + ": " + error_text(ELOOP));
}

enum class How { replace, in_place, descriptor, refuse };

struct Output {
  How how = How::replace;
  Target target;     // for replace: what is renamed over
  std::string what;  // the path for messages
  std::string refusal;
};

// How `given` is written. The kernel's view (stat) decides the kind; the
// symlinks followed by hand only give the file a rename must replace. Where
// they disagree (/proc/PID/fd/N links "to" a pipe or a deleted file) the path
// is written in place, as the shell's `>` would.
Output classify(const std::string& given) {
  Output o;
  o.target = resolve(given);
  o.what = o.target.path == given ? given : given + " (a symlink to " + o.target.path + ")";
  struct stat st {};
  if (o.target.fd >= 0) {
    o.what = given;
    if (::fstat(o.target.fd, &st) != 0) throw std::runtime_error("cannot write " + given + ": " + error_text(errno));
    o.how = How::descriptor;
  } else if (::stat(given.c_str(), &st) != 0) {
    if (errno != ENOENT) throw std::runtime_error("cannot write " + o.what + ": " + error_text(errno));
    o.how = How::replace;  // a new file, or a dangling link's new target
  } else if (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode)) {
    o.how = How::in_place;
  } else if (S_ISREG(st.st_mode)) {
    const bool same_file =
        o.target.exists && o.target.st.st_dev == st.st_dev && o.target.st.st_ino == st.st_ino;
    o.how = same_file ? How::replace : How::in_place;
  } else {
    o.how = How::refuse;
    o.refusal = "cannot write " + o.what + ": it is " + kind_name(st.st_mode) +
                "; expected a regular file, a character device, a FIFO or '-'";
  }
  return o;
}

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

void write_in_place(const std::string& given, const Output& o, const std::string& text) {
  // No O_CREAT: it exists. O_TRUNC means nothing to a device or FIFO, and
  // makes a file reached through /proc hold the report alone, as `>` would.
  // A FIFO blocks here until a reader opens it, as `> fifo` does.
  const int fd = ::open(given.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) throw std::runtime_error("cannot write " + o.what + ": " + error_text(errno));
  const int err = write_all(fd, text);
  const int close_err = ::close(fd) != 0 ? errno : 0;
  if (err || close_err) throw std::runtime_error("cannot write " + o.what + ": " + error_text(err ? err : close_err));
}

void write_descriptor(const Output& o, const std::string& text) {
  if (o.target.fd == STDOUT_FILENO) return write_stdout(text);  // after what stdio holds
  if (o.target.fd == STDERR_FILENO) std::fflush(stderr);
  if (const int err = write_all(o.target.fd, text))
    throw std::runtime_error("cannot write " + o.what + ": " + error_text(err));
}

void replace_atomically(const Output& o, const std::string& text) {
  const Target& t = o.target;
  const std::string& what = o.what;
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
  const Output o = classify(path);
  switch (o.how) {
    case How::replace: return replace_atomically(o, text);
    case How::in_place: return write_in_place(path, o, text);
    case How::descriptor: return write_descriptor(o, text);
    case How::refuse: throw std::runtime_error(o.refusal);
  }
}

void check_writable(const std::string& path, const std::string& option) {
  if (path.empty() || path == "-") return;
  Output o;
  try {
    o = classify(path);
  } catch (const std::runtime_error& e) {
    throw sim::InputError(option, e.what());
  }
  if (o.how == How::refuse) throw sim::InputError(option, o.refusal);
  if (o.how == How::descriptor) return;  // open, as fstat said
  if (o.how == How::in_place) {
    if (::access(path.c_str(), W_OK) != 0)
      throw sim::InputError(option, "cannot write " + o.what + ": " + error_text(errno));
    return;
  }
  // Replacing a file or creating one needs its directory.
  const std::filesystem::path p(o.target.path);
  const std::filesystem::path dir = p.has_parent_path() ? p.parent_path() : std::filesystem::path(".");
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec))
    throw sim::InputError(option, "cannot write " + o.what + ": directory " + dir.string() + " does not exist");
  if (::access(dir.c_str(), W_OK) != 0)
    throw sim::InputError(option, "cannot write " + o.what + ": " + error_text(errno));
}

}  // namespace coordsim::cli
