#include "agent/real/audit.hpp"

#include <algorithm>
#include <cmath>
#include <set>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "agent/protocols/key_names.hpp"

namespace coordsim::agent::real {

using nlohmann::json;

namespace {

[[noreturn]] void bad(const std::string& file, const std::string& path, const std::string& what) {
  throw std::invalid_argument(file + ": " + path + ": " + what);
}

std::string string_at(const json& j, const std::string& file, const char* key, bool required) {
  const auto it = j.find(key);
  if (it == j.end() || it->is_null()) {
    if (required) bad(file, std::string("/") + key, "missing; expected a string (is this coordsim agent --json output?)");
    return "";
  }
  if (!it->is_string()) bad(file, std::string("/") + key, "expected a string");
  return it->get<std::string>();
}

bool seed_strategy(const std::string& s) { return s == "seed" || s == "seed-lowest"; }

}  // namespace

LegRecord parse_leg_record(const std::string& text, const std::string& file) {
  const json j = json::parse(text, nullptr, false);
  if (j.is_discarded()) bad(file, "(document)", "not valid JSON");
  if (!j.is_object()) bad(file, "(document)", "expected an object (coordsim agent --json output)");
  LegRecord r;
  r.file = file;
  r.command = string_at(j, file, "command", true);
  if (r.command != "agent" && r.command != "agent done")
    bad(file, "/command", "expected \"agent\" or \"agent done\", got \"" + r.command + "\"");
  r.flavor = string_at(j, file, "flavor", true);
  r.commit = string_at(j, file, "commit", true);
  r.signature = string_at(j, file, "signature", false);
  r.strategy = string_at(j, file, "strategy", true);
  if (r.command == "agent") {
    r.decision = string_at(j, file, "decision", true);
    if (r.decision != "analyze" && r.decision != "skip")
      bad(file, "/decision", "expected \"analyze\" or \"skip\", got \"" + r.decision + "\"");
    r.reason = string_at(j, file, "reason", false);
    if (const auto it = j.find("started_unix_s"); it != j.end() && it->is_number())
      r.started_unix_s = it->get<double>();
  } else {
    const auto it = j.find("recorded");
    if (it == j.end() || !it->is_boolean()) bad(file, "/recorded", "expected true or false");
    r.recorded = it->get<bool>();
  }
  if (const auto it = j.find("lease_ttl_s"); it != j.end() && it->is_number()) r.lease = true;
  return r;
}

std::string key_id_of(const std::string& commit, const std::string& signature) {
  return coordination_key_id(commit, signature);
}

bool parse_lock_name(const std::string& ref, const std::string& commit, LockName& out) {
  const std::string encoded = coordination_key_id(commit, "");
  const std::string prefix = "refs/coordination/" + encoded;
  if (ref.compare(0, prefix.size(), prefix) != 0) return false;
  std::string rest = ref.substr(prefix.size());
  // matching-refs matches by prefix: "abc" also finds "abcdef".
  if (!rest.empty() && rest.front() != '/' && rest.front() != '-') return false;
  out = LockName{};
  if (rest.size() >= 5 && rest.compare(rest.size() - 5, 5, "-done") == 0) {
    out.done = true;
    rest.resize(rest.size() - 5);
  }
  const auto g = rest.rfind("-g");
  if (g != std::string::npos && g + 2 < rest.size() &&
      std::all_of(rest.begin() + static_cast<std::ptrdiff_t>(g + 2), rest.end(), [](char c) { return c >= '0' && c <= '9'; }) &&
      rest.size() - g <= 6) {
    out.generation = std::stoi(rest.substr(g + 2));
    rest.resize(g);
  }
  out.key_id = encoded + rest;
  return true;
}

namespace {

// A generation's lock and its closing ref (<lock>-done): the holder's done
// marker when it names the holder, else a takeover (by a follower whose TTL
// ran out, or by the holder's own re-run).
struct Generation {
  std::string lock_ref, holder;
  bool closed = false;
  std::string closed_by;
};

struct KeyWork {
  SignatureAudit audit;
  std::map<int, Generation> generations;
  std::vector<const CoordIssue*> issues;
  std::vector<const LegRecord*> decisions;  // "agent"
  std::vector<const LegRecord*> dones;      // "agent done"
  bool lease = false;
};

void add_unique(std::vector<std::string>& v, const std::string& s) {
  if (std::find(v.begin(), v.end(), s) == v.end()) v.push_back(s);
}

void judge(KeyWork& w, bool decisions_given) {
  SignatureAudit& a = w.audit;
  std::set<std::string> decided;
  for (const LegRecord* d : w.decisions) {
    decided.insert(d->flavor);
    add_unique(a.strategies, d->strategy);
    if (a.signature.empty()) a.signature = d->signature;
    if (d->decision == "analyze")
      a.analyzed.push_back(d->flavor);
    else
      a.skipped.push_back(d->flavor + " (" + d->reason + ")");
  }
  std::set<std::string> marked_done;
  for (const LegRecord* d : w.dones)
    if (d->recorded) marked_done.insert(d->flavor);
  for (const auto& [gen, g] : w.generations)
    if (g.closed && !g.closed_by.empty() && g.closed_by == g.holder) marked_done.insert(g.holder);

  // Lock holders, by generation: the server's record of who led. A holder
  // analyzed when it wrote the done marker, or (without one) when it is the
  // last generation's; an earlier holder without it was taken over.
  int last_gen = 0;
  for (const auto& [gen, g] : w.generations)
    if (!g.lock_ref.empty()) last_gen = gen;
  for (const auto& [gen, g] : w.generations) {
    if (g.lock_ref.empty()) continue;  // a closing ref without its lock
    const std::string who = g.holder.empty() ? "(unknown holder)" : g.holder;
    a.leaders_on_server.push_back(who + " (" + g.lock_ref + ")");
    const bool done = g.closed && !g.holder.empty() && g.closed_by == g.holder;
    if (w.lease && !g.closed)
      a.leftover_locks.push_back(g.lock_ref + " (held by " + who + ", no done marker)");
    const bool finished = done || gen == last_gen;
    if (!decisions_given) {
      if (finished)
        add_unique(a.analyzed, who);
      else
        a.notes.push_back(who + " held " + g.lock_ref + " and wrote no done marker: did not finish");
    } else if (!g.holder.empty() && !decided.count(g.holder)) {
      add_unique(a.never_decided, g.holder);
      if (marked_done.count(g.holder)) {
        a.analyzed.push_back(g.holder);
        a.notes.push_back(g.holder + " holds " + g.lock_ref + " and marked the analysis done, but left no decision file");
      } else {
        a.notes.push_back(g.holder + " holds " + g.lock_ref + " but left no decision file and no done marker");
      }
    }
  }
  // Issues: the open ones are the leaders' records; a loser closes its own.
  std::int64_t lowest_open = 0;
  for (const CoordIssue* i : w.issues)
    if (i->open && (lowest_open == 0 || i->number < lowest_open)) lowest_open = i->number;
  for (const CoordIssue* i : w.issues) {
    const std::string who = i->flavor.empty() ? "#" + std::to_string(i->number) : i->flavor;
    if (!i->open) continue;
    a.leaders_on_server.push_back(who + " (issue #" + std::to_string(i->number) + ")");
    bool loser = false;
    for (const LegRecord* d : w.decisions)
      if (d->flavor == i->flavor && d->decision == "skip") loser = true;
    if (!decisions_given && i->number != lowest_open) loser = true;
    if (loser) a.leftover_locks.push_back("issue #" + std::to_string(i->number) + " (opened by " + who + ", still open)");
    if (!decisions_given) {
      if (!loser) a.analyzed.push_back(who);
    } else if (!i->flavor.empty() && !decided.count(i->flavor)) {
      add_unique(a.never_decided, i->flavor);
      a.notes.push_back(i->flavor + " opened issue #" + std::to_string(i->number) + " but left no decision file");
    }
  }
  if (decisions_given) {
    // Issue openers that closed theirs and left no decision also never decided.
    for (const CoordIssue* i : w.issues)
      if (!i->open && !i->flavor.empty() && !decided.count(i->flavor)) add_unique(a.never_decided, i->flavor);
  }
  a.duplicate = a.analyzed.size() > 1;
  const bool fan_in = !w.decisions.empty() && std::all_of(w.decisions.begin(), w.decisions.end(), [](const LegRecord* d) {
    return d->reason == "deferred_to_fan_in";
  });
  a.miss = a.analyzed.empty() && !fan_in;
  if (fan_in) a.notes.push_back("fan-in: every leg deferred to the downstream job, which analyzes");
  if (a.duplicate) a.notes.push_back("analyzed " + std::to_string(a.analyzed.size()) + " times");
  if (a.miss) a.notes.push_back("nobody analyzed this failure");
}

}  // namespace

CommitAudit audit_commit(const CoordinationState& state, const std::vector<LegRecord>& legs, bool decisions_given) {
  std::map<std::string, KeyWork> keys;
  const auto work = [&](const std::string& key_id) -> KeyWork& {
    KeyWork& w = keys[key_id];
    w.audit.key_id = key_id;
    return w;
  };
  for (const LegRecord& l : legs) {
    if (l.commit != state.commit) continue;
    // The seed protocols key by commit only.
    KeyWork& w = work(seed_strategy(l.strategy) ? l.commit : key_id_of(l.commit, l.signature));
    (l.command == "agent" ? w.decisions : w.dones).push_back(&l);
    w.lease = w.lease || l.lease;
  }
  for (const LockRef& r : state.refs) {
    LockName n;
    if (!parse_lock_name(r.ref, state.commit, n)) continue;
    KeyWork& w = work(n.key_id);
    Generation& g = w.generations[n.generation];
    if (n.done) {
      g.closed = true;
      g.closed_by = r.holder;
    } else {
      g.lock_ref = r.ref;
      g.holder = r.holder;
    }
  }
  for (const CoordIssue& i : state.issues) work(i.key_id).issues.push_back(&i);

  CommitAudit out;
  out.commit = state.commit;
  out.decisions_given = decisions_given;
  for (auto& [key, w] : keys) {
    judge(w, decisions_given);
    out.duplicate = out.duplicate || w.audit.duplicate;
    out.miss = out.miss || w.audit.miss;
    out.signatures.push_back(std::move(w.audit));
  }
  return out;
}

CountInterval binomial_interval(std::int64_t n, double p, double tail) {
  CountInterval out;
  if (n <= 0) return out;
  if (p <= 0) return out;
  if (p >= 1) return {n, n};
  const double lp = std::log(p), lq = std::log1p(-p);
  double cdf = 0;
  bool low_set = false;
  for (std::int64_t k = 0; k <= n; ++k) {
    const double log_pmf = std::lgamma(static_cast<double>(n) + 1) - std::lgamma(static_cast<double>(k) + 1) -
                           std::lgamma(static_cast<double>(n - k) + 1) + static_cast<double>(k) * lp +
                           static_cast<double>(n - k) * lq;
    cdf += std::exp(log_pmf);
    if (!low_set && cdf >= tail) out.low = k, low_set = true;
    if (cdf >= 1 - tail) {
      out.high = k;
      return out;
    }
  }
  out.high = n;
  return out;
}

}  // namespace coordsim::agent::real
