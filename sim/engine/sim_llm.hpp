#pragma once
// The simulator's Llm port: the cost model, with analyses drawn before the
// trial (so `none` and every protocol see the same analysis costs: common
// random numbers), and a leader's agent dying.
#include "agent/ports.hpp"
#include "sim/engine/event_loop.hpp"
#include "sim/engine/sim_clock.hpp"
#include "sim/engine/trial_observer.hpp"
#include "sim/scenario/scenario.hpp"

namespace coordsim::sim {

// The LLM as the cost model: the analysis this flavor would get, drawn before
// the trial, delivered after its drawn duration.
class SimLlm final : public agent::Llm {
 public:
  SimLlm(EventLoop& loop, const SimClock& clock) : loop_(loop), clock_(clock) {}
  // `dies_at`: where this flavor's agent dies if it leads (nullptr: it does
  // not); it does only while the trial's `deaths_left` is positive.
  void begin_trial(const agent::AnalysisResult& result, Duration duration, const DeathPoint* dies_at,
                   int* deaths_left) {
    result_ = result;
    duration_ = duration;
    dies_at_ = dies_at ? *dies_at : DeathPoint{};
    may_die_ = dies_at != nullptr;
    dies_ = false;
    deaths_left_ = deaths_left;
    started_ = false;
  }
  void start_analyze(const agent::AnalysisRequest&, agent::AnalysisResult& out,
                     std::coroutine_handle<> h) override {
    // A dying agent is simply never resumed: nothing it would do afterwards
    // (analysis result, done marker, cleanup) happens.
    if (may_die_ && *deaths_left_ > 0) {
      --*deaths_left_;
      dies_ = true;
      started_ = dies_at_ == DeathPoint::during_analysis;  // the tokens were spent
      return;
    }
    started_ = true;
    out = result_;
    if (observer_) [[unlikely]]
      observe_analysis();
    loop_.resume_at(clock_.now() + duration_, h);
  }
  bool dies() const noexcept { return dies_; }
  // Whether the analysis was paid for (started), whether or not it completed.
  bool paid() const noexcept { return started_; }
  void observe(TrialObserver* o, std::size_t flavor) noexcept { observer_ = o, flavor_ = flavor; }

 private:
  [[gnu::cold]] void observe_analysis() const;

  EventLoop& loop_;
  const SimClock& clock_;
  agent::AnalysisResult result_;
  Duration duration_{};
  DeathPoint dies_at_{};
  int* deaths_left_ = nullptr;
  bool may_die_ = false;
  bool dies_ = false;
  bool started_ = false;
  TrialObserver* observer_ = nullptr;
  std::size_t flavor_ = 0;
};

}  // namespace coordsim::sim
