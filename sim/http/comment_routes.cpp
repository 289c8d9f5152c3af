#include <optional>

#include "sim/http/request_fields.hpp"
#include "sim/http/routes.hpp"

namespace coordsim::sim::http {

using agent::Time;

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
  if (auto bad = string_field(call.body, "IssueComment", "body", text)) return *bad;
  if (!text || text->empty()) return invalid("IssueComment", "body", "missing_field");
  if (text->size() > kMaxBody)
    return invalid("IssueComment", "body", "custom", "body is too long (maximum is 65536 characters)");
  const Time c = commit_time(st.store, call.now);
  const std::int64_t id = apply_comment(r, c, number, *text, draw_lags(st));
  if (!id) return not_found();
  Reply reply{201, comment_json(call.urls, r.info, GitHubModel::CommentView{id, number, c, *text}, epoch), {}};
  reply.headers.push_back({"location", reply.body["url"].get<std::string>()});
  return reply;
}

}  // namespace coordsim::sim::http
