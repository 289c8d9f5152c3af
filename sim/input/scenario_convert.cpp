#include "sim/input/scenario_convert.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <iterator>
#include <limits>
#include <string>
#include <utility>

#include "agent/time.hpp"
#include "sim/input/distribution_json.hpp"
#include "sim/input/document_pointer.hpp"
#include "sim/input/expectation.hpp"

namespace coordsim::sim::loader {

using nlohmann::json;

namespace {

// Durations are int64 microseconds and get added together; a bound far above
// any CI timescale keeps every sum representable. Counts drawn from a
// distribution (tokens, requests already made) have the same cap: with a price
// of at most $1e6 per million tokens every cost stays a finite double.
constexpr double kMaxSeconds = 1e9;
constexpr double kMaxCount = 1e9;

const json& member(const json& object, const char* key) {
  static const json kNull;
  if (!object.is_object()) return kNull;
  const auto it = object.find(key);
  return it == object.end() ? kNull : *it;
}

Distribution distribution(const json& j, const std::string& pointer) {
  try {
    // Times and counts share the cap, as they share the schema's "distribution".
    static_assert(kMaxSeconds == kMaxCount);
    return parse_distribution(j, pointer, /*non_negative=*/true, kMaxSeconds);
  } catch (const json::exception& e) {
    // The schema types every parameter, so this is a gap in parse_distribution;
    // still the user's input, still worth a located message.
    throw InputError(pointer, std::string("invalid distribution: ") + e.what());
  }
}

Distribution distribution_or(const json& object, const char* key, const std::string& pointer,
                             Distribution fallback) {
  const json& j = member(object, key);
  return j.is_null() ? std::move(fallback) : distribution(j, child(pointer, key));
}

double number_or(const json& object, const char* key, double fallback) {
  const json& j = member(object, key);
  return j.is_null() ? fallback : j.get<double>();
}

// report.usd_per_runner_minute(_by_flavor): a price for every flavor, or
// none when neither is given. A name not in /workload/flavors is refused: a
// typo would silently price the runner at the default.
void read_runner_prices(const json& report, ScenarioFile& s) {
  const json& all = member(report, "usd_per_runner_minute");
  const json& by_flavor = member(report, "usd_per_runner_minute_by_flavor");
  if (all.is_null() && (by_flavor.is_null() || by_flavor.empty())) return;
  s.usd_per_runner_minute.assign(s.workload.flavors.size(), all.is_null() ? 0.0 : all.get<double>());
  if (!by_flavor.is_object()) return;
  for (const auto& [name, price] : by_flavor.items()) {
    const auto it = std::find(s.workload.flavors.begin(), s.workload.flavors.end(), name);
    if (it == s.workload.flavors.end())
      throw InputError(child("/report/usd_per_runner_minute_by_flavor", name),
                       "expected the name of a flavor in /workload/flavors, got \"" + name + "\"");
    s.usd_per_runner_minute[static_cast<std::size_t>(it - s.workload.flavors.begin())] = price.get<double>();
  }
}

template <class Int>
Int integer_or(const json& object, const char* key, const std::string& pointer, Int fallback) {
  const json& j = member(object, key);
  if (j.is_null()) return fallback;
  // The schema checked the lower bound; the C++ type sets the upper one. JSON
  // Schema counts 3.0 as an integer (the validator does too, see
  // schema_validation.cpp), so an integral double arrives here as well.
  const bool too_big =
      j.is_number_float()
          ? j.get<double>() >= std::ldexp(1.0, std::numeric_limits<Int>::digits)
      : j.is_number_unsigned()
          ? j.get<std::uint64_t>() > static_cast<std::uint64_t>(std::numeric_limits<Int>::max())
          : j.get<std::int64_t>() > static_cast<std::int64_t>(std::numeric_limits<Int>::max());
  if (too_big) {
    throw InputError(child(pointer, key),
                     "expected an integer <= " + std::to_string(std::numeric_limits<Int>::max()) +
                         ", got " + j.dump());
  }
  if (j.is_number_float()) return static_cast<Int>(j.get<double>());
  return j.is_number_unsigned() ? static_cast<Int>(j.get<std::uint64_t>())
                                : static_cast<Int>(j.get<std::int64_t>());
}

agent::Duration seconds(const json& j, const std::string& pointer) {
  const double s = j.get<double>();
  if (s > kMaxSeconds) {
    throw InputError(pointer, "expected at most 1e9 seconds (about 31 years), got " + j.dump());
  }
  return agent::from_seconds(s);
}

EndpointLatency latency_of(const json& object, const std::string& pointer,
                           const EndpointLatency& fallback) {
  return EndpointLatency{distribution_or(object, "request_s", pointer, fallback.request),
                         distribution_or(object, "response_s", pointer, fallback.response)};
}

// Each time the schema caps, but a product of them can still pass the
// horizon: 10,000 flavors staggered by 1e9 s start 1e13 s apart. The engine
// would stop such a trial with a TrialLimitError in the middle of a run; here
// it is refused at load, naming both places.
void refuse_past_horizon(const ScenarioFile& s, double total_s, const std::string& pointer,
                         const std::string& what) {
  const double horizon_s = agent::to_seconds(s.limits.horizon);
  if (!(total_s > horizon_s)) return;
  char total[32];
  char limit[32];
  std::snprintf(total, sizeof total, "%.6g", total_s);
  std::snprintf(limit, sizeof limit, "%.6g", horizon_s);
  throw InputError(pointer, what + " adds up to " + total + " s, past the trial's horizon of " + limit +
                                " s (/limits/horizon_s)");
}

void check_horizon(const ScenarioFile& s) {
  const auto flavors = static_cast<double>(s.workload.flavors.size());
  refuse_past_horizon(s, (flavors - 1) * s.workload.start_stagger_s, "/workload/start_stagger_s",
                      "the last flavor's start, (flavors - 1) x start_stagger_s with " +
                          std::to_string(s.workload.flavors.size()) + " flavors (/workload/flavors),");
  const agent::ProtocolConfig& pc = s.protocol;
  const auto seconds_times = [](agent::Duration d, double n) { return agent::to_seconds(d) * n; };
  const agent::Duration longest_delay = pc.seed.retry_delays.empty()
                                            ? agent::Duration::zero()
                                            : *std::max_element(pc.seed.retry_delays.begin(), pc.seed.retry_delays.end());
  refuse_past_horizon(s, seconds_times(longest_delay, pc.seed.find_attempts), "/agent/retry_delays_s",
                      "find_attempts (/agent/find_attempts) x the longest retry delay");
  refuse_past_horizon(s,
                      seconds_times(pc.scan_down.not_visible_retry,
                                    static_cast<double>(pc.scan_down.not_visible_attempts) * pc.scan_down.horizon),
                      "/agent/scan_down/not_visible_retry_s",
                      "horizon (/agent/scan_down/horizon) x not_visible_attempts "
                      "(/agent/scan_down/not_visible_attempts) x not_visible_retry_s");
  if (pc.lease.enabled) {
    refuse_past_horizon(s, seconds_times(pc.lease.ttl, pc.lease.max_generations), "/agent/lease/ttl_s",
                        "max_generations (/agent/lease/max_generations) x ttl_s");
  }
}

}  // namespace

ScenarioFile convert(const json& doc) {
  ScenarioFile s;
  s.name = doc.at("name").get<std::string>();
  s.description =
      member(doc, "description").is_string() ? doc["description"].get<std::string>() : "";
  s.seed = integer_or<std::uint64_t>(doc, "seed", "", s.seed);
  s.trials = integer_or<std::int64_t>(doc, "trials", "", s.trials);
  if (const json& c = member(doc, "commit"); c.is_string()) s.commit = c.get<std::string>();

  const json& workload = member(doc, "workload");
  const json& flavors = member(workload, "flavors");
  if (flavors.is_array()) {
    for (const json& f : flavors) s.workload.flavors.push_back(f.get<std::string>());
  } else {
    const auto count = integer_or<int>(workload, "flavors", "/workload", 0);
    for (int i = 1; i <= count; ++i) s.workload.flavors.push_back("flavor-" + std::to_string(i));
  }
  s.workload.start_stagger_s = number_or(workload, "start_stagger_s", 0);
  s.workload.start_jitter =
      distribution_or(workload, "start_jitter_s", "/workload", s.workload.start_jitter);
  if (const json& gap = member(workload, "start_gap_s"); !gap.is_null())
    s.workload.start_gap = distribution(gap, "/workload/start_gap_s");
  const json& failure = member(workload, "failure");
  FailureModel& fm = s.workload.failure;
  if (const json& drawn = member(failure, "time_to_failure_drawn"); drawn.is_string())
    fm.time_to_failure_per_flavor = drawn.get<std::string>() == "per_flavor";
  fm.common_mode_probability =
      number_or(failure, "common_mode_probability", fm.common_mode_probability);
  fm.per_flavor_probability =
      number_or(failure, "per_flavor_probability", fm.per_flavor_probability);
  fm.time_to_failure =
      distribution_or(failure, "time_to_failure_s", "/workload/failure", fm.time_to_failure);
  fm.flavor_delay =
      distribution_or(failure, "flavor_delay_s", "/workload/failure", fm.flavor_delay);
  s.workload.rest_of_build =
      distribution_or(workload, "rest_of_build_s", "/workload", s.workload.rest_of_build);
  if (const json& death = member(workload, "agent_death"); death.is_object()) {
    s.workload.death.probability = number_or(death, "probability", 0);
    s.workload.death.max_per_trial =
        integer_or<int>(death, "max_per_trial", "/workload/agent_death", s.workload.death.max_per_trial);
    if (const json& point = member(death, "point"); point.is_string())
      s.workload.death.point =
          point.get<std::string>() == "during_analysis" ? DeathPoint::during_analysis : DeathPoint::before_analysis;
  }
  if (const json& rerun = member(workload, "rerun"); rerun.is_object()) {
    s.workload.rerun.probability = number_or(rerun, "probability", 1);
    s.workload.rerun.after = distribution_or(rerun, "after_s", "/workload/rerun", s.workload.rerun.after);
  }

  const json& github = member(doc, "github");
  const json& latency = member(github, "latency");
  const EndpointLatency builtin{Distribution::constant(0.1), Distribution::constant(0.1)};
  const EndpointLatency fallback =
      latency_of(member(latency, "default"), "/github/latency/default", builtin);
  for (int e = 0; e < agent::kEndpointCount; ++e) {
    const char* name = agent::endpoint_name(static_cast<agent::Endpoint>(e));
    s.github.latency[static_cast<std::size_t>(e)] =
        latency_of(member(latency, name), child("/github/latency", name), fallback);
  }
  const json& lag = member(github, "visibility_lag_s");
  for (int p = 0; p < kReadPathCount; ++p) {
    s.github.visibility_lag[static_cast<std::size_t>(p)] = distribution_or(
        lag, agent::read_path_name(static_cast<ReadPath>(p)), "/github/visibility_lag_s", Distribution::constant(0));
  }

  const json& faults = member(github, "faults");
  if (faults.is_object()) {
    const json& fallback_faults = member(faults, "default");
    const EndpointFaults default_faults{number_or(fallback_faults, "server_error", 0),
                                        number_or(fallback_faults, "lost_response", 0)};
    for (int e = 0; e < agent::kEndpointCount; ++e) {
      const json& f = member(faults, agent::endpoint_name(static_cast<agent::Endpoint>(e)));
      s.github.faults.endpoint[static_cast<std::size_t>(e)] = {
          number_or(f, "server_error", default_faults.server_error),
          number_or(f, "lost_response", default_faults.lost_response)};
    }
    s.github.faults.spurious_ref_422 = number_or(faults, "spurious_ref_422", 0);
  }
  if (const json& rl = member(github, "rate_limits"); rl.is_object()) {
    RateLimitConfig& r = s.github.rate_limits;
    const std::string where = "/github/rate_limits";
    r.enabled = !member(rl, "enabled").is_boolean() || rl["enabled"].get<bool>();
    r.github_token = !member(rl, "token").is_string() || rl["token"].get<std::string>() == "github_token";
    r.primary_per_hour = integer_or<std::int64_t>(rl, "primary_per_hour", where, r.github_token ? 1000 : 5000);
    r.primary_used_at_start = distribution_or(rl, "primary_used_at_start", where, r.primary_used_at_start);
    r.primary_reset_in = distribution_or(rl, "primary_reset_in_s", where, r.primary_reset_in);
    r.secondary_writes_per_minute =
        integer_or<std::int64_t>(rl, "secondary_writes_per_minute", where, r.secondary_writes_per_minute);
    r.secondary_writes_per_hour =
        integer_or<std::int64_t>(rl, "secondary_writes_per_hour", where, r.secondary_writes_per_hour);
    r.writes_last_minute_at_start =
        distribution_or(rl, "writes_last_minute_at_start", where, r.writes_last_minute_at_start);
    r.writes_last_hour_at_start =
        distribution_or(rl, "writes_last_hour_at_start", where, r.writes_last_hour_at_start);
    r.search_per_minute = integer_or<std::int64_t>(rl, "search_per_minute", where, r.search_per_minute);
    r.secondary_retry_after_s = number_or(rl, "secondary_retry_after_s", r.secondary_retry_after_s);
  }

  const json& llm = member(doc, "llm");
  s.llm.tokens_in = distribution_or(llm, "tokens_in", "/llm", s.llm.tokens_in);
  s.llm.tokens_out = distribution_or(llm, "tokens_out", "/llm", s.llm.tokens_out);
  s.llm.usd_per_million_in = number_or(llm, "usd_per_million_in", s.llm.usd_per_million_in);
  s.llm.usd_per_million_out = number_or(llm, "usd_per_million_out", s.llm.usd_per_million_out);
  s.llm.analysis_duration =
      distribution_or(llm, "analysis_duration_s", "/llm", s.llm.analysis_duration);

  const json& agent_j = member(doc, "agent");
  if (const json& st = member(agent_j, "strategy"); st.is_string()) {
    const auto strategy = agent::parse_strategy(st.get<std::string>());
    if (!strategy) {
      // The schema's enum normally catches this first; it is here for a schema
      // that fell behind the Strategy enum.
      throw InputError("/agent/strategy", "unknown strategy " + st.dump() +
                                              "; expected one of: " + agent::strategy_names());
    }
    s.protocol.strategy = *strategy;
  }
  agent::SeedParams& seed = s.protocol.seed;
  if (const json& l = member(agent_j, "label"); l.is_string()) seed.label = l.get<std::string>();
  seed.find_attempts = integer_or<int>(agent_j, "find_attempts", "/agent", seed.find_attempts);
  if (const json& delays = member(agent_j, "retry_delays_s"); delays.is_array()) {
    seed.retry_delays.clear();
    for (std::size_t i = 0; i < delays.size(); ++i) {
      seed.retry_delays.push_back(seconds(delays[i], child("/agent/retry_delays_s", i)));
    }
  }
  if (const json& w = member(agent_j, "post_create_wait_s"); w.is_number()) {
    seed.post_create_wait = seconds(w, "/agent/post_create_wait_s");
  }
  seed.max_pages = integer_or<int>(agent_j, "max_pages", "/agent", seed.max_pages);

  agent::ProtocolConfig& pc = s.protocol;
  if (const json& k = member(agent_j, "key_by"); k.is_string())
    pc.key_by = k.get<std::string>() == "commit" ? agent::KeyBy::commit : agent::KeyBy::commit_and_signature;
  if (const json& e = member(agent_j, "on_error"); e.is_string())
    pc.on_error = e.get<std::string>() == "skip" ? agent::OnError::skip : agent::OnError::analyze;
  const auto seconds_or = [](const json& object, const char* key, const std::string& pointer,
                             agent::Duration fallback) {
    const json& j = member(object, key);
    return j.is_number() ? seconds(j, child(pointer, key)) : fallback;
  };
  if (const json& c = member(agent_j, "client"); c.is_object()) {
    const std::string where = "/agent/client";
    agent::RetryPolicy& r = pc.retry;
    s.github.request_timeout = seconds_or(c, "timeout_s", where, s.github.request_timeout);
    r.max_attempts = integer_or<int>(c, "max_attempts", where, r.max_attempts);
    r.base_delay = seconds_or(c, "base_delay_s", where, r.base_delay);
    r.max_delay = seconds_or(c, "max_delay_s", where, r.max_delay);
    r.multiplier = number_or(c, "multiplier", r.multiplier);
    r.jitter = number_or(c, "jitter", r.jitter);
    r.max_total_wait = seconds_or(c, "max_total_wait_s", where, r.max_total_wait);
    if (const json& h = member(c, "honor_retry_after"); h.is_boolean()) r.honor_retry_after = h.get<bool>();
  }
  if (const json& rl = member(agent_j, "ref_lock"); rl.is_object()) {
    const std::string where = "/agent/ref_lock";
    if (const json& prefix = member(rl, "ref_prefix"); prefix.is_string())
      pc.ref_lock.ref_prefix = prefix.get<std::string>();
    pc.ref_lock.read_back_interval = seconds_or(rl, "read_back_interval_s", where, pc.ref_lock.read_back_interval);
    if (const json& dm = member(rl, "done_marker"); dm.is_boolean()) pc.ref_lock.done_marker = dm.get<bool>();
    if (const json& t = member(rl, "target"); t.is_string()) {
      if (t == "commit") pc.ref_lock.target = agent::LockTarget::commit;
      else if (t == "blob") pc.ref_lock.target = agent::LockTarget::blob;
      else throw InputError(child(where, "target"), "expected \"commit\" or \"blob\", got " + t.dump());
    }
  }
  if (const json& l = member(agent_j, "lease"); l.is_object()) {
    const std::string where = "/agent/lease";
    pc.lease.enabled = !member(l, "enabled").is_boolean() || l["enabled"].get<bool>();
    pc.lease.ttl = seconds_or(l, "ttl_s", where, pc.lease.ttl);
    pc.lease.poll_interval = seconds_or(l, "poll_interval_s", where, pc.lease.poll_interval);
    pc.lease.max_generations = integer_or<int>(l, "max_generations", where, pc.lease.max_generations);
    pc.lease.max_wait = seconds_or(l, "max_wait_s", where, pc.lease.max_wait);
    if (pc.lease.enabled && pc.lease.poll_interval <= agent::Duration::zero())
      throw InputError(child(where, "poll_interval_s"), "expected a positive poll interval with the lease on");
  }
  if (const json& sd = member(agent_j, "scan_down"); sd.is_object()) {
    const std::string where = "/agent/scan_down";
    pc.scan_down.horizon = integer_or<int>(sd, "horizon", where, pc.scan_down.horizon);
    pc.scan_down.not_visible_retry = seconds_or(sd, "not_visible_retry_s", where, pc.scan_down.not_visible_retry);
    pc.scan_down.not_visible_attempts =
        integer_or<int>(sd, "not_visible_attempts", where, pc.scan_down.not_visible_attempts);
  }
  pc.settle.settle_time = seconds_or(member(agent_j, "settle"), "settle_time_s", "/agent/settle", pc.settle.settle_time);
  pc.fan_in.job_start_delay =
      seconds_or(member(agent_j, "fan_in"), "job_start_delay_s", "/agent/fan_in", pc.fan_in.job_start_delay);

  s.failures_per_year = number_or(member(doc, "report"), "failures_per_year", s.failures_per_year);
  read_runner_prices(member(doc, "report"), s);
  s.expectations = parse_expectations(member(doc, "expect"), "/expect");

  const json& limits = member(doc, "limits");
  s.limits.max_events = integer_or<std::uint64_t>(limits, "max_events_per_trial", "/limits", s.limits.max_events);
  if (const json& h = member(limits, "horizon_s"); h.is_number()) s.limits.horizon = agent::from_seconds(h.get<double>());
  check_horizon(s);
  return s;
}

}  // namespace coordsim::sim::loader
