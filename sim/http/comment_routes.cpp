#include <algorithm>
#include <limits>
#include <optional>

#include "sim/http/request_fields.hpp"
#include "sim/http/routes.hpp"

namespace coordsim::sim::http {

using agent::Time;
using nlohmann::json;

namespace {

std::optional<Reply> comment_body(const Call& call, std::optional<std::string>& text) {
  if (auto bad = string_field(call.body, "IssueComment", "body", text)) return bad;
  if (!text || text->empty()) return invalid("IssueComment", "body", "missing_field");
  return too_long("IssueComment", "body", *text, kMaxBody);
}

// The model's comment id of a REST id (comment_id), or 0 when it names none here.
std::int64_t local_comment_id(const Repository& r, const std::string& segment) {
  const auto id = parse_int(segment, 1, std::numeric_limits<std::int64_t>::max());
  if (!id) return 0;
  const std::int64_t local = *id - comment_id(r.info, 0);
  return local >= 1 && local <= r.model.comments_created() ? local : 0;
}

// GET issues/comments: every issue's comments on the get path; `sort`
// (created, updated), `direction` (with sort; asc by default), `since`
// (updated at or after), pages.
Reply list_repo_comments(ServeState& st, Repository& r, const Call& call) {
  const Target& t = call.target;
  Paging paging;
  if (auto bad = parse_paging(t, paging)) return *bad;
  bool by_updated = false;
  if (const std::string* s = t.param("sort")) {
    if (*s != "created" && *s != "updated") return invalid("IssueComment", "sort", "invalid");
    by_updated = *s == "updated";
  }
  agent::SortDirection direction = agent::SortDirection::asc;
  if (const std::string* s = t.param("direction")) {
    const auto d = direction_of(*s);
    if (!d) return invalid("IssueComment", "direction", "invalid");
    direction = *d;
  }
  Time since = Time::min();
  if (const std::string* s = t.param("since")) {
    const auto unix_us = parse_timestamp(*s);
    if (!unix_us) return invalid("IssueComment", "since", "invalid");
    since = Time(*unix_us - st.options.unix_epoch_us);
  }
  std::vector<GitHubModel::CommentView> all;
  r.model.view_all_comments(ReadPath::get, call.now, all);
  std::erase_if(all, [&](const GitHubModel::CommentView& c) { return c.updated_at < since; });
  std::stable_sort(all.begin(), all.end(), [&](const auto& a, const auto& b) {
    const auto key = [&](const GitHubModel::CommentView& c) {
      return by_updated ? c.updated_at.count() : c.created_at.count();
    };
    return sorts_before(direction, key(a), a.id, key(b), b.id);
  });
  const std::int64_t epoch = st.options.unix_epoch_us;
  return paged_reply(call.urls, t, paging, static_cast<std::int64_t>(all.size()), [&](std::int64_t i) {
    return comment_json(call.urls, r.info, all[static_cast<std::size_t>(i)], epoch);
  });
}

}  // namespace

Reply comment_routes(ServeState& st, Repository& r, std::int64_t number, const Call& call) {
  if (number > r.model.issues_created()) return not_found();
  const std::int64_t epoch = st.options.unix_epoch_us;
  if (call.request.method == "GET") {
    Paging paging;
    if (auto bad = parse_paging(call.target, paging)) return *bad;
    std::vector<GitHubModel::CommentView> all;
    r.model.view_comments(ReadPath::get, call.now, number, all);
    return paged_reply(call.urls, call.target, paging, static_cast<std::int64_t>(all.size()),
                       [&](std::int64_t i) {
                         return comment_json(call.urls, r.info, all[static_cast<std::size_t>(i)], epoch);
                       });
  }
  if (call.request.method != "POST") return not_found();
  std::optional<std::string> text;
  if (auto bad = comment_body(call, text)) return *bad;
  const Time c = commit_time(st.store, call.now);
  const std::int64_t id = apply_comment(r, c, number, *text, draw_lags(st));
  if (!id) return not_found();
  Reply reply{201, comment_json(call.urls, r.info, GitHubModel::CommentView{id, number, c, *text, c}, epoch), {}};
  reply.headers.push_back({"location", reply.body["url"].get<std::string>()});
  return reply;
}

Reply repo_comment_routes(ServeState& st, Repository& r, std::span<const std::string> rest, const Call& call) {
  const std::string& m = call.request.method;
  if (rest.empty()) return m == "GET" ? list_repo_comments(st, r, call) : not_found();
  if (rest.size() != 1) return not_found();
  const std::int64_t id = local_comment_id(r, rest[0]);
  if (!id) return not_found();
  const std::int64_t epoch = st.options.unix_epoch_us;
  GitHubModel::CommentView view;
  if (m == "GET") {
    if (!r.model.view_comment(ReadPath::get, call.now, id, view)) return not_found();
    return {200, comment_json(call.urls, r.info, view, epoch), {}};
  }
  if (m == "PATCH") {
    std::optional<std::string> text;
    if (auto bad = comment_body(call, text)) return *bad;
    if (!apply_update_comment(r, commit_time(st.store, call.now), id, *text, draw_lags(st))) return not_found();
    r.model.view_latest_comment(id, view);
    return {200, comment_json(call.urls, r.info, view, epoch), {}};
  }
  if (m == "DELETE") {
    if (!apply_delete_comment(r, commit_time(st.store, call.now), id, draw_lags(st))) return not_found();
    return {204, nullptr, {}};
  }
  return not_found();
}

}  // namespace coordsim::sim::http
