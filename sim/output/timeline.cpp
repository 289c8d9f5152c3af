#include "sim/output/timeline.hpp"

#include <algorithm>
#include <numeric>
#include <sstream>

#include <spdlog/fmt/fmt.h>

namespace coordsim::sim {

namespace {
std::string seconds(Time t) { return fmt::format("{:.3f} s", agent::to_seconds(t)); }

std::string signature_name(const Scenario& s, const FlavorPlan& p) {
  return p.signature == 0 ? std::string("common")
                          : "flavor-" + s.workload.flavors[static_cast<std::size_t>(p.signature - 1)];
}

bool on_github_track(EventKind k) { return k == EventKind::commit || k == EventKind::visible; }

// Events in time order; ties keep the order the simulation produced them in.
std::vector<std::size_t> time_order(const std::vector<TrialEvent>& events) {
  std::vector<std::size_t> order(events.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return events[a].at < events[b].at; });
  return order;
}
}  // namespace

std::string outcome_class(const TrialOutcome& o) {
  if (o.failing_flavors == 0) return "no failure";
  if (o.duplicate && o.miss) return "duplicate, miss";
  if (o.duplicate) return "duplicate";
  if (o.miss) return "miss";
  return "clean";
}

std::string timeline_text(const Scenario& s, std::string_view strategy, const TrialReplay& r) {
  const auto& flavors = s.workload.flavors;
  std::size_t width = 6;  // "GitHub"
  for (const std::string& f : flavors) width = std::max(width, f.size());

  std::ostringstream out;
  out << fmt::format("coordsim replay: {} — strategy {} — seed {}, trial {}\n\n", s.name, strategy, r.seed, r.index);

  out << "flavors\n";
  for (std::size_t i = 0; i < flavors.size(); ++i) {
    const FlavorPlan& p = r.plan[i];
    if (!p.fails) {
      out << fmt::format("  {:<{}}  does not fail\n", flavors[i], width);
      continue;
    }
    out << fmt::format("  {:<{}}  fails at {:>10}   signature {}   analysis would take {}, {} tokens\n", flavors[i],
                       width, seconds(p.fails_at), signature_name(s, p), seconds(p.analysis_duration),
                       p.analysis.tokens_in + p.analysis.tokens_out);
  }

  out << fmt::format("\n{:>12}  {:<{}}  {}\n", "time", "who", width, "what");
  for (std::size_t i : time_order(r.events)) {
    const TrialEvent& e = r.events[i];
    const std::string& who = on_github_track(e.kind) || e.flavor < 0 ? std::string("GitHub")
                                                                      : flavors[static_cast<std::size_t>(e.flavor)];
    out << fmt::format("{:>12}  {:<{}}  {}\n", seconds(e.at), who, width, e.detail);
  }

  const TrialOutcome& o = r.outcome;
  out << "\ndecisions\n";
  for (std::size_t i = 0; i < flavors.size(); ++i) {
    if (!r.plan[i].fails) continue;
    const agent::AgentReport& a = r.reports[i];
    if (!a.decided) {
      out << fmt::format("  {:<{}}  did not decide\n", flavors[i], width);
      continue;
    }
    const agent::Decision& d = a.decision;
    std::string issues;
    if (d.own_issue) issues += fmt::format("own #{}", d.own_issue);
    if (d.leader_issue) issues += fmt::format("{}leader #{}", issues.empty() ? "" : ", ", d.leader_issue);
    out << fmt::format("  {:<{}}  {:<7}  {:<17}  {:<20}  after {}\n", flavors[i], width,
                       d.kind == agent::DecisionKind::analyze ? "analyze" : "skip", agent::reason_name(d.reason),
                       issues, seconds(a.decided_at - a.failed_at));
  }

  const auto metric = [&](std::string_view name) { return r.metrics[static_cast<std::size_t>(*find_trial_metric(name))]; };
  std::string calls;
  for (int e = 0; e < agent::kEndpointCount; ++e) {
    const std::int64_t n = o.api_calls[static_cast<std::size_t>(e)];
    if (n) calls += fmt::format("{}{} {}", calls.empty() ? "" : ", ", agent::endpoint_name(static_cast<agent::Endpoint>(e)), n);
  }
  out << fmt::format("\noutcome: {}\n", outcome_class(o));
  out << fmt::format("  analyses          {} by {} failing flavor(s), {} signature(s)\n", o.analyses, o.failing_flavors,
                     o.signatures);
  out << fmt::format("  issues            {} created, {} left open\n", o.issues_created, o.issues_left_open);
  out << fmt::format("  API calls         {}{}\n", metric("api_calls"), calls.empty() ? "" : " (" + calls + ")");
  out << fmt::format("  cost              ${:.2f} (uncoordinated ${:.2f}), {} tokens\n", metric("cost_usd"),
                     metric("baseline_cost_usd"), o.tokens_in + o.tokens_out);
  if (!o.decision_latency_us.empty())
    out << fmt::format("  decision latency  {:.3f} s to {:.3f} s\n", metric("min_latency_s"), metric("max_latency_s"));
  out << fmt::format("  events            {} simulated, {} recorded, hash {:016x}\n", o.events, r.events.size(), r.hash);
  return out.str();
}

}  // namespace coordsim::sim
