#include "sim/engine/trial_runner.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <spdlog/spdlog.h>

namespace coordsim::sim {

struct TrialRunner::Flavor {
  Flavor(TrialRunner& runner, EventLoop& loop, GitHubModel& model, const GitHubConfig& config,
         std::size_t index)
      : runner(runner),
        index(index),
        clock(loop),
        github(loop, clock, model, config),
        llm(loop, clock),
        journal(clock, index) {}

  TrialRunner& runner;
  std::size_t index;
  SimClock clock;
  SimGitHubClient github;
  SimLlm llm;
  ObserverJournal journal;
  agent::CoordinationKey key;
  agent::AgentBuffers buffers;  // kept across trials for their capacity
  agent::Task<void> task;
  agent::AgentReport* report = nullptr;  // the attempt running now
};

TrialRunner::TrialRunner(const Scenario& scenario, const agent::ProtocolConfig& protocol)
    : scenario_(scenario), protocol_(protocol) {
  const std::size_t n = scenario.workload.flavors.size();
  plan_.resize(n);
  reports_.resize(n);
  rerun_reports_.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    flavors_.push_back(std::make_unique<Flavor>(*this, loop_, model_, scenario.github, i));
    flavors_.back()->key.commit = scenario.commit;
    flavors_.back()->key.flavor = scenario.workload.flavors[i];
  }
  if (scenario.github.rate_limits.enabled) limiter_ = std::make_unique<RateLimiter>(scenario.github.rate_limits);
}

TrialRunner::~TrialRunner() = default;

void TrialRunner::set_observer(TrialObserver* observer) noexcept {
  observer_ = observer;
  for (const auto& f : flavors_) {
    f->clock.observe(observer, f->index);
    f->github.observe(observer, f->index);
    f->llm.observe(observer, f->index);
    f->journal.attach(observer);
  }
}

namespace {
Duration draw_time(const Distribution& d, Rng& rng) { return agent::from_seconds(d.sample(rng)); }
// A token count: rounded to the nearest integer, halves up, without llround's
// libm call (a tenth of drawing a plan); for 0 <= x < 2^40 the truncation n is
// exact and so is x - n. Clamped to [0, kMaxDrawnCount]: the load-time checks
// keep counts non-negative, but a lognormal's tail goes past any int64 (median
// 1e9, sigma 5: 8% of draws above 1e12), and llround of those was undefined
// (-2^63 on x86: negative token totals that then overflowed). 2^40 tokens an
// analysis keep every trial's sum below 2^55 (10,000 flavors, each paid at
// most twice), and run totals saturate (stats.cpp).
constexpr double kMaxDrawnCount = 0x1p40;
std::int64_t draw_count(const Distribution& d, Rng& rng) {
  const double x = d.sample(rng);
  if (!(x >= 0 && x < kMaxDrawnCount)) [[unlikely]]
    return x >= kMaxDrawnCount ? static_cast<std::int64_t>(kMaxDrawnCount) : 0;  // NaN: 0
  auto n = static_cast<std::int64_t>(x);
  if (x - static_cast<double>(n) >= 0.5) ++n;
  return n;
}
// `rng.uniform01() < p`, or a choice point under `coordsim explore`.
bool draw_event(Rng& rng, double p, const char* what) {
  if (t_choice_oracle) [[unlikely]]
    return oracle_event(p, what);
  return rng.uniform01() < p;
}
}  // namespace

