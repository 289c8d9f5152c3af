#include "agent/protocols/settle.hpp"

#include "agent/protocols/keyed.hpp"
#include "agent/protocols/lowest_leads.hpp"

namespace coordsim::agent {

Task<Decision> decide_settle(const ProtocolConfig& config, Ports ports, const CoordinationKey& key,
                             AgentBuffers& b) {
  prepare_keyed_names(config, key, b);
  const std::int64_t own = co_await create_keyed_issue(config, ports, key, b);
  if (own == 0) co_return undecided(config);
  co_await ports.clock.sleep(config.settle.settle_time);

  b.find = ListIssuesQuery{};
  b.find.state = StateFilter::open;
  b.find.labels = config.seed.label;
  b.built = false;  // the seed protocols' prepared query was overwritten
  std::int64_t lowest = own;
  bool lowest_is_ours = true;
  for (b.find.page = 1; b.find.page <= config.seed.max_pages; ++b.find.page) {
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
      if (issue.number >= lowest || !matches_key(issue.title, b.title_prefix, &owner)) continue;
      lowest = issue.number;
      lowest_is_ours = owner == key.flavor;
    }
    if (!page->value.has_next) break;
  }
  note(ports, "settled: lowest matching #", lowest, lowest_is_ours ? " (ours)" : "");
  co_return lowest_decides(own, lowest, lowest_is_ours);
}

}  // namespace coordsim::agent
