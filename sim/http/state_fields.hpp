#pragma once
// Checking a `coordsim serve --state` document before it is replayed: every
// field a repository or a journal entry needs, with its type and range, so a
// hand-edited or corrupt state is refused with the JSON pointer and what was
// expected ("state.json: /repositories/0/id: expected an integer, got string
// \"1\"") instead of nlohmann's own words ("[json.exception.type_error.302]
// type must be number, but is string"). What the journal means (an update of
// a missing issue, a ref that cannot apply) is replay_entry's to say.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace coordsim::sim::http {

// A state file is read up to this size (sim::read_input_file). The journal
// holds every write since the state began, a few hundred bytes each: 256 MiB is
// about a million writes, far past a test session, and still a file the server
// could hold in memory when it wrote it.
inline constexpr std::size_t kMaxStateBytes = std::size_t{256} << 20;

// Times, lags and epoch offsets in a state are microseconds in [0, 2^61]
// (agent::kSaturatedUs): any two add up without overflow (the model adds a
// commit time and its lag).
inline constexpr std::int64_t kMaxStateMicroseconds = std::int64_t{1} << 61;

// The field `key` of the object `object` at `pointer`, which must be there.
// Throws InputError("SOURCE: POINTER/KEY", "missing ...").
const nlohmann::json& state_field(const nlohmann::json& object, std::string_view key, const std::string& pointer,
                                  const std::string& source);

// An integer in [min, max] (no fraction, not a string), or InputError naming it.
std::int64_t state_integer(const nlohmann::json& value, std::int64_t min, std::int64_t max,
                           const std::string& pointer, const std::string& source);

// The top level and each repository's fields (not the journal's entries).
void check_state_document(const nlohmann::json& state, const std::string& source);
// One journal entry at `pointer`: its op and the fields that op reads.
void check_journal_entry(const nlohmann::json& entry, const std::string& pointer, const std::string& source);

// An exception's message without nlohmann's "[json.exception.type_error.302] "
// prefix, for what the checks above did not foresee.
std::string without_library_prefix(std::string_view message);

}  // namespace coordsim::sim::http
