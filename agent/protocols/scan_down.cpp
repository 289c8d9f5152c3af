#include "agent/protocols/scan_down.hpp"

#include <algorithm>

#include "agent/protocols/keyed.hpp"
#include "agent/protocols/lowest_leads.hpp"

namespace coordsim::agent {
namespace {

// GET issue n, polling while it is not visible on the get path. False when it
// never became visible (or the API gave out): the caller treats it as not
// matching, which can only add a leader, never remove the last one.
Task<bool> get_visible(const ProtocolConfig& config, Ports ports, AgentBuffers& b, std::int64_t number) {
  RetryBudget budget;
  for (int not_visible = 0;;) {
    const ApiResult<Issue>& r = co_await ports.github.get_issue(number, b.issue);
    if (r.ok()) co_return true;
    if (r.status == 404 || r.status == 410) {
      if (++not_visible >= config.scan_down.not_visible_attempts) co_return false;
      co_await ports.clock.sleep(config.scan_down.not_visible_retry);
      continue;
    }
    if (!co_await retry_after_failure(config.retry, ports, budget, r.status, r.error)) co_return false;
  }
}

}  // namespace

Task<Decision> decide_scan_down(const ProtocolConfig& config, Ports ports, const CoordinationKey& key,
                                AgentBuffers& b) {
  prepare_keyed_names(config, key, b);
  const KeyedIssue created = co_await create_keyed_issue(config, ports, key, b);
  const std::int64_t own = created.number;
  if (own == 0) co_return undecided(config);
  std::int64_t lowest = own;
  bool lowest_is_ours = true;
  const std::int64_t stop = std::max<std::int64_t>(1, own - config.scan_down.horizon);
  for (std::int64_t n = own - 1; n >= stop; --n) {
    if (!co_await get_visible(config, ports, b, n)) {
      // A lower issue this flavor cannot read may be its own stray from an
      // ambiguous create (the create committed, the response was lost). If it
      // is, its rivals defer to it, and ignoring it here deferred this flavor
      // to a higher issue whose owner deferred to the stray: nobody analyzed
      // (0.33% of failures, faults-lost-responses with 50% get 5xx, 3
      // attempts). So after an ambiguous create it counts as ours: the
      // lowest issue's owner then always analyzes, and if the issue was
      // someone else's the cost is a duplicate, never a miss. Finding our
      // strays another way (listing by title) would read a lagging path.
      if (created.ambiguous) {
        note(ports, "#", n, ": never visible, possibly ours (our create was ambiguous)");
        lowest = n;
        lowest_is_ours = true;
      } else {
        note(ports, "#", n, ": never visible, ignored");
      }
      continue;
    }
    std::string_view owner;
    if (b.issue.value.state != IssueState::open || !matches_key(b.issue.value.title, b.title_prefix, &owner))
      continue;
    lowest = n;
    lowest_is_ours = owner == key.flavor;  // a lost create response can leave us a lower issue
    note(ports, "#", n, ": open, ", lowest_is_ours ? "ours" : "by another flavor");
  }
  co_return lowest_decides(own, lowest, lowest_is_ours);
}

}  // namespace coordsim::agent
