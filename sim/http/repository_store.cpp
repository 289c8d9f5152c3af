#include "sim/http/repository_store.hpp"

#include <algorithm>
#include <stdexcept>

#include "sim/http/query.hpp"
#include "sim/http/request_fields.hpp"
#include "sim/http/state_fields.hpp"
#include "sim/input/input_error.hpp"

namespace coordsim::sim::http {

using agent::Duration;
using agent::Time;
using nlohmann::json;

namespace {
std::string repo_key(std::string_view owner, std::string_view name) {
  return to_lower(owner) + "/" + to_lower(name);
}
}  // namespace

Repository* find_repo(RepositoryStore& store, std::string_view owner, std::string_view name) {
  auto it = store.repos.find(repo_key(owner, name));
  return it == store.repos.end() ? nullptr : it->second.get();
}

Repository* use_repo(RepositoryStore& store, std::string_view owner, std::string_view name, Time now,
                     std::int64_t unix_epoch_us) {
  if (!valid_name(owner) || !valid_name(name)) return nullptr;
  if (Repository* r = find_repo(store, owner, name)) return r;
  if (store.repos.size() >= kMaxRepositories) return nullptr;
  auto r = std::make_unique<Repository>();
  r->info = {store.next_repo_id++, std::string(owner), std::string(name), unix_epoch_us + now.count()};
  Repository* out = r.get();
  store.repos.emplace(repo_key(owner, name), std::move(r));
  return out;
}

Time commit_time(RepositoryStore& store, Time now) {
  store.last_commit = std::max(now, store.last_commit + Duration(1));
  return store.last_commit;
}

json save_state(const RepositoryStore& store, Time now, std::int64_t unix_epoch_us) {
  json repos = json::array();
  for (const auto& [key, r] : store.repos) {
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
                        {"created_at", format_timestamp(unix_epoch_us + v.created_at.count())},
                        {"updated_at", format_timestamp(unix_epoch_us + v.updated_at.count())}});
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
          {"unix_epoch_us", unix_epoch_us},
          {"repositories", std::move(repos)}};
}

Time load_state(RepositoryStore& store, const json& state, const std::string& source) {
  if (!store.repos.empty()) throw std::logic_error("load_state on a router that has state");
  if (!state.is_object() || state.value("format", "") != "coordsim-serve-state")
    throw InputError(source, "not a coordsim serve state file (no \"format\": \"coordsim-serve-state\")");
  // Types and ranges first, with the JSON pointer (state_fields.hpp); what
  // the entries mean is checked as they replay.
  check_state_document(state, source);
  if (state["version"] != 1)
    throw InputError(source + ": /version", "unsupported state file version " + state["version"].dump());
  std::string where = "/";
  try {
    const auto& repos = state["repositories"];
    for (std::size_t i = 0; i < repos.size(); ++i) {
      where = "/repositories/" + std::to_string(i);
      const json& jr = repos[i];
      const std::string owner = jr["owner"].get<std::string>(), name = jr["name"].get<std::string>();
      if (!valid_name(owner) || !valid_name(name) || find_repo(store, owner, name))
        throw std::invalid_argument("invalid or repeated repository name");
      auto r = std::make_unique<Repository>();
      r->info = {jr["id"].get<std::int64_t>(), owner, name, jr["created_unix_us"].get<std::int64_t>()};
      store.next_repo_id = std::max(store.next_repo_id, r->info.id + 1);
      const json& journal = jr["journal"];
      for (std::size_t k = 0; k < journal.size(); ++k) {
        where = "/repositories/" + std::to_string(i) + "/journal/" + std::to_string(k);
        check_journal_entry(journal[k], where, source);
        store.last_commit = std::max(store.last_commit, replay_entry(*r, journal[k]));
      }
      store.repos.emplace(repo_key(owner, name), std::move(r));
    }
    return Time(state["clock_us"].get<std::int64_t>());
  } catch (const InputError&) {
    throw;
  } catch (const std::exception& e) {
    throw InputError(source + ": " + where, "invalid state: " + without_library_prefix(e.what()));
  }
}

}  // namespace coordsim::sim::http
