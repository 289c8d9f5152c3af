#!/usr/bin/env bash
# End-to-end checks of `coordsim run`: defaults, outputs, determinism across
# thread counts, and clear errors for bad input.
# Usage: test_run_cli.sh COORDSIM_BINARY SOURCE_DIR
set -uo pipefail
bin=$1
src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
pass=0

check() {  # check NAME CONDITION-COMMAND...
  local name=$1; shift
  if "$@"; then pass=$((pass + 1)); else echo "FAIL: $name" >&2; failures=$((failures + 1)); fi
}

# expect_error NAME EXPECTED_EXIT PATTERN... -- ARGS: runs coordsim ARGS, wants the exit code and every pattern in stderr.
expect_error() {
  local name=$1 want=$2; shift 2
  local patterns=()
  while [[ $1 != -- ]]; do patterns+=("$1"); shift; done
  shift
  "$bin" "$@" >"$work/out" 2>"$work/err"
  local got=$?
  if [[ $got -ne $want ]]; then
    echo "FAIL: $name: exit $got, expected $want; stderr: $(cat "$work/err")" >&2
    failures=$((failures + 1)); return
  fi
  for p in "${patterns[@]}"; do
    if ! grep -qF -- "$p" "$work/err"; then
      echo "FAIL: $name: stderr lacks '$p': $(cat "$work/err")" >&2
      failures=$((failures + 1)); return
    fi
  done
  pass=$((pass + 1))
}

scen=$src/scenarios/seed-reproduction.json

# The default scenario is embedded, and equals the file.
"$bin" run --trials 2000 --json "$work/default.json" >/dev/null
"$bin" run "$scen" --trials 2000 --json "$work/file.json" >/dev/null
strip() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); [d.pop(k) for k in ("wall_s","trials_per_s")]; print(json.dumps(d, sort_keys=True))' "$1"; }
check "embedded default equals scenarios/seed-reproduction.json" test "$(strip "$work/default.json")" == "$(strip "$work/file.json")"

# The reference's outcome: near 3 analyses of 3.
check "seed reproduction: mean analyses near 3" python3 -c '
import json,sys; d=json.load(open(sys.argv[1]))
assert d["strategy"]=="seed" and d["trials"]==2000 and d["analyses"]["max"]==3, d
assert d["analyses"]["mean"] > 2.8, d["analyses"]' "$work/file.json"

# none: exactly one analysis per failing flavor.
"$bin" run "$scen" --trials 1000 --strategy none --json "$work/none.json" >/dev/null
check "none: one analysis per failing flavor" python3 -c '
import json,sys; d=json.load(open(sys.argv[1]))
assert d["analyses"]["mean"] == d["failing_flavors"]["mean"] == 3.0, d
assert d["cost_usd"]["savings"] == 0 and d["api_calls"]["mean"] == 0, d' "$work/none.json"

# Byte-identical output for any thread count (but for the timing fields).
"$bin" run "$scen" --trials 30000 --threads 1 --strategy seed-lowest --json "$work/t1.json" >/dev/null
"$bin" run "$scen" --trials 30000 --threads 2 --strategy seed-lowest --json "$work/t2.json" >/dev/null
grep -vE '"(wall_s|trials_per_s)"' "$work/t1.json" >"$work/t1.stripped"
grep -vE '"(wall_s|trials_per_s)"' "$work/t2.json" >"$work/t2.stripped"
check "--threads 1 and 2 give byte-identical JSON" cmp -s "$work/t1.stripped" "$work/t2.stripped"

# --set reaches the protocol: waiting 30 s after creating lets the seed-lowest
# re-check see the lower issue, so duplicates drop.
"$bin" run "$scen" --trials 3000 --strategy seed-lowest --set agent.post_create_wait_s=30 --json "$work/wait.json" >/dev/null
check "--set agent.post_create_wait_s changes the outcome" python3 -c '
import json,sys; d=json.load(open(sys.argv[1]))
assert d["duplicate_rate"]["value"] < 0.05, d["duplicate_rate"]' "$work/wait.json"

# Markdown report.
"$bin" run "$scen" --trials 1000 --markdown "$work/report.md" >/dev/null
check "markdown report has the metrics table" grep -q "| duplicate rate |" "$work/report.md"

