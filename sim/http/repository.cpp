#include "sim/http/repository.hpp"

#include <algorithm>
#include <stdexcept>

#include <openssl/evp.h>

#include "sim/http/query.hpp"
#include "sim/model/labels.hpp"

namespace coordsim::sim::http {

using agent::Duration;
using agent::Time;
using nlohmann::json;

namespace {

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

std::string hex(const unsigned char* p, unsigned n) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < n; ++i) {
    out += kHex[p[i] >> 4];
    out += kHex[p[i] & 15];
  }
  return out;
}

// Labels take the spelling of an existing label (GitHub's names are
// case-insensitive); a new name creates the label, as GitHub does.
std::vector<std::string> canonical_labels(Repository& r, const std::vector<std::string>& names) {
  std::vector<std::string> out;
  for (const std::string& n : names) {
    const LabelInfo* l = find_label(r, n);
    if (!l) {
      apply_label(r, LabelInfo{0, n, "ededed", "", false});
      l = &r.labels.back();
    }
    if (std::find(out.begin(), out.end(), l->name) == out.end()) out.push_back(l->name);
  }
  return out;
}

}  // namespace

const LabelInfo* find_label(const Repository& r, std::string_view name) {
  for (const LabelInfo& l : r.labels)
    if (same_label(l.name, name)) return &l;
  return nullptr;
}

