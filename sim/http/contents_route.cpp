#include <optional>

#include "sim/http/request_fields.hpp"
#include "sim/http/routes.hpp"

namespace coordsim::sim::http {

using agent::Time;
using nlohmann::json;

Reply contents_route(ServeState& st, Repository& r, std::span<const std::string> rest, const Call& call) {
  if (rest.empty()) return not_found();
  std::string path;
  for (const std::string& s : rest) {
    if (s == "." || s == "..") return not_found();
    path += (path.empty() ? "" : "/") + s;
  }
  if (path.size() > 4096 || !valid_utf8(path)) return not_found();
  const Urls& u = call.urls;
  const std::string repo_api = u.api() + "/repos/" + r.info.owner + "/" + r.info.name;
  const std::string name = rest.back();
  const auto content_json = [&](const ContentVersion& v, bool with_content) {
    json j = {{"type", "file"},
              {"name", name},
              {"path", path},
              {"sha", v.sha},
              {"size", v.content.size()},
              {"url", repo_api + "/contents/" + path},
              {"html_url", u.origin + "/" + r.info.owner + "/" + r.info.name + "/blob/main/" + path},
              {"git_url", repo_api + "/git/blobs/" + v.sha},
              {"download_url", nullptr}};
    if (with_content) {
      j["encoding"] = "base64";
      j["content"] = base64_encode(v.content);
    }
    return j;
  };
  auto it = r.contents.find(path);
  if (call.request.method == "GET") {
    if (it == r.contents.end()) return not_found();
    for (auto v = it->second.rbegin(); v != it->second.rend(); ++v)
      if (v->visible <= call.now) return {200, content_json(*v, true), {}};
    return not_found();
  }
  if (call.request.method != "PUT") return not_found();
  std::optional<std::string> message, content, sha;
  if (auto bad = string_field(call.body, "Content", "message", message)) return *bad;
  if (auto bad = string_field(call.body, "Content", "content", content)) return *bad;
  if (auto bad = string_field(call.body, "Content", "sha", sha, true)) return *bad;
  if (!message) return error(422, "Invalid request.\n\n\"message\" wasn't supplied.");
  if (!content) return error(422, "Invalid request.\n\n\"content\" wasn't supplied.");
  auto decoded = base64_decode(*content);
  if (!decoded) return error(422, "content is not valid Base64");
  // Create-if-absent on the true state: without `sha` an existing path is 422;
  // with one, it must be the current blob (409 otherwise).
  const bool exists = it != r.contents.end();
  if (exists && !sha) return error(422, "Invalid request.\n\n\"sha\" wasn't supplied.");
  if (exists && *sha != it->second.back().sha) return error(409, path + " does not match " + *sha);
  if (!exists && sha) return error(422, "Invalid request.\n\n\"sha\" does not match any file.");
  if (r.contents.size() >= 100'000) return error(422, "too many files");
  const Time c = commit_time(st.store, call.now);
  apply_content(r, c, path, *decoded, refs_lag(st));
  const ContentVersion& v = r.contents[path].back();
  json commit = {{"sha", git_blob_sha("commit:" + v.sha + std::to_string(c.count()))},
                 {"message", *message},
                 {"url", repo_api + "/git/commits/" + v.sha}};
  return {exists ? 200 : 201, {{"content", content_json(v, false)}, {"commit", commit}}, {}};
}

}  // namespace coordsim::sim::http
