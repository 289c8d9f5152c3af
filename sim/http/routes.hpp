#pragma once
// The REST routes, one function per route group, each in its own file:
// issues (list, get, create, update), an issue's labels and events, comments,
// labels, search, git (refs and blobs), contents, the API root and
// rate_limit (user and the repository are the router's). The router has
// authenticated, charged and routed the request by then.
#include <cstdint>
#include <span>
#include <string>

#include <nlohmann/json.hpp>

#include "agent/time.hpp"
#include "sim/http/message.hpp"
#include "sim/http/query.hpp"
#include "sim/http/reply.hpp"
#include "sim/http/repository.hpp"
#include "sim/http/serve_state.hpp"

namespace coordsim::sim::http {

// One request as the routes see it.
struct Call {
  const Request& request;
  const Target& target;
  agent::Time now;
  Urls urls;
  std::string client;   // whose budget it is: "token:..." or "ip:..."
  nlohmann::json body;  // a write's JSON object; empty otherwise
};

// /repos/{o}/{r}/issues[/{n}[/comments]]; `rest` is the path after "issues".
Reply issue_routes(ServeState& st, Repository& r, std::span<const std::string> rest, const Call& call);
Reply comment_routes(ServeState& st, Repository& r, std::int64_t number, const Call& call);
// /repos/{o}/{r}/issues/comments[/{id}]: a repository's comments; one by id (GET, PATCH, DELETE).
Reply repo_comment_routes(ServeState& st, Repository& r, std::span<const std::string> rest, const Call& call);
// /repos/{o}/{r}/issues/{n}/labels[/{name}]: list, add (POST), set (PUT), remove (DELETE).
Reply issue_label_routes(ServeState& st, Repository& r, std::int64_t number, std::span<const std::string> rest,
                         const Call& call);
// GET /repos/{o}/{r}/issues/{n}/events: closed, reopened, labeled, unlabeled, renamed.
Reply issue_events_route(ServeState& st, Repository& r, std::int64_t number, const Call& call);
// /repos/{o}/{r}/labels[/{name}]
Reply label_routes(Repository& r, std::span<const std::string> rest, const Call& call);
// GET /search/issues
Reply search_route(ServeState& st, const Call& call);
// /repos/{o}/{r}/git/{refs,ref,matching-refs,blobs}/...
Reply git_routes(ServeState& st, Repository& r, std::span<const std::string> rest, const Call& call);
// /repos/{o}/{r}/contents[/{path}]: a file or a directory (GET), PUT, DELETE.
Reply contents_route(ServeState& st, Repository& r, std::span<const std::string> rest, const Call& call);
// GET /rate_limit: free, and reports the budget as it stands.
Reply rate_limit_route(ServeState& st, const Call& call);
// GET / (the API root, what `gh auth status` reads): URL templates, and the
// token's scopes in x-oauth-scopes.
Reply api_root_route(const Call& call);

}  // namespace coordsim::sim::http
