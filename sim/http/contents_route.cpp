#include <optional>
#include <set>

#include "sim/http/request_fields.hpp"
#include "sim/http/routes.hpp"

namespace coordsim::sim::http {

using agent::Time;
using nlohmann::json;

namespace {

// The path named by the segments after contents/, or nullopt (404) when a
// component is empty, "." or "..": checked after percent-decoding and on
// the components a decoded "%2F" makes, so "a%2F..%2Fb" is refused like "a/../b".
std::optional<std::string> content_path(std::span<const std::string> rest) {
  std::string path;
  for (const std::string& s : rest) path += (path.empty() ? "" : "/") + s;
  if (path.size() > 4096 || !valid_utf8(path)) return std::nullopt;
  for (std::size_t pos = 0; pos <= path.size();) {
    std::size_t slash = path.find('/', pos);
    if (slash == std::string::npos) slash = path.size();
    const std::string_view part(path.data() + pos, slash - pos);
    if (!path.empty() && (part.empty() || part == "." || part == "..")) return std::nullopt;
    pos = slash + 1;
  }
  return path;
}

// The version of `path` a read at `now` shows (the newest visible one), or
// nullptr when none is visible or that one is a delete.
const ContentVersion* visible_content(const Repository& r, const std::string& path, Time now) {
  const auto it = r.contents.find(path);
  if (it == r.contents.end()) return nullptr;
  for (auto v = it->second.rbegin(); v != it->second.rend(); ++v)
    if (v->visible <= now) return v->deleted ? nullptr : &*v;
  return nullptr;
}

bool raw_requested(const Request& req) {
  const std::string* accept = req.header("accept");
  if (!accept) return false;
  const std::string a = to_lower(*accept);
  return a.find("application/vnd.github.raw") != std::string::npos ||
         a.find("application/vnd.github.v3.raw") != std::string::npos;
}

struct Shapes {
  const Urls& u;
  const Repository& r;
  std::string repo_api;
  std::string html;

