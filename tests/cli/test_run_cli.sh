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

echo "$pass passed, $failures failed"
[[ $failures -eq 0 ]]