# Bad input: exit 2, and the message names the file, the JSON path and what was expected.
printf '{"name": "x", "workload": {"flavors": ["a"],}}' >"$work/malformed.json"
expect_error "malformed JSON" 2 "$work/malformed.json" "line 1" -- run "$work/malformed.json"
printf '{"name": "x", "workload": {"flavors": ["a"]}, "agnet": {}}' >"$work/unknown.json"
expect_error "unknown field" 2 "$work/unknown.json" "agnet" -- run "$work/unknown.json"
printf '{"name": "x", "workload": {"flavors": ["a"]}, "agent": {"find_attempts": "3"}}' >"$work/type.json"
expect_error "wrong type" 2 "$work/type.json" "/agent/find_attempts" -- run "$work/type.json"
printf '{"name": "x", "workload": {"flavors": ["a"], "start_stagger_s": -1}}' >"$work/negative.json"
expect_error "negative time" 2 "$work/negative.json" "/workload/start_stagger_s" -- run "$work/negative.json"
printf '{"name": "x", "workload": {"flavors": ["a"]}, "agent": {"strategy": "raft"}}' >"$work/strategy.json"
expect_error "unknown strategy in the file" 2 "$work/strategy.json" "/agent/strategy" "seed-lowest" -- run "$work/strategy.json"
expect_error "unknown --strategy" 2 "--strategy" "seed-lowest" -- run "$scen" --strategy raft
expect_error "bad --set" 2 "agent.nope" -- run "$scen" --set agent.nope=1
expect_error "--set without =" 2 "PATH=VALUE" -- run "$scen" --set agent.find_attempts
expect_error "missing file" 2 "nonexistent.json" -- run "$work/nonexistent.json"
expect_error "bad --trials" 2 "--trials" -- run "$scen" --trials -5
expect_error "unwritable --json" 1 "$work/no/such/dir/out.json" -- run "$scen" --trials 10 --json "$work/no/such/dir/out.json"
expect_error "unknown strategy in a list" 2 "--strategy" "raft" "all" -- run "$scen" --strategy seed,raft
printf '{"name": "x", "workload": {"flavors": ["a"]}, "github": {"faults": {"create_issue": {"lost_response": 1.5}}}}' >"$work/fault.json"
expect_error "fault probability above 1" 2 "/github/faults/create_issue/lost_response" -- run "$work/fault.json"
printf '{"name": "x", "workload": {"flavors": ["a"]}, "github": {"rate_limits": {"token": "oauth"}}}' >"$work/token.json"
expect_error "unknown token kind" 2 "/github/rate_limits/token" "github_token" -- run "$work/token.json"

# Comparing protocols: one JSON block per protocol, all on the same trials.
"$bin" run "$scen" --strategy seed,ref-lock,none --trials 3000 --threads 2 --json "$work/cmp.json" >"$work/cmp.txt"
check "compare exits 0" test $? -eq 0
check "compare JSON" python3 - "$work/cmp.json" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
assert j["strategies"] == ["seed", "ref-lock", "none"], j["strategies"]
p = j["protocols"]
# Same trials: the same failure events and the same `none` baseline cost.
assert len({p[s]["failure_events"] for s in p}) == 1
assert len({round(p[s]["cost_usd"]["baseline_mean"], 9) for s in p}) == 1
assert p["none"]["cost_usd"]["mean"] == p["seed"]["cost_usd"]["baseline_mean"]
assert p["ref-lock"]["duplicate_rate"]["count"] == 0 and p["ref-lock"]["miss_rate"]["count"] == 0
assert p["seed"]["duplicate_rate"]["value"] > 0.5
for s in p:
    assert "by_endpoint" in p[s]["api_calls"] and "mean" in p[s]["rate_limited"]
PY
check "compare table lists every protocol" grep -q "ref-lock" "$work/cmp.txt"
"$bin" run "$scen" --strategy seed,ref-lock,none --trials 3000 --threads 1 --json "$work/cmp1.json" >/dev/null
check "compare JSON independent of threads" bash -c "diff <(grep -v -e wall_s -e trials_per_s '$work/cmp.json') <(grep -v -e wall_s -e trials_per_s '$work/cmp1.json')"
"$bin" run "$scen" --strategy all --trials 200 --markdown "$work/cmp.md" >/dev/null
check "compare all: markdown has 7 rows" test "$(grep -c '^| [a-z-]* | [0-9]' "$work/cmp.md")" -eq 7

# No line of the text reports ends in spaces (rows without a note used to).
"$bin" run "$scen" --trials 200 >"$work/plain.txt"
"$bin" run "$scen" --strategy all --trials 200 >>"$work/plain.txt"
check "no trailing spaces in run's text" bash -c '! grep -n " $" "$1"' _ "$work/plain.txt"
# The comparison fits a 100-column terminal (it was 125 wide), as two tables: outcomes, then
# costs with cost/year (at the scenario's report.failures_per_year, or --failures-per-year).
"$bin" run "$scen" --strategy all --trials 200 --failures-per-year 250 >"$work/all.txt"
check "comparison fits 100 columns" test "$(awk '{ if (length($0) > m) m = length($0) } END { print m }' "$work/all.txt")" -le 100
check "comparison has cost/year" grep -Eq "^  protocol +cost/failure +cost/year +savings" "$work/all.txt"
check "cost/year is cost/failure x failures/year" grep -Eq '^  none +\$[0-9.]+ +\$[0-9]+ ' "$work/all.txt"
python3 - "$work/all.txt" <<'PY' || { echo "FAIL: cost/year is not cost/failure x 250" >&2; failures=$((failures + 1)); }
import re, sys
rows = [l.split() for l in open(sys.argv[1]) if re.match(r"^  [a-z-]+ +\$", l)]
assert len(rows) == 7, rows
for r in rows:
    assert abs(float(r[1][1:]) * 250 - float(r[2][1:])) <= 0.005 * 250 + 0.5, r
