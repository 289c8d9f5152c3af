// The request's way through serve: admission (auth, rate limits, faults) in
// admission.cpp, conditional requests in conditional.cpp, then the route
// group's file (routes.hpp). Locks: the store's shared/exclusive lock, one
// per repository, and small ones for the random streams and rate budgets.
#include "sim/http/router.hpp"

#include <algorithm>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <span>

#include <nlohmann/json.hpp>

#include "sim/http/admission.hpp"
#include "sim/http/conditional.hpp"
#include "sim/http/journal.hpp"
#include "sim/http/request_fields.hpp"
#include "sim/http/routes.hpp"
#include "sim/http/serve_state.hpp"

namespace coordsim::sim::http {

using agent::Time;
using nlohmann::json;

struct Router::Impl {
  ServeState state;

  Impl(const Scenario& scenario, RouterOptions o) : state(scenario, std::move(o)) {}
};

namespace {

// The Host header if it looks like one, so that URLs in responses lead back here.
std::string origin_of(const Request& req) {
  const std::string* host = req.header("host");
  std::string h = host ? *host : std::string{};
  const bool ok = !h.empty() && h.size() <= 255 && std::all_of(h.begin(), h.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
           c == ':' || c == '[' || c == ']';
  });
  return req.scheme + "://" + (ok ? h : std::string("127.0.0.1"));
}

bool is_write(const std::string& m) { return m == "POST" || m == "PATCH" || m == "PUT" || m == "DELETE"; }

Reply repo_routes(ServeState& st, Repository& r, Call& call, std::span<const std::string> s) {
  const std::string& m = call.request.method;
  if (is_write(m)) {
    if (auto bad = parse_body(call.request, call.body, takes_array_body(s))) return *bad;
  }
  if (s.size() == 3) {
    if (m != "GET") return not_found();
    return {200, repo_json(call.urls, r.info, r.model.issues_open()), {}};
  }
  const std::string& kind = s[3];
  if (kind == "issues") return issue_routes(st, r, s.subspan(4), call);
  if (kind == "labels") return label_routes(r, s.subspan(4), call);
  if (kind == "git") return git_routes(st, r, s.subspan(4), call);
  if (kind == "contents") return contents_route(st, r, s.subspan(4), call);
  return not_found();
}

// A write to an existing repository, holding it exclusively: its journal lines
// are appended in its commit order.
Reply write_to(ServeState& st, Repository& r, Call& call, std::span<const std::string> s, std::uint64_t& seq) {
  std::unique_lock lock(r.mutex);
  const std::size_t before = r.journal.size();
  Reply reply = repo_routes(st, r, call, s);
  if (st.journal && r.journal.size() > before) journal_writes(*st.journal, r, before, false);
  seq = r.journal_seq;
  return reply;
}

// A repository nobody wrote to: reads see it empty and leave no trace; the
// first write that changes something adds it (only writes create).
Reply first_write_or_read(ServeState& st, Call& call, std::span<const std::string> s, std::uint64_t& seq) {
  auto r = unborn_repo(st.store, s[1], s[2], call.now, st.options.unix_epoch_us);
  if (!r) return not_found();
  if (!is_write(call.request.method)) return repo_routes(st, *r, call, s);
  if (st.store.repos.size() >= kMaxRepositories)
    return error(403, "coordsim serve holds at most " + std::to_string(kMaxRepositories) +
                          " repositories; this one would be new");
  Reply reply = repo_routes(st, *r, call, s);
  if (r->journal.empty()) return reply;  // nothing changed: nothing to keep
  Repository& added = *r;
  add_repo(st.store, std::move(r));
  if (st.journal) journal_writes(*st.journal, added, 0, true);
  seq = added.journal_seq;
  return reply;
}

Reply dispatch(ServeState& st, Call& call, std::span<const std::string> s, std::uint64_t& seq) {
  const std::string& m = call.request.method;
  if (s.empty() && m == "GET") return api_root_route(call);
  // gh's everyday commands (issue list, label list, repo view) use GraphQL,
  // at /api/graphql on a GitHub Enterprise host: say so, rather than a bare 404.
  if ((s.size() == 1 && s[0] == "graphql") || (s.size() == 2 && s[0] == "api" && s[1] == "graphql"))
    return error(404, "coordsim serve has no GraphQL API (only REST): use `gh api`, `gh search issues`, "
                      "`gh label create` (docs/serve.md)");
  if (s.size() == 1 && s[0] == "rate_limit" && m == "GET") {
    std::lock_guard lock(st.budgets_mutex);
    return rate_limit_route(st, call);
  }
  if (s.size() == 1 && s[0] == "user" && m == "GET") return {200, user_json(call.urls), {}};
  if (s.size() == 2 && s[0] == "search" && s[1] == "issues" && m == "GET") {
    std::shared_lock store(st.store_mutex);
    if (st.journal) seq = st.journal->last_appended();  // whatever it shows is on disk first
    return search_route(st, call);
  }
  if (s.size() < 3 || s[0] != "repos") return not_found();
  const bool write = is_write(m);
  if (write && st.journal && st.journal->failed())
    return error(503, "coordsim serve cannot write its state journal, so it refuses writes (see its log)");
  {
    std::shared_lock store(st.store_mutex);
    if (Repository* r = find_repo(st.store, s[1], s[2])) {
      if (write) return write_to(st, *r, call, s, seq);
      std::shared_lock lock(r->mutex);
      seq = r->journal_seq;
      return repo_routes(st, *r, call, s);
    }
    if (!write) return first_write_or_read(st, call, s, seq);
  }
  std::unique_lock store(st.store_mutex);
  if (Repository* r = find_repo(st.store, s[1], s[2])) return write_to(st, *r, call, s, seq);
  return first_write_or_read(st, call, s, seq);
}

Reply run(ServeState& st, Call& call, std::span<const std::string> s, std::uint64_t& seq) {
  try {
    return dispatch(st, call, s, seq);
  } catch (const std::bad_alloc&) {
    throw;
  } catch (const std::exception&) {
    // A bug, not the client's fault; the server stays up.
    return error(500, "Internal error in the fake GitHub");
  }
}

}  // namespace

