#pragma once
// GitHub's issue search language, as `coordsim serve` answers GET search/issues
// and keys a search's rate-limit budget: `repo:o/r is:issue is:open label:"a b"
// in:title words`. GitHubModel::search_views matches a parsed query.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace coordsim::sim {

struct SearchQuery {
  std::vector<std::string> repos;   // "owner/name", lower-cased
  std::vector<std::string> labels;  // AND, matched as labels.hpp says
  std::vector<std::string> terms;   // free text, lower-cased, AND
  std::optional<bool> open;         // is:open / is:closed / state:
  bool pull_requests = false;       // is:pr / type:pr: the fake has none
  bool in_title = true;             // in: restricts where free text matches
  bool in_body = true;
  bool in_comments = false;
};

// Nullopt on an unbalanced quote; unknown qualifiers are searched as text, as
// GitHub does.
std::optional<SearchQuery> parse_search_query(std::string_view q);

// Whether `text` holds the (lower-case) term, ignoring case: free text matches
// substrings.
bool holds_term(std::string_view text, std::string_view term) noexcept;

}  // namespace coordsim::sim
