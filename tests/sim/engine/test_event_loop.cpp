#include <catch2/catch.hpp>

#include <vector>

#include "sim/engine/event_loop.hpp"

using coordsim::sim::EventLoop;
using coordsim::sim::Phase;
using coordsim::sim::Time;

namespace {
struct Recorder {
  std::vector<int>* log;
  int id;
  EventLoop* loop;
  static void fire(void* p) {
    auto* r = static_cast<Recorder*>(p);
    r->log->push_back(r->id);
  }
};
}  // namespace

TEST_CASE("events run in time order, ties in insertion order, commits first", "[event_loop]") {
  EventLoop loop;
  std::vector<int> log;
  std::vector<Recorder> r;
  r.reserve(6);
  for (int i = 0; i < 6; ++i) r.push_back({&log, i, &loop});
  loop.schedule(Time(30), Phase::deliver, &Recorder::fire, &r[0]);
  loop.schedule(Time(10), Phase::deliver, &Recorder::fire, &r[1]);
  loop.schedule(Time(10), Phase::deliver, &Recorder::fire, &r[2]);
  loop.schedule(Time(10), Phase::commit, &Recorder::fire, &r[3]);  // inserted last, runs first at t=10
  loop.schedule(Time(20), Phase::deliver, &Recorder::fire, &r[4]);
  loop.schedule(Time(10), Phase::deliver, &Recorder::fire, &r[5]);
  loop.run();
  REQUIRE(log == std::vector<int>{3, 1, 2, 5, 4, 0});
  REQUIRE(loop.now() == Time(30));
  REQUIRE(loop.events_run() == 6);
  REQUIRE(loop.empty());
}

TEST_CASE("an event may schedule more events, including at the current time", "[event_loop]") {
  // A at t=1 schedules B at t=1 (runs after C, which was inserted earlier) and D at t=6.
  EventLoop loop;
  std::vector<int> log;
  struct Ctx {
    EventLoop* loop;
    std::vector<int>* log;
  } ctx{&loop, &log};
  static constexpr auto b = +[](void* p) { static_cast<Ctx*>(p)->log->push_back(2); };
  static constexpr auto c = +[](void* p) { static_cast<Ctx*>(p)->log->push_back(3); };
  static constexpr auto d = +[](void* p) { static_cast<Ctx*>(p)->log->push_back(4); };
  static constexpr auto a = +[](void* p) {
    auto* x = static_cast<Ctx*>(p);
    x->log->push_back(1);
    x->loop->schedule(x->loop->now(), Phase::deliver, b, p);
    x->loop->schedule(x->loop->now() + Time(5), Phase::deliver, d, p);
  };
  loop.schedule(Time(1), Phase::deliver, a, &ctx);
  loop.schedule(Time(1), Phase::deliver, c, &ctx);
  loop.run();
  REQUIRE(log == std::vector<int>{1, 3, 2, 4});
  REQUIRE(loop.now() == Time(6));
}

TEST_CASE("reset forgets pending events and the clock", "[event_loop]") {
  EventLoop loop;
  int fired = 0;
  loop.schedule(Time(5), Phase::deliver, [](void* p) { ++*static_cast<int*>(p); }, &fired);
  loop.reset();
  loop.run();
  REQUIRE(fired == 0);
  REQUIRE(loop.now() == Time(0));
  REQUIRE(loop.events_run() == 0);
}