PY
check "markdown has cost/year" grep -q "| cost/failure | cost/year |" "$work/cmp.md"
# Item 11: runner time has a price (report.usd_per_runner_minute, per flavor by name);
# protocols are then compared on the total. Without a price nothing changes.
"$bin" run "$scen" --strategy all --trials 500 --threads 1 --json "$work/unpriced.json" >/dev/null
check "no runner block without a price" python3 -c '
import json, sys
p = json.load(open(sys.argv[1]))["protocols"]
assert all("runner" not in v and "total_mean" not in v["cost_usd"] for v in p.values())
' "$work/unpriced.json"
"$bin" run "$scen" --strategy all --trials 500 --threads 1 --set report.usd_per_runner_minute=0.008 \
  --set 'report.usd_per_runner_minute_by_flavor={"windows":0.016}' --json "$work/priced.json" >"$work/priced.txt"
check "priced comparison has runner and total columns" grep -Eq "^  protocol +cost/failure +cost/year +runner/failure +total/year" "$work/priced.txt"
check "priced comparison fits 100 columns" test "$(awk '{ if (length($0) > m) m = length($0) } END { print m }' "$work/priced.txt")" -le 100
check "runner cost: total = LLM + runner; fan-in legs hold no runner; none holds one per analysis" python3 -c '
import json, sys
p = json.load(open(sys.argv[1]))["protocols"]
for name, v in p.items():
    r, c = v["runner"], v["cost_usd"]
    assert abs(c["total_mean"] - c["mean"] - r["usd_mean"]) < 1e-9, name
    assert r["minutes_mean"] > 0 and r["usd_mean"] > 0, name
# none decides at once and every flavor analyses; fan-in analyses once and waits on no runner;
# the coordinating protocols wait (ref-lock: its lock round trips) and analyse once.
assert p["fan-in"]["runner"]["minutes_mean"] < p["ref-lock"]["runner"]["minutes_mean"] < p["none"]["runner"]["minutes_mean"]
' "$work/priced.json"
expect_error "per-flavor price for an unknown flavor" 2 "/report/usd_per_runner_minute_by_flavor/macOS" \
  "expected the name of a flavor in /workload/flavors" -- run "$scen" --trials 10 --set 'report.usd_per_runner_minute_by_flavor={"macOS":0.08}'
expect_error "negative runner price" 2 "/report/usd_per_runner_minute" -- run "$scen" --trials 10 --set report.usd_per_runner_minute=-1
# Item 12: start gaps (workload.start_gap_s) and time to failure per commit or per flavor.
gaps=$src/scenarios/matrix-start-gaps.json
# Constant 100 s gaps, no jitter or delay, one time to failure: flavor i fails at 900 + 100 i s.
"$bin" replay "$gaps" --trial 0 --set 'workload.start_gap_s=100' --set 'workload.failure.flavor_delay_s=0' \
  --set 'workload.failure.time_to_failure_s=900' >"$work/gaps.txt" 2>"$work/err"
check "start gaps: legs fail 100 s apart" python3 -c '
import re, sys
t = [float(x) for x in re.findall(r"fails at +([0-9.]+) s", open(sys.argv[1]).read())]
assert t == [900 + 100 * i for i in range(7)], t
' "$work/gaps.txt"
"$bin" run "$gaps" --strategy seed --trials 2000 --json "$work/commit.json" >/dev/null 2>&1
"$bin" run "$gaps" --strategy seed --trials 2000 --set workload.failure.time_to_failure_drawn=per_flavor \
  --json "$work/flavor.json" >/dev/null 2>&1
check "per_flavor time to failure spreads the failures: fewer duplicates than per_commit" python3 -c '
import json, sys
c, f = (json.load(open(p))["duplicate_rate"]["value"] for p in sys.argv[1:3])
assert f < c / 2, (c, f)
' "$work/commit.json" "$work/flavor.json"
expect_error "time_to_failure_drawn must be per_commit or per_flavor" 2 "/workload/failure/time_to_failure_drawn" \
  -- run "$gaps" --trials 10 --set workload.failure.time_to_failure_drawn=per_leg
expect_error "start_gap_s is a distribution" 2 "/workload/start_gap_s" -- run "$gaps" --trials 10 --set 'workload.start_gap_s="5-30"'
# `coordsim --help` lists every subcommand on one line.
"$bin" --help >"$work/help.txt"
check "--help is short" test "$(wc -l <"$work/help.txt")" -lt 40
for sub in run check compare sweep merge replay find explore serve agent calibrate; do
  check "--help lists $sub on one line" grep -Eq "^  $sub +[A-Z]" "$work/help.txt"
done

echo "$pass passed, $failures failed"
[[ $failures -eq 0 ]]
