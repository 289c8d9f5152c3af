#include "agent/real/runtime.hpp"

#include <csignal>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

namespace coordsim::agent::real {

namespace asio = boost::asio;

struct Runtime::Impl {
  asio::io_context io{1};
  std::optional<asio::signal_set> signals;
  std::function<void(int)> on_signal;

  void wait_signal() {
    signals->async_wait([this](const boost::system::error_code& ec, int sig) {
      if (ec || !on_signal) return;
      on_signal(sig);
      if (signals) wait_signal();
    });
  }
};

Runtime::Runtime() : impl_(std::make_unique<Impl>()) {}
Runtime::~Runtime() = default;

asio::io_context& Runtime::io() { return impl_->io; }

void Runtime::post(std::function<void()> f) { asio::post(impl_->io, std::move(f)); }

void Runtime::run_until(const std::function<bool()>& done) {
  if (impl_->io.stopped()) impl_->io.restart();
  while (!done()) {
    if (impl_->io.run_one() == 0)
      throw std::logic_error("the event loop ran out of work before the task completed");
  }
}

void Runtime::on_signals(std::function<void(int)> f) {
  impl_->on_signal = std::move(f);
  if (!impl_->signals) {
    impl_->signals.emplace(impl_->io, SIGINT, SIGTERM);
    impl_->wait_signal();
  }
}

void Runtime::stop_signals() {
  impl_->on_signal = nullptr;
  if (impl_->signals) {
    boost::system::error_code ec;
    impl_->signals->cancel(ec);
    impl_->signals->clear(ec);
  }
}

struct AsioClock::Impl {
  Runtime& runtime;
  asio::steady_timer timer;
  std::chrono::steady_clock::time_point origin = std::chrono::steady_clock::now();
  Duration skipped{};  // time jumped over by sleeps after expire()
  bool expired = false;
  std::mt19937_64 rng{std::random_device{}()};

  explicit Impl(Runtime& r) : runtime(r), timer(r.io()) {}
};

AsioClock::AsioClock(Runtime& runtime) : impl_(std::make_unique<Impl>(runtime)) {}
AsioClock::~AsioClock() = default;

Time AsioClock::now() const {
  return std::chrono::duration_cast<Duration>(std::chrono::steady_clock::now() - impl_->origin) + impl_->skipped;
}

bool AsioClock::sleep_then_resume(Duration d, std::coroutine_handle<> h) {
  if (impl_->expired) {
    impl_->skipped += d;
    return false;
  }
  impl_->timer.expires_after(d);
  // Resumed when the timer fires, or at once when it is cancelled (wake,
  // expire): either way from the event loop.
  impl_->timer.async_wait([h](const boost::system::error_code&) { h.resume(); });
  return true;
}

double AsioClock::random01() {
  // 53 random bits: uniform in [0, 1).
  return static_cast<double>(impl_->rng() >> 11) * 0x1.0p-53;
}

void AsioClock::wake() { impl_->timer.cancel(); }

void AsioClock::expire() {
  impl_->expired = true;
  impl_->timer.cancel();
}

struct OneShotTimer::Impl {
  asio::steady_timer timer;
  explicit Impl(Runtime& r) : timer(r.io()) {}
};

OneShotTimer::OneShotTimer(Runtime& runtime) : impl_(std::make_unique<Impl>(runtime)) {}
OneShotTimer::~OneShotTimer() = default;

void OneShotTimer::start(Duration d, std::function<void()> f) {
  impl_->timer.expires_after(d);
  impl_->timer.async_wait([f = std::move(f)](const boost::system::error_code& ec) {
    if (!ec) f();
  });
}

void OneShotTimer::cancel() { impl_->timer.cancel(); }

}  // namespace coordsim::agent::real
