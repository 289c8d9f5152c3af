#!/usr/bin/env bash
# End-to-end checks of `coordsim replay`, `coordsim find` and the determinism
# checks: the seed reproduction's duplicate in the reference's log shape, valid
# and reproducible Chrome traces, find agreeing with run, example indices
# independent of --threads, and clear errors (exit 2) for bad input.
# Usage: test_replay_cli.sh COORDSIM_BINARY SOURCE_DIR
set -uo pipefail
bin=$1
src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pass=0
failures=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
validate=$src/tests/e2e/cli/validate_trace.py
scen=$src/scenarios/seed-reproduction.json
prod=$src/scenarios/aprapipes-production.json

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
    if ! grep -qF -- "$p" "$work/err"; then bad "$name: stderr lacks '$p': $(cat "$work/err")"; return; fi
  done
  ok
}

# --- run lists example trials; the same for any --threads ---------------------
"$bin" run "$scen" --trials 5000 --threads 1 --json "$work/run1.json" >"$work/run1.txt" || bad "run --threads 1"
"$bin" run "$scen" --trials 5000 --threads 2 --json "$work/run2.json" >/dev/null || bad "run --threads 2"
examples() { python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["examples"], sort_keys=True))' "$1"; }
[[ -n $(examples "$work/run1.json") && "$(examples "$work/run1.json")" == "$(examples "$work/run2.json")" ]] && ok ||
  bad "examples differ between --threads 1 and 2: $(examples "$work/run1.json") vs $(examples "$work/run2.json")"
grep -q "example trials (smallest indices)" "$work/run1.txt" && ok || bad "run text lacks the example trials"
grep -q "replay one: coordsim replay $scen --trial K" "$work/run1.txt" && ok || bad "run text lacks the replay hint"
dup=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["examples"]["duplicate"][0])' "$work/run1.json")
[[ $dup =~ ^[0-9]+$ ]] && ok || bad "no duplicate example: $dup"

# --- replay the seed reproduction's duplicate: the reference's log shape -------
"$bin" replay "$scen" --trial "$dup" >"$work/replay.txt" 2>"$work/replay.err" && ok || bad "replay failed: $(cat "$work/replay.err")"
has() { grep -qE -- "$1" "$work/replay.txt" && ok || bad "timeline lacks /$1/"; }
has "^coordsim replay: seed-reproduction — strategy seed — seed 20251203, trial $dup$"
has "^ +0\.000 s  linux-x64 +checking coordination for flavor=linux-x64, commit=46e71ff2$"
has "^ +[0-9.]+ s  linux-x64 +find: nothing \(attempt 1/3\)$"
has "^ +[0-9.]+ s  linux-arm64 +find: nothing \(attempt 3/3\)$"
has "^ +[0-9.]+ s  windows +no coordination issue found after 3 attempts$"
has "^ +[0-9.]+ s  linux-x64 +create → #1$"
has "^ +[0-9.]+ s  GitHub +#1 created by linux-x64$"
has "^ +[0-9.]+ s  GitHub +#1 becomes visible on list \(lag [0-9.]+ s\)$"
has "^ +[0-9.]+ s  windows +(double-check confirmed we're first|double-check saw no issue, not even our own #3: confirmed we're first)"
has "^ +[0-9.]+ s  linux-x64 +→ list_issues page 1$"
has "^ +[0-9.]+ s  linux-x64 +← list_issues 200: "
has "^ +[0-9.]+ s  linux-x64 +sleep 0\.500 s$"
has "^ +[0-9.]+ s  linux-x64 +LLM analysis: 8000 tokens"
has "^outcome: duplicate$"
has "^  analyses +3 by 3 failing flavor\(s\), 1 signature\(s\)$"
has "^  cost +\\\$1\.80 \(uncoordinated \\\$1\.80\)"
has "^replay: coordsim replay $scen --trial $dup$"

# --- same seed and trial: identical timeline and trace bytes --------------------
"$bin" replay "$scen" --trial "$dup" --trace "$work/a.trace.json" >"$work/a.txt" || bad "replay --trace a"
"$bin" replay "$scen" --trial "$dup" --trace "$work/b.trace.json" >"$work/b.txt" || bad "replay --trace b"
cmp -s "$work/a.txt" "$work/b.txt" && ok || bad "timelines of two replays differ"
cmp -s "$work/a.trace.json" "$work/b.trace.json" && ok || bad "traces of two replays differ"
cmp -s "$work/a.txt" "$work/replay.txt" && ok || bad "--trace changed the timeline"