  json entry(const char* type, const std::string& path, const std::string& sha, std::size_t size) const {
    const std::string name = path.substr(path.rfind('/') == std::string::npos ? 0 : path.rfind('/') + 1);
    const bool dir = std::string_view(type) == "dir";
    const std::string self = repo_api + "/contents/" + path;
    const std::string git = repo_api + (dir ? "/git/trees/" : "/git/blobs/") + sha;
    const std::string html_url = html + (dir ? "/tree/main/" : "/blob/main/") + path;
    return {{"type", type},
            {"name", name},
            {"path", path},
            {"sha", sha},
            {"size", size},
            {"url", self},
            {"html_url", html_url},
            {"git_url", git},
            {"download_url", nullptr},
            {"_links", {{"self", self}, {"git", git}, {"html", html_url}}}};
  }
  json file(const std::string& path, const ContentVersion& v, bool with_content) const {
    json j = entry("file", path, v.sha, v.content.size());
    if (with_content) {
      j["encoding"] = "base64";
      j["content"] = base64_encode(v.content);
    }
    return j;
  }
};

// GET contents/<dir>: the entries right under it that a read at `now`
// shows, files and directories, by name; nullopt when it holds none.
std::optional<json> directory(const Shapes& shapes, const Repository& r, const std::string& dir, Time now) {
  const std::string prefix = dir.empty() ? "" : dir + "/";
  std::map<std::string, json> entries;
  std::map<std::string, std::string> dir_listing;  // a directory's sha: of what it holds
  for (auto it = r.contents.lower_bound(prefix); it != r.contents.end(); ++it) {
    const std::string& path = it->first;
    if (path.compare(0, prefix.size(), prefix) != 0) break;
    const ContentVersion* v = visible_content(r, path, now);
    if (!v) continue;
    const std::string rest = path.substr(prefix.size());
    const std::size_t slash = rest.find('/');
    if (slash == std::string::npos) {
      entries[rest] = shapes.file(path, *v, false);
    } else {
      dir_listing[rest.substr(0, slash)] += path + " " + v->sha + "\n";
    }
  }
  for (const auto& [name, listing] : dir_listing)
    if (!entries.count(name)) entries[name] = shapes.entry("dir", prefix + name, git_blob_sha("tree:" + listing), 0);
  if (entries.empty()) return std::nullopt;
  json out = json::array();
  for (auto& [name, e] : entries) out.push_back(std::move(e));
  return out;
}

json commit_json(const std::string& repo_api, const std::string& message, const std::string& of, Time c) {
  const std::string sha = git_blob_sha("commit:" + of + std::to_string(c.count()));
  return {{"sha", sha}, {"message", message}, {"url", repo_api + "/git/commits/" + sha}};
}

}  // namespace

Reply contents_route(ServeState& st, Repository& r, std::span<const std::string> rest, const Call& call) {
  const auto given = content_path(rest);
  if (!given) return not_found();
  const std::string& path = *given;
  const std::string& m = call.request.method;
  const Shapes shapes{call.urls, r, call.urls.api() + "/repos/" + r.info.owner + "/" + r.info.name,
                      call.urls.origin + "/" + r.info.owner + "/" + r.info.name};
  if (m == "GET") {
    if (const ContentVersion* v = path.empty() ? nullptr : visible_content(r, path, call.now)) {
      if (raw_requested(call.request)) {
        Reply reply{200, nullptr, {{"content-type", "application/vnd.github.raw; charset=utf-8"}}};
        reply.raw = v->content;
        return reply;
      }
      return {200, shapes.file(path, *v, true), {}};
    }
    if (auto listing = directory(shapes, r, path, call.now)) return {200, std::move(*listing), {}};
    return not_found();
  }
  if (path.empty() || (m != "PUT" && m != "DELETE")) return not_found();
  std::optional<std::string> message, content, sha;
  if (auto bad = string_field(call.body, "Content", "message", message)) return *bad;
  if (auto bad = string_field(call.body, "Content", "sha", sha, true)) return *bad;
  if (!message) return error(422, "Invalid request.\n\n\"message\" wasn't supplied.");
  // Create-if-absent on the true state: without `sha` an existing path is 422;
  // with one, it must be the current blob (409 otherwise).
  const ContentVersion* current = latest_content(r, path);
  if (m == "DELETE") {
    if (!sha) return error(422, "Invalid request.\n\n\"sha\" wasn't supplied.");
    if (!current) return not_found();
    if (*sha != current->sha) return error(409, path + " does not match " + *sha);
    const Time c = commit_time(st.store, call.now);
    const std::string old_sha = current->sha;
    apply_delete_content(r, c, path, refs_lag(st));
    return {200, {{"content", nullptr}, {"commit", commit_json(shapes.repo_api, *message, old_sha, c)}}, {}};
  }
  if (auto bad = string_field(call.body, "Content", "content", content)) return *bad;
  if (!content) return error(422, "Invalid request.\n\n\"content\" wasn't supplied.");
  auto decoded = base64_decode(*content);
  if (!decoded) return error(422, "content is not valid Base64");
  if (current && !sha) return error(422, "Invalid request.\n\n\"sha\" wasn't supplied.");
  if (current && *sha != current->sha) return error(409, path + " does not match " + *sha);
  if (!current && sha) return error(422, "Invalid request.\n\n\"sha\" does not match any file.");
  if (r.contents.size() >= 100'000) return error(422, "too many files");
  const bool existed = current != nullptr;
  const Time c = commit_time(st.store, call.now);
  apply_content(r, c, path, *decoded, refs_lag(st));
  const ContentVersion& v = r.contents[path].back();
  return {existed ? 200 : 201,
          {{"content", shapes.file(path, v, false)}, {"commit", commit_json(shapes.repo_api, *message, v.sha, c)}},
          {}};
}

}  // namespace coordsim::sim::http
