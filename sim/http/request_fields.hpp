#pragma once
// Reading a request's fields as GitHub validates them: the JSON body of a
// write, string and label fields, issue numbers, repository names, the
// list parameters (state, sort, direction, per_page, page), and the Link
// header of a paged answer. Each check answers GitHub's 400 or 422 itself.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/github_types.hpp"
#include "sim/http/query.hpp"
#include "sim/http/reply.hpp"
#include "sim/model/list_query.hpp"

namespace coordsim::sim::http {

inline constexpr std::size_t kMaxTitle = 256;  // GitHub's limits
inline constexpr std::size_t kMaxBody = 65'536;
inline constexpr std::size_t kMaxLabelsPerIssue = 100;
inline constexpr std::size_t kMaxLabelName = 50;

// A repository owner's or name's characters and length.
bool valid_name(std::string_view s);
// A path segment as an issue number (>= 1); false for anything else (404).
bool issue_number(const std::string& s, std::int64_t& out);

// Body of a write: a JSON object (or, with `array_ok`, an array), or 400 as
// GitHub answers unparsable JSON.
std::optional<Reply> parse_body(const Request& req, nlohmann::json& out, bool array_ok = false);
// The routes whose body may be a bare array: an issue's labels (POST, PUT),
// as PyGithub's add_to_labels and set_labels send them.
bool takes_array_body(std::span<const std::string> s);
// A title or body within GitHub's limits in characters (utf8_length): the
// 422 when it is over, naming `field` and `max`.
std::optional<Reply> too_long(const char* resource, const char* field, const std::string& text, std::size_t max);
// A string field: absent (nullopt, no error), a string, or a 422; with
// `null_ok`, null reads as absent.
std::optional<Reply> string_field(const nlohmann::json& body, const char* resource, const char* field,
                                  std::optional<std::string>& out, bool null_ok = false);
// An issue's `labels`: names, or label objects ({"name": ...}) as some clients send.
std::optional<Reply> labels_field(const nlohmann::json& body, std::optional<std::vector<std::string>>& out);
// The labels of POST/PUT issues/{n}/labels: {"labels": [...]} or the bare array.
std::optional<Reply> labels_body(const nlohmann::json& body, std::vector<std::string>& out);
// PATCH issues/{n}'s `state_reason` (completed, not_planned, reopened or
// null); only a patch that sets `state` to closed records it (the model's
// CloseReason), and `reopened` is the only reason a reopening may give.
std::optional<Reply> state_reason_field(const nlohmann::json& body, const std::optional<std::string>& state,
                                        GitHubModel::CloseReason& out);

// The list parameters' REST spellings; nullopt for any other value.
std::optional<agent::StateFilter> state_filter_of(std::string_view s);
std::optional<agent::IssueSort> issue_sort_of(std::string_view s);
std::optional<agent::SortDirection> direction_of(std::string_view s);

// Pagination parameters, clamped as GitHub clamps them; a 422 when they are
// not numbers.
struct Paging {
  int per_page = kDefaultPerPage;
  std::int64_t page = 1;
};
std::optional<Reply> parse_paging(const Target& t, Paging& out);

// GitHub's Link header: <url>; rel="next", <url>; rel="last", ... with the
// request's other parameters kept (PyGithub follows `next` as given); empty
// when there is one page.
std::string link_header(const Urls& u, const Target& t, std::int64_t page, std::int64_t last);

// One page of `count` items as a JSON array, item(i) for each index on it,
// with the Link header.
template <class Item>
Reply paged_reply(const Urls& u, const Target& t, const Paging& paging, std::int64_t count, Item&& item) {
  const PageSpan span = page_span(count, paging.per_page, paging.page);
  Reply reply{200, nlohmann::json::array(), {}};
  for (std::int64_t i = span.first; i < span.end; ++i) reply.body.push_back(item(i));
  const std::string link = link_header(u, t, paging.page, span.last);
  if (!link.empty()) reply.headers.push_back({"link", link});
  return reply;
}

}  // namespace coordsim::sim::http
