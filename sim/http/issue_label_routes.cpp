#include <algorithm>
#include <optional>

#include "sim/http/request_fields.hpp"
#include "sim/http/routes.hpp"
#include "sim/model/labels.hpp"

namespace coordsim::sim::http {

using nlohmann::json;

namespace {

constexpr const char* kTooManyLabels =
    "the fake GitHub supports at most 64 distinct labels on issues per repository";

std::vector<std::string> names_of(const Repository& r, GitHubModel::LabelMask mask) {
  std::vector<std::string> out;
  for (int bit = 0; bit < r.model.label_count(); ++bit)
    if (mask & (GitHubModel::LabelMask{1} << bit)) out.push_back(r.model.label_name(bit));
  return out;
}

// The issue's labels as its latest write left them: what a label write answers.
json latest_labels(const Call& call, const Repository& r, std::int64_t number) {
  GitHubModel::IssueView v;
  r.model.view_latest_issue(number, v);
  return issue_of(call.urls, r, v, 0)["labels"];
}

// Sets the issue's labels to `names`: a new version of the issue, as an edit
// of its labels makes one. The 64-label limit is checked before anything happens.
Reply write_labels(ServeState& st, Repository& r, std::int64_t number, std::vector<std::string> names,
                   const Call& call) {
  if (!r.model.accepts_labels(names)) return invalid("Label", "name", "custom", kTooManyLabels);
  agent::IssuePatch patch;
  patch.set_labels = true;
  patch.labels = std::move(names);
  if (!apply_update_issue(r, commit_time(st.store, call.now), number, std::move(patch), draw_lags(st)))
    return not_found();
  return {200, latest_labels(call, r, number), {}};
}

}  // namespace

Reply issue_label_routes(ServeState& st, Repository& r, std::int64_t number, std::span<const std::string> rest,
                         const Call& call) {
  if (number > r.model.issues_created() || rest.size() > 1) return not_found();
  const std::string& m = call.request.method;
  GitHubModel::IssueView latest;
  r.model.view_latest_issue(number, latest);
  std::vector<std::string> current = names_of(r, latest.labels);

  if (rest.size() == 1) {
    // DELETE issues/{n}/labels/{name}: 404 "Label does not exist" when the issue lacks it.
    if (m != "DELETE") return not_found();
    const auto it = std::find_if(current.begin(), current.end(),
                                 [&](const std::string& n) { return same_label(n, rest[0]); });
    if (it == current.end()) return error(404, "Label does not exist");
    current.erase(it);
    return write_labels(st, r, number, std::move(current), call);
  }
  if (m == "GET") {
    // The get path, as GET issues/{n}: absent until the issue shows there.
    GitHubModel::IssueView v;
    if (!r.model.view_issue(ReadPath::get, call.now, number, v)) return not_found();
    const json labels = issue_of(call.urls, r, v, 0)["labels"];
    Paging paging;
    if (auto bad = parse_paging(call.target, paging)) return *bad;
    return paged_reply(call.urls, call.target, paging, static_cast<std::int64_t>(labels.size()),
                       [&](std::int64_t i) { return labels[static_cast<std::size_t>(i)]; });
  }
  if (m == "DELETE") {
    if (!current.empty()) {
      Reply done = write_labels(st, r, number, {}, call);
      if (done.status != 200) return done;
    }
    return {204, nullptr, {}};
  }
  if (m != "POST" && m != "PUT") return not_found();
  std::vector<std::string> given;
  if (auto bad = labels_body(call.body, given)) return *bad;
  if (m == "PUT") return write_labels(st, r, number, std::move(given), call);
  for (std::string& name : given)
    if (std::none_of(current.begin(), current.end(), [&](const std::string& n) { return same_label(n, name); }))
      current.push_back(std::move(name));
  if (current.size() > kMaxLabelsPerIssue) return invalid("Issue", "labels", "invalid");
  return write_labels(st, r, number, std::move(current), call);
}

}  // namespace coordsim::sim::http
