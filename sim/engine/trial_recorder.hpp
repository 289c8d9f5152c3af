#pragma once
// Records everything a TrialObserver is told as a list of events, in the order
// the simulation produced them, and hashes that sequence: the raw material of
// replay timelines, Chrome traces and determinism checks.
#include <cstdint>
#include <string>
#include <vector>

#include "sim/engine/trial_observer.hpp"

namespace coordsim::sim {

enum class EventKind : std::uint8_t {
  agent_start,  // a flavor's build failed and its agent starts
  note,         // the protocol's own narration (Journal port)
  request,      // an API request was sent; `duration` runs until its response
  commit,       // a write took effect (GitHub track)
  snapshot,     // a read took its snapshot
  response,     // a response reached the agent
  visible,      // a write became visible on `path` (GitHub track; `flavor` wrote it)
  sleep,        // `duration`
  analysis,     // the LLM analysis; `duration`
};
std::string_view event_kind_name(EventKind k);

struct TrialEvent {
  Time at{};
  Duration duration{};
  int flavor = -1;  // the agent, or for commit/visible the writer
  EventKind kind{};
  agent::Endpoint endpoint{};
  ReadPath path{};
  int status = 0;
  std::int64_t number = 0;  // issue number where one applies
  std::string detail;       // what happened, in words
};

// FNV-1a over an event's fields: stable across runs, platforms and thread counts.
std::uint64_t hash_event(std::uint64_t h, const TrialEvent& e) noexcept;
inline constexpr std::uint64_t kHashSeed = 0xcbf29ce484222325ULL;  // FNV-1a offset basis

class TrialRecorder final : public TrialObserver {
 public:
  // With keep = false only the hash is kept (determinism checks over many trials).
  explicit TrialRecorder(const std::vector<std::string>& flavors, bool keep = true)
      : flavors_(flavors), keep_(keep) {}

  const std::vector<TrialEvent>& events() const noexcept { return events_; }
  std::uint64_t hash() const noexcept { return hash_; }
  std::size_t count() const noexcept { return count_; }

  void trial_begin(std::uint64_t seed, std::uint64_t index, const std::vector<FlavorPlan>& plan) override;
  void agent_start(std::size_t flavor, Time at) override;
  void api_sent(std::size_t flavor, const ApiRequestInfo& r) override;
  void api_committed(std::size_t flavor, const WriteInfo& w) override;
  void api_snapshot(std::size_t flavor, agent::Endpoint e, Time at) override;
  void api_response(std::size_t flavor, const ApiResponseInfo& r) override;
  void sleep(std::size_t flavor, Time from, Duration d) override;
  void analysis(std::size_t flavor, Time start, Time end, const agent::AnalysisResult& a) override;
  void note(std::size_t flavor, Time at, std::string_view text) override;

 private:
  TrialEvent& next(Time at, std::size_t flavor, EventKind kind);
  void done(TrialEvent& e);

  const std::vector<std::string>& flavors_;
  bool keep_;
  std::vector<TrialEvent> events_;
  TrialEvent scratch_;  // the event being built when not keeping
  std::uint64_t hash_ = kHashSeed;
  std::size_t count_ = 0;
};

}  // namespace coordsim::sim
