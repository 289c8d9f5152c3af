#include <optional>
#include <stdexcept>

#include "sim/http/request_fields.hpp"
#include "sim/http/routes.hpp"

namespace coordsim::sim::http {

using agent::Time;
using nlohmann::json;

namespace {

constexpr const char* kTooManyLabels =
    "the fake GitHub supports at most 64 distinct labels on issues per repository";

// GET /repos/{o}/{r}/issues: the model's list (list_query.hpp), with `since`.
Reply list_issues(ServeState& st, Repository& r, const Call& call) {
  const Target& t = call.target;
  Paging paging;
  if (auto bad = parse_paging(t, paging)) return *bad;
  agent::ListIssuesQuery q;
  q.per_page = paging.per_page;
  q.page = static_cast<int>(paging.page);
  if (const std::string* s = t.param("state")) {
    const auto state = state_filter_of(*s);
    if (!state) return invalid("Issue", "state", "invalid");
    q.state = *state;
  }
  if (const std::string* s = t.param("labels")) q.labels = *s;
  if (const std::string* s = t.param("sort")) {
    const auto sort = issue_sort_of(*s);
    if (!sort) return invalid("Issue", "sort", "invalid");
    q.sort = *sort;
  }
  if (const std::string* s = t.param("direction")) {
    const auto direction = direction_of(*s);
    if (!direction) return invalid("Issue", "direction", "invalid");
    q.direction = *direction;
  }
  Time since = Time::min();
  if (const std::string* s = t.param("since")) {
    const auto unix_us = parse_timestamp(*s);
    if (!unix_us) return invalid("Issue", "since", "invalid");
    since = Time(*unix_us - st.options.unix_epoch_us);
  }

  std::int64_t total = 0;
  r.model.list_views(call.now, q, since, st.views, total);
  std::string text = "[";
  for (const auto& v : st.views) {
    if (text.size() > 1) text += ',';
    append_issue_text(call.urls, r, v, st.options.unix_epoch_us, text);
  }
  text += ']';
  Reply reply{200, raw_body(text), {}};
  const std::string link =
      link_header(call.urls, t, paging.page, page_span(total, paging.per_page, paging.page).last);
  if (!link.empty()) reply.headers.push_back({"link", link});
  return reply;
}

Reply create_issue(ServeState& st, Repository& r, const Call& call) {
  std::optional<std::string> title, text;
  std::optional<std::vector<std::string>> labels;
  if (auto bad = string_field(call.body, "Issue", "title", title)) return *bad;
  if (auto bad = string_field(call.body, "Issue", "body", text, true)) return *bad;
  if (auto bad = labels_field(call.body, labels)) return *bad;
  if (!title || title->empty()) return invalid("Issue", "title", "missing_field");
  if (auto bad = too_long("Issue", "title", *title, kMaxTitle)) return *bad;
  if (text) {
    if (auto bad = too_long("Issue", "body", *text, kMaxBody)) return *bad;
  }
  // Refused before any effect: a refused create must not make its labels.
  if (labels && !r.model.accepts_labels(*labels)) return invalid("Label", "name", "custom", kTooManyLabels);
  const Time c = commit_time(st.store, call.now);
  std::int64_t number = 0;
  try {
    number = apply_create_issue(
        r, c, agent::NewIssue{*title, text.value_or(""), labels.value_or(std::vector<std::string>{})},
        draw_lags(st));
  } catch (const std::length_error&) {
    return invalid("Label", "name", "custom", kTooManyLabels);
  }
  GitHubModel::IssueView v;
  r.model.view_latest_issue(number, v);
  Reply reply{201, issue_of(call.urls, r, v, st.options.unix_epoch_us), {}};
  reply.headers.push_back({"location", reply.body["url"].get<std::string>()});
  return reply;
}

Reply update_issue(ServeState& st, Repository& r, std::int64_t number, const Call& call) {
  if (number > r.model.issues_created()) return not_found();
  const json& body = call.body;
  agent::IssuePatch patch;
  std::optional<std::string> state, title, text;
  std::optional<std::vector<std::string>> labels;
  if (auto bad = string_field(body, "Issue", "state", state)) return *bad;
  if (auto bad = string_field(body, "Issue", "title", title)) return *bad;
  if (auto bad = string_field(body, "Issue", "body", text, true)) return *bad;
  if (auto bad = labels_field(body, labels)) return *bad;
  GitHubModel::CloseReason reason = GitHubModel::CloseReason::completed;
  if (auto bad = state_reason_field(body, state, reason)) return *bad;
  if (state) {
    if (*state != "open" && *state != "closed") return invalid("Issue", "state", "invalid");
    patch.set_state = true;
    patch.state = *state == "closed" ? agent::IssueState::closed : agent::IssueState::open;
  }
  if (title) {
    if (title->empty()) return invalid("Issue", "title", "missing_field");
    if (auto bad = too_long("Issue", "title", *title, kMaxTitle)) return *bad;
    patch.set_title = true;
    patch.title = std::move(*title);
  }
  if (body.contains("body")) {
    if (text) {
      if (auto bad = too_long("Issue", "body", *text, kMaxBody)) return *bad;
    }
    patch.set_body = true;
    patch.body = text.value_or("");
  }
  if (labels) {
    if (!r.model.accepts_labels(*labels)) return invalid("Label", "name", "custom", kTooManyLabels);
    patch.set_labels = true;
    patch.labels = std::move(*labels);
  }
  try {
    if (!apply_update_issue(r, commit_time(st.store, call.now), number, std::move(patch), draw_lags(st), reason))
      return not_found();
  } catch (const std::length_error&) {
    return invalid("Label", "name", "custom", kTooManyLabels);
  }
  GitHubModel::IssueView v;
  r.model.view_latest_issue(number, v);
  return {200, issue_of(call.urls, r, v, st.options.unix_epoch_us), {}};
}

}  // namespace

Reply issue_routes(ServeState& st, Repository& r, std::span<const std::string> rest, const Call& call) {
  const std::string& m = call.request.method;
  if (rest.empty()) {
    if (m == "GET") return list_issues(st, r, call);
    if (m == "POST") return create_issue(st, r, call);
    return not_found();
  }
  if (rest[0] == "comments") return repo_comment_routes(st, r, rest.subspan(1), call);
  std::int64_t number = 0;
  if (!issue_number(rest[0], number)) return not_found();
  if (rest.size() == 1) {
    if (m == "GET") {
      GitHubModel::IssueView v;
      if (!r.model.view_issue(ReadPath::get, call.now, number, v)) return not_found();
      std::string text;
      append_issue_text(call.urls, r, v, st.options.unix_epoch_us, text);
      return {200, raw_body(text), {}};
    }
    if (m == "PATCH") return update_issue(st, r, number, call);
    return not_found();
  }
  if (rest.size() == 2 && rest[1] == "comments") return comment_routes(st, r, number, call);
  if (rest[1] == "labels") return issue_label_routes(st, r, number, rest.subspan(2), call);
  if (rest.size() == 2 && rest[1] == "events" && m == "GET") return issue_events_route(st, r, number, call);
  return not_found();
}

}  // namespace coordsim::sim::http
