#include "sim/http/routes.hpp"

namespace coordsim::sim::http {

Reply api_root_route(const Call& call) {
  Reply reply{200, api_root_json(call.urls), {}};
  // gh reads a token's scopes here (`gh auth status`) and wants at least
  // repo and read:org; the fake's one user may do anything.
  reply.headers.push_back({"x-oauth-scopes", "repo, read:org, gist, workflow"});
  return reply;
}

}  // namespace coordsim::sim::http