# --- the trace is valid trace-event JSON -----------------------------------------
python3 "$validate" "$work/a.trace.json" --expect-tracks 4 && ok || bad "seed reproduction trace invalid"
"$bin" replay "$prod" --trial 4 --strategy seed-lowest --trace "$work/prod.trace.json" >/dev/null || bad "replay production"
python3 "$validate" "$work/prod.trace.json" --expect-tracks 8 && ok || bad "production trace invalid"
"$bin" replay "$prod" --trial 4 --trace - >"$work/stdout.trace.json" || bad "--trace -"
python3 "$validate" "$work/stdout.trace.json" && ok || bad "--trace - does not write only the trace to stdout"
# Refs carry no issue number: a ref-lock trace names them as refs, not "#0".
"$bin" replay "$prod" --trial 4 --strategy ref-lock --trace "$work/ref.trace.json" >/dev/null || bad "replay ref-lock"
grep -q '"ref visible on refs"' "$work/ref.trace.json" && ok || bad "no ref visibility in the ref-lock trace"
! grep -q '"#0 visible' "$work/ref.trace.json" && ok || bad "a ref shown as #0 in the trace"
# The validator itself rejects what it should.
printf '{"traceEvents":[{"name":"a","ph":"X","pid":1,"tid":1,"ts":0,"dur":10},{"name":"b","ph":"X","pid":1,"tid":1,"ts":5,"dur":10}]}' >"$work/overlap.json"
printf '{"traceEvents":[{"name":"a","ph":"B","pid":1,"tid":1,"ts":0}]}' >"$work/open.json"
printf '{"traceEvents":[{"name":"a","ph":"X","pid":1,"tid":1,"ts":0,"dur":-1}]}' >"$work/negative.json"
printf '{"traceEvents":[{"ph":"i","pid":1,"tid":1,"ts":0}]}' >"$work/noname.json"
printf '{"traceEvents":[' >"$work/truncated.json"
for f in overlap open negative noname truncated; do
  python3 "$validate" "$work/$f.json" 2>/dev/null && bad "validator accepted $f.json" || ok
done

# --- determinism checks ---------------------------------------------------------
"$bin" replay "$scen" --trial "$dup" --check-determinism >"$work/det.txt" && ok || bad "replay --check-determinism failed"
grep -q "^determinism: 3 replays identical" "$work/det.txt" && ok || bad "replay --check-determinism line"
"$bin" run "$prod" --trials 5000 --check-determinism >"$work/rdet.txt" && ok || bad "run --check-determinism failed"
grep -q "determinism: 5000 trials identical, event by event, on 1 and 2 threads" "$work/rdet.txt" && ok ||
  bad "run --check-determinism line: $(tail -2 "$work/rdet.txt")"

# --- find agrees with run --------------------------------------------------------
"$bin" run "$prod" --trials 8000 --json "$work/prod.json" >/dev/null || bad "run production"
"$bin" find "$prod" --trials 8000 --where 'analyses>1' --limit 5 --threads 1 --json "$work/find1.json" >/dev/null || bad "find 1"
"$bin" find "$prod" --trials 8000 --where 'analyses>1' --limit 5 --threads 2 --json "$work/find2.json" >"$work/find.out" || bad "find 2"
cmp -s "$work/find1.json" "$work/find2.json" && ok || bad "find output depends on --threads"
python3 - "$work/prod.json" "$work/find1.json" <<'PY' && ok || bad "find does not match run's duplicate count"
import json, sys
run, found = (json.load(open(p)) for p in sys.argv[1:3])
dup = run["duplicate_rate"]
assert found["matches"] == dup["count"], (found["matches"], dup["count"])
assert abs(found["matches"] - dup["value"] * run["failure_events"]) < 1e-6 * run["failure_events"]
assert found["indices"] == run["examples"]["duplicate"], (found["indices"], run["examples"]["duplicate"])
assert found["parsed"] == "(analyses > 1)"
PY
grep -q "replay the first: coordsim replay $prod --trial" "$work/find.out" && ok || bad "find prints no replay command"
"$bin" find "$prod" --trials 3000 --where 'misses>0 && api_calls<20' >"$work/none.out" && ok || bad "find with no match"
grep -q "no trial matches" "$work/none.out" && ok || bad "find with no match says so"

# --- shrink: a 7-flavor duplicate of seed becomes a small constant scenario ------
"$bin" run "$prod" --trials 500 --strategy seed --json "$work/seedprod.json" >/dev/null || bad "run production seed"
pdup=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["examples"]["duplicate"][0])' "$work/seedprod.json")
"$bin" replay "$prod" --trial "$pdup" --strategy seed --shrink "$work/small.json" >"$work/shrink.txt" &&
  ok || bad "replay --shrink failed"
grep -q "^shrunk trial $pdup of aprapipes-production (seed): 7 failing flavor(s) -> [23]" "$work/shrink.txt" && ok ||
  bad "shrink summary: $(grep shrunk "$work/shrink.txt")"
