#pragma once
// Random streams. Every trial owns independent streams derived from
// (scenario seed, trial index, stream kind, flavor), so a trial's draws do not
// depend on which thread runs it or on what other trials did, and one flavor's
// draws do not shift when a protocol makes more API calls for another flavor.
#include <cstdint>
#include <limits>

namespace coordsim::sim {

// SplitMix64: tiny state, passes BigCrush, and fast to seed per stream. A
// UniformRandomBitGenerator, so Boost.Random distributions accept it.
class Rng {
 public:
  using result_type = std::uint64_t;
  explicit Rng(std::uint64_t seed = 0) noexcept : state_(seed) {}
  static constexpr result_type min() noexcept { return 0; }
  static constexpr result_type max() noexcept { return std::numeric_limits<result_type>::max(); }
  result_type operator()() noexcept {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, 1) with 53 random bits.
  double uniform01() noexcept { return static_cast<double>((*this)() >> 11) * 0x1.0p-53; }

 private:
  std::uint64_t state_;
};

inline std::uint64_t mix64(std::uint64_t x) noexcept {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

// What a stream is for. Numbering is part of the output contract: changing it
// changes every result, so append only.
enum class StreamKind : std::uint32_t {
  trial_workload = 1,   // draws shared by all flavors of a trial (common-mode failure, its time)
  flavor_workload = 2,  // a flavor's start jitter, independent failure, delay
  flavor_llm = 3,       // a flavor's analysis tokens and duration
  flavor_api = 4,       // latencies of a flavor's requests and lags of its writes
  flavor_faults = 5,    // which of a flavor's requests fail (apart, so faults keep latencies common)
  flavor_client = 6,    // a flavor's retry jitter
  trial_github = 7,     // the repository's state when the trial starts (rate-limit budgets)
  serve = 8,            // `coordsim serve`: latencies and lags of every request it answers
  // `coordsim serve`: which requests fail (index 0, apart from latencies as
  // flavor_faults is) and each rate-limit budget's starting state (index 1).
  serve_faults = 9,
  // workload.start_gap_s (trial index 0: the gaps between starts) and a
  // flavor's own time to failure (index i + 1) under
  // workload.failure.time_to_failure_drawn = per_flavor. Streams of their own,
  // so turning either on leaves every other draw where it was.
  workload_shape = 10,
};

inline Rng make_stream(std::uint64_t seed, std::uint64_t trial, StreamKind kind,
                       std::uint32_t index = 0) noexcept {
  std::uint64_t h = mix64(seed ^ 0x636f6f726473696dULL);  // "coordsim"
  h = mix64(h ^ trial);
  h = mix64(h ^ (static_cast<std::uint64_t>(kind) << 32 | index));
  return Rng(h);
}

}  // namespace coordsim::sim
