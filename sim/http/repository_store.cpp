#include "sim/http/repository_store.hpp"

#include <algorithm>
#include <set>
#include <stdexcept>

#include "sim/http/journal.hpp"
#include "sim/http/query.hpp"
#include "sim/http/request_fields.hpp"
#include "sim/http/state_fields.hpp"
#include "sim/input/input_error.hpp"

namespace coordsim::sim::http {

using agent::Duration;
using agent::Time;
using nlohmann::json;

namespace {

// Wall-clock µs up to the year 2100.
constexpr std::int64_t kMaxUnixUs = 4'102'444'800'000'000;

std::string text(std::int64_t v) { return std::to_string(v); }

// A value that parses but means nothing as a time, id or lag would be
// accepted by the replay and break the server later (an issue committed at
// INT64_MAX never shows): refuse it, naming its JSON path. Non-integers are
// left to the replay's own type checks.
void check_range(const json& parent, const char* key, std::int64_t lo, std::int64_t hi, const std::string& where,
                 const char* expected) {
  if (!parent.is_object() || !parent.contains(key) || !parent[key].is_number_integer()) return;
  const json& v = parent[key];
  const bool ok = v.is_number_unsigned() ? v.get<std::uint64_t>() <= static_cast<std::uint64_t>(hi) &&
                                               static_cast<std::int64_t>(v.get<std::uint64_t>()) >= lo
                                         : v.get<std::int64_t>() >= lo && v.get<std::int64_t>() <= hi;
  if (!ok)
    throw InputError(where + "/" + key, v.dump() + " is out of range: expected " + expected + " (" + text(lo) +
                                            " to " + text(hi) + ")");
}

// A journal entry's commit time, lags and order: each repository's entries
// are in commit order, strictly increasing, as the server wrote them.
void check_entry(const json& e, Repository& r, const std::string& where) {
  check_range(e, "c", 0, kMaxStateTimeUs, where, "a commit time in µs of model time");
  check_range(e, "lag", 0, kMaxStateTimeUs, where, "a lag in µs");
  if (e.is_object() && e.contains("lags") && e["lags"].is_array())
    for (std::size_t i = 0; i < e["lags"].size(); ++i)
      if (e["lags"][i].is_number_integer() &&
          (e["lags"][i].get<std::int64_t>() < 0 || e["lags"][i].get<std::int64_t>() > kMaxStateTimeUs))
        throw InputError(where + "/lags/" + std::to_string(i),
                         e["lags"][i].dump() + " is out of range: expected a lag in µs (0 to " +
                             text(kMaxStateTimeUs) + ")");
  if (e.is_object() && e.contains("c") && e["c"].is_number_integer()) {
    const Time c(e["c"].get<std::int64_t>());
    if (c <= r.replayed_commit)
      throw InputError(where + "/c", "out of order: commit time " + text(c.count()) +
                                         " is not after the previous entry's " + text(r.replayed_commit.count()) +
                                         " (entries are in commit order)");
    r.replayed_commit = c;
  }
}

Time apply_checked(RepositoryStore& store, Repository& r, const json& e, const std::string& where) {
  check_entry(e, r, where);
  const Time c = replay_entry(r, e);
  if (c > Time(store.last_commit.load())) store.last_commit = c.count();
  return c;
}

void check_repo(const RepositoryStore& store, const json& jr, const std::string& where) {
  check_range(jr, "id", 1, kMaxRepositoryId, where, "a repository id");
  check_range(jr, "created_unix_us", 0, kMaxUnixUs, where, "wall-clock µs");
  if (jr.is_object() && jr.contains("id") && jr["id"].is_number_integer())
    for (const auto& [key, r] : store.repos)
      if (r->info.id == jr["id"].get<std::int64_t>())
        throw InputError(where + "/id", "repository id " + jr["id"].dump() + " is also " + key + "'s");
}

}  // namespace

std::string repo_key(std::string_view owner, std::string_view name) {
  return to_lower(owner) + "/" + to_lower(name);
}

Repository* find_repo(RepositoryStore& store, std::string_view owner, std::string_view name) {
  auto it = store.repos.find(repo_key(owner, name));
  return it == store.repos.end() ? nullptr : it->second.get();
}

std::unique_ptr<Repository> unborn_repo(const RepositoryStore& store, std::string_view owner,
                                        std::string_view name, Time now, std::int64_t unix_epoch_us) {
  if (!valid_name(owner) || !valid_name(name)) return nullptr;
  auto r = std::make_unique<Repository>();
  r->info = {store.next_repo_id, std::string(owner), std::string(name), unix_epoch_us + now.count()};
  return r;
}

bool add_repo(RepositoryStore& store, std::unique_ptr<Repository> r) {
  if (store.repos.size() >= kMaxRepositories) return false;
  store.next_repo_id = std::max(store.next_repo_id, r->info.id + 1);
  const std::string key = repo_key(r->info.owner, r->info.name);
  store.repos.emplace(key, std::move(r));
  return true;
}

Time commit_time(RepositoryStore& store, Time now) {
  std::int64_t last = store.last_commit.load(std::memory_order_relaxed);
  std::int64_t next = 0;
  do {
    next = std::max(now.count(), last + 1);
  } while (!store.last_commit.compare_exchange_weak(last, next, std::memory_order_relaxed));
  return Time(next);
}

void journal_writes(Journal& journal, Repository& r, std::size_t from, bool born) {
  const std::string key = repo_key(r.info.owner, r.info.name);
  if (born)
    r.journal_seq = journal.append(json{{"op", "repository"},
                                        {"owner", r.info.owner},
                                        {"name", r.info.name},
                                        {"id", r.info.id},
                                        {"created_unix_us", r.info.created_unix_us}}
                                       .dump(-1, ' ', false, json::error_handler_t::replace));
  for (std::size_t i = from; i < r.journal.size(); ++i)
    r.journal_seq = journal.append(
        json{{"repo", key}, {"entry", r.journal[i]}}.dump(-1, ' ', false, json::error_handler_t::replace));
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
          {"journal_seq", store.journal_seq},
          {"repositories", std::move(repos)}};
}

