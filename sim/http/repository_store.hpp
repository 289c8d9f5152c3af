#pragma once
// Every repository `coordsim serve` holds, by name, the server-wide commit
// clock, and the --state file: each repository's journal (and, for people
// reading the file, its issues as they stand), replayed on load.
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "agent/time.hpp"
#include "sim/http/repository.hpp"

namespace coordsim::sim::http {

inline constexpr std::size_t kMaxRepositories = 10'000;

struct RepositoryStore {
  std::map<std::string, std::unique_ptr<Repository>> repos;  // by lower-case "owner/name"
  std::int64_t next_repo_id = 1;
  agent::Time last_commit{-1};
};

Repository* find_repo(RepositoryStore& store, std::string_view owner, std::string_view name);
// Any valid name works: a repository exists from its first use. Nullptr for
// an invalid name or past kMaxRepositories.
Repository* use_repo(RepositoryStore& store, std::string_view owner, std::string_view name, agent::Time now,
                     std::int64_t unix_epoch_us);
// Commit times strictly increase, as issue numbers do, even within one microsecond.
agent::Time commit_time(RepositoryStore& store, agent::Time now);

nlohmann::json save_state(const RepositoryStore& store, agent::Time now, std::int64_t unix_epoch_us);
// Into an empty store; returns the saved clock. Throws InputError naming `source`.
agent::Time load_state(RepositoryStore& store, const nlohmann::json& state, const std::string& source);

}  // namespace coordsim::sim::http
