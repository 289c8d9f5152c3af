#pragma once
// Every repository `coordsim serve` holds, by name, the server-wide commit
// clock, and the --state files: the snapshot FILE (each repository's journal
// and, for people reading the file, its issues as they stand) and the
// write-ahead journal FILE.journal (journal.hpp) of the writes since it, both
// replayed on load.
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "agent/time.hpp"
#include "sim/http/repository.hpp"

namespace coordsim::sim::http {

class Journal;

inline constexpr std::size_t kMaxRepositories = 10'000;
// Issue ids are the repository id times 10^9 plus the number: below this id
// they stay under 2^53, exact as JavaScript numbers (Octokit).
inline constexpr std::int64_t kMaxRepositoryId = 9'000'000;
// Model times (µs) and lags in state files: up to 100 years. Larger values are
// not a clock: an issue committed at INT64_MAX would never show.
inline constexpr std::int64_t kMaxStateTimeUs = 100LL * 366 * 24 * 3600 * 1'000'000;

struct RepositoryStore {
  std::map<std::string, std::unique_ptr<Repository>> repos;  // by lower-case "owner/name"
  std::int64_t next_repo_id = 1;
  std::atomic<std::int64_t> last_commit{-1};  // µs of model time
  std::uint64_t journal_seq = 0;              // the last journal line the store holds
};

std::string repo_key(std::string_view owner, std::string_view name);
Repository* find_repo(RepositoryStore& store, std::string_view owner, std::string_view name);
// A repository as it is before its first write, not yet in the store: reads
// of a repository nobody wrote to answer from one, and a first write adds it
// (add_repo). Nullptr for an invalid name.
std::unique_ptr<Repository> unborn_repo(const RepositoryStore& store, std::string_view owner,
                                        std::string_view name, agent::Time now, std::int64_t unix_epoch_us);
// Adds a repository made by unborn_repo, taking its id. False past kMaxRepositories.
bool add_repo(RepositoryStore& store, std::unique_ptr<Repository> r);
// Commit times strictly increase, as issue numbers do, even within one
// microsecond; safe from any thread.
agent::Time commit_time(RepositoryStore& store, agent::Time now);

// Journals the repository's entries from index `from` on (preceded by the
// repository itself when `born`: its first write); records the last line's
// number in r.journal_seq. The caller holds the repository exclusively, so
// each repository's lines are in its commit order.
void journal_writes(Journal& journal, Repository& r, std::size_t from, bool born);

nlohmann::json save_state(const RepositoryStore& store, agent::Time now, std::int64_t unix_epoch_us);
// Into an empty store; returns the saved clock. Throws InputError naming `source`.
agent::Time load_state(RepositoryStore& store, const nlohmann::json& state, const std::string& source);
// Replays FILE.journal into a store loaded from the snapshot (or empty):
// lines the snapshot already holds are skipped. Returns the clock to continue
// from: after the last commit. Throws InputError naming the file and line.
agent::Time replay_journal(RepositoryStore& store, const std::string& path, agent::Time clock);

}  // namespace coordsim::sim::http
