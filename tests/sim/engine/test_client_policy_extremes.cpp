// The client policy's backoff at the ends of the ranges the schema allows
// (agent/client_policy.hpp): base_delay_s 0, max_attempts up to 2^31 - 1,
// multiplier up to 100, and a server's retry-after of any size. Before the
// fix base_delay 0 and more than ~1,024 attempts computed 0 * infinity = NaN,
// whose cast to an integer is undefined (on x86 it gave -2^63 us: a negative
// sleep); and a huge retry-after overflowed the waited-time sum into room left.
#include <catch2/catch.hpp>

#include <cstdint>

#include "agent/client_policy.hpp"

using namespace coordsim;
using agent::Duration;

namespace {
constexpr Duration seconds(std::int64_t s) { return Duration(s * 1'000'000); }
}  // namespace

TEST_CASE("backoff with base_delay 0 is 0 for any number of attempts", "[client-policy][limits]") {
  // With honor_retry_after (the default) a retry-after of 0 happened to
  // replace the -2^63 us sleep; without it the sleep was returned.
  for (const bool honor : {false, true}) {
    agent::RetryPolicy p;
    p.base_delay = Duration(0);
    p.max_attempts = 5'000;
    p.max_total_wait = seconds(1'000'000'000);
    p.honor_retry_after = honor;
    agent::RetryBudget b;
    int retries = 0;
    while (const auto delay = agent::next_retry(p, b, 500, {}, 0.25)) {
      CAPTURE(honor, b.attempts);
      REQUIRE(delay->count() == 0);
      ++retries;
    }
    CHECK(retries == 4'999);
    CHECK(b.waited == Duration(0));
  }
}

TEST_CASE("backoff grows to max_delay and stays there however many attempts", "[client-policy][limits]") {
  agent::RetryPolicy p;
  p.base_delay = seconds(1);
  p.max_delay = seconds(30);
  p.multiplier = 100;  // the schema's largest: 100^153 is already infinite
  p.jitter = 0.5;
  p.max_attempts = 2'000;
  p.max_total_wait = seconds(1'000'000'000);
  agent::RetryBudget b;
  std::int64_t total = 0;
  int retries = 0;
  while (const auto delay = agent::next_retry(p, b, 503, {}, 0.5)) {
    // delay * (1 - 0.5 * 0.5): 0.75 s, then 75 s capped at 30 s -> 22.5 s.
    REQUIRE(delay->count() == (retries == 0 ? 750'000 : 22'500'000));
    total += delay->count();
    ++retries;
  }
  CHECK(retries == 1'999);
  CHECK(b.waited.count() == total);
}

TEST_CASE("a retry-after of any size never overflows the wait budget", "[client-policy][limits]") {
  agent::RetryPolicy p;  // 120 s in total
  agent::RetryBudget b;
  REQUIRE(agent::next_retry(p, b, 500, {}, 0) == seconds(1));
  // 1 s waited + 2^63 - 1 us wrapped to a negative sum, which read as within budget.
  const agent::ApiError forever{429, "", Duration::max()};
  CHECK_FALSE(agent::next_retry(p, b, 429, forever, 0));
  CHECK(b.waited == seconds(1));
  // What is left still works.
  CHECK(agent::next_retry(p, b, 429, agent::ApiError{429, "", seconds(119)}, 0) == seconds(119));
  CHECK_FALSE(agent::next_retry(p, b, 429, agent::ApiError{429, "", Duration(1)}, 0.999));
}