void apply_label(Repository& r, LabelInfo l) {
  l.id = issue_id(r.info, 0) + 900'000'000 + static_cast<std::int64_t>(r.labels.size()) + 1;
  r.journal.push_back({{"op", "label"},
                       {"name", l.name},
                       {"color", l.color},
                       {"description", l.has_description ? json(l.description) : json(nullptr)}});
  r.labels.push_back(std::move(l));
  ++r.labels_epoch;
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

bool apply_update_issue(Repository& r, Time c, std::int64_t number, agent::IssuePatch patch, const Lags& lags,
                        GitHubModel::CloseReason reason) {
  if (patch.set_labels) patch.labels = canonical_labels(r, patch.labels);
  if (!r.model.update_issue(c, number, patch, lags, reason)) return false;
  json e = {{"op", "update_issue"}, {"c", c.count()}, {"lags", lags_json(lags)}, {"number", number}};
  if (patch.set_state) e["state"] = patch.state == agent::IssueState::closed ? "closed" : "open";
  if (reason == GitHubModel::CloseReason::not_planned) e["state_reason"] = "not_planned";
  if (patch.set_title) e["title"] = patch.title;
  if (patch.set_body) e["body"] = patch.body;
  if (patch.set_labels) e["labels"] = patch.labels;
  r.journal.push_back(std::move(e));
  return true;
}

std::int64_t apply_comment(Repository& r, Time c, std::int64_t number, const std::string& body,
                           const Lags& lags) {
  const std::int64_t id = r.model.add_comment(c, number, body, lags);
  if (id)
    r.journal.push_back(
        {{"op", "comment"}, {"c", c.count()}, {"lags", lags_json(lags)}, {"number", number}, {"body", body}});
  return id;
}

bool apply_update_comment(Repository& r, Time c, std::int64_t id, const std::string& body, const Lags& lags) {
  if (!r.model.update_comment(c, id, body, lags)) return false;
  r.journal.push_back(
      {{"op", "update_comment"}, {"c", c.count()}, {"lags", lags_json(lags)}, {"id", id}, {"body", body}});
  return true;
}

bool apply_delete_comment(Repository& r, Time c, std::int64_t id, const Lags& lags) {
  if (!r.model.delete_comment(c, id, lags)) return false;
  r.journal.push_back({{"op", "delete_comment"}, {"c", c.count()}, {"lags", lags_json(lags)}, {"id", id}});
  return true;
}

bool apply_ref(Repository& r, const std::string& op, Time c, const std::string& ref, const std::string& sha,
               Duration lag) {
  bool ok = false;
  if (op == "create_ref") ok = r.model.create_ref(c, ref, sha, lag);
  if (op == "update_ref") ok = r.model.update_ref(c, ref, sha, lag);
  if (op == "delete_ref") ok = r.model.delete_ref(c, ref, lag);
  if (ok) r.journal.push_back({{"op", op}, {"c", c.count()}, {"lag", lag.count()}, {"ref", ref}, {"sha", sha}});
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

void apply_delete_content(Repository& r, Time c, const std::string& path, Duration lag) {
  r.contents[path].push_back(ContentVersion{c + lag, "", "", true});
  r.journal.push_back({{"op", "delete_content"}, {"c", c.count()}, {"lag", lag.count()}, {"path", path}});
}

const ContentVersion* latest_content(const Repository& r, const std::string& path) {
  const auto it = r.contents.find(path);
  if (it == r.contents.end() || it->second.empty() || it->second.back().deleted) return nullptr;
  return &it->second.back();
}

const std::string& apply_blob(Repository& r, const std::string& content) {
  std::string sha = git_blob_sha(content);
  const auto [it, added] = r.blobs.emplace(std::move(sha), content);
  if (added) r.journal.push_back({{"op", "blob"}, {"content_base64", base64_encode(content)}});
  return it->first;
}

std::string git_commit_sha(const StoredCommit& c) {
  const std::string who = std::string(kServeCommitterName) + " <" + std::string(kServeCommitterEmail) + "> " +
                          std::to_string(c.unix_s) + " +0000\n";
  std::string body = "tree " + c.tree + "\n";
  for (const std::string& p : c.parents) body += "parent " + p + "\n";
  body += "author " + who + "committer " + who + "\n" + c.message;
  return git_object_sha("commit", body);
}

const std::string& apply_commit(Repository& r, StoredCommit commit) {
  std::string sha = git_commit_sha(commit);
  const auto [it, added] = r.commits.emplace(std::move(sha), std::move(commit));
  if (added) {
    const StoredCommit& c = it->second;
    r.journal.push_back({{"op", "commit"},
                         {"sha", it->first},
                         {"tree", c.tree},
                         {"parents", c.parents},
                         {"message", c.message},
                         {"unix_s", c.unix_s}});
  }
  return it->first;
}

bool is_object_id(std::string_view s) {
  if (s.size() != 40 && s.size() != 64) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

std::string_view object_type(const Repository& r, std::string_view sha) {
  return r.blobs.count(std::string(sha)) ? "blob" : "commit";
}

Time replay_entry(Repository& r, const json& e) {
  const std::string op = e.at("op").get<std::string>();
  const auto time = [&] { return Time(e.at("c").get<std::int64_t>()); };
  if (op == "label") {
    LabelInfo l{0, e.at("name").get<std::string>(), e.at("color").get<std::string>(), "", false};
    if (!e.at("description").is_null()) {
      l.description = e.at("description").get<std::string>();
      l.has_description = true;
    }
    if (!find_label(r, l.name)) apply_label(r, std::move(l));
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
    const auto reason = e.contains("state_reason") && e.at("state_reason") == "not_planned"
                            ? GitHubModel::CloseReason::not_planned
                            : GitHubModel::CloseReason::completed;
    if (!apply_update_issue(r, time(), e.at("number").get<std::int64_t>(), std::move(p), lags_from(e), reason))
      throw std::invalid_argument("update of a missing issue");
  } else if (op == "comment") {
    if (!apply_comment(r, time(), e.at("number").get<std::int64_t>(), e.at("body").get<std::string>(),
                       lags_from(e)))
      throw std::invalid_argument("comment on a missing issue");
  } else if (op == "update_comment") {
    if (!apply_update_comment(r, time(), e.at("id").get<std::int64_t>(), e.at("body").get<std::string>(),
                              lags_from(e)))
      throw std::invalid_argument("edit of a missing comment");
  } else if (op == "delete_comment") {
    if (!apply_delete_comment(r, time(), e.at("id").get<std::int64_t>(), lags_from(e)))
      throw std::invalid_argument("delete of a missing comment");
  } else if (op == "delete_content") {
    const std::string path = e.at("path").get<std::string>();
    if (!latest_content(r, path)) throw std::invalid_argument("delete of a missing file");
    apply_delete_content(r, time(), path, Duration(e.at("lag").get<std::int64_t>()));
  } else if (op == "create_ref" || op == "update_ref" || op == "delete_ref") {
    if (!apply_ref(r, op, time(), e.at("ref").get<std::string>(), e.at("sha").get<std::string>(),
                   Duration(e.at("lag").get<std::int64_t>())))
      throw std::invalid_argument(op + " that cannot apply");
  } else if (op == "blob") {
    auto content = base64_decode(e.at("content_base64").get<std::string>());
    if (!content) throw std::invalid_argument("content_base64 is not base64");
    apply_blob(r, *content);
  } else if (op == "commit") {
    StoredCommit c{e.at("tree").get<std::string>(), e.at("parents").get<std::vector<std::string>>(),
                   e.at("message").get<std::string>(), e.at("unix_s").get<std::int64_t>()};
    // What POST git/commits checks, so a replayed commit is one it could have made.
    if (!is_object_id(c.tree)) throw std::invalid_argument("commit whose tree is not an object id");
    for (const std::string& p : c.parents)
      if (!is_object_id(p)) throw std::invalid_argument("commit whose parent is not an object id");
    if (git_commit_sha(c) != e.at("sha").get<std::string>())
      throw std::invalid_argument("commit whose sha is not its content's");
    apply_commit(r, std::move(c));
  } else if (op == "content") {
    auto content = base64_decode(e.at("content_base64").get<std::string>());
    if (!content) throw std::invalid_argument("content_base64 is not base64");
    apply_content(r, time(), e.at("path").get<std::string>(), *content,
                  Duration(e.at("lag").get<std::int64_t>()));
  } else {
    throw std::invalid_argument("unknown op \"" + op + "\"");
  }
  return e.contains("c") ? time() : Time(-1);
}

std::string git_object_sha(std::string_view type, std::string_view content) {
  const std::string header = std::string(type) + " " + std::to_string(content.size()) + std::string(1, '\0');
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

std::string git_blob_sha(std::string_view content) { return git_object_sha("blob", content); }

void append_issue_text(const Urls& u, const Repository& r, const GitHubModel::IssueView& v,
                       std::int64_t unix_epoch_us, std::string& out) {
  // A bound on the cache: past it, start again (a simple bound; renderings are
  // cheap to redo, and the working set of a poller is its page).
  constexpr std::size_t kMaxRenderedBytes = std::size_t{64} << 20;
  std::shared_ptr<const RenderedIssue> hit;
  if (v.version >= 0) {
    std::lock_guard lock(r.rendered_mutex);
    const auto it = r.rendered.find(v.version);
    if (it != r.rendered.end() && it->second->origin == u.origin && it->second->labels_epoch == r.labels_epoch)
      hit = it->second;
  }
  if (!hit) {
    GitHubModel::IssueView zero = v;
    zero.comments = 0;
    const std::string text = issue_of(u, r, zero, unix_epoch_us).dump(-1, ' ', false, json::error_handler_t::replace);
    // The first `,"comments":` is the issue's own member: inside a string a
    // quote is escaped, and no nested object (user, labels) has that key.
    static constexpr std::string_view kKey = ",\"comments\":0";
    const std::size_t at = text.find(kKey);
    if (at == std::string::npos || v.version < 0) {
      out += issue_of(u, r, v, unix_epoch_us).dump(-1, ' ', false, json::error_handler_t::replace);
      return;
    }
    auto made = std::make_shared<RenderedIssue>();
    made->origin = u.origin;
    made->labels_epoch = r.labels_epoch;
    made->before_comments = text.substr(0, at + kKey.size() - 1);
    made->after_comments = text.substr(at + kKey.size());
    hit = made;
    std::lock_guard lock(r.rendered_mutex);
    if (r.rendered_bytes > kMaxRenderedBytes) {
      r.rendered.clear();
      r.rendered_bytes = 0;
    }
    r.rendered_bytes += text.size() + u.origin.size() + 64;
    r.rendered[v.version] = std::move(made);
  }
  out += hit->before_comments;
  out += std::to_string(v.comments);
  out += hit->after_comments;
}

json issue_of(const Urls& u, const Repository& r, const GitHubModel::IssueView& v, std::int64_t unix_epoch_us) {
  json labels = json::array();
  for (int bit = 0; bit < r.model.label_count(); ++bit) {
    if (!(v.labels & (GitHubModel::LabelMask{1} << bit))) continue;
    const std::string& name = r.model.label_name(bit);
    const LabelInfo* l = find_label(r, name);
    labels.push_back(label_json(u, r.info, l ? *l : LabelInfo{0, name, "ededed", "", false}));
  }
  return issue_json(u, r.info, v, std::move(labels), unix_epoch_us);
}

}  // namespace coordsim::sim::http