Router::Router(const Scenario& scenario, RouterOptions options)
    : impl_(std::make_unique<Impl>(scenario, std::move(options))) {}
Router::~Router() = default;

void Router::set_unix_epoch_us(std::int64_t unix_epoch_us) { impl_->state.options.unix_epoch_us = unix_epoch_us; }

void Router::attach_journal(Journal* journal) { impl_->state.journal = journal; }

void Router::when_durable(std::uint64_t seq, std::function<void(bool)> done) {
  if (!impl_->state.journal || seq == 0) return done(true);
  impl_->state.journal->when_durable(seq, std::move(done));
}

Timing Router::plan(const Request& request) {
  if (request.method == "OPTIONS") return {};  // answered at once, costs nothing (see handle)
  Timing timing;
  timing.target = parse_target(request.target);
  if (!timing.target) return timing;
  const std::span<const std::string> s = api_segments(*timing.target);
  const auto e = endpoint_of(request.method == "HEAD" ? std::string_view("GET") : request.method, s);
  if (!e) return timing;
  ServeState& st = impl_->state;
  std::lock_guard lock(st.rng_mutex);
  const EndpointLatency& l = st.github.latency[static_cast<int>(*e)];
  timing.request = draw_locked(st, l.request);
  timing.response = draw_locked(st, l.response);
  timing.fault = draw_fault(st.github.faults, st.fault_rng, request.method, s, *e);
  return timing;
}

Response Router::handle(const Request& request, Time now) {
  FaultPlan fault;
  if (const auto t = parse_target(request.target)) {
    const std::span<const std::string> s = api_segments(*t);
    if (const auto e = endpoint_of(request.method, s)) {
      std::lock_guard lock(impl_->state.rng_mutex);
      fault = draw_fault(impl_->state.github.faults, impl_->state.fault_rng, request.method, s, *e);
    }
  }
  return handle(request, now, fault);
}