void TrialRunner::draw_plan(std::uint64_t seed, std::uint64_t index) {
  // Draw order within each stream is fixed and every draw is made whether or
  // not it is used, so changing one parameter does not shift other draws.
  Rng trial_rng = make_stream(seed, index, StreamKind::trial_workload);
  const FailureModel& failure = scenario_.workload.failure;
  const bool common_mode = draw_event(trial_rng, failure.common_mode_probability, "workload.failure.common_mode_probability");
  const Duration time_to_failure = draw_time(failure.time_to_failure, trial_rng);
  // Drawn last on the trial's stream and only when configured: scenarios
  // without re-runs keep every draw where it was.
  const Rerun& rerun = scenario_.workload.rerun;
  rerun_ = rerun.probability > 0 && draw_event(trial_rng, rerun.probability, "workload.rerun.probability");
  rerun_after_ = rerun_ ? draw_time(rerun.after, trial_rng) : Duration{};

  // Start offsets from the gaps between starts, on a stream of their own.
  thread_local std::vector<Duration> offsets;
  offsets.assign(plan_.size(), Duration{});
  if (const auto& gap = scenario_.workload.start_gap) {
    Rng shape = make_stream(seed, index, StreamKind::workload_shape, 0);
    for (std::size_t i = 1; i < plan_.size(); ++i) offsets[i] = agent::add_saturated(offsets[i - 1], draw_time(*gap, shape));
  }

  const LlmModel& llm = scenario_.llm;
  for (std::size_t i = 0; i < plan_.size(); ++i) {
    const auto flavor_index = static_cast<std::uint32_t>(i);
    Rng rng = make_stream(seed, index, StreamKind::flavor_workload, flavor_index);
    FlavorPlan& p = plan_[i];
    const Duration jitter = draw_time(scenario_.workload.start_jitter, rng);
    const bool fails_alone = draw_event(rng, failure.per_flavor_probability, "workload.failure.per_flavor_probability");
    const Duration delay = draw_time(failure.flavor_delay, rng);
    // Sums saturate (agent::add_saturated): a start past the horizon is refused
    // when scheduled, never wrapped into the past.
    p.start = agent::add_saturated(
        agent::add_saturated(agent::from_seconds(scenario_.workload.start_stagger_s * static_cast<double>(i)), jitter),
        offsets[i]);
    p.fails = common_mode || fails_alone;
    Duration own_time = time_to_failure;
    if (failure.time_to_failure_per_flavor) {
      Rng shape = make_stream(seed, index, StreamKind::workload_shape, flavor_index + 1);
      own_time = draw_time(failure.time_to_failure, shape);
    }
    p.fails_at = agent::add_saturated(agent::add_saturated(p.start, own_time), delay);
    p.signature = common_mode ? 0 : static_cast<int>(i) + 1;
    // Drawn after the others and only when configured, so that adding them
    // leaves every earlier draw of the stream where it was.
    const double death = scenario_.workload.death.probability;
    p.dies_if_leading = death > 0 && draw_event(rng, death, "workload.agent_death.probability");
    p.leg_ends = p.fails_at;
    if (!p.fails) p.leg_ends = agent::add_saturated(p.leg_ends, draw_time(scenario_.workload.rest_of_build, rng));

    Rng llm_rng = make_stream(seed, index, StreamKind::flavor_llm, flavor_index);
    p.analysis.tokens_in = draw_count(llm.tokens_in, llm_rng);
    p.analysis.tokens_out = draw_count(llm.tokens_out, llm_rng);
    p.analysis.cost_usd = (static_cast<double>(p.analysis.tokens_in) * llm.usd_per_million_in +
                           static_cast<double>(p.analysis.tokens_out) * llm.usd_per_million_out) /
                          1e6;
    p.analysis_duration = draw_time(llm.analysis_duration, llm_rng);
  }
}

void TrialRunner::start_agent(void* p) {
  auto& f = *static_cast<Flavor*>(p);
  TrialRunner& r = f.runner;
  agent::Ports ports{f.clock, f.github, f.llm, r.observer_ ? &f.journal : nullptr};
  if (r.observer_) [[unlikely]]
    r.observer_->agent_start(f.index, r.loop_.now());
  f.task = agent::run_agent(r.protocol_, ports, f.key, f.buffers, *f.report);
  f.task.start();
}

