// The assumption warnings (agent/assumptions.hpp) at each edge: one side of
// the stated condition warns, the other does not; and the tail bounds they
// read from a scenario's distributions, where they can be computed by hand.
#include <cmath>
#include <string>

#include <catch2/catch.hpp>

#include "agent/assumptions.hpp"
#include "sim/input/broken_assumptions.hpp"
#include "sim/random/distribution.hpp"
#include "support/fixtures.hpp"

using namespace coordsim;

namespace {
agent::ProtocolConfig with(agent::Strategy s) {
  agent::ProtocolConfig c;
  c.strategy = s;
  return c;
}
bool mentions(const std::vector<std::string>& ws, const std::string& text) {
  for (const std::string& w : ws)
    if (w.find(text) != std::string::npos) return true;
  return false;
}
}  // namespace

TEST_CASE("tail of each distribution, by hand", "[assumptions]") {
  CHECK(sim::Distribution::constant(3).exceedance(2.9) == 1);
  CHECK(sim::Distribution::constant(3).exceedance(3) == 0);
  CHECK(test::uniform(0, 10).exceedance(7.5) == Approx(0.25));
  CHECK(test::exponential(2).exceedance(2) == Approx(std::exp(-1.0)));
  CHECK(test::lognormal(9, 0.35).exceedance(9) == Approx(0.5));
  // Exponential, mean 1: P(X > x) = e^-x = 1e-6 at x = ln 1e6.
  CHECK(test::exponential(1).bound_except(1e-6) == Approx(std::log(1e6)).epsilon(1e-6));
  // Lognormal: the 1 - 1e-6 quantile is median * exp(sigma * 4.753424).
  CHECK(test::lognormal(9, 0.35).bound_except(1e-6) == Approx(9 * std::exp(0.35 * 4.753424)).epsilon(1e-5));
  CHECK(test::uniform(1, 4).bound_except(1e-6) == 4);
}

TEST_CASE("settle warns when the list lag reaches the settle time, not below it", "[assumptions]") {
  agent::ProtocolConfig c = with(agent::Strategy::settle);
  c.settle.settle_time = agent::Duration(10'000'000);
  agent::Conditions k;
  k.list_lag_max_s = 9.99;
  CHECK(agent::broken_assumptions(c, k).empty());
  k.list_lag_max_s = 10;
  CHECK(mentions(agent::broken_assumptions(c, k), "agent.settle.settle_time_s (10 s)"));
  k.list_lag_max_s = INFINITY;
  CHECK(mentions(agent::broken_assumptions(c, k), "unbounded"));
}

TEST_CASE("ref-lock warns when the refs lag reaches the wait budget, and a lease shorter than the analysis",
          "[assumptions]") {
  agent::ProtocolConfig c = with(agent::Strategy::ref_lock);
  agent::Conditions k;
  k.refs_lag_max_s = 119;
  k.analysis_max_s = 299;
  CHECK(agent::broken_assumptions(c, k).empty());
  k.refs_lag_max_s = 120;
  CHECK(mentions(agent::broken_assumptions(c, k), "agent.client.max_total_wait_s (120 s)"));
  c.on_error = agent::OnError::skip;
  CHECK(mentions(agent::broken_assumptions(c, k), "(a miss)"));
  k.refs_lag_max_s = 0;
  c.lease.enabled = true;
  CHECK(agent::broken_assumptions(c, k).empty());
  k.analysis_max_s = 300;
  CHECK(mentions(agent::broken_assumptions(c, k), "agent.lease.ttl_s (300 s)"));
}

TEST_CASE("scan-down's polling budget and horizon; the seed protocols' page cap; the agent's deadline",
          "[assumptions]") {
  agent::Conditions k;
  k.get_lag_max_s = 19.9;  // 0.5 s x 40 = 20 s
  k.flavors = 20;
  CHECK(agent::broken_assumptions(with(agent::Strategy::scan_down), k).empty());
  k.get_lag_max_s = 20;
  k.flavors = 21;
  const auto ws = agent::broken_assumptions(with(agent::Strategy::scan_down), k);
  CHECK(ws.size() == 2);
  CHECK(mentions(ws, "agent.scan_down.horizon (20)"));

  agent::Conditions f;
  f.flavors = 300;
  CHECK(agent::broken_assumptions(with(agent::Strategy::seed_lowest), f).empty());
  f.flavors = 301;
  CHECK(mentions(agent::broken_assumptions(with(agent::Strategy::seed_lowest), f), "page cap"));

  agent::Conditions t;
  t.timeout_s = 120;
  CHECK(agent::broken_assumptions(with(agent::Strategy::ref_lock), t).empty());
  t.timeout_s = 119;
  CHECK(mentions(agent::broken_assumptions(with(agent::Strategy::ref_lock), t), "--timeout (119 s)"));
  CHECK(agent::broken_assumptions(with(agent::Strategy::none), t).empty());
}

TEST_CASE("a scenario's conditions: the bounds its draws stay under but for one in a million", "[assumptions]") {
  sim::Scenario s;
  s.workload.flavors = {"a", "b", "c"};
  s.github.visibility_lag[static_cast<int>(agent::ReadPath::list)] = test::uniform(0, 12);
  s.llm.analysis_duration = sim::Distribution::constant(60);
  const agent::Conditions k = sim::conditions_of(s);
  CHECK(*k.list_lag_max_s == 12);
  CHECK(*k.refs_lag_max_s == 0);
  CHECK(*k.analysis_max_s == 60);
  CHECK(*k.flavors == 3);
  agent::ProtocolConfig c = with(agent::Strategy::settle);
  CHECK(mentions(sim::broken_assumptions(s, c), "up to 12 s"));
  c.settle.settle_time = agent::Duration(12'500'000);
  CHECK(sim::broken_assumptions(s, c).empty());
}
