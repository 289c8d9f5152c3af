#!/usr/bin/env bash
# End-to-end checks of `coordsim explore`: exit codes (0 proved, 3
# counterexample, 4 budget exhausted, 2 bad input), the counterexample written
# with --out duplicating under `run` and `replay`, JSON output, and the same
# output twice.
# Usage: test_explore_cli.sh COORDSIM_BINARY SOURCE_DIR
set -uo pipefail
bin=$1
src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pass=0
failures=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
ref=$src/scenarios/explore/ref-lock-box.json
seed=$src/scenarios/explore/seed-box.json

# expect_error NAME EXPECTED_EXIT PATTERN... -- ARGS
expect_error() {
  local name=$1 want=$2; shift 2
  local patterns=()
  while [[ $1 != -- ]]; do patterns+=("$1"); shift; done
  shift
  "$bin" "$@" >"$work/out" 2>"$work/err"
  local got=$?
  if [[ $got -ne $want ]]; then bad "$name: exit $got, expected $want; stderr: $(cat "$work/err")"; return; fi
  for p in "${patterns[@]}"; do
    if ! grep -qF -- "$p" "$work/err" "$work/out"; then bad "$name: output lacks '$p': $(cat "$work/err")"; return; fi
  done
  ok
}

# --- ref-lock: proved ------------------------------------------------------------
# The sanitizer build proves the same box on grid 2 (CTest sets the variable): 3^12
# schedules take minutes there.
"$bin" explore "$ref" --grid "${COORDSIM_EXPLORE_PROOF_GRID:-3}" >"$work/ref.txt" 2>"$work/ref.err"
rc=$?
[[ $rc -eq 0 ]] && ok || bad "explore ref-lock-box: exit $rc, expected 0: $(cat "$work/ref.err")"
grep -qE '^proved: no schedule in the box satisfies `analyses>1 \|\| misses>0` \([0-9]+ schedules, [0-9]+ pruned, [0-9.]+ m?s\)$' \
  "$work/ref.txt" && ok || bad "ref-lock text lacks the proof line: $(cat "$work/ref.txt")"

# --- seed: a counterexample, written and replayable ------------------------------
"$bin" explore "$seed" --out "$work/cx.json" --json "$work/seed.json" >"$work/seed.txt" 2>"$work/seed.err"
rc=$?
[[ $rc -eq 3 ]] && ok || bad "explore seed-box: exit $rc, expected 3: $(cat "$work/seed.err")"
grep -q '^counterexample: schedule [0-9]* satisfies' "$work/seed.txt" && ok || bad "seed text lacks the counterexample"
grep -q "replay it: coordsim replay $work/cx.json --trial 0" "$work/seed.txt" && ok || bad "seed text lacks the replay command"
[[ -s $work/cx.json ]] && ok || bad "no counterexample scenario written"
verdict=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["verdict"])' "$work/seed.json")
[[ $verdict == counterexample ]] && ok || bad "JSON verdict: $verdict"
"$bin" run "$work/cx.json" --trials 20 --json "$work/cxrun.json" >/dev/null 2>&1 || bad "run on the counterexample failed"
rate=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["duplicate_rate"]["value"])' "$work/cxrun.json" 2>&1)
[[ $rate == 1 || $rate == 1.0 ]] && ok || bad "counterexample duplicate rate under run: $rate"
"$bin" replay "$work/cx.json" --trial 0 >"$work/cxreplay.txt" 2>&1 || bad "replay of the counterexample failed"
grep -q '^outcome: duplicate' "$work/cxreplay.txt" && ok || bad "replayed counterexample is not a duplicate"

# --- deterministic -------------------------------------------------------------------
"$bin" explore "$seed" --json - 2>/dev/null | python3 -c 'import json,sys; d=json.load(sys.stdin); d.pop("seconds"); print(json.dumps(d, sort_keys=True))' >"$work/a.json"
"$bin" explore "$seed" --json - 2>/dev/null | python3 -c 'import json,sys; d=json.load(sys.stdin); d.pop("seconds"); print(json.dumps(d, sort_keys=True))' >"$work/b.json"
[[ -s $work/a.json ]] && cmp -s "$work/a.json" "$work/b.json" && ok || bad "explore output differs between two runs"

# --- budget, bad input -------------------------------------------------------------
expect_error "budget" 4 "NOT a proof" -- explore "$ref" --max-schedules 5
expect_error "unbounded" 2 "/github/visibility_lag_s/list" "lognormal is unbounded" -- \
  explore "$src/scenarios/seed-reproduction.json"
expect_error "unbounded via --set" 2 "/github/visibility_lag_s/refs" -- \
  explore "$ref" --set 'github.visibility_lag_s.refs={"dist":"exponential","mean":1}'
expect_error "grid" 2 "--grid" -- explore "$ref" --grid 1
expect_error "where" 2 "unknown metric" -- explore "$ref" --where 'analysis>1'
expect_error "out dir" 2 "--out" -- explore "$seed" --out "$work/missing/cx.json"

# One schedule is "1 schedule": the first combination already satisfies `analyses>=1`.
"$bin" explore "$seed" --where 'analyses>=1' >"$work/one.txt" 2>&1
grep -q "(1 schedule, 0 pruned, " "$work/one.txt" && ok || bad "singular schedule: $(cat "$work/one.txt")"

echo "explore cli: $pass passed, $failures failed"
[[ $failures -eq 0 ]]
