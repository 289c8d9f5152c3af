#pragma once
// The real-time runtime of the agent ports: an Asio io_context, a Clock on a
// steady_timer, one-shot timers and signal handling, behind a small interface
// so that only runtime.cpp and http_transport.cpp include Asio.
//
// Driving a protocol: post task.start() and run the io_context until the task
// is done (run_task). Every port operation completes from the io_context,
// never inline, so a coroutine is always resumed by the event loop.
#include <functional>
#include <memory>
#include <random>
#include <stdexcept>

#include "agent/ports.hpp"
#include "agent/task.hpp"

namespace boost::asio {
class io_context;
}

namespace coordsim::agent::real {

class Runtime {
 public:
  Runtime();
  ~Runtime();
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  boost::asio::io_context& io();
  void post(std::function<void()> f);
  // Runs the event loop until done() holds; throws std::logic_error when the
  // loop runs out of work first (a port that never resumed its coroutine).
  void run_until(const std::function<bool()>& done);

  // Calls f(signal) from the event loop on SIGINT or SIGTERM, until
  // stop_signals(); the default action (terminate) applies otherwise.
  void on_signals(std::function<void(int)> f);
  void stop_signals();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Starts `task` from the event loop and runs the loop until it completes.
template <class T>
T run_task(Runtime& runtime, Task<T>& task) {
  runtime.post([&task] { task.start(); });
  runtime.run_until([&task] { return task.done(); });
  return task.result();
}

// The Clock port in real time: now() from a steady clock since the runtime
// started, sleep on a steady_timer, random01 from the OS's entropy.
class AsioClock final : public Clock {
 public:
  explicit AsioClock(Runtime& runtime);
  ~AsioClock() override;

  Time now() const override;
  bool sleep_then_resume(Duration d, std::coroutine_handle<> h) override;
  double random01() override;

  // Ends the sleep in progress now (calibrate's Ctrl-C: stop waiting).
  void wake();
  // After the decision deadline: the sleep in progress ends now, and later
  // sleeps do not wait: the clock jumps ahead by the sleep instead, so a
  // protocol still counting its retry budget in time runs out of it at once.
  void expire();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A one-shot timer: f runs from the event loop `d` from now, unless cancelled
// (or the timer destroyed) first.
class OneShotTimer {
 public:
  explicit OneShotTimer(Runtime& runtime);
  ~OneShotTimer();
  void start(Duration d, std::function<void()> f);
  void cancel();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace coordsim::agent::real
