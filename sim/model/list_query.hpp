#pragma once
// GitHub's rules for a list of issues, written once for the simulator's
// GitHubModel::list_issues and for `coordsim serve`'s list and search routes:
// which states a filter keeps, the order (a sort key in the direction asked,
// ties by number the same way; newest first by default) and the pages
// (per_page clamped to [1, 100], pages counted from 1).
#include <algorithm>
#include <cstdint>

#include "agent/github_types.hpp"

namespace coordsim::sim {

inline constexpr int kDefaultPerPage = 30;
inline constexpr int kMaxPerPage = 100;

// GitHub clamps per_page rather than refusing it.
inline int clamp_per_page(std::int64_t per_page) noexcept {
  return static_cast<int>(std::clamp<std::int64_t>(per_page, 1, kMaxPerPage));
}
inline std::int64_t clamp_page(std::int64_t page) noexcept { return std::max<std::int64_t>(page, 1); }

inline bool state_matches(agent::StateFilter filter, agent::IssueState state) noexcept {
  switch (filter) {
    case agent::StateFilter::open: return state == agent::IssueState::open;
    case agent::StateFilter::closed: return state == agent::IssueState::closed;
    case agent::StateFilter::all: return true;
  }
  return false;
}

// What an issue sorts by: `created` its creation (number order within a
// repository, as numbers are allocated at commit), `updated` the commit of the
// version shown, `comments` the comments shown.
inline std::int64_t sort_key(agent::IssueSort sort, agent::Time created, agent::Time updated,
                             std::int64_t comments) noexcept {
  switch (sort) {
    case agent::IssueSort::created: return created.count();
    case agent::IssueSort::updated: return updated.count();
    case agent::IssueSort::comments: return comments;
  }
  return 0;
}

inline bool sorts_before(agent::SortDirection direction, std::int64_t key_a, std::int64_t number_a,
                         std::int64_t key_b, std::int64_t number_b) noexcept {
  const bool desc = direction == agent::SortDirection::desc;
  if (key_a != key_b) return desc ? key_a > key_b : key_a < key_b;
  return desc ? number_a > number_b : number_a < number_b;
}

// Page `page` of `total` matches with `per_page` (clamped) to a page: the
// matches [first, end), and the last page's number (Link's rel="last").
struct PageSpan {
  std::int64_t first = 0;
  std::int64_t end = 0;
  std::int64_t last = 1;
  bool has_next = false;
};
inline PageSpan page_span(std::int64_t total, int per_page, std::int64_t page) noexcept {
  PageSpan s;
  s.first = (clamp_page(page) - 1) * per_page;
  s.end = std::max(s.first, std::min(total, s.first + per_page));
  s.last = std::max<std::int64_t>(1, (total + per_page - 1) / per_page);
  s.has_next = s.first + per_page < total;
  return s;
}

}  // namespace coordsim::sim