Response Router::handle(const Request& request, Time now, const FaultPlan& fault, const Target* parsed) {
  // HEAD is GET without the body: the same status and headers (the server
  // sends no body).
  if (request.method == "HEAD") {
    Request get = request;
    get.method = "GET";
    return handle(get, now, fault, parsed);
  }
  // OPTIONS (a browser's CORS preflight) is answered as GitHub does: 204 with
  // what is allowed, before authentication and budgets.
  if (request.method == "OPTIONS") {
    Response r;
    r.status = 204;
    r.set("allow", "GET, HEAD, OPTIONS, POST, PATCH, PUT, DELETE");
    r.set("access-control-allow-origin", "*");
    r.set("access-control-allow-methods", "GET, POST, PATCH, PUT, DELETE");
    r.set("access-control-allow-headers", "Authorization, Content-Type, If-None-Match, Accept");
    return r;
  }
  ServeState& st = impl_->state;
  Response response;
  const auto finish = [&](Reply reply) {
    response.status = reply.status;
    response.body = body_text(reply);
    if (request.method == "GET" && reply.status == 200) {
      response.set("etag", etag_of(response.body));
      if (auto modified = last_modified_of(reply)) response.set("last-modified", std::move(*modified));
    }
    for (Header& h : reply.headers) response.headers.push_back(std::move(h));
    return response;
  };

  std::optional<Target> own;
  if (!parsed) own = parse_target(request.target);
  const Target* target = parsed ? parsed : own ? &*own : nullptr;
  if (!target) return finish(error(400, "Bad request target"));
  const std::span<const std::string> s = api_segments(*target);

  // Authentication first, as GitHub: a wrong token is 401 even on a missing
  // route, counted against the address's anonymous budget, whose headers it carries.
  const auto token = bearer_token(request);
  if (!st.options.token.empty() && (!token || !same_secret(*token, st.options.token))) {
    std::lock_guard lock(st.budgets_mutex);
    (void)charge_rate_limit(st.budgets, request, *target, s, "ip:" + request.remote, false, now,
                            st.options.unix_epoch_us, response);
    return finish(error(401, "Bad credentials"));
  }
  std::string client = token ? "token:" + *token : "ip:" + request.remote;
  Call call{request, *target, now, Urls{origin_of(request)}, client, json{}};

  // A conditional GET whose validators match is 304 and free (GitHub does not
  // count it); a read has no effect, so it may be answered before the charge.
  // A faulted one takes the usual path: its fault wins.
  std::optional<Reply> early;
  if (is_conditional(request) && fault.fate == Fate::ok) {
    early = run(st, call, s, response.durable_seq);
    if (early->status == 200) {
      const std::string text = body_text(*early);
      const std::string etag = etag_of(text);
      const auto modified = last_modified_of(*early);
      if (not_modified(request, etag, modified)) {
        {
          std::lock_guard lock(st.budgets_mutex);
          (void)charge_rate_limit(st.budgets, request, *target, s, client, token.has_value(), now,
                                  st.options.unix_epoch_us, response, false);
        }
        response.status = 304;
        response.set("etag", etag);
        if (modified) response.set("last-modified", *modified);
        return response;
      }
    }
  }

  // Rate limits before faults, as in the simulator: a refused request is
  // refused whatever its fate, and a failed one has spent its budget.
  {
    std::lock_guard lock(st.budgets_mutex);
    if (auto refused = charge_rate_limit(st.budgets, request, *target, s, client, token.has_value(), now,
                                         st.options.unix_epoch_us, response))
      return finish(std::move(*refused));
  }

  // A 5xx or a spurious 422 comes before the effect: nothing happens.
  if (fault.fate == Fate::server_error || fault.fate == Fate::spurious_422)
    return finish(error(fault.status, fault_message(fault)));

  Reply reply = early ? std::move(*early) : run(st, call, s, response.durable_seq);
  // A lost response: the effect above is committed, the client learns nothing of it.
  if (fault.fate == Fate::lost_response) return finish(error(fault.status, fault_message(fault)));
  return finish(std::move(reply));
}

json Router::save_state(Time now) const {
  std::unique_lock lock(impl_->state.store_mutex);
  return http::save_state(impl_->state.store, now, impl_->state.options.unix_epoch_us);
}

Time Router::load_state(const json& state, const std::string& source) {
  std::unique_lock lock(impl_->state.store_mutex);
  return http::load_state(impl_->state.store, state, source);
}

Time Router::replay_journal(const std::string& path, Time clock) {
  std::unique_lock lock(impl_->state.store_mutex);
  return http::replay_journal(impl_->state.store, path, clock);
}

std::uint64_t Router::journal_seq() const {
  std::unique_lock lock(impl_->state.store_mutex);
  return impl_->state.store.journal_seq;
}

}  // namespace coordsim::sim::http
