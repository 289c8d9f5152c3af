#include "sim/http/journal.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/input/input_error.hpp"

namespace coordsim::sim::http {

namespace {

std::string errno_text(int err) { return std::strerror(err); }

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

void sync_directory_of(const std::string& path) {
  const std::filesystem::path p(path);
  const std::string dir = p.has_parent_path() ? p.parent_path().string() : std::string(".");
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  (void)::fsync(fd);
  ::close(fd);
}

}  // namespace

Journal::Journal(std::string path, std::uint64_t next_seq) : path_(std::move(path)), appended_(next_seq - 1) {
  durable_ = appended_;
  struct stat st {};
  const bool existed = ::stat(path_.c_str(), &st) == 0;
  fd_ = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666);
  if (fd_ < 0) throw std::runtime_error("cannot open the state journal " + path_ + ": " + errno_text(errno));
  if (::fstat(fd_, &st) == 0) bytes_ = static_cast<std::uint64_t>(st.st_size);
  if (!existed) sync_directory_of(path_);
  writer_ = std::thread([this] { run(); });
}

Journal::~Journal() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  writer_.join();
  ::close(fd_);
}

std::uint64_t Journal::append(std::string_view object) {
  if (object.size() < 3 || object.front() != '{') throw std::logic_error("Journal::append: not a JSON object");
  std::lock_guard lock(mutex_);
  const std::uint64_t seq = ++appended_;
  const std::size_t before = pending_.size();
  pending_ += "{\"seq\":";
  pending_ += std::to_string(seq);
  pending_ += ',';
  pending_.append(object.substr(1));
  pending_ += '\n';
  bytes_ += pending_.size() - before;
  wake_.notify_one();
  return seq;
}

void Journal::when_durable(std::uint64_t seq, std::function<void(bool)> done) {
  std::unique_lock lock(mutex_);
  if (failed_ || seq <= durable_) {
    const bool ok = !failed_ || seq <= durable_;
    lock.unlock();
    done(ok);
    return;
  }
  waiters_.emplace(seq, std::move(done));
}

bool Journal::wait_durable(std::uint64_t seq) {
  std::unique_lock lock(mutex_);
  synced_.wait(lock, [&] { return failed_ || seq <= durable_; });
  return seq <= durable_;
}

std::uint64_t Journal::last_appended() const {
  std::lock_guard lock(mutex_);
  return appended_;
}
bool Journal::failed() const {
  std::lock_guard lock(mutex_);
  return failed_;
}
std::string Journal::error() const {
  std::lock_guard lock(mutex_);
  return error_;
}
std::uint64_t Journal::size() const {
  std::lock_guard lock(mutex_);
  return bytes_;
}

void Journal::truncate() {
  std::lock_guard lock(mutex_);
  if (failed_) return;
  if (::ftruncate(fd_, 0) != 0 || ::fdatasync(fd_) != 0) {
    failed_ = true;
    error_ = "cannot truncate " + path_ + ": " + errno_text(errno);
    return;
  }
  bytes_ = pending_.size();
}

void Journal::run() {
  std::string batch;
  std::vector<std::function<void(bool)>> ready;
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [&] { return stopping_ || !pending_.empty(); });
    if (pending_.empty() && stopping_) return;
    batch.clear();
    batch.swap(pending_);
    const std::uint64_t last = appended_;
    const bool was_failed = failed_;
    lock.unlock();
    int err = was_failed ? 0 : write_all(fd_, batch);
    // fdatasync: the data and the size, not the times, which recovery never reads.
    if (!was_failed && !err && ::fdatasync(fd_) != 0) err = errno;
    lock.lock();
    if (err && !failed_) {
      failed_ = true;
      error_ = "cannot write the state journal " + path_ + ": " + errno_text(err);
    }
    if (!failed_) durable_ = last;
    const auto end = failed_ ? waiters_.end() : waiters_.upper_bound(durable_);
    ready.clear();
    for (auto it = waiters_.begin(); it != end; ++it) ready.push_back(std::move(it->second));
    waiters_.erase(waiters_.begin(), end);
    const bool ok = !failed_;
    lock.unlock();
    synced_.notify_all();
    for (auto& done : ready) done(ok);
    lock.lock();
  }
}

void write_durably(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0) throw std::runtime_error("cannot write " + tmp + ": " + errno_text(errno));
  int err = write_all(fd, text);
  if (!err && ::fsync(fd) != 0) err = errno;
  if (::close(fd) != 0 && !err) err = errno;
  if (!err && std::rename(tmp.c_str(), path.c_str()) != 0) err = errno;
  if (err) {
    std::remove(tmp.c_str());
    throw std::runtime_error("cannot write " + path + ": " + errno_text(err));
  }
  sync_directory_of(path);
}

StateLock::StateLock(const std::string& path) {
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666);
  if (fd_ < 0) throw std::runtime_error("cannot open " + path + ": " + errno_text(errno));
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    ::close(fd_);
    if (err == EWOULDBLOCK)
      throw std::runtime_error(path + " is in use by another coordsim serve (one server per --state file)");
    throw std::runtime_error("cannot lock " + path + ": " + errno_text(err));
  }
}

StateLock::~StateLock() { ::close(fd_); }

std::uint64_t read_journal(const std::string& path,
                           const std::function<void(std::uint64_t line, const nlohmann::json&)>& line) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return 0;
  std::string text;
  std::uint64_t number = 0;
  std::uint64_t good_bytes = 0;  // the file up to the end of the last complete line
  while (std::getline(in, text)) {
    ++number;
    const bool complete = !in.eof();  // getline stopped at a newline
    nlohmann::json doc = nlohmann::json::parse(text, nullptr, false);
    if (!complete || doc.is_discarded() || !doc.is_object()) {
      // Only the last line can have been cut short by a crash mid-write; its
      // write was not synced, so it was never acknowledged.
      in.peek();
      if (!complete || in.eof()) {
        std::filesystem::resize_file(path, good_bytes);
        return number - 1;
      }
      throw InputError(path + ": line " + std::to_string(number),
                       "not a journal entry (a JSON object on one line); the journal is damaged");
    }
    good_bytes += text.size() + 1;
    line(number, doc);
  }
  return number;
}

}  // namespace coordsim::sim::http
