// `coordsim audit`'s pure parts: decision files, lock and issue names, the
// verdict per signature over hand-built states, and the binomial interval
// (against values worked out by hand and a brute-force CDF).
#include <catch2/catch.hpp>

#include <cmath>

#include "agent/real/audit.hpp"
#include "agent/real/audit_reader.hpp"
#include "agent/real/audit_report.hpp"
#include "agent/real/rest_json.hpp"

using namespace coordsim::agent::real;

namespace {

LegRecord leg(std::string flavor, std::string decision, std::string reason, std::string signature = "sig",
              std::string strategy = "ref-lock") {
  LegRecord r;
  r.command = "agent";
  r.flavor = std::move(flavor);
  r.commit = "c1";
  r.signature = std::move(signature);
  r.strategy = std::move(strategy);
  r.decision = std::move(decision);
  r.reason = std::move(reason);
  return r;
}

const SignatureAudit& only(const CommitAudit& c) {
  REQUIRE(c.signatures.size() == 1);
  return c.signatures.front();
}

}  // namespace

TEST_CASE("audit: decision files are coordsim agent output, or a clear error naming the JSON path") {
  const LegRecord r = parse_leg_record(
      R"({"command":"agent","decision":"skip","reason":"lock_held","strategy":"ref-lock","flavor":"win",
          "commit":"abc","signature":"undefined reference","lease_ttl_s":900,"started_unix_s":12.5})",
      "d/win.json");
  CHECK(r.flavor == "win");
  CHECK(r.decision == "skip");
  CHECK(r.reason == "lock_held");
  CHECK(r.signature == "undefined reference");
  CHECK(r.lease);
  CHECK(r.started_unix_s == 12.5);
  const LegRecord d = parse_leg_record(
      R"({"command":"agent done","strategy":"ref-lock","flavor":"win","commit":"abc","signature":"","recorded":true,"lease_ttl_s":null})",
      "d/done.json");
  CHECK(d.recorded);
  CHECK_FALSE(d.lease);

  const auto message = [](const std::string& text) {
    try {
      parse_leg_record(text, "x.json");
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK(message("{") == "x.json: (document): not valid JSON");
  CHECK(message("[]") == "x.json: (document): expected an object (coordsim agent --json output)");
  CHECK(message(R"({"command":"run"})") == "x.json: /command: expected \"agent\" or \"agent done\", got \"run\"");
  CHECK(message(R"({"command":"agent","flavor":"a","commit":"c","strategy":"ref-lock","decision":"maybe"})") ==
        "x.json: /decision: expected \"analyze\" or \"skip\", got \"maybe\"");
  CHECK(message(R"({"command":"agent","commit":"c"})").find("x.json: /flavor: missing") == 0);
  CHECK(message(R"({"command":"agent done","flavor":"a","commit":"c","strategy":"ref-lock"})") ==
        "x.json: /recorded: expected true or false");
}

TEST_CASE("audit: lock names split into key, generation and done marker") {
  LockName n;
  REQUIRE(parse_lock_name("refs/coordination/c1", "c1", n));
  CHECK((n.key_id == "c1" && n.generation == 1 && !n.done));
  REQUIRE(parse_lock_name("refs/coordination/c1/undefined_reference-g3", "c1", n));
  CHECK((n.key_id == "c1/undefined_reference" && n.generation == 3 && !n.done));
  REQUIRE(parse_lock_name("refs/coordination/c1/sig-done", "c1", n));
  CHECK((n.key_id == "c1/sig" && n.generation == 1 && n.done));
  // matching-refs matches by prefix: c1 must not claim c10's locks.
  CHECK_FALSE(parse_lock_name("refs/coordination/c10/sig", "c1", n));
  CHECK_FALSE(parse_lock_name("refs/heads/main", "c1", n));
  CHECK(key_id_of("c1", "undefined reference to `foo'") == "c1/undefined_20reference_20to_20_60foo_27");
  CHECK(key_id_of("c1", "") == "c1");
}

TEST_CASE("audit: coordination issue titles and Duplicate-of comments") {
  CoordIssue i;
  REQUIRE(parse_coordination_issue("[coordsim] c1/sig by linux-x64", "", "c1", i));
  CHECK((i.key_id == "c1/sig" && i.flavor == "linux-x64"));
  REQUIRE(parse_coordination_issue("[coordsim] c1 by win", "", "c1", i));
  CHECK((i.key_id == "c1" && i.flavor == "win"));
  CHECK_FALSE(parse_coordination_issue("[coordsim] c10 by win", "", "c1", i));
  CoordIssue s;
  REQUIRE(parse_coordination_issue("[coordination] build failure on 0123abcd",
                                   "Coordination lock for commit 0123abcdef, taken by flavor macos.", "0123abcdef", s));
  CHECK((s.key_id == "0123abcdef" && s.flavor == "macos"));
  CHECK(duplicate_of("Duplicate of #42") == 42);
  CHECK(duplicate_of("see Duplicate of #7.") == 7);
  CHECK(duplicate_of("no marker") == 0);
  CHECK(base64_decode_lenient("aG9s\nZGVyOndpbg==") == "holder:win");
}

TEST_CASE("audit: ref-lock with one holder and decision files is clean") {
  CoordinationState st;
  st.commit = "c1";
  st.refs.push_back({"refs/coordination/c1/sig", "a", ""});
  const std::vector<LegRecord> legs{leg("a", "analyze", "lock_acquired"), leg("b", "skip", "lock_held"),
                                    leg("c", "skip", "lock_held")};
  const CommitAudit c = audit_commit(st, legs, true);
  const SignatureAudit& s = only(c);
  CHECK(s.key_id == "c1/sig");
  CHECK(s.analyzed == std::vector<std::string>{"a"});
  CHECK(s.skipped.size() == 2);
  CHECK_FALSE(s.duplicate);
  CHECK_FALSE(s.miss);
  CHECK(s.leftover_locks.empty());  // no lease: the lock is the record
  CHECK(s.never_decided.empty());
  CHECK_FALSE(c.duplicate);
  CHECK_FALSE(c.miss);
}

TEST_CASE("audit: a fail-open leg is a duplicate; all skipping is a miss") {
  CoordinationState st;
  st.commit = "c1";
  st.refs.push_back({"refs/coordination/c1/sig", "a", ""});
  const std::vector<LegRecord> legs{leg("a", "analyze", "lock_acquired"), leg("b", "analyze", "error_fail_open"),
                                    leg("c", "skip", "lock_held"), leg("a", "skip", "error_fail_closed", "other"),
                                    leg("b", "skip", "error_fail_closed", "other")};
  const CommitAudit c = audit_commit(st, legs, true);
  REQUIRE(c.signatures.size() == 2);
  const SignatureAudit& other = c.signatures[0];  // "c1/other" < "c1/sig"
  const SignatureAudit& sig = c.signatures[1];
  CHECK(sig.duplicate);
  CHECK(sig.analyzed == std::vector<std::string>{"a", "b"});
  CHECK(other.miss);
  CHECK(other.analyzed.empty());
  CHECK(c.duplicate);
  CHECK(c.miss);
}

TEST_CASE("audit: a lock holder without a decision file never decided; under a lease its lock is left over") {
  CoordinationState st;
  st.commit = "c1";
  st.refs.push_back({"refs/coordination/c1/sig", "dead", ""});
  std::vector<LegRecord> legs{leg("b", "skip", "lock_held"), leg("c", "skip", "lock_held")};
  legs[0].lease = true;
  const SignatureAudit s = only(audit_commit(st, legs, true));
  CHECK(s.never_decided == std::vector<std::string>{"dead"});
  CHECK(s.miss);  // nobody is known to have analyzed
  CHECK(s.leftover_locks.size() == 1);
  CHECK(s.leftover_locks[0].find("no done marker") != std::string::npos);

  // The same holder marked the analysis done: it analyzed, the lock is not left over.
  st.refs.push_back({"refs/coordination/c1/sig-done", "dead", ""});
  const SignatureAudit d = only(audit_commit(st, legs, true));
  CHECK(d.analyzed == std::vector<std::string>{"dead"});
  CHECK_FALSE(d.miss);
  CHECK(d.leftover_locks.empty());
}

TEST_CASE("audit: from the server alone, lease generations say who finished") {
  CoordinationState st;
  st.commit = "c1";
  st.refs.push_back({"refs/coordination/c1", "a", ""});
  st.refs.push_back({"refs/coordination/c1-g2", "b", ""});
  // a died (no done marker), b took over and finished.
  st.refs.push_back({"refs/coordination/c1-done", "b", ""});
  SignatureAudit s = only(audit_commit(st, {}, false));
  CHECK(s.analyzed == std::vector<std::string>{"b"});
  CHECK_FALSE(s.duplicate);
  // a was only slow: it wrote the done marker, and b had taken over: both analyzed.
  st.refs.back().holder = "a";
  s = only(audit_commit(st, {}, false));
  CHECK(s.analyzed == std::vector<std::string>{"a", "b"});
  CHECK(s.duplicate);
}

TEST_CASE("audit: issue protocols, open issues are leaders, a skipper's open issue is left over") {
  CoordinationState st;
  st.commit = "c1";
  CoordIssue a{5, "[coordsim] c1/sig by a", true, "c1/sig", "a", 0};
  CoordIssue b{6, "[coordsim] c1/sig by b", false, "c1/sig", "b", 5};
  CoordIssue c{7, "[coordsim] c1/sig by c", true, "c1/sig", "c", 0};
  st.issues = {a, b, c};
  const std::vector<LegRecord> legs{leg("a", "analyze", "lowest_issue", "sig", "scan-down"),
                                    leg("b", "skip", "deferred_to_lower", "sig", "scan-down"),
                                    leg("c", "skip", "deferred_to_lower", "sig", "scan-down")};
  const SignatureAudit s = only(audit_commit(st, legs, true));
  CHECK(s.analyzed == std::vector<std::string>{"a"});
  CHECK(s.leftover_locks == std::vector<std::string>{"issue #7 (opened by c, still open)"});
  // Without decisions: the lowest open issue leads, the other open one is left over.
  const SignatureAudit n = only(audit_commit(st, {}, false));
  CHECK(n.analyzed == std::vector<std::string>{"a"});
  CHECK(n.leftover_locks.size() == 1);
}

TEST_CASE("audit: fan-in legs all defer, which is not a miss") {
  CoordinationState st;
  st.commit = "c1";
  const std::vector<LegRecord> legs{leg("a", "skip", "deferred_to_fan_in", "s", "fan-in"),
                                    leg("b", "skip", "deferred_to_fan_in", "s", "fan-in")};
  CHECK_FALSE(only(audit_commit(st, legs, true)).miss);
}

TEST_CASE("audit: decision files of another commit are not this commit's") {
  CoordinationState st;
  st.commit = "c2";
  CHECK(audit_commit(st, {leg("a", "analyze", "lock_acquired")}, true).signatures.empty());
}

TEST_CASE("audit: binomial 95% interval, by hand and against a brute-force CDF") {
  // n = 10, p = 0.5: CDF(1) = 11/1024 = 0.0107, CDF(2) = 56/1024 = 0.0547 -> low 2;
  // CDF(7) = 968/1024 = 0.945, CDF(8) = 1013/1024 = 0.989 -> high 8.
  CHECK(binomial_interval(10, 0.5).low == 2);
  CHECK(binomial_interval(10, 0.5).high == 8);
  CHECK(binomial_interval(10, 0).high == 0);
  CHECK(binomial_interval(10, 1).low == 10);
  CHECK(binomial_interval(0, 0.3).high == 0);
  for (const std::int64_t n : {1, 3, 12, 60, 200}) {
    for (const double p : {0.01, 0.1, 0.37, 0.568, 0.9}) {
      // Brute force: pmf by the recurrence pmf(k+1) = pmf(k) * (n-k)/(k+1) * p/(1-p).
      double pmf = std::pow(1 - p, static_cast<double>(n)), cdf = 0;
      std::int64_t low = -1, high = -1;
      for (std::int64_t k = 0; k <= n; ++k) {
        cdf += pmf;
        if (low < 0 && cdf >= 0.025 - 1e-12) low = k;
        if (high < 0 && cdf >= 0.975 - 1e-12) high = k;
        pmf *= static_cast<double>(n - k) / static_cast<double>(k + 1) * p / (1 - p);
      }
      const CountInterval got = binomial_interval(n, p);
      INFO("n " << n << " p " << p);
      CHECK(got.low == low);
      CHECK(got.high == high);
    }
  }
}

TEST_CASE("audit: report counts runs against the interval and says so in both formats") {
  CommitAudit dup;
  dup.commit = "c1";
  dup.duplicate = true;
  CommitAudit ok;
  ok.commit = "c2";
  ScenarioCheck base;
  base.duplicate_rate = 0.5;
  base.miss_rate = 0;
  const ScenarioCheck k = count_runs({dup, ok, ok, ok}, base);
  CHECK(k.runs == 4);
  CHECK(k.duplicates == 1);
  CHECK(k.duplicates_inside());  // Binomial(4, 0.5): [0, 4]
  CHECK(k.misses_inside());
  AuditReport r;
  r.repo = "o/r";
  r.commits = {dup, ok};
  r.check = k;
  CHECK_FALSE(r.clean());
  const auto j = audit_json(r);
  CHECK(j["exit_code"] == 1);
  CHECK(j["scenario_check"]["duplicates"]["inside"] == true);
  CHECK(audit_markdown(r).find("**Not clean**") != std::string::npos);
}
