#pragma once
// Progress of a long command on stderr, fed by the trial runner's counter
// (sim/engine/trial_progress.hpp) and drawn by a reporter thread of its own,
// so the runner stays deterministic and does no per-trial work:
//  * on a terminal, one line redrawn 4 times a second: done/total, rate, ETA;
//  * otherwise (a CI log), a line every 30 s (COORDSIM_PROGRESS_SECONDS
//    overrides it, for tests);
//  * nothing with --quiet, and nothing for a command done within a second.
// Debian has no maintained C++ progress library (indicators is not packaged),
// hence this small one.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

namespace coordsim::cli {

// The global --quiet.
void set_progress_quiet(bool quiet);
bool progress_quiet();

// "run: 1200000/20000000 trials (6.0%), 410000 trials/s, ETA 41 s"; total 0: unknown.
std::string progress_line(const std::string& what, std::int64_t done, std::int64_t total, double seconds,
                          const std::string& unit = "trials");

class Progress {
 public:
  // Counts sim::trials_done() in trials, or `counter` (which must outlive the
  // Progress) in `unit`s: explore's schedules, shrink's scenarios tried,
  // calibrate's markers.
  Progress(std::string what, std::int64_t total, std::string unit = "trials",
           const std::atomic<std::int64_t>* counter = nullptr);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;
  void set_total(std::int64_t total);

 private:
  void loop();
  std::string what_;
  std::string unit_;
  const std::atomic<std::int64_t>* counter_;
  std::int64_t total_;
  std::int64_t start_;
  bool terminal_;
  double interval_;
  // When the command started, not when the reporter thread first ran: a starved
  // thread must still see how long the command has been going.
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace coordsim::cli
