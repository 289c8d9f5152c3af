#include "cli/progress.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include <spdlog/fmt/fmt.h>

#include "sim/engine/trial_progress.hpp"

namespace coordsim::cli {

namespace {
std::atomic<bool> quiet{false};

std::string duration_text(double s) {
  if (s < 90) return fmt::format("{:.0f} s", s);
  if (s < 5400) return fmt::format("{:.0f} min", s / 60);
  return fmt::format("{:.1f} h", s / 3600);
}

// A CI log gets a line every 30 s: often enough to show the job is alive,
// rarely enough not to bury the report.
double log_interval() {
  if (const char* v = std::getenv("COORDSIM_PROGRESS_SECONDS")) {
    char* end = nullptr;
    const double s = std::strtod(v, &end);
    if (end != v && s > 0 && s < 1e6) return s;
  }
  return 30;
}
}  // namespace

void set_progress_quiet(bool q) { quiet = q; }
bool progress_quiet() { return quiet; }

std::string progress_line(const std::string& what, std::int64_t done, std::int64_t total, double seconds,
                          const std::string& unit) {
  const double rate = seconds > 0 ? static_cast<double>(done) / seconds : 0;
  std::string out = total > 0 ? fmt::format("{}: {}/{} {} ({:.1f}%)", what, done, total, unit,
                                            100.0 * static_cast<double>(done) / static_cast<double>(total))
                              : fmt::format("{}: {} {}", what, done, unit);
  // A slow count (calibrate's markers) in units a minute, not "0 markers/s".
  if (rate > 0 && rate < 1) out += fmt::format(", {:.1f} {}/min", rate * 60, unit);
  else out += fmt::format(", {:.0f} {}/s", rate, unit);
  if (total > 0 && rate > 0 && done < total)
    out += ", ETA " + duration_text(static_cast<double>(total - done) / rate);
  return out;
}

Progress::Progress(std::string what, std::int64_t total, std::string unit, const std::atomic<std::int64_t>* counter)
    : what_(std::move(what)),
      unit_(std::move(unit)),
      counter_(counter != nullptr ? counter : &sim::trials_done()),
      total_(total),
      start_(counter_->load(std::memory_order_relaxed)),
      terminal_(::isatty(STDERR_FILENO) != 0),
      interval_(terminal_ ? 0.25 : log_interval()) {
  if (!quiet) thread_ = std::thread([this] { loop(); });
}

Progress::~Progress() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void Progress::set_total(std::int64_t total) {
  std::lock_guard lock(mutex_);
  total_ = total;
}

void Progress::loop() {
  using clock = std::chrono::steady_clock;
  const auto started = started_;
  // A command done within a second (or, in a log, within one interval) shows
  // nothing. COORDSIM_PROGRESS_SECONDS shortens the terminal's first second
  // too, so a test sees the redrawn line without depending on the machine's speed.
  auto next = started + std::chrono::duration<double>(terminal_ ? std::min(1.0, log_interval()) : interval_);
  const auto first = next;
  bool drawn = false;
  const auto print = [&] {
    const double seconds = std::chrono::duration<double>(clock::now() - started).count();
    const std::int64_t done = counter_->load(std::memory_order_relaxed) - start_;
    const std::string line = progress_line(what_, done, total_, seconds, unit_);
    if (terminal_) std::fprintf(stderr, "\r%s\033[K", line.c_str());
    else std::fprintf(stderr, "coordsim: %s\n", line.c_str());
    std::fflush(stderr);
    drawn = true;
  };
  std::unique_lock lock(mutex_);
  while (!wake_.wait_until(lock, std::chrono::time_point_cast<clock::duration>(next), [this] { return stop_; })) {
    print();
    next += std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(interval_));
  }
  // A log line is owed to a command that outlived the first interval even when this
  // thread was not scheduled in time to print it (a loaded CI machine): the log
  // then shows the command's count and rate once, at its end.
  if (!terminal_ && !drawn && clock::now() >= first) print();
  if (terminal_ && drawn) std::fputs("\r\033[K", stderr);  // the report follows on a clean line
}

}  // namespace coordsim::cli
