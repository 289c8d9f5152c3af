#include "sim/http/state_fields.hpp"

#include <limits>

#include "sim/input/input_error.hpp"

namespace coordsim::sim::http {

using nlohmann::json;

namespace {

std::string got(const json& v) {
  switch (v.type()) {
    case json::value_t::string: {
      std::string s = v.get<std::string>();
      if (s.size() > 40) s = s.substr(0, 40) + "...";
      return "string " + json(s).dump(-1, ' ', false, json::error_handler_t::replace);
    }
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float: return "number " + v.dump();
    case json::value_t::boolean: return "boolean " + v.dump();
    case json::value_t::null: return "null";
    case json::value_t::array: return "an array";
    case json::value_t::object: return "an object";
    default: return "an invalid value";
  }
}

// "state.json: /repositories/0/id", or the file alone for the top level.
std::string at(const std::string& source, const std::string& pointer) {
  return pointer.empty() ? source : source + ": " + pointer;
}

[[noreturn]] void expected(const std::string& what, const json& v, const std::string& pointer,
                           const std::string& source) {
  throw InputError(at(source, pointer), "expected " + what + ", got " + got(v));
}

const json& string_at(const json& o, std::string_view key, const std::string& pointer, const std::string& source) {
  const json& v = state_field(o, key, pointer, source);
  if (!v.is_string()) expected("a string", v, pointer + "/" + std::string(key), source);
  return v;
}

void strings_at(const json& o, std::string_view key, const std::string& pointer, const std::string& source) {
  const std::string p = pointer + "/" + std::string(key);
  const json& v = state_field(o, key, pointer, source);
  if (!v.is_array()) expected("an array of strings", v, p, source);
  for (std::size_t i = 0; i < v.size(); ++i)
    if (!v[i].is_string()) expected("a string", v[i], p + "/" + std::to_string(i), source);
}

void time_at(const json& o, std::string_view key, const std::string& pointer, const std::string& source) {
  (void)state_integer(state_field(o, key, pointer, source), 0, kMaxStateMicroseconds,
                      pointer + "/" + std::string(key), source);
}

void lags_at(const json& o, const std::string& pointer, const std::string& source) {
  const std::string p = pointer + "/lags";
  const json& v = state_field(o, "lags", pointer, source);
  if (!v.is_array() || v.size() != 4) expected("an array of 4 lags (microseconds)", v, p, source);
  for (std::size_t i = 0; i < v.size(); ++i)
    (void)state_integer(v[i], 0, kMaxStateMicroseconds, p + "/" + std::to_string(i), source);
}

void issue_number_at(const json& o, const std::string& pointer, const std::string& source) {
  (void)state_integer(state_field(o, "number", pointer, source), 1, std::numeric_limits<std::int64_t>::max(),
                      pointer + "/number", source);
}

}  // namespace

const json& state_field(const json& object, std::string_view key, const std::string& pointer,
                        const std::string& source) {
  if (!object.is_object()) expected("an object", object, pointer, source);
  const auto it = object.find(key);
  if (it == object.end())
    throw InputError(at(source, pointer), "missing \"" + std::string(key) + "\"");
  return *it;
}

std::int64_t state_integer(const json& value, std::int64_t min, std::int64_t max, const std::string& pointer,
                           const std::string& source) {
  const std::string range = "an integer from " + std::to_string(min) + " to " + std::to_string(max);
  if (!value.is_number_integer()) expected(value.is_number() ? range : "an integer", value, pointer, source);
  if (value.is_number_unsigned() && value.get<std::uint64_t>() > static_cast<std::uint64_t>(max))
    expected(range, value, pointer, source);
  const auto n = value.get<std::int64_t>();
  if (n < min || n > max) expected(range, value, pointer, source);
  return n;
}

void check_state_document(const json& state, const std::string& source) {
  (void)state_integer(state_field(state, "version", "", source), std::numeric_limits<std::int64_t>::min(),
                      std::numeric_limits<std::int64_t>::max(), "/version", source);
  time_at(state, "clock_us", "", source);
  const json& repos = state_field(state, "repositories", "", source);
  if (!repos.is_array()) expected("an array of repositories", repos, "/repositories", source);
  for (std::size_t i = 0; i < repos.size(); ++i) {
    const std::string p = "/repositories/" + std::to_string(i);
    if (!repos[i].is_object()) expected("an object", repos[i], p, source);
    (void)string_at(repos[i], "owner", p, source);
    (void)string_at(repos[i], "name", p, source);
    // Repository ids count up from 1; the next one is the largest plus one.
    (void)state_integer(state_field(repos[i], "id", p, source), 1, kMaxStateMicroseconds, p + "/id", source);
    time_at(repos[i], "created_unix_us", p, source);
    const json& journal = state_field(repos[i], "journal", p, source);
    if (!journal.is_array()) expected("an array of journal entries", journal, p + "/journal", source);
  }
}

void check_journal_entry(const json& e, const std::string& pointer, const std::string& source) {
  if (!e.is_object()) expected("an object", e, pointer, source);
  const std::string op = string_at(e, "op", pointer, source).get<std::string>();
  if (op == "label") {
    (void)string_at(e, "name", pointer, source);
    (void)string_at(e, "color", pointer, source);
    const json& d = state_field(e, "description", pointer, source);
    if (!d.is_null() && !d.is_string()) expected("a string or null", d, pointer + "/description", source);
  } else if (op == "create_issue") {
    time_at(e, "c", pointer, source);
    (void)string_at(e, "title", pointer, source);
    (void)string_at(e, "body", pointer, source);
    strings_at(e, "labels", pointer, source);
    lags_at(e, pointer, source);
  } else if (op == "update_issue") {
    time_at(e, "c", pointer, source);
    issue_number_at(e, pointer, source);
    if (e.contains("state")) {
      const json& s = e["state"];
      if (s != "open" && s != "closed") expected("\"open\" or \"closed\"", s, pointer + "/state", source);
    }
    if (e.contains("title")) (void)string_at(e, "title", pointer, source);
    if (e.contains("body")) (void)string_at(e, "body", pointer, source);
    if (e.contains("labels")) strings_at(e, "labels", pointer, source);
    if (e.contains("state_reason")) {
      const json& r = e["state_reason"];
      if (r != "completed" && r != "not_planned")
        expected("\"completed\" or \"not_planned\"", r, pointer + "/state_reason", source);
    }
    lags_at(e, pointer, source);
  } else if (op == "update_comment" || op == "delete_comment") {
    time_at(e, "c", pointer, source);
    (void)state_integer(state_field(e, "id", pointer, source), 1, std::numeric_limits<std::int64_t>::max(),
                        pointer + "/id", source);
    if (op == "update_comment") (void)string_at(e, "body", pointer, source);
    lags_at(e, pointer, source);
  } else if (op == "delete_content") {
    time_at(e, "c", pointer, source);
    time_at(e, "lag", pointer, source);
    (void)string_at(e, "path", pointer, source);
  } else if (op == "comment") {
    time_at(e, "c", pointer, source);
    issue_number_at(e, pointer, source);
    (void)string_at(e, "body", pointer, source);
    lags_at(e, pointer, source);
  } else if (op == "create_ref" || op == "update_ref" || op == "delete_ref") {
    time_at(e, "c", pointer, source);
    time_at(e, "lag", pointer, source);
    (void)string_at(e, "ref", pointer, source);
    (void)string_at(e, "sha", pointer, source);
  } else if (op == "blob") {
    (void)string_at(e, "content_base64", pointer, source);
  } else if (op == "commit") {
    (void)string_at(e, "sha", pointer, source);
    (void)string_at(e, "tree", pointer, source);
    strings_at(e, "parents", pointer, source);
    (void)string_at(e, "message", pointer, source);
    // Seconds since the epoch, as git writes a date: the same range as times.
    (void)state_integer(state_field(e, "unix_s", pointer, source), 0, kMaxStateMicroseconds, pointer + "/unix_s",
                        source);
  } else if (op == "content") {
    time_at(e, "c", pointer, source);
    time_at(e, "lag", pointer, source);
    (void)string_at(e, "path", pointer, source);
    (void)string_at(e, "content_base64", pointer, source);
  } else {
    throw InputError(at(source, pointer + "/op"),
                     "unknown op " + got(e["op"]).substr(7) +
                         "; expected label, create_issue, update_issue, comment, update_comment, delete_comment, "
                         "create_ref, update_ref, delete_ref, blob, commit, content or delete_content");
  }
}

std::string without_library_prefix(std::string_view message) {
  // "[json.exception.type_error.302] type must be ..." -> "type must be ..."
  if (message.substr(0, 16) == "[json.exception.") {
    const auto end = message.find("] ");
    if (end != std::string_view::npos) message.remove_prefix(end + 2);
  }
  return std::string(message);
}

}  // namespace coordsim::sim::http
