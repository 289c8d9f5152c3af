#include "agent/real/audit_reader.hpp"

#include <array>
#include <map>

#include <nlohmann/json.hpp>

#include "agent/protocols/key_names.hpp"
#include "agent/real/rest_json.hpp"
#include "agent/real/url.hpp"

namespace coordsim::agent::real {

using nlohmann::json;

namespace {

std::string describe(const char* endpoint, const ApiError& e) {
  return std::string(endpoint) + ": " + std::to_string(e.status) + " " + e.message;
}

json parse_or_null(const std::string& body) { return json::parse(body, nullptr, false); }

// The flavor a holder token names ("holder:<flavor>"): a holder blob's
// content, or a lock commit's first line.
std::string holder_of_content(const std::string& content) {
  return content.rfind("holder:", 0) == 0 ? content.substr(7) : "";
}

}  // namespace

std::string base64_decode_lenient(std::string_view in) {
  std::string out;
  int bits = 0, value = 0;
  for (char c : in) {
    int v;
    if (c >= 'A' && c <= 'Z') v = c - 'A';
    else if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
    else if (c >= '0' && c <= '9') v = c - '0' + 52;
    else if (c == '+') v = 62;
    else if (c == '/') v = 63;
    else if (c == '=') break;
    else continue;
    value = (value << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((value >> bits) & 0xff));
    }
  }
  return out;
}

std::int64_t duplicate_of(const std::string& comment) {
  const std::string marker = "Duplicate of #";
  const auto at = comment.find(marker);
  if (at == std::string::npos) return 0;
  std::int64_t n = 0;
  for (std::size_t i = at + marker.size(); i < comment.size() && comment[i] >= '0' && comment[i] <= '9'; ++i) {
    if (n > 1'000'000'000'000) return 0;
    n = n * 10 + (comment[i] - '0');
  }
  return n;
}

bool parse_coordination_issue(const std::string& title, const std::string& body, const std::string& commit,
                              CoordIssue& out) {
  const std::string encoded = coordination_key_id(commit, "");
  const std::string keyed = "[coordsim] " + encoded;
  if (title.compare(0, keyed.size(), keyed) == 0) {
    const std::string rest = title.substr(keyed.size());
    // The key holds no space (key_names.hpp), so the first " by " ends it;
    // a flavor name may hold one.
    const auto by = rest.find(" by ");
    if (by == std::string::npos) return false;
    const std::string sig = rest.substr(0, by);
    if (!sig.empty() && sig.front() != '/') return false;  // another commit with this prefix
    out.title = title;
    out.key_id = encoded + sig;
    out.flavor = rest.substr(by + 4);
    return true;
  }
  if (title == "[coordination] build failure on " + commit.substr(0, 8)) {
    out.title = title;
    out.key_id = commit;
    const std::string marker = "taken by flavor ";
    const auto at = body.find(marker);
    if (at != std::string::npos) {
      std::string f = body.substr(at + marker.size());
      if (!f.empty() && f.back() == '.') f.pop_back();
      out.flavor = f;
    }
    return true;
  }
  return false;
}

