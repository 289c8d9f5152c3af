#include "sim/model/search_query.hpp"

#include "sim/model/ascii_case.hpp"

namespace coordsim::sim {

std::optional<SearchQuery> parse_search_query(std::string_view q) {
  // Tokens are separated by spaces; a double quote groups, also after a
  // qualifier's colon (label:"needs triage").
  std::vector<std::string> tokens;
  std::string cur;
  bool quoted = false, any = false;
  for (char c : q) {
    if (c == '"') {
      quoted = !quoted;
      any = true;
    } else if (!quoted && (c == ' ' || c == '\t' || c == '\n' || c == '\r')) {
      if (any) tokens.push_back(std::move(cur));
      cur.clear();
      any = false;
    } else {
      cur += c;
      any = true;
    }
  }
  if (quoted) return std::nullopt;
  if (any) tokens.push_back(std::move(cur));

  SearchQuery out;
  bool in_given = false;
  for (std::string& token : tokens) {
    const std::size_t colon = token.find(':');
    const std::string key = colon == std::string::npos ? std::string{} : to_lower(token.substr(0, colon));
    const std::string value = colon == std::string::npos ? std::string{} : token.substr(colon + 1);
    const std::string lvalue = to_lower(value);
    if (key == "repo") {
      out.repos.push_back(lvalue);
    } else if (key == "label") {
      out.labels.push_back(value);
    } else if ((key == "is" || key == "state") && (lvalue == "open" || lvalue == "closed")) {
      out.open = lvalue == "open";
    } else if ((key == "is" || key == "type") && lvalue == "issue") {
    } else if ((key == "is" || key == "type") && (lvalue == "pr" || lvalue == "pull-request")) {
      out.pull_requests = true;
    } else if (key == "in") {
      if (!in_given) out.in_title = out.in_body = out.in_comments = false;
      in_given = true;
      for (std::size_t pos = 0; pos <= lvalue.size();) {
        std::size_t comma = lvalue.find(',', pos);
        if (comma == std::string::npos) comma = lvalue.size();
        const std::string where = lvalue.substr(pos, comma - pos);
        if (where == "title") out.in_title = true;
        if (where == "body") out.in_body = true;
        if (where == "comments") out.in_comments = true;
        pos = comma + 1;
      }
    } else if (!token.empty()) {
      out.terms.push_back(to_lower(token));
    }
  }
  return out;
}

bool holds_term(std::string_view text, std::string_view term) noexcept {
  if (term.size() > text.size()) return false;
  for (std::size_t i = 0; i + term.size() <= text.size(); ++i) {
    std::size_t k = 0;
    while (k < term.size() && ascii_lower(text[i + k]) == term[k]) ++k;
    if (k == term.size()) return true;
  }
  return false;
}

}  // namespace coordsim::sim