const TrialOutcome& TrialRunner::run(std::uint64_t seed, std::uint64_t index) {
  loop_.reset();
  loop_.set_limits(scenario_.limits);
  model_.reset();
  outcome_ = TrialOutcome{.decision_latency_us = std::move(outcome_.decision_latency_us),
                          .runner_us = std::move(outcome_.runner_us)};
  outcome_.decision_latency_us.clear();
  outcome_.runner_us.clear();
  draw_plan(seed, index);
  if (limiter_) {
    const RateLimitConfig& rl = scenario_.github.rate_limits;
    Rng rng = make_stream(seed, index, StreamKind::trial_github);
    const auto count = [&rng](const Distribution& d) { return std::llround(d.sample(rng)); };
    const std::int64_t used = count(rl.primary_used_at_start);
    const Duration reset_in = draw_time(rl.primary_reset_in, rng);
    const std::int64_t minute = count(rl.writes_last_minute_at_start);
    const std::int64_t hour = count(rl.writes_last_hour_at_start);
    Time first_failure = agent::kNever + Time{};
    for (const FlavorPlan& p : plan_)
      if (p.fails) first_failure = std::min(first_failure, p.fails_at);
    limiter_->reset(first_failure == agent::kNever + Time{} ? Time{} : first_failure, used, reset_in, minute, hour);
  }
  if (observer_) [[unlikely]]
    observer_->trial_begin(seed, index, plan_);

  const DeathPoint death_point = scenario_.workload.death.point;
  deaths_left_ = scenario_.workload.death.max_per_trial;
  for (std::size_t i = 0; i < flavors_.size(); ++i) {
    Flavor& f = *flavors_[i];
    const auto flavor_index = static_cast<std::uint32_t>(i);
    reports_[i] = agent::AgentReport{};
    rerun_reports_[i] = agent::AgentReport{};
    f.report = &reports_[i];
    f.key.attempt = 1;
    f.task = {};
    f.clock.reset(seed, index, flavor_index);
    if (!plan_[i].fails) continue;
    f.key.signature = plan_[i].signature == 0 ? "common" : "flavor-" + f.key.flavor;
    f.github.begin_trial(seed, index, flavor_index, &outcome_.api_calls, &outcome_.rate_limited, limiter_.get());
    f.llm.begin_trial(plan_[i].analysis, plan_[i].analysis_duration,
                      plan_[i].dies_if_leading ? &death_point : nullptr, &deaths_left_);
    if (protocol_.strategy != agent::Strategy::fan_in)
      loop_.schedule(plan_[i].fails_at, Phase::deliver, &start_agent, &f);
  }
  if (t_choice_oracle) [[unlikely]]
    oracle_trial_started();
  if (protocol_.strategy == agent::Strategy::fan_in) run_fan_in();
  loop_.run();
  begin_measure();
  if (rerun_ && protocol_.strategy != agent::Strategy::fan_in) {
    measure_attempt(reports_, true);
    run_rerun();
    measure_attempt(rerun_reports_, false);
  } else {
    measure_attempt(reports_, true);
  }
  end_measure();
  if (observer_) [[unlikely]]
    observer_->trial_end(outcome_);
  // Checked first, so that with logging off nothing is formatted per trial.
  if (spdlog::should_log(spdlog::level::trace))
    spdlog::trace("trial {}: {} failing, {} analyses, {} issues, {} events{}{}", index, outcome_.failing_flavors,
                  outcome_.analyses, outcome_.issues_created, outcome_.events, outcome_.duplicate ? ", duplicate" : "",
                  outcome_.miss ? ", miss" : "");
  return outcome_;
}

// Fan-in is a workflow shape, not an exchange over the API: one downstream job
// (`needs:` every leg) starts after the last leg ends and analyzes each
// failure signature once. It pays with the first failing flavor's analysis of
// that signature, so its cost stays comparable with the other protocols on
// the same trials. Every failing leg's decision is known only then.
void TrialRunner::run_fan_in() {
  Time last_leg{};
  for (const FlavorPlan& p : plan_) last_leg = std::max(last_leg, p.leg_ends);
  const Time job = agent::add_saturated(last_leg, protocol_.fan_in.job_start_delay);
  loop_.check_time(job);
  thread_local std::vector<bool> analyzed;
  analyzed.assign(plan_.size() + 1, false);
  for (std::size_t i = 0; i < plan_.size(); ++i) {
    const FlavorPlan& p = plan_[i];
    if (!p.fails) continue;
    agent::AgentReport& r = reports_[i];
    r.failed_at = p.fails_at;
    r.decided_at = job;
    r.decided = true;
    auto signature_done = analyzed[static_cast<std::size_t>(p.signature)];
    if (!signature_done) {
      analyzed[static_cast<std::size_t>(p.signature)] = true;
      r.decision = {agent::DecisionKind::analyze, agent::Reason::fan_in_job, 0, 0};
      r.analyzed = true;
      r.analysis = p.analysis;
    } else {
      r.decision = {agent::DecisionKind::skip, agent::Reason::deferred_to_fan_in, 0, 0};
    }
  }
}