Task<void> read_coordination_state(RestClient& client, const AuditQuery& q, CoordinationState& out,
                                   std::string& error) {
  out.commit = q.commit;
  std::map<std::string, std::string> holder_of_sha;
  for (const std::string& f : q.flavors) holder_of_sha[git_blob_sha("holder:" + f)] = f;

  ApiResult<RawPage> page;
  // Refs: every ref under refs/coordination/<commit>, in one listing.
  co_await client.get_raw("matching_refs", "/git/matching-refs/coordination/" + percent_encode(q.commit, true), page);
  struct Found {
    std::string ref, sha, type;  // type: the listing's object.type ("commit", "blob"), maybe ""
  };
  std::vector<Found> found;
  const auto object_of = [&](const std::string& ref, const json& r) {
    if (!(r.contains("object") && r["object"].is_object() && r["object"].contains("sha") &&
          r["object"]["sha"].is_string()))
      return false;
    const json& o = r["object"];
    found.push_back({ref, o["sha"].get<std::string>(),
                     o.contains("type") && o["type"].is_string() ? o["type"].get<std::string>() : ""});
    return true;
  };
  if (page.ok()) {
    out.refs_listed = true;
    const json j = parse_or_null(page.value.body);
    if (!j.is_array()) {
      error = "matching_refs: the answer is not a JSON array";
      co_return;
    }
    for (const json& r : j)
      if (r.is_object() && r.contains("ref") && r["ref"].is_string()) (void)object_of(r["ref"].get<std::string>(), r);
  } else if (page.status == 404) {
    // No matching-refs route (a server other than GitHub): the names the
    // decision files imply, generation by generation until one is missing.
    for (const std::string& key : q.probe_keys) {
      for (int gen = 1; gen <= q.max_generations; ++gen) {
        const std::string lock = "refs/coordination/" + key + (gen > 1 ? "-g" + std::to_string(gen) : "");
        bool any = false;
        const std::array<std::string, 2> names{lock, lock + "-done"};
        for (const std::string& ref : names) {
          co_await client.get_raw("get_ref", get_ref_target("", ref), page);
          if (page.ok()) {
            const json j = parse_or_null(page.value.body);
            if (j.is_object() && object_of(ref, j)) any = true;
          } else if (page.status != 404) {
            error = describe("get_ref", page.error);
            co_return;
          }
        }
        if (!any) break;
      }
    }
  } else {
    error = describe("matching_refs", page.error);
    co_return;
  }
  for (const Found& f : found) {
    LockRef r{f.ref, "", f.sha};
    if (const auto it = holder_of_sha.find(f.sha); it != holder_of_sha.end()) {
      r.holder = it->second;
      out.refs.push_back(std::move(r));
      continue;
    }
    // A lock commit names its holder on its message's first line, a holder
    // blob in its content (docs/agent.md#the-lock-target). Unless the listing
    // says blob, the commit is read first (the default target); a 404 or 422
    // there means another kind of object, read as a blob.
    bool known = false;
    if (f.type != "blob") {
      co_await client.get_raw("get_commit", "/git/commits/" + percent_encode(f.sha), page);
      if (page.ok()) {
        const json j = parse_or_null(page.value.body);
        if (j.is_object() && j.contains("message") && j["message"].is_string())
          r.holder = holder_of_content(token_of_lock_commit_message(j["message"].get<std::string>()));
        known = true;
      } else if (page.status != 404 && page.status != 422) {
        error = describe("get_commit", page.error);
        co_return;
      }
    }
    if (!known) {
      co_await client.get_raw("get_blob", "/git/blobs/" + percent_encode(f.sha), page);
      if (page.ok()) {
        const json j = parse_or_null(page.value.body);
        if (j.is_object() && j.contains("content") && j["content"].is_string())
          r.holder = holder_of_content(base64_decode_lenient(j["content"].get<std::string>()));
      } else if (page.status != 404) {
        error = describe("get_blob", page.error);
        co_return;
      }
    }
    holder_of_sha[f.sha] = r.holder;
    out.refs.push_back(std::move(r));
  }

  // Issues of the commit, open and closed, under the coordination label.
  for (int n = 1; n <= q.max_issue_pages; ++n) {
    ListIssuesQuery lq;
    lq.state = StateFilter::all;
    lq.labels = q.label;
    lq.per_page = 100;
    lq.page = n;
    co_await client.get_raw("list_issues", list_issues_target("", lq), page);
    if (!page.ok()) {
      error = describe("list_issues", page.error);
      co_return;
    }
    const json j = parse_or_null(page.value.body);
    if (!j.is_array()) {
      error = "list_issues: the answer is not a JSON array";
      co_return;
    }
    for (const json& item : j) {
      if (!item.is_object() || is_pull_request(item)) continue;
      const auto text = [&](const char* k) {
        return item.contains(k) && item[k].is_string() ? item[k].get<std::string>() : std::string();
      };
      CoordIssue issue;
      if (!parse_coordination_issue(text("title"), text("body"), q.commit, issue)) continue;
      if (!item.contains("number") || !item["number"].is_number_integer()) continue;
      issue.number = item["number"].get<std::int64_t>();
      issue.open = text("state") != "closed";
      out.issues.push_back(std::move(issue));
    }
    if (!page.value.has_next) break;
  }
  for (CoordIssue& issue : out.issues) {
    co_await client.get_raw("list_comments", "/issues/" + std::to_string(issue.number) + "/comments?per_page=100", page);
    if (!page.ok()) {
      error = describe("list_comments", page.error);
      co_return;
    }
    const json j = parse_or_null(page.value.body);
    if (!j.is_array()) continue;
    for (const json& c : j)
      if (c.is_object() && c.contains("body") && c["body"].is_string())
        if (const std::int64_t n = duplicate_of(c["body"].get<std::string>())) issue.duplicate_of = n;
  }
}

}  // namespace coordsim::agent::real
