#include <algorithm>
#include <optional>

#include "sim/http/query.hpp"
#include "sim/http/request_fields.hpp"
#include "sim/http/routes.hpp"

namespace coordsim::sim::http {

using nlohmann::json;

namespace {

// POST git/blobs {content, encoding}: 201 {sha, url}; GET git/blobs/{sha}.
Reply blobs(Repository& r, std::span<const std::string> rest, const Call& call) {
  const std::string& m = call.request.method;
  const std::string repo_api = call.urls.api() + "/repos/" + r.info.owner + "/" + r.info.name;
  if (rest.size() == 1 && m == "POST") {
    std::optional<std::string> content, encoding;
    if (auto bad = string_field(call.body, "Blob", "content", content)) return *bad;
    if (auto bad = string_field(call.body, "Blob", "encoding", encoding)) return *bad;
    if (!content) return error(422, "Invalid request.\n\n\"content\" wasn't supplied.");
    std::string bytes = *content;
    if (encoding && *encoding == "base64") {
      auto decoded = base64_decode(*content);
      if (!decoded) return error(422, "content is not valid Base64");
      bytes = std::move(*decoded);
    } else if (encoding && *encoding != "utf-8") {
      return invalid("Blob", "encoding", "invalid");
    }
    if (r.blobs.size() >= 100'000) return error(422, "too many blobs");
    const std::string& sha = apply_blob(r, bytes);
    Reply reply{201, {{"sha", sha}, {"url", repo_api + "/git/blobs/" + sha}}, {}};
    reply.headers.push_back({"location", repo_api + "/git/blobs/" + sha});
    return reply;
  }
  if (rest.size() == 2 && m == "GET") {
    const auto it = r.blobs.find(rest[1]);
    if (it == r.blobs.end()) return not_found();
    return {200,
            {{"sha", it->first},
             {"size", it->second.size()},
             {"url", repo_api + "/git/blobs/" + it->first},
             {"encoding", "base64"},
             {"content", base64_encode(it->second)}},
            {}};
  }
  return not_found();
}

// A commit in GitHub's shape (POST and GET git/commits).
json commit_reply_json(const Call& call, const Repository& r, const std::string& sha, const StoredCommit& c) {
  const std::string repo_api = call.urls.api() + "/repos/" + r.info.owner + "/" + r.info.name;
  const std::string html = call.urls.origin + "/" + r.info.owner + "/" + r.info.name;
  const json who = {{"name", kServeCommitterName},
                    {"email", kServeCommitterEmail},
                    {"date", format_timestamp(c.unix_s * 1'000'000)}};
  json parents = json::array();
  for (const std::string& p : c.parents)
    parents.push_back({{"sha", p}, {"url", repo_api + "/git/commits/" + p}, {"html_url", html + "/commit/" + p}});
  return {{"sha", sha},
          {"node_id", base64_encode("Commit:" + sha)},
          {"url", repo_api + "/git/commits/" + sha},
          {"html_url", html + "/commit/" + sha},
          {"author", who},
          {"committer", who},
          {"tree", {{"sha", c.tree}, {"url", repo_api + "/git/trees/" + c.tree}}},
          {"message", c.message},
          {"parents", std::move(parents)},
          {"verification", {{"verified", false}, {"reason", "unsigned"}, {"signature", nullptr}, {"payload", nullptr}}}};
}

// POST git/commits {message, tree, parents}: 201 the commit; GET git/commits/{sha}.
// serve has no trees but the empty one and no commits but those made here,
// so a tree or parent is checked for its form (an object id), not for being
// there: the repository's own commits, which it cannot know, are parents
// GitHub would accept.
Reply commits(ServeState& st, Repository& r, std::span<const std::string> rest, const Call& call) {
  const std::string& m = call.request.method;
  if (rest.size() == 1 && m == "POST") {
    std::optional<std::string> message, tree;
    if (auto bad = string_field(call.body, "Commit", "message", message)) return *bad;
    if (auto bad = string_field(call.body, "Commit", "tree", tree)) return *bad;
    if (!message) return error(422, "Invalid request.\n\n\"message\" wasn't supplied.");
    if (!tree) return error(422, "Invalid request.\n\n\"tree\" wasn't supplied.");
    if (!is_object_id(*tree)) return invalid("Commit", "tree", "invalid");
    StoredCommit c;
    c.tree = *tree;
    c.message = *message;
    if (auto it = call.body.find("parents"); it != call.body.end()) {
      if (!it->is_array()) return invalid("Commit", "parents", "invalid");
      for (const json& p : *it) {
        if (!p.is_string() || !is_object_id(p.get<std::string>())) return invalid("Commit", "parents", "invalid");
        c.parents.push_back(p.get<std::string>());
      }
    }
    for (const char* who : {"author", "committer"})
      if (auto it = call.body.find(who); it != call.body.end() && !it->is_object()) return invalid("Commit", who, "invalid");
    if (r.commits.size() >= 100'000) return error(422, "too many commits");
    // Made now, to the second (git's dates); serve signs as itself whatever
    // author or committer the body names.
    c.unix_s = (st.options.unix_epoch_us + commit_time(st.store, call.now).count()) / 1'000'000;
    const std::string& sha = apply_commit(r, c);
    Reply reply{201, commit_reply_json(call, r, sha, r.commits.at(sha)), {}};
    reply.headers.push_back({"location", reply.body["url"].get<std::string>()});
    return reply;
  }
  if (rest.size() == 2 && m == "GET") {
    const auto it = r.commits.find(rest[1]);
    if (it == r.commits.end()) return not_found();
    return {200, commit_reply_json(call, r, it->first, it->second), {}};
  }
  return not_found();
}

// POST git/refs {ref, sha}: create-if-absent.
Reply create_ref(ServeState& st, Repository& r, const Call& call) {
  std::optional<std::string> ref, sha;
  if (auto bad = string_field(call.body, "Reference", "ref", ref)) return *bad;
  if (auto bad = string_field(call.body, "Reference", "sha", sha)) return *bad;
  if (!sha || sha->empty()) return error(422, "Invalid request.\n\n\"sha\" wasn't supplied.");
  if (!ref) return error(422, "Invalid request.\n\n\"ref\" wasn't supplied.");
  // GitHub wants "refs/<kind>/<name>".
  if (ref->rfind("refs/", 0) != 0 || std::count(ref->begin(), ref->end(), '/') < 2 || ref->size() > 1024 ||
      ref->find("..") != std::string::npos || ref->back() == '/')
    return error(422, "Reference name is invalid");
  if (!is_object_id(*sha)) return error(422, "Object does not exist");
  if (!apply_ref(r, "create_ref", commit_time(st.store, call.now), *ref, *sha, refs_lag(st)))
    return error(422, "Reference already exists");
  Reply reply{201, ref_json(call.urls, r.info, *ref, *sha, object_type(r, *sha)), {}};
  reply.headers.push_back({"location", reply.body["url"].get<std::string>()});
  return reply;
}

// PATCH git/refs/<name> {sha, force}.
Reply update_ref(ServeState& st, Repository& r, const std::string& ref, const Call& call) {
  std::optional<std::string> sha;
  if (auto bad = string_field(call.body, "Reference", "sha", sha)) return *bad;
  if (!sha || sha->empty()) return error(422, "Invalid request.\n\n\"sha\" wasn't supplied.");
  if (!is_object_id(*sha)) return error(422, "Object does not exist");
  bool force = false;
  if (auto it = call.body.find("force"); it != call.body.end()) {
    if (!it->is_boolean()) return invalid("Reference", "force", "invalid");
    force = it->get<bool>();
  }
  agent::GitRef current;
  if (!r.model.latest_ref(ref, current)) return error(422, "Reference does not exist");
  // The fake has no commit graph, so it cannot tell a fast-forward: without
  // `force`, only a move to the sha the ref already has succeeds.
  if (!force && current.sha != *sha) return error(422, "Update is not a fast forward");
  if (current.sha != *sha) apply_ref(r, "update_ref", commit_time(st.store, call.now), ref, *sha, refs_lag(st));
  return {200, ref_json(call.urls, r.info, ref, *sha, object_type(r, *sha)), {}};
}

// The ref named by path segments after git/ref, git/refs or
// git/matching-refs: Octokit sends "heads%2Flock" as one segment, curl and
// PyGithub "heads/lock" as two; both are "refs/heads/lock".
std::string ref_of(std::span<const std::string> segments) {
  std::string ref = "refs";
  for (const std::string& s : segments) ref += "/" + s;
  return ref;
}

// A full ref name: "refs/<kind>/<name>", no empty component.
bool exact_ref_name(const std::string& ref) {
  return std::count(ref.begin(), ref.end(), '/') >= 2 && ref.find("//") == std::string::npos && ref.back() != '/';
}

Reply refs_array(const Call& call, const Repository& r, const std::vector<agent::GitRef>& refs) {
  json out = json::array();
  for (const agent::GitRef& g : refs) out.push_back(ref_json(call.urls, r.info, g.ref, g.sha, object_type(r, g.sha)));
  return {200, std::move(out), {}};
}

}  // namespace

Reply git_routes(ServeState& st, Repository& r, std::span<const std::string> rest, const Call& call) {
  const std::string& m = call.request.method;
  if (!rest.empty() && rest[0] == "blobs") return blobs(r, rest, call);
  if (!rest.empty() && rest[0] == "commits") return commits(st, r, rest, call);
  if (rest.empty()) return not_found();
  std::vector<agent::GitRef> refs;
  if (rest[0] == "matching-refs") {
    // Every visible ref whose name starts with refs/<ref> (an array, maybe empty).
    if (m != "GET") return not_found();
    r.model.view_refs(call.now, rest.size() == 1 ? "refs/" : ref_of(rest.subspan(1)), refs);
    return refs_array(call, r, refs);
  }
  if (rest.size() == 1 && rest[0] == "refs") {
    if (m == "POST") return create_ref(st, r, call);
    if (m != "GET") return not_found();
    // Every ref, paged as GitHub pages this list.
    r.model.view_refs(call.now, "refs/", refs);
    Paging paging;
    if (auto bad = parse_paging(call.target, paging)) return *bad;
    return paged_reply(call.urls, call.target, paging, static_cast<std::int64_t>(refs.size()), [&](std::int64_t i) {
      const agent::GitRef& g = refs[static_cast<std::size_t>(i)];
      return ref_json(call.urls, r.info, g.ref, g.sha, object_type(r, g.sha));
    });
  }
  // git/ref/<name> (GET) and git/refs/<name> (GET, PATCH, DELETE).
  if (rest.size() < 2 || (rest[0] != "ref" && rest[0] != "refs")) return not_found();
  const std::string ref = ref_of(rest.subspan(1));
  if (m == "GET") {
    agent::GitRef out;
    if (exact_ref_name(ref) && r.model.get_ref(call.now, ref, out))
      return {200, ref_json(call.urls, r.info, out.ref, out.sha, object_type(r, out.sha)), {}};
    // GET git/refs/<prefix> without an exact match lists the refs under it, as GitHub does.
    if (rest[0] == "refs") {
      r.model.view_refs(call.now, ref + "/", refs);
      if (!refs.empty()) return refs_array(call, r, refs);
    }
    return not_found();
  }
  if (rest[0] != "refs" || !exact_ref_name(ref)) return not_found();
  if (m == "DELETE") {
    if (!apply_ref(r, "delete_ref", commit_time(st.store, call.now), ref, "", refs_lag(st)))
      return error(422, "Reference does not exist");
    return {204, nullptr, {}};
  }
  if (m == "PATCH") return update_ref(st, r, ref, call);
  return not_found();
}

}  // namespace coordsim::sim::http