Time load_state(RepositoryStore& store, const json& state, const std::string& source) {
  if (!store.repos.empty()) throw std::logic_error("load_state on a router that has state");
  // json::value() with a string default throws its own type_error when the
  // member is there but not a string ("format": 1): test the type first.
  const auto format = state.is_object() ? state.find("format") : state.end();
  if (!state.is_object() || format == state.end() || !format->is_string() ||
      format->get_ref<const std::string&>() != "coordsim-serve-state")
    throw InputError(source, "not a coordsim serve state file (no \"format\": \"coordsim-serve-state\")");
  // Types and ranges first, with the JSON pointer (state_fields.hpp); what
  // the entries mean is checked as they replay.
  check_state_document(state, source);
  if (state["version"] != 1)
    throw InputError(source + ": /version", "unsupported state file version " + state["version"].dump());
  std::string where = "/";
  try {
    check_range(state, "clock_us", 0, kMaxStateTimeUs, source + ": ", "µs of model time");
    check_range(state, "journal_seq", 0, INT64_MAX, source + ": ", "a journal line number");
    const auto& repos = state.at("repositories");
    for (std::size_t i = 0; i < repos.size(); ++i) {
      where = "/repositories/" + std::to_string(i);
      const json& jr = repos.at(i);
      check_repo(store, jr, source + ": " + where);
      const std::string owner = jr.at("owner").get<std::string>(), name = jr.at("name").get<std::string>();
      if (!valid_name(owner) || !valid_name(name) || find_repo(store, owner, name))
        throw std::invalid_argument("invalid or repeated repository name");
      auto r = std::make_unique<Repository>();
      r->info = {jr["id"].get<std::int64_t>(), owner, name, jr["created_unix_us"].get<std::int64_t>()};
      store.next_repo_id = std::max(store.next_repo_id, r->info.id + 1);
      const json& journal = jr["journal"];
      for (std::size_t k = 0; k < journal.size(); ++k) {
        where = "/repositories/" + std::to_string(i) + "/journal/" + std::to_string(k);
        check_journal_entry(journal[k], where, source);
        apply_checked(store, *r, journal.at(k), source + ": " + where);
      }
      store.repos.emplace(repo_key(owner, name), std::move(r));
    }
    const Time clock(state.at("clock_us").get<std::int64_t>());
    if (clock.count() < store.last_commit)
      throw InputError(source + ": /clock_us", "the clock " + text(clock.count()) +
                                                   " is before the last commit " + text(store.last_commit) +
                                                   ": expected the time the state was saved");
    if (state.contains("journal_seq")) store.journal_seq = state.at("journal_seq").get<std::uint64_t>();
    return clock;
  } catch (const InputError&) {
    throw;
  } catch (const std::exception& e) {
    throw InputError(source + ": " + where, "invalid state: " + without_library_prefix(e.what()));
  }
}

Time replay_journal(RepositoryStore& store, const std::string& path, Time clock) {
  std::uint64_t previous = store.journal_seq;
  const std::uint64_t skip_through = store.journal_seq;
  read_journal(path, [&](std::uint64_t line, const json& doc) {
    const std::string where = path + ": line " + std::to_string(line);
    try {
      const std::uint64_t seq = doc.at("seq").get<std::uint64_t>();
      if (seq <= skip_through) return;  // in the snapshot already (a crash during compaction)
      if (seq <= previous)
        throw InputError(where + ": /seq",
                         "out of order: line number " + text(static_cast<std::int64_t>(seq)) + " after " +
                             text(static_cast<std::int64_t>(previous)));
      previous = seq;
      if (doc.contains("op")) {
        if (doc.at("op") != "repository") throw InputError(where + ": /op", "expected \"repository\" or an entry");
        check_repo(store, doc, where);
        const std::string owner = doc.at("owner").get<std::string>(), name = doc.at("name").get<std::string>();
        if (!valid_name(owner) || !valid_name(name) || find_repo(store, owner, name))
          throw InputError(where + ": /name", "invalid or repeated repository name");
        auto r = std::make_unique<Repository>();
        r->info = {doc.at("id").get<std::int64_t>(), owner, name, doc.at("created_unix_us").get<std::int64_t>()};
        if (!add_repo(store, std::move(r)))
          throw InputError(where, "more than " + std::to_string(kMaxRepositories) + " repositories");
      } else {
        auto it = store.repos.find(doc.at("repo").get<std::string>());
        if (it == store.repos.end()) throw InputError(where + ": /repo", "no such repository before this line");
        apply_checked(store, *it->second, doc.at("entry"), where + ": /entry");
      }
      store.journal_seq = seq;
    } catch (const InputError&) {
      throw;
    } catch (const std::exception& e) {
      throw InputError(where, std::string("invalid journal entry: ") + e.what());
    }
  });
  return std::max(clock, Time(store.last_commit + 1));
}

}  // namespace coordsim::sim::http
