#include "sim/http/request_fields.hpp"

#include <algorithm>

namespace coordsim::sim::http {

using nlohmann::json;

bool valid_name(std::string_view s) {
  if (s.empty() || s.size() > 100 || s == "." || s == "..") return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
           c == '.';
  });
}

bool issue_number(const std::string& s, std::int64_t& out) {
  auto v = parse_int(s, 1, std::int64_t{1} << 40);
  if (!v) return false;
  out = *v;
  return true;
}

std::optional<Reply> parse_body(const Request& req, json& out, bool array_ok) {
  if (req.body.empty()) {
    out = json::object();
    return std::nullopt;
  }
  out = json::parse(req.body, nullptr, false);
  if (out.is_discarded() || !(out.is_object() || (array_ok && out.is_array())))
    return error(400, "Problems parsing JSON");
  return std::nullopt;
}

bool takes_array_body(std::span<const std::string> s) {
  return s.size() == 6 && s[0] == "repos" && s[3] == "issues" && s[5] == "labels";
}

std::optional<Reply> too_long(const char* resource, const char* field, const std::string& text, std::size_t max) {
  if (utf8_length(text) <= max) return std::nullopt;
  return invalid(resource, field, "custom",
                 std::string(field) + " is too long (maximum is " + std::to_string(max) + " characters)");
}

std::optional<Reply> string_field(const json& body, const char* resource, const char* field,
                                  std::optional<std::string>& out, bool null_ok) {
  auto it = body.find(field);
  if (it == body.end() || (null_ok && it->is_null())) return std::nullopt;
  if (!it->is_string()) return invalid(resource, field, "invalid");
  out = it->get<std::string>();
  return std::nullopt;
}

std::optional<Reply> labels_field(const json& body, std::optional<std::vector<std::string>>& out) {
  auto it = body.find("labels");
  if (it == body.end() || it->is_null()) return std::nullopt;
  if (!it->is_array() || it->size() > kMaxLabelsPerIssue) return invalid("Issue", "labels", "invalid");
  std::vector<std::string> names;
  for (const json& l : *it) {
    const json* name = &l;
    if (l.is_object()) {
      auto n = l.find("name");
      if (n == l.end()) return invalid("Label", "name", "missing_field");
      name = &*n;
    }
    if (!name->is_string() || name->get_ref<const std::string&>().empty() ||
        name->get_ref<const std::string&>().size() > kMaxLabelName)
      return invalid("Label", "name", "invalid");
    names.push_back(name->get<std::string>());
  }
  out = std::move(names);
  return std::nullopt;
}

std::optional<Reply> labels_body(const json& body, std::vector<std::string>& out) {
  std::optional<std::vector<std::string>> labels;
  if (body.is_array()) {
    if (auto bad = labels_field(json{{"labels", body}}, labels)) return bad;
  } else {
    if (auto bad = labels_field(body, labels)) return bad;
  }
  out = labels.value_or(std::vector<std::string>{});
  return std::nullopt;
}

std::optional<Reply> state_reason_field(const json& body, const std::optional<std::string>& state,
                                        GitHubModel::CloseReason& out) {
  out = GitHubModel::CloseReason::completed;
  auto it = body.find("state_reason");
  if (it == body.end() || it->is_null()) return std::nullopt;
  if (!it->is_string()) return invalid("Issue", "state_reason", "invalid");
  const std::string& reason = it->get_ref<const std::string&>();
  if (reason != "completed" && reason != "not_planned" && reason != "reopened")
    return invalid("Issue", "state_reason", "invalid");
  if (state && *state == "closed" && reason == "reopened") return invalid("Issue", "state_reason", "invalid");
  if (reason == "not_planned") out = GitHubModel::CloseReason::not_planned;
  return std::nullopt;
}

std::optional<agent::StateFilter> state_filter_of(std::string_view s) {
  if (s == "open") return agent::StateFilter::open;
  if (s == "closed") return agent::StateFilter::closed;
  if (s == "all") return agent::StateFilter::all;
  return std::nullopt;
}

std::optional<agent::IssueSort> issue_sort_of(std::string_view s) {
  if (s == "created") return agent::IssueSort::created;
  if (s == "updated") return agent::IssueSort::updated;
  if (s == "comments") return agent::IssueSort::comments;
  return std::nullopt;
}

std::optional<agent::SortDirection> direction_of(std::string_view s) {
  if (s == "desc") return agent::SortDirection::desc;
  if (s == "asc") return agent::SortDirection::asc;
  return std::nullopt;
}

std::optional<Reply> parse_paging(const Target& t, Paging& out) {
  if (const std::string* s = t.param("per_page")) {
    auto v = parse_int(*s, 0, 1'000'000);
    if (!v) return invalid("Pagination", "per_page", "invalid");
    out.per_page = clamp_per_page(*v);
  }
  if (const std::string* s = t.param("page")) {
    auto v = parse_int(*s, 0, 1'000'000'000);
    if (!v) return invalid("Pagination", "page", "invalid");
    out.page = clamp_page(*v);
  }
  return std::nullopt;
}

std::string link_header(const Urls& u, const Target& t, std::int64_t page, std::int64_t last) {
  std::string query;
  for (const auto& [k, v] : t.params) {
    if (k == "page") continue;
    query += percent_encode(k) + "=" + percent_encode(v) + "&";
  }
  const auto link = [&](std::int64_t p, const char* rel) {
    return "<" + u.origin + t.path + "?" + query + "page=" + std::to_string(p) + ">; rel=\"" + rel + "\"";
  };
  std::string out;
  const auto add = [&](std::int64_t p, const char* rel) {
    if (!out.empty()) out += ", ";
    out += link(p, rel);
  };
  if (page > 1) add(page - 1, "prev");
  if (page < last) add(page + 1, "next");
  if (page < last) add(last, "last");
  if (page > 1) add(1, "first");
  return out;
}

}  // namespace coordsim::sim::http
