#include "sim/http/router.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <map>
#include <mutex>
#include <optional>
#include <span>
#include <stdexcept>

#include <nlohmann/json.hpp>
#include <openssl/evp.h>

#include "sim/http/rest_render.hpp"
#include "sim/http/query.hpp"
#include "sim/http/scenario_rate_limits.hpp"
#include "sim/input/input_error.hpp"
#include "sim/random/rng.hpp"

namespace coordsim::sim::http {

using agent::Duration;
using agent::Endpoint;
using agent::Time;
using nlohmann::json;

namespace {

constexpr std::size_t kMaxRepositories = 10'000;
constexpr std::size_t kMaxTitle = 256;        // GitHub's limits
constexpr std::size_t kMaxBody = 65'536;
constexpr std::size_t kMaxLabelsPerIssue = 100;
constexpr int kDefaultPerPage = 30;
constexpr int kMaxPerPage = 100;

// One version of a file under contents/: visible on reads from `visible` on.
struct ContentVersion {
  Time visible{};
  std::string content;
  std::string sha;  // the git blob sha, as GitHub reports it
};

struct Repository {
  RepoInfo info;
  GitHubModel model;
  std::vector<LabelInfo> labels;
  std::map<std::string, std::vector<ContentVersion>> contents;
  // POST git/blobs, by sha: git objects are content-addressed and immutable,
  // so they have no lag (the agent's ref-lock points its lock ref at one).
  std::map<std::string, std::string> blobs;
  json journal = json::array();  // every write, to save and replay state

  Repository() { model.keep_bodies(true); }

  const LabelInfo* find_label(std::string_view name) const {
    for (const LabelInfo& l : labels)
      if (l.name.size() == name.size() && to_lower(l.name) == to_lower(name)) return &l;
    return nullptr;
  }
};

// A response in the making: status, JSON body, extra headers.
struct Reply {
  int status = 200;
  json body;
  std::vector<Header> headers;
};

Reply error(int status, std::string_view message) { return {status, error_json(message), {}}; }
Reply not_found() { return error(404, "Not Found"); }
Reply invalid(std::string_view resource, std::string_view field, std::string_view code,
              std::string_view message = {}) {
  return {422, validation_failed(resource, field, code, message), {}};
}

bool valid_name(std::string_view s) {
  if (s.empty() || s.size() > 100 || s == "." || s == "..") return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
           c == '.';
  });
}

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

// "token X" or "Bearer X" (scheme case-insensitive); nullopt without a usable header.
std::optional<std::string> bearer_token(const Request& req) {
  const std::string* auth = req.header("authorization");
  if (!auth) return std::nullopt;
  const std::size_t space = auth->find(' ');
  if (space == std::string::npos) return std::nullopt;
  const std::string scheme = to_lower(auth->substr(0, space));
  if (scheme != "token" && scheme != "bearer") return std::nullopt;
  std::string token = auth->substr(space + 1);
  while (!token.empty() && (token.back() == ' ' || token.back() == '\t')) token.pop_back();
  while (!token.empty() && token.front() == ' ') token.erase(0, 1);
  if (token.empty()) return std::nullopt;
  return token;
}

// Compares in time independent of where the strings differ.
bool same_secret(std::string_view a, std::string_view b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  const std::size_t n = std::max(a.size(), b.size());
  for (std::size_t i = 0; i < n; ++i) {
    const unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
    const unsigned char y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
    diff |= static_cast<unsigned char>(x ^ y);
  }
  return diff == 0;
}

std::string hex(const unsigned char* p, unsigned n) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < n; ++i) {
    out += kHex[p[i] >> 4];
    out += kHex[p[i] & 15];
  }
  return out;
}

// git's blob id: sha1("blob <size>\0" + content), as GitHub reports contents' sha.
std::string git_blob_sha(std::string_view content) {
  const std::string header = "blob " + std::to_string(content.size()) + std::string(1, '\0');
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (!ctx) throw std::bad_alloc();
  EVP_DigestInit_ex(ctx, EVP_sha1(), nullptr);
  EVP_DigestUpdate(ctx, header.data(), header.size());
  EVP_DigestUpdate(ctx, content.data(), content.size());
  EVP_DigestFinal_ex(ctx, md, &len);
  EVP_MD_CTX_free(ctx);
  return hex(md, len);
}

json lags_json(const Lags& lags) {
  json a = json::array();
  for (Duration d : lags) a.push_back(d.count());
  return a;
}

Lags lags_from(const json& j) {
  Lags lags{};
  const auto& a = j.at("lags");
  if (!a.is_array() || a.size() != lags.size()) throw std::invalid_argument("lags: expected 4 integers");
  for (std::size_t i = 0; i < lags.size(); ++i) lags[i] = Duration(a.at(i).get<std::int64_t>());
  return lags;
}

// Pagination parameters; a 422 reply when they are not numbers.
struct Paging {
  int per_page = kDefaultPerPage;
  std::int64_t page = 1;
};
std::optional<Reply> parse_paging(const Target& t, Paging& out) {
  if (const std::string* s = t.param("per_page")) {
    auto v = parse_int(*s, 0, 1'000'000);
    if (!v) return invalid("Pagination", "per_page", "invalid");
    out.per_page = static_cast<int>(std::clamp<std::int64_t>(*v, 1, kMaxPerPage));  // GitHub clamps too
  }
  if (const std::string* s = t.param("page")) {
    auto v = parse_int(*s, 0, 1'000'000'000);
    if (!v) return invalid("Pagination", "page", "invalid");
    out.page = std::max<std::int64_t>(*v, 1);
  }
  return std::nullopt;
}

// GitHub's Link header: <url>; rel="next", <url>; rel="last", ... with the
// request's other parameters kept (PyGithub follows `next` as given).
std::string link_header(const Urls& u, const Target& t, std::int64_t page, std::int64_t last) {
  std::string query;
  for (const auto& [k, v] : t.params) {
    if (k == "page") continue;
    query += percent_encode(k) + "=" + percent_encode(v) + "&";
  }
  const auto link = [&](std::int64_t p, const char* rel) {
    return "<" + u.origin + t.path + "?" + query + "page=" + std::to_string(p) + ">; rel=\"" + rel + "\"";
  };
  std::string out;
  const auto add = [&](std::int64_t p, const char* rel) {
    if (!out.empty()) out += ", ";
    out += link(p, rel);
  };
  if (page > 1) add(page - 1, "prev");
  if (page < last) add(page + 1, "next");
  if (page < last) add(last, "last");
  if (page > 1) add(1, "first");
  return out;
}

// Lower-cased needle in lower-cased haystack.
bool contains_lower(std::string_view haystack, const std::string& needle_lower) {
  return to_lower(haystack).find(needle_lower) != std::string::npos;
}

std::optional<Endpoint> endpoint_of(std::string_view method, std::span<const std::string> s) {
  const bool get = method == "GET", post = method == "POST", patch = method == "PATCH";
  if (s.size() == 2 && s[0] == "search" && s[1] == "issues") return Endpoint::search_issues;
  if (s.size() == 1 && s[0] == "rate_limit") return Endpoint::get_issue;
  if (s.size() < 3 || s[0] != "repos") return std::nullopt;
  if (s.size() == 3) return Endpoint::get_issue;
  const std::string& kind = s[3];
  if (kind == "issues" && s.size() == 4) return post ? Endpoint::create_issue : Endpoint::list_issues;
  if (kind == "issues" && s.size() == 5) return patch ? Endpoint::update_issue : Endpoint::get_issue;
  if (kind == "issues" && s.size() == 6) return post ? Endpoint::create_comment : Endpoint::get_issue;
  if (kind == "git" || kind == "contents" || kind == "labels") {
    // Create-if-absent primitives and their reads behave like refs.
    if (method == "DELETE") return Endpoint::delete_ref;
    return get ? Endpoint::get_ref : Endpoint::create_ref;
  }
  return std::nullopt;
}

}  // namespace