python3 - "$work/small.json" <<'PY' && ok || bad "shrunk scenario is not small and constant"
import json, sys
d = json.load(open(sys.argv[1]))
assert 2 <= len(d["workload"]["flavors"]) <= 3, d["workload"]["flavors"]
def constant(v):
    return isinstance(v, (int, float))
w, f = d["workload"], d["workload"]["failure"]
assert all(constant(v) for v in (w["start_stagger_s"], w["start_jitter_s"], f["time_to_failure_s"], f["flavor_delay_s"]))
assert f["common_mode_probability"] in (0, 1) and f["per_flavor_probability"] in (0, 1)
for e in d["github"]["latency"].values():
    assert constant(e["request_s"]) and constant(e["response_s"]), e
assert all(constant(v) for v in d["github"]["visibility_lag_s"].values())
assert all(constant(d["llm"][k]) for k in ("tokens_in", "tokens_out", "analysis_duration_s"))
assert d["agent"]["strategy"] == "seed" and "expect" not in d
PY
"$bin" run "$work/small.json" --trials 200 --json "$work/small-run.json" >/dev/null || bad "run shrunk scenario"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["duplicate_rate"]["value"] == 1.0, d["duplicate_rate"]' \
  "$work/small-run.json" && ok || bad "the shrunk scenario does not duplicate in every trial"
"$bin" replay "$work/small.json" --trial 0 >"$work/small-replay.txt" || bad "replay the shrunk scenario"
grep -q "^outcome: duplicate$" "$work/small-replay.txt" && ok || bad "replaying the shrunk scenario"
"$bin" find "$prod" --trials 2000 --where 'analyses>=3' --shrink "$work/three.json" >/dev/null && ok || bad "find --shrink"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert len(d["workload"]["flavors"]) == 3, d["workload"]' \
  "$work/three.json" && ok || bad "find --shrink 'analyses>=3' should keep exactly 3 flavors"
clean=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["examples"]["clean"][0])' "$work/prod.json")

# --- help teaches with examples --------------------------------------------------
# (Into files first: grep -q exits at the first match, and under pipefail the writer's SIGPIPE fails the pipe.)
"$bin" replay --help >"$work/replay.help"; "$bin" find --help >"$work/find.help"; "$bin" run --help >"$work/run.help"
grep -q "coordsim replay scenarios/seed-reproduction.json --trial 0" "$work/replay.help" && ok || bad "replay --help example"
grep -q "min_gap_s" "$work/find.help" && ok || bad "find --help lists the metrics"
grep -q -- "--check-determinism" "$work/run.help" && ok || bad "run --help shows --check-determinism"

# --- bad input: exit 2, naming the problem ---------------------------------------
expect_error "bad --where" 2 "--where: column 11" "analyses >" -- find "$scen" --where 'analyses >'
expect_error "unknown metric" 2 'unknown metric "analysis"' "did you mean" "known metrics:" -- find "$scen" --where 'analysis>1'
expect_error "trial out of range" 2 "--trial: trial 100000 is out of range" "0 to 99999" -- replay "$scen" --trial 100000
expect_error "trial out of range with --trials" 2 "0 to 9" -- replay "$scen" --trial 10 --trials 10
expect_error "unwritable --trace" 2 "--trace: cannot write $work/no/such/dir/t.json" "does not exist" -- \
  replay "$scen" --trial 0 --trace "$work/no/such/dir/t.json"
expect_error "--trace is a directory" 2 "it is a directory" -- replay "$scen" --trial 0 --trace "$work"
expect_error "unknown strategy" 2 "--strategy" "seed-lowest" -- replay "$scen" --trial 0 --strategy raft
expect_error "missing --trial" 2 "--trial" -- replay "$scen"
expect_error "missing --where" 2 "--where" -- find "$scen"
expect_error "bad --set in find" 2 "agent.nope" -- find "$scen" --where duplicate --set agent.nope=1
expect_error "shrink a clean trial" 2 "--shrink: trial $clean is clean" "--where" -- \
  replay "$prod" --trial "$clean" --trials 8000 --shrink "$work/x.json"
expect_error "shrink a trial that does not satisfy --where" 2 "does not satisfy" -- \
  replay "$prod" --trial "$clean" --trials 8000 --shrink "$work/x.json" --where 'analyses>5'
expect_error "--where without --shrink" 2 "--where requires --shrink" -- replay "$scen" --trial 0 --where duplicate
expect_error "unwritable --shrink" 2 "--shrink: cannot write" -- replay "$scen" --trial 0 --shrink "$work/no/dir/x.json"

echo "$pass passed, $failures failed"
[[ $failures -eq 0 ]]