// "Re-run failed jobs": GitHub offers it once the workflow run has ended, so
// every first attempt's agent has finished (or died) by then. Every failing
// flavor runs its agent again, attempt 2, on the same repository; a re-run
// does not die (death is drawn for first attempts). Its requests continue
// the flavor's own streams.
void TrialRunner::run_rerun() {
  Time ended = loop_.now();
  for (const auto& f : flavors_) ended = std::max(ended, f->clock.now());
  const Time at = agent::add_saturated(ended, rerun_after_);
  loop_.check_time(at);
  for (std::size_t i = 0; i < flavors_.size(); ++i) {
    if (!plan_[i].fails) continue;
    Flavor& f = *flavors_[i];
    f.key.attempt = 2;
    f.report = &rerun_reports_[i];
    f.llm.begin_trial(plan_[i].analysis, plan_[i].analysis_duration, nullptr, &deaths_left_);
    // The first attempt's frame (finished, or dead in its analysis) goes.
    f.task = {};
    loop_.schedule(at, Phase::deliver, &start_agent, &f);
  }
  loop_.run();
}

void TrialRunner::begin_measure() {
  // Analyses per signature: signature 0 is shared, i + 1 belongs to flavor i.
  per_signature_.assign(plan_.size() + 1, -1);  // -1: no flavor failed with it
  outcome_.runner_us.assign(plan_.size(), 0);
}

void TrialRunner::measure_attempt(const std::vector<agent::AgentReport>& reports, bool first) {
  TrialOutcome& o = outcome_;
  for (std::size_t i = 0; i < plan_.size(); ++i) {
    const FlavorPlan& p = plan_[i];
    if (!p.fails) continue;
    Flavor& f = *flavors_[i];
    const bool fan_in = protocol_.strategy == agent::Strategy::fan_in;
    const agent::AgentReport& r = reports[i];
    // A dead agent stays suspended in its analysis call; its frame is destroyed
    // with its task at the next trial (or the re-run).
    const bool died = f.llm.dies() && r.decided && r.decision.kind == agent::DecisionKind::analyze;
    if (!fan_in && !died) {
      if (!f.task.done())
        throw std::logic_error("an agent did not finish: the protocol awaited something that never completes");
      f.task.result();  // rethrows a protocol's exception
    }
    if (died) ++o.agents_died;
    if (died && f.llm.paid()) {
      o.tokens_in += p.analysis.tokens_in;
      o.tokens_out += p.analysis.tokens_out;
    }
    int& count = per_signature_[static_cast<std::size_t>(p.signature)];
    if (first) {
      ++o.failing_flavors;
      if (count < 0) {
        count = 0;
        ++o.signatures;
      }
      o.baseline_tokens_in += p.analysis.tokens_in;
      o.baseline_tokens_out += p.analysis.tokens_out;
    }
    if (r.decided) o.decision_latency_us.push_back((r.decided_at - r.failed_at).count());
    // Every attempt (a re-run too) holds its runner while it decides and analyses.
    if (r.decided && !fan_in) o.runner_us[i] += (r.decided_at - r.failed_at).count();
    if (r.analyzed) o.runner_us[i] += p.analysis_duration.count();
    if (r.analyzed) {
      ++o.analyses;
      ++count;
      o.tokens_in += r.analysis.tokens_in;
      o.tokens_out += r.analysis.tokens_out;
    }
  }
}

void TrialRunner::end_measure() {
  TrialOutcome& o = outcome_;
  o.events = static_cast<std::int64_t>(loop_.events_run());
  for (int count : per_signature_) {
    if (count > 1) o.duplicate = true;
    if (count == 0) o.miss = true;
  }
  o.issues_created = model_.issues_created();
  o.issues_left_open = model_.issues_open();
}

}  // namespace coordsim::sim