struct Router::Impl {
  GitHubConfig github;
  RouterOptions options;
  Rng rng;
  Rng fault_rng;
  TokenRateLimiter limiter;  // without scenario rate limits
  std::unique_ptr<ScenarioRateLimits> scenario_limits;  // with them
  mutable std::mutex mutex;
  std::map<std::string, std::unique_ptr<Repository>> repos;  // by lower-case "owner/name"
  std::int64_t next_repo_id = 1;
  Time last_commit{-1};
  std::vector<GitHubModel::IssueView> views;  // scratch

  Impl(const Scenario& scenario, RouterOptions o)
      : github(scenario.github),
        options(std::move(o)),
        rng(make_stream(scenario.seed, 0, StreamKind::serve)),
        fault_rng(make_stream(scenario.seed, 0, StreamKind::serve_faults, 0)),
        limiter(options.rate_limit) {
    if (github.rate_limits.enabled)
      scenario_limits = std::make_unique<ScenarioRateLimits>(github.rate_limits, scenario.seed);
  }

  FaultPlan draw_fault_for(std::string_view method, std::span<const std::string> s, Endpoint e) {
    // GET /rate_limit is bookkeeping, not the API under test: it never fails.
    if (s.size() == 1 && s[0] == "rate_limit") return {};
    const bool creates_ref = method == "POST" && s.size() == 5 && s[0] == "repos" && s[3] == "git" && s[4] == "refs";
    if (!github.faults.any()) return {};
    const FaultDraws u{fault_rng.uniform01(), fault_rng.uniform01(), fault_rng.uniform01()};
    return decide_fault(github.faults, e, creates_ref, u);
  }
  std::int64_t unix_s_ceil(Time t) const {
    return (options.unix_epoch_us + t.count() + 999'999) / 1'000'000;
  }

  Duration draw(const Distribution& d) { return agent::from_seconds(d.sample(rng)); }
  Lags draw_lags() {
    Lags lags;
    for (int p = 0; p < kReadPathCount; ++p) lags[static_cast<std::size_t>(p)] = draw(github.visibility_lag[p]);
    return lags;
  }
  Duration refs_lag() { return draw(github.visibility_lag[static_cast<int>(ReadPath::refs)]); }
  // Commit times strictly increase, as issue numbers do, even within one microsecond.
  Time commit_time(Time now) {
    last_commit = std::max(now, last_commit + Duration(1));
    return last_commit;
  }
  std::int64_t unix_s(Time now) const { return (options.unix_epoch_us + now.count()) / 1'000'000; }

  Repository* find_repo(std::string_view owner, std::string_view name) {
    auto it = repos.find(to_lower(owner) + "/" + to_lower(name));
    return it == repos.end() ? nullptr : it->second.get();
  }
  // Any valid name works: a repository exists from its first use.
  Repository* repo(std::string_view owner, std::string_view name, Time now) {
    if (!valid_name(owner) || !valid_name(name)) return nullptr;
    if (Repository* r = find_repo(owner, name)) return r;
    if (repos.size() >= kMaxRepositories) return nullptr;
    auto r = std::make_unique<Repository>();
    r->info = {next_repo_id++, std::string(owner), std::string(name), options.unix_epoch_us + now.count()};
    Repository* out = r.get();
    repos.emplace(to_lower(owner) + "/" + to_lower(name), std::move(r));
    return out;
  }

  // --- writes: each applies to the repository and records itself in its
  // journal; load_state replays the journal through the same functions. ----

  // Labels take the spelling of an existing label (GitHub's names are
  // case-insensitive); a new name creates the label, as GitHub does.
  std::vector<std::string> canonical_labels(Repository& r, const std::vector<std::string>& names) {
    std::vector<std::string> out;
    for (const std::string& n : names) {
      const LabelInfo* l = r.find_label(n);
      if (!l) {
        apply_label(r, LabelInfo{0, n, "ededed", "", false});
        l = &r.labels.back();
      }
      if (std::find(out.begin(), out.end(), l->name) == out.end()) out.push_back(l->name);
    }
    return out;
  }

  void apply_label(Repository& r, LabelInfo l) {
    l.id = issue_id(r.info, 0) + 900'000'000 + static_cast<std::int64_t>(r.labels.size()) + 1;
    r.journal.push_back({{"op", "label"},
                         {"name", l.name},
                         {"color", l.color},
                         {"description", l.has_description ? json(l.description) : json(nullptr)}});
    r.labels.push_back(std::move(l));
  }

  std::int64_t apply_create_issue(Repository& r, Time c, agent::NewIssue issue, const Lags& lags) {
    issue.labels = canonical_labels(r, issue.labels);
    const std::int64_t n = r.model.create_issue(c, issue, lags);
    r.journal.push_back({{"op", "create_issue"},
                         {"c", c.count()},
                         {"lags", lags_json(lags)},
                         {"title", issue.title},
                         {"body", issue.body},
                         {"labels", issue.labels}});
    return n;
  }

  bool apply_update_issue(Repository& r, Time c, std::int64_t number, agent::IssuePatch patch, const Lags& lags) {
    if (patch.set_labels) patch.labels = canonical_labels(r, patch.labels);
    if (!r.model.update_issue(c, number, patch, lags)) return false;
    json e = {{"op", "update_issue"}, {"c", c.count()}, {"lags", lags_json(lags)}, {"number", number}};
    if (patch.set_state) e["state"] = patch.state == agent::IssueState::closed ? "closed" : "open";
    if (patch.set_title) e["title"] = patch.title;
    if (patch.set_body) e["body"] = patch.body;
    if (patch.set_labels) e["labels"] = patch.labels;
    r.journal.push_back(std::move(e));
    return true;
  }

  std::int64_t apply_comment(Repository& r, Time c, std::int64_t number, const std::string& body, const Lags& lags) {
    const std::int64_t id = r.model.add_comment(c, number, body, lags);
    if (id)
      r.journal.push_back(
          {{"op", "comment"}, {"c", c.count()}, {"lags", lags_json(lags)}, {"number", number}, {"body", body}});
    return id;
  }

  // op: "create_ref", "update_ref" or "delete_ref".
  bool apply_ref(Repository& r, const std::string& op, Time c, const std::string& ref, const std::string& sha,
                 Duration lag) {
    bool ok = false;
    if (op == "create_ref") ok = r.model.create_ref(c, ref, sha, lag);
    if (op == "update_ref") ok = r.model.update_ref(c, ref, sha, lag);
    if (op == "delete_ref") ok = r.model.delete_ref(c, ref, lag);
    if (ok)
      r.journal.push_back({{"op", op}, {"c", c.count()}, {"lag", lag.count()}, {"ref", ref}, {"sha", sha}});
    return ok;
  }

  void apply_content(Repository& r, Time c, const std::string& path, const std::string& content, Duration lag) {
    r.contents[path].push_back(ContentVersion{c + lag, content, git_blob_sha(content)});
    r.journal.push_back({{"op", "content"},
                         {"c", c.count()},
                         {"lag", lag.count()},
                         {"path", path},
                         {"content_base64", base64_encode(content)}});
  }

  // A blob is stored once: the same content is the same object.
  const std::string& apply_blob(Repository& r, const std::string& content) {
    std::string sha = git_blob_sha(content);
    const auto [it, added] = r.blobs.emplace(std::move(sha), content);
    if (added) r.journal.push_back({{"op", "blob"}, {"content_base64", base64_encode(content)}});
    return it->first;
  }

  void replay(Repository& r, const json& e) {
    const std::string op = e.at("op").get<std::string>();
    const auto time = [&] { return Time(e.at("c").get<std::int64_t>()); };
    if (op == "label") {
      LabelInfo l{0, e.at("name").get<std::string>(), e.at("color").get<std::string>(), "", false};
      if (!e.at("description").is_null()) {
        l.description = e.at("description").get<std::string>();
        l.has_description = true;
      }
      if (!r.find_label(l.name)) apply_label(r, std::move(l));
    } else if (op == "create_issue") {
      agent::NewIssue issue{e.at("title").get<std::string>(), e.at("body").get<std::string>(),
                            e.at("labels").get<std::vector<std::string>>()};
      apply_create_issue(r, time(), std::move(issue), lags_from(e));
    } else if (op == "update_issue") {
      agent::IssuePatch p;
      if (e.contains("state")) {
        p.set_state = true;
        p.state = e.at("state") == "closed" ? agent::IssueState::closed : agent::IssueState::open;
      }
      if (e.contains("title")) p.set_title = true, p.title = e.at("title").get<std::string>();
      if (e.contains("body")) p.set_body = true, p.body = e.at("body").get<std::string>();
      if (e.contains("labels")) p.set_labels = true, p.labels = e.at("labels").get<std::vector<std::string>>();
      if (!apply_update_issue(r, time(), e.at("number").get<std::int64_t>(), std::move(p), lags_from(e)))
        throw std::invalid_argument("update of a missing issue");
    } else if (op == "comment") {
      if (!apply_comment(r, time(), e.at("number").get<std::int64_t>(), e.at("body").get<std::string>(),
                         lags_from(e)))
        throw std::invalid_argument("comment on a missing issue");
    } else if (op == "create_ref" || op == "update_ref" || op == "delete_ref") {
      if (!apply_ref(r, op, time(), e.at("ref").get<std::string>(), e.at("sha").get<std::string>(),
                     Duration(e.at("lag").get<std::int64_t>())))
        throw std::invalid_argument(op + " that cannot apply");
    } else if (op == "blob") {
      auto content = base64_decode(e.at("content_base64").get<std::string>());
      if (!content) throw std::invalid_argument("content_base64 is not base64");
      apply_blob(r, *content);
    } else if (op == "content") {
      auto content = base64_decode(e.at("content_base64").get<std::string>());
      if (!content) throw std::invalid_argument("content_base64 is not base64");
      apply_content(r, time(), e.at("path").get<std::string>(), *content, Duration(e.at("lag").get<std::int64_t>()));
    } else {
      throw std::invalid_argument("unknown op \"" + op + "\"");
    }
    last_commit = std::max(last_commit, e.contains("c") ? time() : last_commit);
  }

  // --- JSON of model objects ------------------------------------------------

  json labels_of(const Urls& u, const Repository& r, GitHubModel::LabelMask mask) const {
    json out = json::array();
    for (int bit = 0; bit < r.model.label_count(); ++bit) {
      if (!(mask & (GitHubModel::LabelMask{1} << bit))) continue;
      const std::string& name = r.model.label_name(bit);
      const LabelInfo* l = r.find_label(name);
      out.push_back(label_json(u, r.info, l ? *l : LabelInfo{0, name, "ededed", "", false}));
    }
    return out;
  }
  json issue_of(const Urls& u, const Repository& r, const GitHubModel::IssueView& v) const {
    return issue_json(u, r.info, v, labels_of(u, r, v.labels), options.unix_epoch_us);
  }
  // For each wanted name, the label bits that spell it (names compare
  // case-insensitively): computed once per request, not per issue.
  std::vector<GitHubModel::LabelMask> label_masks(const Repository& r, const std::vector<std::string>& wanted) const {
    std::vector<GitHubModel::LabelMask> masks;
    for (const std::string& w : wanted) {
      const std::string lw = to_lower(w);
      GitHubModel::LabelMask m = 0;
      for (int bit = 0; bit < r.model.label_count(); ++bit)
        if (r.model.label_name(bit).size() == lw.size() && to_lower(r.model.label_name(bit)) == lw)
          m |= GitHubModel::LabelMask{1} << bit;
      masks.push_back(m);  // 0: no issue can match
    }
    return masks;
  }
  static bool has_labels(const GitHubModel::IssueView& v, const std::vector<GitHubModel::LabelMask>& masks) {
    for (GitHubModel::LabelMask m : masks)
      if (!(v.labels & m)) return false;
    return true;
  }

  // --- handlers ---------------------------------------------------------------

  Reply dispatch(const Request& req, const Target& t, std::span<const std::string> s, Time now, const Urls& u,
                 const std::string& client);
  Reply list_issues(Repository& r, const Target& t, Time now, const Urls& u);
  Reply create_issue(Repository& r, const json& body, Time now, const Urls& u);
  Reply update_issue(Repository& r, std::int64_t number, const json& body, Time now, const Urls& u);
  Reply comments(Repository& r, std::int64_t number, const Request& req, const Target& t, const json& body,
                 Time now, const Urls& u);
  Reply labels(Repository& r, std::span<const std::string> rest, const Request& req, const Target& t,
               const json& body, const Urls& u);
  Reply search(const Target& t, Time now, const Urls& u);
  Reply refs(Repository& r, std::span<const std::string> rest, const Request& req, const json& body, Time now,
             const Urls& u);
  Reply contents(Repository& r, std::span<const std::string> rest, const Request& req, const json& body,
                 Time now, const Urls& u);
  Reply rate_limit(const std::string& client, Time now);
};

namespace {

// Body of a write: a JSON object, or 400 as GitHub answers unparsable JSON.
std::optional<Reply> parse_body(const Request& req, json& out) {
  if (req.body.empty()) {
    out = json::object();
    return std::nullopt;
  }
  out = json::parse(req.body, nullptr, false);
  if (out.is_discarded() || !out.is_object()) return error(400, "Problems parsing JSON");
  return std::nullopt;
}

// A string field: absent (nullopt, no error), a string, or a 422.
std::optional<Reply> string_field(const json& body, const char* resource, const char* field, std::optional<std::string>& out,
                                  bool null_ok = false) {
  auto it = body.find(field);
  if (it == body.end() || (null_ok && it->is_null())) return std::nullopt;
  if (!it->is_string()) return invalid(resource, field, "invalid");
  out = it->get<std::string>();
  return std::nullopt;
}

std::optional<Reply> labels_field(const json& body, std::optional<std::vector<std::string>>& out) {
  auto it = body.find("labels");
  if (it == body.end() || it->is_null()) return std::nullopt;
  if (!it->is_array() || it->size() > kMaxLabelsPerIssue) return invalid("Issue", "labels", "invalid");
  std::vector<std::string> names;
  for (const json& l : *it) {
    // Strings, or label objects ({"name": ...}) as some clients send.
    const json* name = &l;
    if (l.is_object()) {
      auto n = l.find("name");
      if (n == l.end()) return invalid("Label", "name", "missing_field");
      name = &*n;
    }
    if (!name->is_string() || name->get_ref<const std::string&>().empty() ||
        name->get_ref<const std::string&>().size() > 50)
      return invalid("Label", "name", "invalid");
    names.push_back(name->get<std::string>());
  }
  out = std::move(names);
  return std::nullopt;
}

bool issue_number(const std::string& s, std::int64_t& out) {
  auto v = parse_int(s, 1, std::int64_t{1} << 40);
  if (!v) return false;
  out = *v;
  return true;
}

}  // namespace

Reply Router::Impl::dispatch(const Request& req, const Target& t, std::span<const std::string> s, Time now,
                             const Urls& u, const std::string& client) {
  const std::string& m = req.method;
  if (s.size() == 1 && s[0] == "rate_limit" && m == "GET") return rate_limit(client, now);
  if (s.size() == 1 && s[0] == "user" && m == "GET") return {200, user_json(u), {}};
  if (s.size() == 2 && s[0] == "search" && s[1] == "issues" && m == "GET") return search(t, now, u);
  if (s.size() < 3 || s[0] != "repos") return not_found();
  Repository* r = repo(s[1], s[2], now);
  if (!r) return not_found();

  json body;
  if (m == "POST" || m == "PATCH" || m == "PUT" || m == "DELETE") {
    if (auto bad = parse_body(req, body)) return *bad;
  }
  if (s.size() == 3) {
    if (m != "GET") return not_found();
    return {200, repo_json(u, r->info, r->model.issues_open()), {}};
  }
  const std::string& kind = s[3];
  if (kind == "issues") {
    if (s.size() == 4) {
      if (m == "GET") return list_issues(*r, t, now, u);
      if (m == "POST") return create_issue(*r, body, now, u);
      return not_found();
    }
    std::int64_t number = 0;
    if (!issue_number(s[4], number)) return not_found();
    if (s.size() == 5) {
      if (m == "GET") {
        GitHubModel::IssueView v;
        if (!r->model.view_issue(ReadPath::get, now, number, v)) return not_found();
        return {200, issue_of(u, *r, v), {}};
      }
      if (m == "PATCH") return update_issue(*r, number, body, now, u);
      return not_found();
    }
    if (s.size() == 6 && s[5] == "comments") return comments(*r, number, req, t, body, now, u);
    return not_found();
  }
  if (kind == "labels") return labels(*r, s.subspan(4), req, t, body, u);
  if (kind == "git") return refs(*r, s.subspan(4), req, body, now, u);
  if (kind == "contents") return contents(*r, s.subspan(4), req, body, now, u);
  return not_found();
}

Reply Router::Impl::list_issues(Repository& r, const Target& t, Time now, const Urls& u) {
  Paging paging;
  if (auto bad = parse_paging(t, paging)) return *bad;
  agent::StateFilter state = agent::StateFilter::open;
  if (const std::string* s = t.param("state")) {
    if (*s == "open") state = agent::StateFilter::open;
    else if (*s == "closed") state = agent::StateFilter::closed;
    else if (*s == "all") state = agent::StateFilter::all;
    else return invalid("Issue", "state", "invalid");
  }
  std::vector<std::string> wanted;
  if (const std::string* s = t.param("labels")) {
    for (std::size_t pos = 0; pos <= s->size();) {
      std::size_t comma = s->find(',', pos);
      if (comma == std::string::npos) comma = s->size();
      std::string name = s->substr(pos, comma - pos);
      while (!name.empty() && name.front() == ' ') name.erase(0, 1);
      while (!name.empty() && name.back() == ' ') name.pop_back();
      if (!name.empty()) wanted.push_back(std::move(name));
      pos = comma + 1;
    }
  }
  std::string sort = "created";
  if (const std::string* s = t.param("sort")) sort = *s;
  if (sort != "created" && sort != "updated" && sort != "comments") return invalid("Issue", "sort", "invalid");
  bool desc = true;
  if (const std::string* s = t.param("direction")) {
    if (*s != "asc" && *s != "desc") return invalid("Issue", "direction", "invalid");
    desc = *s == "desc";
  }
  std::optional<std::int64_t> since;
  if (const std::string* s = t.param("since")) {
    since = parse_timestamp(*s);
    if (!since) return invalid("Issue", "since", "invalid");
  }

  r.model.view_issues(ReadPath::list, now, views);
  const auto masks = label_masks(r, wanted);
  std::vector<const GitHubModel::IssueView*> hits;
  for (const auto& v : views) {
    if (state == agent::StateFilter::open && v.state != agent::IssueState::open) continue;
    if (state == agent::StateFilter::closed && v.state != agent::IssueState::closed) continue;
    if (since && options.unix_epoch_us + v.updated_at.count() < *since) continue;
    if (!has_labels(v, masks)) continue;
    hits.push_back(&v);
  }
  const int sort_by = sort == "updated" ? 1 : sort == "comments" ? 2 : 0;  // not a string compare per comparison
  const auto key = [&](const GitHubModel::IssueView* v) -> std::int64_t {
    if (sort_by == 1) return v->updated_at.count();
    if (sort_by == 2) return v->comments;
    return v->number;
  };
  std::stable_sort(hits.begin(), hits.end(), [&](const auto* a, const auto* b) {
    const std::int64_t ka = key(a), kb = key(b);
    if (ka != kb) return desc ? ka > kb : ka < kb;
    return desc ? a->number > b->number : a->number < b->number;
  });

  Reply reply{200, json::array(), {}};
  const auto total = static_cast<std::int64_t>(hits.size());
  const std::int64_t last = std::max<std::int64_t>(1, (total + paging.per_page - 1) / paging.per_page);
  const std::int64_t first = (paging.page - 1) * paging.per_page;
  for (std::int64_t i = first; i < total && i < first + paging.per_page; ++i)
    reply.body.push_back(issue_of(u, r, *hits[static_cast<std::size_t>(i)]));
  const std::string link = link_header(u, t, paging.page, last);
  if (!link.empty()) reply.headers.push_back({"link", link});
  return reply;
}

Reply Router::Impl::create_issue(Repository& r, const json& body, Time now, const Urls& u) {
  std::optional<std::string> title, text;
  std::optional<std::vector<std::string>> labels;
  if (auto bad = string_field(body, "Issue", "title", title)) return *bad;
  if (auto bad = string_field(body, "Issue", "body", text, true)) return *bad;
  if (auto bad = labels_field(body, labels)) return *bad;
  if (!title || title->empty()) return invalid("Issue", "title", "missing_field");
  if (title->size() > kMaxTitle) return invalid("Issue", "title", "custom", "title is too long (maximum is 256 characters)");
  if (text && text->size() > kMaxBody) return invalid("Issue", "body", "custom", "body is too long (maximum is 65536 characters)");
  const Time c = commit_time(now);
  std::int64_t number = 0;
  try {
    number = apply_create_issue(r, c, agent::NewIssue{*title, text.value_or(""), labels.value_or(std::vector<std::string>{})},
                                draw_lags());
  } catch (const std::length_error&) {
    return invalid("Label", "name", "custom", "the fake GitHub supports at most 64 distinct labels on issues per repository");
  }
  GitHubModel::IssueView v;
  r.model.view_latest_issue(number, v);
  Reply reply{201, issue_of(u, r, v), {}};
  reply.headers.push_back({"location", reply.body["url"].get<std::string>()});
  return reply;
}

Reply Router::Impl::update_issue(Repository& r, std::int64_t number, const json& body, Time now, const Urls& u) {
  if (number > r.model.issues_created()) return not_found();
  agent::IssuePatch patch;
  std::optional<std::string> state, title, text;
  std::optional<std::vector<std::string>> labels;
  if (auto bad = string_field(body, "Issue", "state", state)) return *bad;
  if (auto bad = string_field(body, "Issue", "title", title)) return *bad;
  if (auto bad = string_field(body, "Issue", "body", text, true)) return *bad;
  if (auto bad = labels_field(body, labels)) return *bad;
  if (state) {
    if (*state != "open" && *state != "closed") return invalid("Issue", "state", "invalid");
    patch.set_state = true;
    patch.state = *state == "closed" ? agent::IssueState::closed : agent::IssueState::open;
  }
  if (title) {
    if (title->empty()) return invalid("Issue", "title", "missing_field");
    if (title->size() > kMaxTitle) return invalid("Issue", "title", "custom", "title is too long (maximum is 256 characters)");
    patch.set_title = true;
    patch.title = std::move(*title);
  }
  if (body.contains("body")) {
    if (text && text->size() > kMaxBody) return invalid("Issue", "body", "custom", "body is too long (maximum is 65536 characters)");
    patch.set_body = true;
    patch.body = text.value_or("");
  }
  if (labels) {
    patch.set_labels = true;
    patch.labels = std::move(*labels);
  }
  try {
    if (!apply_update_issue(r, commit_time(now), number, std::move(patch), draw_lags())) return not_found();
  } catch (const std::length_error&) {
    return invalid("Label", "name", "custom", "the fake GitHub supports at most 64 distinct labels on issues per repository");
  }
  GitHubModel::IssueView v;
  r.model.view_latest_issue(number, v);
  return {200, issue_of(u, r, v), {}};
}

Reply Router::Impl::comments(Repository& r, std::int64_t number, const Request& req, const Target& t,
                             const json& body, Time now, const Urls& u) {
  if (number > r.model.issues_created()) return not_found();
  if (req.method == "GET") {
    Paging paging;
    if (auto bad = parse_paging(t, paging)) return *bad;
    std::vector<GitHubModel::CommentView> all;
    r.model.view_comments(ReadPath::get, now, number, all);
    Reply reply{200, json::array(), {}};
    const auto total = static_cast<std::int64_t>(all.size());
    const std::int64_t last = std::max<std::int64_t>(1, (total + paging.per_page - 1) / paging.per_page);
    const std::int64_t first = (paging.page - 1) * paging.per_page;
    for (std::int64_t i = first; i < total && i < first + paging.per_page; ++i)
      reply.body.push_back(comment_json(u, r.info, all[static_cast<std::size_t>(i)], options.unix_epoch_us));
    const std::string link = link_header(u, t, paging.page, last);
    if (!link.empty()) reply.headers.push_back({"link", link});
    return reply;
  }
  if (req.method != "POST") return not_found();
  std::optional<std::string> text;
  if (auto bad = string_field(body, "IssueComment", "body", text)) return *bad;
  if (!text || text->empty()) return invalid("IssueComment", "body", "missing_field");
  if (text->size() > kMaxBody) return invalid("IssueComment", "body", "custom", "body is too long (maximum is 65536 characters)");
  const Time c = commit_time(now);
  const std::int64_t id = apply_comment(r, c, number, *text, draw_lags());
  if (!id) return not_found();
  Reply reply{201, comment_json(u, r.info, GitHubModel::CommentView{id, number, c, *text}, options.unix_epoch_us), {}};
  reply.headers.push_back({"location", reply.body["url"].get<std::string>()});
  return reply;
}

Reply Router::Impl::labels(Repository& r, std::span<const std::string> rest, const Request& req, const Target& t,
                           const json& body, const Urls& u) {
  if (rest.size() == 1 && req.method == "GET") {
    const LabelInfo* l = r.find_label(rest[0]);
    if (!l) return not_found();
    return {200, label_json(u, r.info, *l), {}};
  }
  if (!rest.empty()) return not_found();
  if (req.method == "GET") {
    Paging paging;
    if (auto bad = parse_paging(t, paging)) return *bad;
    Reply reply{200, json::array(), {}};
    const auto total = static_cast<std::int64_t>(r.labels.size());
    const std::int64_t last = std::max<std::int64_t>(1, (total + paging.per_page - 1) / paging.per_page);
    const std::int64_t first = (paging.page - 1) * paging.per_page;
    for (std::int64_t i = first; i < total && i < first + paging.per_page; ++i)
      reply.body.push_back(label_json(u, r.info, r.labels[static_cast<std::size_t>(i)]));
    const std::string link = link_header(u, t, paging.page, last);
    if (!link.empty()) reply.headers.push_back({"link", link});
    return reply;
  }
  if (req.method != "POST") return not_found();
  std::optional<std::string> name, color, description;
  if (auto bad = string_field(body, "Label", "name", name)) return *bad;
  if (auto bad = string_field(body, "Label", "color", color)) return *bad;
  if (auto bad = string_field(body, "Label", "description", description, true)) return *bad;
  if (!name || name->empty()) return invalid("Label", "name", "missing_field");
  if (name->size() > 50) return invalid("Label", "name", "invalid");
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
  if (r.find_label(l.name)) return invalid("Label", "name", "already_exists");
  apply_label(r, std::move(l));
  return {201, label_json(u, r.info, r.labels.back()), {}};
}

Reply Router::Impl::search(const Target& t, Time now, const Urls& u) {
  Paging paging;
  if (auto bad = parse_paging(t, paging)) return *bad;
  const std::string* q = t.param("q");
  if (!q || q->find_first_not_of(" \t") == std::string::npos) return invalid("Search", "q", "missing");
  if (q->size() > 256) return invalid("Search", "q", "invalid", "The search is longer than 256 characters.");
  const auto query = parse_search_query(*q);
  if (!query) return invalid("Search", "q", "invalid");
  std::string sort;
  if (const std::string* s = t.param("sort")) sort = *s;
  if (!sort.empty() && sort != "created" && sort != "updated" && sort != "comments")
    return invalid("Search", "sort", "invalid");
  bool desc = true;
  if (const std::string* s = t.param("order")) {
    if (*s != "asc" && *s != "desc") return invalid("Search", "order", "invalid");
    desc = *s == "desc";
  }

  std::vector<Repository*> scope;
  if (query->repos.empty()) {
    for (auto& [key, r] : repos) scope.push_back(r.get());
  } else {
    for (const std::string& name : query->repos) {
      auto it = repos.find(name);
      if (it != repos.end() && std::find(scope.begin(), scope.end(), it->second.get()) == scope.end())
        scope.push_back(it->second.get());
    }
  }
  struct Hit {
    Repository* repo;
    GitHubModel::IssueView view;
  };
  std::vector<Hit> hits;
  if (!query->pull_requests) {
    std::vector<GitHubModel::CommentView> comment_views;
    for (Repository* r : scope) {
      r->model.view_issues(ReadPath::search, now, views);
      const auto masks = label_masks(*r, query->labels);
      for (const auto& v : views) {
        if (query->open && (v.state == agent::IssueState::open) != *query->open) continue;
        if (!has_labels(v, masks)) continue;
        bool all_terms = true;
        for (const std::string& term : query->terms) {
          bool found = (query->in_title && contains_lower(v.title, term)) ||
                       (query->in_body && contains_lower(v.body, term));
          if (!found && query->in_comments) {
            r->model.view_comments(ReadPath::search, now, v.number, comment_views);
            for (const auto& c : comment_views) found = found || contains_lower(c.body, term);
          }
          if (!found) {
            all_terms = false;
            break;
          }
        }
        if (all_terms) hits.push_back({r, v});
      }
    }
  }
  // Without `sort`, GitHub orders by best match; the fake has no relevance,
  // and orders newest first.
  const int sort_by = sort == "updated" ? 1 : sort == "comments" ? 2 : 0;
  const auto key = [&](const Hit& h) -> std::int64_t {
    if (sort_by == 1) return h.view.updated_at.count();
    if (sort_by == 2) return h.view.comments;
    return h.view.created_at.count();
  };
  std::stable_sort(hits.begin(), hits.end(), [&](const Hit& a, const Hit& b) {
    const std::int64_t ka = key(a), kb = key(b);
    if (ka != kb) return desc ? ka > kb : ka < kb;
    return desc ? a.view.number > b.view.number : a.view.number < b.view.number;
  });
  json items = json::array();
  const auto total = static_cast<std::int64_t>(hits.size());
  const std::int64_t last = std::max<std::int64_t>(1, (total + paging.per_page - 1) / paging.per_page);
  const std::int64_t first = (paging.page - 1) * paging.per_page;
  for (std::int64_t i = first; i < total && i < first + paging.per_page; ++i) {
    const Hit& h = hits[static_cast<std::size_t>(i)];
    json item = issue_of(u, *h.repo, h.view);
    item["score"] = 1.0;
    items.push_back(std::move(item));
  }
  Reply reply{200, {{"total_count", total}, {"incomplete_results", false}, {"items", std::move(items)}}, {}};
  const std::string link = link_header(u, t, paging.page, last);
  if (!link.empty()) reply.headers.push_back({"link", link});
  return reply;
}

Reply Router::Impl::refs(Repository& r, std::span<const std::string> rest, const Request& req, const json& body,
                         Time now, const Urls& u) {
  const std::string& m = req.method;
  // POST git/blobs {content, encoding}: 201 {sha, url}; GET git/blobs/{sha}.
  if (!rest.empty() && rest[0] == "blobs") {
    const std::string repo_api = u.api() + "/repos/" + r.info.owner + "/" + r.info.name;
    if (rest.size() == 1 && m == "POST") {
      std::optional<std::string> content, encoding;
      if (auto bad = string_field(body, "Blob", "content", content)) return *bad;
      if (auto bad = string_field(body, "Blob", "encoding", encoding)) return *bad;
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
  // POST git/refs {ref, sha}: create-if-absent.
  if (rest.size() == 1 && rest[0] == "refs" && m == "POST") {
    std::optional<std::string> ref, sha;
    if (auto bad = string_field(body, "Reference", "ref", ref)) return *bad;
    if (auto bad = string_field(body, "Reference", "sha", sha)) return *bad;
    if (!sha || sha->empty()) return error(422, "Invalid request.\n\n\"sha\" wasn't supplied.");
    if (!ref) return error(422, "Invalid request.\n\n\"ref\" wasn't supplied.");
    // GitHub wants "refs/<kind>/<name>".
    if (ref->rfind("refs/", 0) != 0 || std::count(ref->begin(), ref->end(), '/') < 2 || ref->size() > 1024 ||
        ref->find("..") != std::string::npos || ref->back() == '/')
      return error(422, "Reference name is invalid");
    if (sha->size() > 64) return error(422, "Object does not exist");
    if (!apply_ref(r, "create_ref", commit_time(now), *ref, *sha, refs_lag()))
      return error(422, "Reference already exists");
    Reply reply{201, ref_json(u, r.info, *ref, *sha), {}};
    reply.headers.push_back({"location", reply.body["url"].get<std::string>()});
    return reply;
  }
  // git/ref/<name> (GET) and git/refs/<name> (GET, PATCH, DELETE).
  if (rest.size() < 3 || (rest[0] != "ref" && rest[0] != "refs")) return not_found();
  std::string ref = "refs";
  for (std::size_t i = 1; i < rest.size(); ++i) ref += "/" + rest[i];
  if (m == "GET") {
    agent::GitRef out;
    if (!r.model.get_ref(now, ref, out)) return not_found();
    return {200, ref_json(u, r.info, out.ref, out.sha), {}};
  }
  if (rest[0] != "refs") return not_found();
  if (m == "DELETE") {
    if (!apply_ref(r, "delete_ref", commit_time(now), ref, "", refs_lag())) return error(422, "Reference does not exist");
    return {204, nullptr, {}};
  }
  if (m == "PATCH") {
    std::optional<std::string> sha;
    if (auto bad = string_field(body, "Reference", "sha", sha)) return *bad;
    if (!sha || sha->empty()) return error(422, "Invalid request.\n\n\"sha\" wasn't supplied.");
    if (sha->size() > 64) return error(422, "Object does not exist");
    bool force = false;
    if (auto it = body.find("force"); it != body.end()) {
      if (!it->is_boolean()) return invalid("Reference", "force", "invalid");
      force = it->get<bool>();
    }
    agent::GitRef current;
    if (!r.model.latest_ref(ref, current)) return error(422, "Reference does not exist");
    // The fake has no commit graph, so it cannot tell a fast-forward: without
    // `force`, only a move to the sha the ref already has succeeds.
    if (!force && current.sha != *sha) return error(422, "Update is not a fast forward");
    if (current.sha != *sha) apply_ref(r, "update_ref", commit_time(now), ref, *sha, refs_lag());
    return {200, ref_json(u, r.info, ref, *sha), {}};
  }
  return not_found();
}

Reply Router::Impl::contents(Repository& r, std::span<const std::string> rest, const Request& req,
                             const json& body, Time now, const Urls& u) {
  if (rest.empty()) return not_found();
  std::string path;
  for (const std::string& s : rest) {
    if (s == "." || s == "..") return not_found();
    path += (path.empty() ? "" : "/") + s;
  }
  if (path.size() > 4096 || !valid_utf8(path)) return not_found();
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
  if (req.method == "GET") {
    if (it == r.contents.end()) return not_found();
    for (auto v = it->second.rbegin(); v != it->second.rend(); ++v)
      if (v->visible <= now) return {200, content_json(*v, true), {}};
    return not_found();
  }
  if (req.method != "PUT") return not_found();
  std::optional<std::string> message, content, sha;
  if (auto bad = string_field(body, "Content", "message", message)) return *bad;
  if (auto bad = string_field(body, "Content", "content", content)) return *bad;
  if (auto bad = string_field(body, "Content", "sha", sha, true)) return *bad;
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
  const Time c = commit_time(now);
  apply_content(r, c, path, *decoded, refs_lag());
  const ContentVersion& v = r.contents[path].back();
  json commit = {{"sha", git_blob_sha("commit:" + v.sha + std::to_string(c.count()))},
                 {"message", *message},
                 {"url", repo_api + "/git/commits/" + v.sha}};
  return {exists ? 200 : 201, {{"content", content_json(v, false)}, {"commit", commit}}, {}};
}

Reply Router::Impl::rate_limit(const std::string& client, Time now) {
  if (scenario_limits) {
    sim::RateLimiter& l = scenario_limits->latest(client, now);
    l.advance(now);
    const auto resource = [&](Endpoint e) {
      const sim::RateLimitHeaders h = l.headers(e);
      return json{{"limit", h.limit}, {"remaining", h.remaining}, {"reset", unix_s_ceil(h.reset)},
                  {"used", h.used}, {"resource", h.resource}};
    };
    const json core = resource(Endpoint::get_issue);
    return {200, {{"resources", {{"core", core}, {"search", resource(Endpoint::search_issues)}}}, {"rate", core}}, {}};
  }
  const auto resource = [](const RateStatus& s) {
    return json{{"limit", s.limit}, {"remaining", s.remaining}, {"reset", s.reset_unix_s}, {"used", s.used},
                {"resource", s.resource}};
  };
  const json core = resource(limiter.peek(client, RateResource::core, unix_s(now)));
  const json search = resource(limiter.peek(client, RateResource::search, unix_s(now)));
  return {200, {{"resources", {{"core", core}, {"search", search}}}, {"rate", core}}, {}};
}

Router::Router(const Scenario& scenario, RouterOptions options)
    : impl_(std::make_unique<Impl>(scenario, std::move(options))) {}
Router::~Router() = default;

void Router::set_unix_epoch_us(std::int64_t unix_epoch_us) {
  std::lock_guard lock(impl_->mutex);
  impl_->options.unix_epoch_us = unix_epoch_us;
}

namespace {
// Path segments after the optional GitHub Enterprise prefix /api/v3.
std::span<const std::string> api_segments(const Target& t) {
  std::span<const std::string> s(t.segments);
  if (s.size() >= 2 && s[0] == "api" && s[1] == "v3") s = s.subspan(2);
  return s;
}
}  // namespace

Timing Router::plan(const Request& request) {
  const auto t = parse_target(request.target);
  if (!t) return {};
  const std::span<const std::string> s = api_segments(*t);
  const auto e = endpoint_of(request.method, s);
  if (!e) return {};
  std::lock_guard lock(impl_->mutex);
  const EndpointLatency& l = impl_->github.latency[static_cast<int>(*e)];
  Timing timing;
  timing.request = impl_->draw(l.request);
  timing.response = impl_->draw(l.response);
  timing.fault = impl_->draw_fault_for(request.method, s, *e);
  return timing;
}

namespace {
// The repository a request's budget belongs to (GITHUB_TOKEN budgets are per
// repository): the path's, or a search's single `repo:` qualifier; empty when
// there is none.
std::string repository_of(std::span<const std::string> s, const Target& t) {
  if (s.size() >= 3 && s[0] == "repos") return to_lower(s[1]) + "/" + to_lower(s[2]);
  if (s.size() == 2 && s[0] == "search") {
    const std::string* q = t.param("q");
    if (!q) return {};
    std::string found;
    for (std::size_t pos = q->find("repo:"); pos != std::string::npos; pos = q->find("repo:", pos + 5)) {
      if (pos > 0 && (*q)[pos - 1] != ' ') continue;
      std::size_t end = q->find(' ', pos);
      if (end == std::string::npos) end = q->size();
      std::string name = to_lower(q->substr(pos + 5, end - pos - 5));
      if (!found.empty() && found != name) return {};  // several repositories: no single budget
      found = std::move(name);
    }
    return found;
  }
  return {};
}

std::string whole_seconds_up(Duration d) {
  const std::int64_t us = std::max<std::int64_t>(0, d.count());
  return std::to_string((us + 999'999) / 1'000'000);
}

constexpr const char* kRateLimitDocs = "https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting";
}  // namespace

Response Router::handle(const Request& request, Time now) {
  FaultPlan fault;
  if (const auto t = parse_target(request.target)) {
    const std::span<const std::string> s = api_segments(*t);
    if (const auto e = endpoint_of(request.method, s)) {
      std::lock_guard lock(impl_->mutex);
      fault = impl_->draw_fault_for(request.method, s, *e);
    }
  }
  return handle(request, now, fault);
}

Response Router::handle(const Request& request, Time now, const FaultPlan& fault) {
  Impl& im = *impl_;
  std::lock_guard lock(im.mutex);
  Response response;
  const auto finish = [&](Reply reply) {
    response.status = reply.status;
    for (Header& h : reply.headers) response.headers.push_back(std::move(h));
    if (reply.status != 204)
      response.body = reply.body.dump(-1, ' ', false, json::error_handler_t::replace);
    return response;
  };

  const auto target = parse_target(request.target);
  if (!target) return finish(error(400, "Bad request target"));
  const std::span<const std::string> s = api_segments(*target);

  // Authentication first, as GitHub: a wrong token is 401 even on a missing route.
  const auto token = bearer_token(request);
  if (!im.options.token.empty() && (!token || !same_secret(*token, im.options.token)))
    return finish(error(401, "Bad credentials"));

  // Rate limits before faults, as in the simulator: a refused request is
  // refused whatever its fate, and a failed one has spent its budget.
  const std::string client = token ? "token:" + *token : "ip:" + request.remote;
  const bool is_rate_limit = s.size() == 1 && s[0] == "rate_limit";
  if (im.scenario_limits) {
    // Routes outside the simulator's endpoints (GET /user, unknown paths)
    // count against the core budget, as on GitHub.
    const Endpoint counted = endpoint_of(request.method, s).value_or(Endpoint::get_issue);
    sim::RateLimiter& limiter = is_rate_limit ? im.scenario_limits->latest(client, now)
                                              : im.scenario_limits->limiter(client, repository_of(s, *target), now);
    agent::ApiError refusal;
    bool admitted = true;
    if (is_rate_limit) limiter.advance(now);
    else admitted = limiter.admit(now, counted, refusal);
    const sim::RateLimitHeaders h = limiter.headers(is_rate_limit ? Endpoint::get_issue : counted);
    response.set("x-ratelimit-limit", std::to_string(h.limit));
    response.set("x-ratelimit-remaining", std::to_string(h.remaining));
    response.set("x-ratelimit-used", std::to_string(h.used));
    response.set("x-ratelimit-reset", std::to_string(im.unix_s_ceil(h.reset)));
    response.set("x-ratelimit-resource", h.resource);
    if (!admitted) {
      response.set("retry-after", whole_seconds_up(refusal.retry_after));
      return finish(Reply{refusal.status, error_json(refusal.message, kRateLimitDocs), {}});
    }
  } else {
    const RateResource resource = !s.empty() && s[0] == "search" ? RateResource::search : RateResource::core;
    const RateStatus rate = is_rate_limit ? im.limiter.peek(client, RateResource::core, im.unix_s(now))
                                          : im.limiter.take(client, resource, im.unix_s(now));
    response.set("x-ratelimit-limit", std::to_string(rate.limit));
    response.set("x-ratelimit-remaining", std::to_string(rate.remaining));
    response.set("x-ratelimit-used", std::to_string(rate.used));
    response.set("x-ratelimit-reset", std::to_string(rate.reset_unix_s));
    response.set("x-ratelimit-resource", rate.resource);
    if (!rate.allowed)
      return finish(Reply{403, error_json(rate_limit_message(token.has_value(), request.remote), kRateLimitDocs), {}});
  }

  // A 5xx or a spurious 422 comes before the effect: nothing happens.
  if (fault.fate == Fate::server_error || fault.fate == Fate::spurious_422)
    return finish(error(fault.status, fault_message(fault)));

  const Urls urls{origin_of(request)};
  Reply reply;
  try {
    reply = im.dispatch(request, *target, s, now, urls, client);
  } catch (const std::bad_alloc&) {
    throw;
  } catch (const std::exception&) {
    // A bug, not the client's fault; the server stays up.
    return finish(error(500, "Internal error in the fake GitHub"));
  }
  // A lost response: the effect above is committed, the client learns nothing of it.
  if (fault.fate == Fate::lost_response) return finish(error(fault.status, fault_message(fault)));
  return finish(std::move(reply));
}

json Router::save_state(Time now) const {
  const Impl& im = *impl_;
  std::lock_guard lock(im.mutex);
  json repos = json::array();
  const Urls u{"http://127.0.0.1"};
  for (const auto& [key, r] : im.repos) {
    json issues = json::array();
    for (std::int64_t n = 1; n <= r->model.issues_created(); ++n) {
      GitHubModel::IssueView v;
      r->model.view_latest_issue(n, v);
      json labels = json::array();
      for (int bit = 0; bit < r->model.label_count(); ++bit)
        if (v.labels & (GitHubModel::LabelMask{1} << bit)) labels.push_back(r->model.label_name(bit));
      issues.push_back({{"number", n},
                        {"title", v.title},
                        {"state", v.state == agent::IssueState::closed ? "closed" : "open"},
                        {"labels", labels},
                        {"comments", v.comments},
                        {"created_at", format_timestamp(im.options.unix_epoch_us + v.created_at.count())},
                        {"updated_at", format_timestamp(im.options.unix_epoch_us + v.updated_at.count())}});
    }
    repos.push_back({{"owner", r->info.owner},
                     {"name", r->info.name},
                     {"id", r->info.id},
                     {"created_unix_us", r->info.created_unix_us},
                     {"issues", std::move(issues)},
                     {"journal", r->journal}});
  }
  return {{"format", "coordsim-serve-state"},
          {"version", 1},
          {"clock_us", now.count()},
          {"unix_epoch_us", im.options.unix_epoch_us},
          {"repositories", std::move(repos)}};
}

Time Router::load_state(const json& state, const std::string& source) {
  Impl& im = *impl_;
  std::lock_guard lock(im.mutex);
  if (!im.repos.empty()) throw std::logic_error("load_state on a router that has state");
  std::string where = "/";
  try {
    if (!state.is_object() || state.value("format", "") != "coordsim-serve-state")
      throw InputError(source, "not a coordsim serve state file (no \"format\": \"coordsim-serve-state\")");
    if (state.at("version").get<int>() != 1)
      throw InputError(source + ": /version", "unsupported state file version " + state.at("version").dump());
    const auto& repos = state.at("repositories");
    for (std::size_t i = 0; i < repos.size(); ++i) {
      where = "/repositories/" + std::to_string(i);
      const json& jr = repos.at(i);
      const std::string owner = jr.at("owner").get<std::string>(), name = jr.at("name").get<std::string>();
      if (!valid_name(owner) || !valid_name(name) || im.find_repo(owner, name))
        throw std::invalid_argument("invalid or repeated repository name");
      auto r = std::make_unique<Repository>();
      r->info = {jr.at("id").get<std::int64_t>(), owner, name, jr.at("created_unix_us").get<std::int64_t>()};
      im.next_repo_id = std::max(im.next_repo_id, r->info.id + 1);
      const json& journal = jr.at("journal");
      for (std::size_t k = 0; k < journal.size(); ++k) {
        where = "/repositories/" + std::to_string(i) + "/journal/" + std::to_string(k);
        im.replay(*r, journal.at(k));
      }
      im.repos.emplace(to_lower(owner) + "/" + to_lower(name), std::move(r));
    }
    return Time(state.at("clock_us").get<std::int64_t>());
  } catch (const InputError&) {
    throw;
  } catch (const std::exception& e) {
    throw InputError(source + ": " + where, std::string("invalid state: ") + e.what());
  }
}

}  // namespace coordsim::sim::http
