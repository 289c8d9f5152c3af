#include "sim/engine/trial_recorder.hpp"

#include <spdlog/fmt/fmt.h>

namespace coordsim::sim {

using agent::Endpoint;

std::string_view event_kind_name(EventKind k) {
  switch (k) {
    case EventKind::agent_start: return "agent_start";
    case EventKind::note: return "note";
    case EventKind::request: return "request";
    case EventKind::commit: return "commit";
    case EventKind::snapshot: return "snapshot";
    case EventKind::response: return "response";
    case EventKind::visible: return "visible";
    case EventKind::sleep: return "sleep";
    case EventKind::analysis: return "analysis";
  }
  return "?";
}

namespace {
constexpr std::uint64_t kFnvPrime = 0x100000001b3ULL;

std::uint64_t mix_bytes(std::uint64_t h, const void* data, std::size_t n) noexcept {
  const auto* p = static_cast<const unsigned char*>(data);
  for (std::size_t i = 0; i < n; ++i) h = (h ^ p[i]) * kFnvPrime;
  return h;
}
// Integers are hashed as 8 little-endian bytes whatever their type, so the
// hash does not depend on struct layout or on the host's byte order.
std::uint64_t mix_int(std::uint64_t h, std::int64_t v) noexcept {
  auto u = static_cast<std::uint64_t>(v);
  for (int i = 0; i < 8; ++i, u >>= 8) h = (h ^ (u & 0xff)) * kFnvPrime;
  return h;
}

std::string seconds(Duration d) { return fmt::format("{:.3f} s", agent::to_seconds(d)); }

std::string_view snapshot_path(Endpoint e) {
  switch (e) {
    case Endpoint::get_issue: return "get";
    case Endpoint::search_issues: return "search";
    case Endpoint::get_ref: return "refs";
    default: return "list";
  }
}
}  // namespace

std::uint64_t hash_event(std::uint64_t h, const TrialEvent& e) noexcept {
  h = mix_int(h, e.at.count());
  h = mix_int(h, e.duration.count());
  h = mix_int(h, e.flavor);
  h = mix_int(h, static_cast<std::int64_t>(e.kind));
  h = mix_int(h, static_cast<std::int64_t>(e.endpoint));
  h = mix_int(h, static_cast<std::int64_t>(e.path));
  h = mix_int(h, e.status);
  h = mix_int(h, e.number);
  h = mix_int(h, static_cast<std::int64_t>(e.detail.size()));
  return mix_bytes(h, e.detail.data(), e.detail.size());
}

TrialEvent& TrialRecorder::next(Time at, std::size_t flavor, EventKind kind) {
  TrialEvent& e = keep_ ? events_.emplace_back() : scratch_;
  e = TrialEvent{};
  e.at = at;
  e.flavor = static_cast<int>(flavor);
  e.kind = kind;
  return e;
}

void TrialRecorder::done(TrialEvent& e) {
  hash_ = hash_event(hash_, e);
  ++count_;
}

void TrialRecorder::trial_begin(std::uint64_t, std::uint64_t, const std::vector<FlavorPlan>&) {
  events_.clear();
  hash_ = kHashSeed;
  count_ = 0;
}

void TrialRecorder::agent_start(std::size_t flavor, Time at) {
  TrialEvent& e = next(at, flavor, EventKind::agent_start);
  e.detail = "build failed: agent starts";
  done(e);
}

void TrialRecorder::api_sent(std::size_t flavor, const ApiRequestInfo& r) {
  TrialEvent& e = next(r.sent, flavor, EventKind::request);
  e.duration = r.delivered - r.sent;
  e.endpoint = r.endpoint;
  e.number = r.number;
  const std::string_view name = agent::endpoint_name(r.endpoint);
  switch (r.endpoint) {
    case Endpoint::list_issues: e.detail = fmt::format("→ {} page {}", name, r.page); break;
    case Endpoint::get_issue: e.detail = fmt::format("→ {} #{}", name, r.number); break;
    case Endpoint::update_issue:
      e.detail = fmt::format("→ {} #{}{}", name, r.number, r.closes ? " (close)" : "");
      break;
    case Endpoint::create_comment: e.detail = fmt::format("→ {} on #{}", name, r.number); break;
    default: e.detail = fmt::format("→ {}", name); break;
  }
  done(e);
}

void TrialRecorder::api_committed(std::size_t flavor, const WriteInfo& w) {
  const std::string& who = flavors_[flavor];
  std::string what;  // the write, as the visibility lines name it
  {
    TrialEvent& e = next(w.commit, flavor, EventKind::commit);
    e.endpoint = w.endpoint;
    e.number = w.number;
    e.status = w.status;
    switch (w.endpoint) {
      case Endpoint::create_issue:
        what = fmt::format("#{}", w.number);
        e.detail = fmt::format("#{} created by {}", w.number, who);
        break;
      case Endpoint::update_issue:
        what = fmt::format("{} of #{}", w.closes ? "the close" : "the update", w.number);
        e.detail = fmt::format("#{} {} by {}", w.number, w.closes ? "closed" : "updated", who);
        break;
      case Endpoint::create_comment:
        what = fmt::format("comment {} on #{}", w.comment, w.number);
        e.detail = fmt::format("comment {} on #{} by {}", w.comment, w.number, who);
        break;
      default:
        what = "the ref";
        e.detail = fmt::format("ref created by {}", who);
        break;
    }
    if (!(w.status >= 200 && w.status < 300))
      e.detail = fmt::format("{} by {} rejected: {}", agent::endpoint_name(w.endpoint), who, w.status);
    done(e);
  }
  if (!(w.status >= 200 && w.status < 300)) return;
  for (int p = 0; p < kReadPathCount; ++p) {
    if (!w.has_path[static_cast<std::size_t>(p)]) continue;
    TrialEvent& e = next(w.visible[static_cast<std::size_t>(p)], flavor, EventKind::visible);
    e.endpoint = w.endpoint;
    e.number = w.number;
    e.path = static_cast<ReadPath>(p);
    e.detail = fmt::format("{} becomes visible on {} (lag {})", what, read_path_name(e.path),
                           seconds(w.visible[static_cast<std::size_t>(p)] - w.commit));
    done(e);
  }
}

void TrialRecorder::api_snapshot(std::size_t flavor, Endpoint endpoint, Time at) {
  TrialEvent& e = next(at, flavor, EventKind::snapshot);
  e.endpoint = endpoint;
  e.detail = fmt::format("   {} snapshot ({} path)", agent::endpoint_name(endpoint), snapshot_path(endpoint));
  done(e);
}

void TrialRecorder::api_response(std::size_t flavor, const ApiResponseInfo& r) {
  TrialEvent& e = next(r.delivered, flavor, EventKind::response);
  e.endpoint = r.endpoint;
  e.status = r.status;
  e.number = r.number;
  const std::string_view name = agent::endpoint_name(r.endpoint);
  if (!(r.status >= 200 && r.status < 300)) {
    e.detail = fmt::format("← {} {} {}", name, r.status, r.message);
  } else if (r.endpoint == Endpoint::list_issues && r.page) {
    std::string seen;
    std::size_t shown = 0;
    for (const agent::Issue& issue : r.page->issues) {
      if (shown++ == 10) {
        seen += fmt::format(", ... ({} issues)", r.page->issues.size());
        break;
      }
      seen += fmt::format("{}#{}", seen.empty() ? "" : ", ", issue.number);
    }
    e.detail = fmt::format("← {} {}: {}{}", name, r.status, seen.empty() ? "no issues" : seen,
                           r.page->has_next ? ", more pages" : "");
  } else if (r.number) {
    e.detail = fmt::format("← {} {}: #{}", name, r.status, r.number);
  } else {
    e.detail = fmt::format("← {} {}", name, r.status);
  }
  done(e);
}

void TrialRecorder::sleep(std::size_t flavor, Time from, Duration d) {
  TrialEvent& e = next(from, flavor, EventKind::sleep);
  e.duration = d;
  e.detail = "sleep " + seconds(d);
  done(e);
}

void TrialRecorder::analysis(std::size_t flavor, Time start, Time end, const agent::AnalysisResult& a) {
  TrialEvent& e = next(start, flavor, EventKind::analysis);
  e.duration = end - start;
  e.detail = fmt::format("LLM analysis: {} tokens, ${:.2f}, until {}", a.tokens_in + a.tokens_out, a.cost_usd,
                         seconds(end));
  done(e);
}

void TrialRecorder::note(std::size_t flavor, Time at, std::string_view text) {
  TrialEvent& e = next(at, flavor, EventKind::note);
  e.detail.assign(text);
  done(e);
}

}  // namespace coordsim::sim
