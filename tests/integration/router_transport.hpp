#pragma once
// The real runtime's REST client against coordsim serve's router in one
// process and in virtual time: no sockets, no waiting, every time exact. The
// transport hands each request to sim::http::Router as coordsim serve's
// connection does (the effect after the planned request latency, the answer
// after the response latency); the clock's sleeps and the router's latencies
// are events on one virtual timeline.
#include <coroutine>
#include <cstdint>
#include <deque>
#include <functional>
#include <queue>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "agent/ports.hpp"
#include "agent/real/http_types.hpp"
#include "agent/task.hpp"
#include "agent/time.hpp"
#include "sim/http/router.hpp"

namespace coordsim::test {

// Callbacks by due time (ties in the order they were scheduled); time jumps to
// the next one.
class VirtualTime {
 public:
  agent::Time now() const { return now_; }
  void at(agent::Time t, std::function<void()> f) { events_.push(Event{t, next_++, std::move(f)}); }

  // Starts `task` now and runs events until it is done.
  template <class T>
  T run(agent::Task<T>& task) {
    at(now_, [&task] { task.start(); });
    while (!task.done()) {
      // A port that never resumed its coroutine, as Runtime::run_until reports it.
      if (events_.empty()) throw std::logic_error("virtual time: no events left, the task is not done");
      Event e = events_.top();
      events_.pop();
      now_ = e.due;
      e.run();
    }
    return task.result();
  }

 private:
  struct Event {
    agent::Time due;
    std::uint64_t order;
    std::function<void()> run;
  };
  struct Later {
    bool operator()(const Event& a, const Event& b) const {
      return a.due != b.due ? a.due > b.due : a.order > b.order;
    }
  };
  std::priority_queue<Event, std::vector<Event>, Later> events_;
  agent::Time now_{};
  std::uint64_t next_ = 0;
};

class VirtualClock final : public agent::Clock {
 public:
  explicit VirtualClock(VirtualTime& time) : time_(time) {}
  agent::Time now() const override { return time_.now(); }
  bool sleep_then_resume(agent::Duration d, std::coroutine_handle<> h) override {
    time_.at(time_.now() + d, [h] { h.resume(); });
    return true;
  }
  // Retry jitter only: the middle, so that waits are reproducible.
  double random01() override { return 0.5; }

 private:
  VirtualTime& time_;
};

class RouterTransport final : public agent::real::Transport {
 public:
  // `base_path` is the API base's path, as in --api-url http://host/api/v3.
  RouterTransport(sim::http::Router& router, VirtualTime& time, std::string base_path = "/api/v3")
      : router_(router), time_(time), base_path_(std::move(base_path)) {}

  void send(agent::real::HttpRequest request, Callback done) override {
    if (!expired_.empty()) {
      agent::real::HttpResponse failed;
      failed.error = expired_;
      time_.at(time_.now(), [done = std::move(done), failed] { done(failed); });
      return;
    }
    queue_.push_back(Pending{std::move(request), std::move(done)});
    if (queue_.size() == 1) start_front();
  }

  // Later requests fail at once; one in flight still completes (no test here
  // expires mid-request).
  void expire(std::string why) override { expired_ = why.empty() ? "expired" : std::move(why); }

  std::int64_t requests() const { return requests_; }

  // When set, each request's fate instead of the one the router drew (tests
  // that hand both fakes the same fault draws).
  std::function<sim::FaultPlan(const sim::http::Request&)> fault_for;

 private:
  struct Pending {
    agent::real::HttpRequest request;
    Callback done;
  };

  // One request at a time, as HttpTransport's single connection does.
  void start_front() {
    const agent::real::HttpRequest& in = queue_.front().request;
    sim::http::Request r;
    r.method = in.method;
    r.target = base_path_ + in.target;
    r.body = in.body;
    r.headers = {{"host", "router.test"}, {"accept", "application/vnd.github+json"},
                 {"user-agent", "coordsim-test"}};
    if (!r.body.empty()) r.headers.push_back({"content-type", "application/json; charset=utf-8"});
    r.remote = "127.0.0.1";
    ++requests_;
    sim::http::Timing timing = router_.plan(r);
    if (fault_for) timing.fault = fault_for(r);
    const agent::Time effect = time_.now() + timing.request;
    time_.at(effect, [this, r, timing, effect] {
      const sim::http::Response answer = router_.handle(r, effect, timing.fault);
      time_.at(effect + timing.response, [this, answer] { finish_front(answer); });
    });
  }

  void finish_front(const sim::http::Response& answer) {
    agent::real::HttpResponse out;
    out.status = answer.status;
    for (const sim::http::Header& h : answer.headers) out.headers.emplace_back(h.name, h.value);
    out.body = answer.body;
    Callback done = std::move(queue_.front().done);
    queue_.pop_front();
    if (!queue_.empty()) start_front();
    done(std::move(out));
  }

  sim::http::Router& router_;
  VirtualTime& time_;
  std::string base_path_;
  std::deque<Pending> queue_;
  std::string expired_;
  std::int64_t requests_ = 0;
};

}  // namespace coordsim::test
