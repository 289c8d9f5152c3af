#include "agent/protocols/settle.hpp"

#include "agent/protocols/keyed.hpp"
#include "agent/protocols/lowest_leads.hpp"

namespace coordsim::agent {

Task<Decision> decide_settle(const ProtocolConfig& config, Ports ports, const CoordinationKey& key,
                             AgentBuffers& b) {
  prepare_keyed_names(config, key, b);
  const std::int64_t own = (co_await create_keyed_issue(config, ports, key, b)).number;
  if (own == 0) co_return undecided(config);
  co_await ports.clock.sleep(config.settle.settle_time);

  // Oldest first, closed issues included, 100 a page (GitHub's maximum), no
  // page cap. Only the lowest open matching issue matters, and in this order
  // it is the first one: pages are offsets, and an issue that leaves the
  // listing between two pages shifts every later one back by one, so the
  // default listing (open only, newest first) let a loser's close slide the
  // lowest issue onto a page already read, and its 10-page cap never reached
  // the lowest of 301 (every trial analyzed twice). With closed issues
  // included nothing leaves the listing (labels stay, issues are not
  // deleted); an issue that appears late only shifts later ones forward, so
  // one is seen twice, never skipped. The walk ends at our own number, so its
  // cost is the labelled issues below it (closed ones of earlier failures
  // included: docs/protocols.md).
  b.find = ListIssuesQuery{};
  b.find.state = StateFilter::all;
  b.find.labels = config.seed.label;
  b.find.sort = IssueSort::created;
  b.find.direction = SortDirection::asc;
  b.find.per_page = 100;
  b.built = false;  // the seed protocols' prepared query was overwritten
  std::int64_t lowest = own;
  bool lowest_is_ours = true;
  bool done = false;
  for (b.find.page = 1; !done; ++b.find.page) {
    RetryBudget budget;
    const ApiResult<IssuePage>* page = nullptr;
    for (;;) {
      page = &co_await ports.github.list_issues(b.find, b.page);
      if (page->ok() || !co_await retry_after_failure(config.retry, ports, budget, page->status, page->error))
        break;
    }
    // A list that failed past the retry budget: decide on what was seen.
    if (!page->ok()) break;
    for (const Issue& issue : page->value.issues) {
      std::string_view owner;
      if (issue.number >= own) {
        done = true;
        break;
      }
      if (issue.state != IssueState::open || !matches_key(issue.title, b.title_prefix, &owner)) continue;
      lowest = issue.number;
      lowest_is_ours = owner == key.flavor;
      done = true;
      break;
    }
    if (!page->value.has_next) break;
  }
  note(ports, "settled: lowest matching #", lowest, lowest_is_ours ? " (ours)" : "");
  co_return lowest_decides(own, lowest, lowest_is_ours);
}

}  // namespace coordsim::agent
