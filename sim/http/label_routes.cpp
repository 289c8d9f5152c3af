#include <algorithm>
#include <optional>

#include "sim/http/request_fields.hpp"
#include "sim/http/routes.hpp"

namespace coordsim::sim::http {

Reply label_routes(Repository& r, std::span<const std::string> rest, const Call& call) {
  const std::string& m = call.request.method;
  const Urls& u = call.urls;
  if (rest.size() == 1 && m == "GET") {
    const LabelInfo* l = find_label(r, rest[0]);
    if (!l) return not_found();
    return {200, label_json(u, r.info, *l), {}};
  }
  if (!rest.empty()) return not_found();
  if (m == "GET") {
    Paging paging;
    if (auto bad = parse_paging(call.target, paging)) return *bad;
    return paged_reply(u, call.target, paging, static_cast<std::int64_t>(r.labels.size()), [&](std::int64_t i) {
      return label_json(u, r.info, r.labels[static_cast<std::size_t>(i)]);
    });
  }
  if (m != "POST") return not_found();
  std::optional<std::string> name, color, description;
  if (auto bad = string_field(call.body, "Label", "name", name)) return *bad;
  if (auto bad = string_field(call.body, "Label", "color", color)) return *bad;
  if (auto bad = string_field(call.body, "Label", "description", description, true)) return *bad;
  if (!name || name->empty()) return invalid("Label", "name", "missing_field");
  if (name->size() > kMaxLabelName) return invalid("Label", "name", "invalid");
  LabelInfo l{0, *name, "ededed", "", false};
  if (color) {
    std::string c = *color;
    if (!c.empty() && c[0] == '#') c.erase(0, 1);
    const bool hex6 = c.size() == 6 && std::all_of(c.begin(), c.end(), [](char ch) {
                        return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
                      });
    if (!hex6) return invalid("Label", "color", "invalid");
    l.color = to_lower(c);
  }
  if (description) {
    if (description->size() > 100) return invalid("Label", "description", "invalid");
    l.description = *description;
    l.has_description = true;
  }
  if (r.labels.size() >= 10'000) return invalid("Label", "name", "custom", "too many labels");
  // Create-if-absent, strongly consistent: the second create of a name is 422.
  if (find_label(r, l.name)) return invalid("Label", "name", "already_exists");
  apply_label(r, std::move(l));
  return {201, label_json(u, r.info, r.labels.back()), {}};
}

}  // namespace coordsim::sim::http
