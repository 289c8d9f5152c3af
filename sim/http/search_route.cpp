#include <algorithm>
#include <shared_mutex>

#include "sim/http/request_fields.hpp"
#include "sim/http/routes.hpp"
#include "sim/model/search_query.hpp"

namespace coordsim::sim::http {

using nlohmann::json;

Reply search_route(ServeState& st, const Call& call) {
  const Target& t = call.target;
  Paging paging;
  if (auto bad = parse_paging(t, paging)) return *bad;
  const std::string* q = t.param("q");
  if (!q || q->find_first_not_of(" \t") == std::string::npos) return invalid("Search", "q", "missing");
  if (q->size() > 256) return invalid("Search", "q", "invalid", "The search is longer than 256 characters.");
  const auto query = parse_search_query(*q);
  if (!query) return invalid("Search", "q", "invalid");
  // Without `sort`, GitHub orders by best match; the fake has no relevance,
  // and orders newest first.
  agent::IssueSort sort = agent::IssueSort::created;
  if (const std::string* s = t.param("sort"); s && !s->empty()) {
    const auto given = issue_sort_of(*s);
    if (!given) return invalid("Search", "sort", "invalid");
    sort = *given;
  }
  agent::SortDirection direction = agent::SortDirection::desc;
  if (const std::string* s = t.param("order")) {
    const auto given = direction_of(*s);
    if (!given) return invalid("Search", "order", "invalid");
    direction = *given;
  }

  std::vector<Repository*> scope;
  if (query->repos.empty()) {
    for (auto& [key, r] : st.store.repos) scope.push_back(r.get());
  } else {
    for (const std::string& name : query->repos) {
      auto it = st.store.repos.find(name);
      if (it != st.store.repos.end() && std::find(scope.begin(), scope.end(), it->second.get()) == scope.end())
        scope.push_back(it->second.get());
    }
  }
  // Each repository shared while it is read and rendered; in address order
  // (serve_state.hpp).
  std::vector<Repository*> lock_order(scope);
  std::sort(lock_order.begin(), lock_order.end());
  std::vector<std::shared_lock<std::shared_mutex>> locks;
  for (Repository* r : lock_order) locks.emplace_back(r->mutex);
  struct Hit {
    Repository* repo;
    GitHubModel::IssueView view;
    std::int64_t key;
  };
  std::vector<Hit> hits;
  for (Repository* r : scope) {
    r->model.search_views(call.now, *query, st.views);
    for (const auto& v : st.views)
      hits.push_back({r, v, sort_key(sort, v.created_at, v.updated_at, v.comments)});
  }
  std::stable_sort(hits.begin(), hits.end(), [&](const Hit& a, const Hit& b) {
    return sorts_before(direction, a.key, a.view.number, b.key, b.view.number);
  });
  Reply reply = paged_reply(call.urls, t, paging, static_cast<std::int64_t>(hits.size()), [&](std::int64_t i) {
    const Hit& h = hits[static_cast<std::size_t>(i)];
    json item = issue_of(call.urls, *h.repo, h.view, st.options.unix_epoch_us);
    item["score"] = 1.0;
    return item;
  });
  reply.body = {{"total_count", hits.size()}, {"incomplete_results", false}, {"items", std::move(reply.body)}};
  return reply;
}

}  // namespace coordsim::sim::http
