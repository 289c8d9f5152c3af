#include "sim/http/request_fields.hpp"
#include "sim/http/routes.hpp"

namespace coordsim::sim::http {

using nlohmann::json;

namespace {

// Events between two versions of an issue, as GitHub names them.
void events_between(const Call& call, const Repository& r, const GitHubModel::IssueView& before,
                    const GitHubModel::IssueView& after, std::int64_t epoch, std::vector<json>& out) {
  const std::string repo_api = call.urls.api() + "/repos/" + r.info.owner + "/" + r.info.name;
  const auto event = [&](const char* name) {
    // Unique per repository for the first 1,000 events of an issue (ids are opaque to clients).
    // (Unsigned: wraps rather than overflows for a repository id from a state file.)
    const auto id = static_cast<std::int64_t>(static_cast<std::uint64_t>(issue_id(r.info, after.number)) * 1000u +
                                              out.size());
    json e = {{"id", id},
              {"node_id", base64_encode("IssueEvent:" + std::to_string(id))},
              {"url", repo_api + "/issues/events/" + std::to_string(id)},
              {"actor", user_json(call.urls)},
              {"event", name},
              {"commit_id", nullptr},
              {"commit_url", nullptr},
              {"created_at", format_timestamp(epoch + after.updated_at.count())},
              {"performed_via_github_app", nullptr}};
    return e;
  };
  if (before.state != after.state) {
    if (after.state == agent::IssueState::closed) {
      json e = event("closed");
      e["state_reason"] = after.close_reason == GitHubModel::CloseReason::not_planned ? "not_planned" : "completed";
      out.push_back(std::move(e));
    } else {
      json e = event("reopened");
      e["state_reason"] = "reopened";
      out.push_back(std::move(e));
    }
  }
  if (before.title != after.title) {
    json e = event("renamed");
    e["rename"] = {{"from", before.title}, {"to", after.title}};
    out.push_back(std::move(e));
  }
  for (int bit = 0; bit < r.model.label_count(); ++bit) {
    const auto mask = GitHubModel::LabelMask{1} << bit;
    if ((before.labels & mask) == (after.labels & mask)) continue;
    const std::string& name = r.model.label_name(bit);
    const LabelInfo* l = find_label(r, name);
    json e = event((after.labels & mask) ? "labeled" : "unlabeled");
    e["label"] = {{"name", l ? l->name : name}, {"color", l ? l->color : std::string("ededed")}};
    out.push_back(std::move(e));
  }
}

}  // namespace

Reply issue_events_route(ServeState& st, Repository& r, std::int64_t number, const Call& call) {
  std::vector<GitHubModel::IssueView> history;
  r.model.view_issue_history(ReadPath::get, call.now, number, history);
  if (history.empty()) return not_found();
  Paging paging;
  if (auto bad = parse_paging(call.target, paging)) return *bad;
  std::vector<json> events;
  // The labels an issue is created with are events too, as on GitHub.
  GitHubModel::IssueView none = history.front();
  none.labels = 0;
  events_between(call, r, none, history.front(), st.options.unix_epoch_us, events);
  for (std::size_t i = 1; i < history.size(); ++i)
    events_between(call, r, history[i - 1], history[i], st.options.unix_epoch_us, events);
  return paged_reply(call.urls, call.target, paging, static_cast<std::int64_t>(events.size()),
                     [&](std::int64_t i) { return events[static_cast<std::size_t>(i)]; });
}

}  // namespace coordsim::sim::http
