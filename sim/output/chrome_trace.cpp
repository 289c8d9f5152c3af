#include "sim/output/chrome_trace.hpp"

#include <algorithm>
#include <map>

#include <nlohmann/json.hpp>
#include <spdlog/fmt/fmt.h>

#include "sim/output/timeline.hpp"

namespace coordsim::sim {

namespace {
using nlohmann::json;

constexpr int kPid = 1;

struct Entry {
  std::int64_t ts;
  std::int64_t dur;  // -1 for instants
  int tid;
  json event;
};

json span(std::string name, std::string_view cat, int tid, Time start, Duration dur, json args = json::object()) {
  return json{{"name", std::move(name)}, {"cat", cat},          {"ph", "X"},           {"pid", kPid},
              {"tid", tid},              {"ts", start.count()}, {"dur", dur.count()}, {"args", std::move(args)}};
}

json instant(std::string name, std::string_view cat, int tid, Time at, json args = json::object()) {
  return json{{"name", std::move(name)}, {"cat", cat},        {"ph", "i"},          {"s", "t"},
              {"pid", kPid},             {"tid", tid},        {"ts", at.count()},   {"args", std::move(args)}};
}

json metadata(std::string_view what, int tid, json args) {
  return json{{"name", what}, {"ph", "M"}, {"pid", kPid}, {"tid", tid}, {"args", std::move(args)}};
}
}  // namespace

std::string chrome_trace_json(const Scenario& s, std::string_view strategy, const TrialReplay& r) {
  const auto& flavors = s.workload.flavors;
  const int github_tid = static_cast<int>(flavors.size()) + 1;
  const auto tid_of = [](int flavor) { return flavor + 1; };

  std::vector<Entry> entries;
  const auto add = [&](json e) {
    const std::int64_t ts = e["ts"].get<std::int64_t>();
    const std::int64_t dur = e.contains("dur") ? e["dur"].get<std::int64_t>() : -1;
    const int tid = e["tid"].get<int>();
    entries.push_back(Entry{ts, dur, tid, std::move(e)});
  };

  // Per flavor: the agent's whole life and its decision, as enclosing spans.
  std::vector<Time> agent_end(flavors.size());
  for (const TrialEvent& e : r.events) {
    if (e.flavor < 0 || e.kind == EventKind::commit || e.kind == EventKind::visible) continue;
    Time& end = agent_end[static_cast<std::size_t>(e.flavor)];
    end = std::max(end, e.at + e.duration);
  }
  for (std::size_t i = 0; i < flavors.size(); ++i) {
    if (!r.plan[i].fails) continue;
    const agent::AgentReport& a = r.reports[i];
    const int tid = tid_of(static_cast<int>(i));
    add(span("agent " + flavors[i], "agent", tid, a.failed_at, std::max(agent_end[i], a.failed_at) - a.failed_at,
             {{"signature", r.plan[i].signature == 0 ? std::string("common") : "flavor-" + flavors[i]},
              {"analyzed", a.analyzed}}));
    if (a.decided) {
      const agent::Decision& d = a.decision;
      add(span(fmt::format("decide: {}", d.kind == agent::DecisionKind::analyze ? "analyze" : "skip"), "decision",
               tid, a.failed_at, a.decided_at - a.failed_at,
               {{"reason", agent::reason_name(d.reason)}, {"own_issue", d.own_issue}, {"leader_issue", d.leader_issue}}));
    }
  }

  // API calls: a request and its response make one span (one call in flight per agent).
  std::map<int, const TrialEvent*> in_flight;
  for (const TrialEvent& e : r.events) {
    const int tid = e.flavor >= 0 ? tid_of(e.flavor) : github_tid;
    switch (e.kind) {
      case EventKind::agent_start: break;  // the agent span starts there
      case EventKind::note: add(instant(e.detail, "note", tid, e.at)); break;
      case EventKind::request: in_flight[e.flavor] = &e; break;
      case EventKind::snapshot: add(instant("snapshot", "api", tid, e.at, {{"endpoint", agent::endpoint_name(e.endpoint)}})); break;
      case EventKind::commit:
        add(instant("commit", "api", tid, e.at, {{"endpoint", agent::endpoint_name(e.endpoint)}, {"status", e.status}}));
        add(instant(e.detail, "commit", github_tid, e.at, {{"status", e.status}, {"issue", e.number}}));
        break;
      case EventKind::response: {
        const auto it = in_flight.find(e.flavor);
        if (it == in_flight.end() || !it->second) break;
        const TrialEvent& q = *it->second;
        it->second = nullptr;
        add(span(agent::endpoint_name(q.endpoint), "api", tid, q.at, q.duration,
                 {{"request", q.detail}, {"response", e.detail}, {"status", e.status}}));
        break;
      }
      case EventKind::visible:
        // Refs have no issue number (theirs is 0): "#0" would read as an issue.
        add(instant(e.number > 0 ? fmt::format("#{} visible on {}", e.number, read_path_name(e.path))
                                 : fmt::format("ref visible on {}", read_path_name(e.path)),
                    "visibility", github_tid,
                    e.at, {{"what", e.detail}, {"writer", flavors[static_cast<std::size_t>(e.flavor)]}}));
        break;
      case EventKind::sleep: add(span("sleep", "sleep", tid, e.at, e.duration)); break;
      case EventKind::analysis: add(span("LLM analysis", "llm", tid, e.at, e.duration, {{"what", e.detail}})); break;
    }
  }

  // Parents before children: by time, then longer spans first, then instants.
  std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    if (a.ts != b.ts) return a.ts < b.ts;
    return a.dur > b.dur;
  });

  std::vector<json> head;
  head.push_back(metadata("process_name", 0,
                          {{"name", fmt::format("coordsim {} / {} / seed {} / trial {}", s.name, strategy, r.seed, r.index)}}));
  for (std::size_t i = 0; i < flavors.size(); ++i) {
    if (!r.plan[i].fails) continue;
    const int tid = tid_of(static_cast<int>(i));
    head.push_back(metadata("thread_name", tid, {{"name", flavors[i]}}));
    head.push_back(metadata("thread_sort_index", tid, {{"sort_index", tid}}));
  }
  head.push_back(metadata("thread_name", github_tid, {{"name", "GitHub"}}));
  head.push_back(metadata("thread_sort_index", github_tid, {{"sort_index", github_tid}}));

  std::string out = "{\"displayTimeUnit\":\"ms\",\n\"otherData\":";
  out += json{{"scenario", s.name},
              {"strategy", strategy},
              {"seed", r.seed},
              {"trial", r.index},
              {"outcome", outcome_class(r.outcome)},
              {"analyses", r.outcome.analyses},
              {"event_hash", fmt::format("{:016x}", r.hash)}}
             .dump();
  out += ",\n\"traceEvents\":[\n";
  bool first = true;
  const auto emit = [&](const json& e) {
    if (!first) out += ",\n";
    first = false;
    out += e.dump();
  };
  for (const json& e : head) emit(e);
  for (const Entry& e : entries) emit(e.event);
  out += "\n]}\n";
  return out;
}

}  // namespace coordsim::sim
