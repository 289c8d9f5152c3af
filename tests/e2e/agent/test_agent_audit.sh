#!/usr/bin/env bash
# `coordsim audit` against `coordsim serve` after real agent runs: a clean
# matrix (exit 0); faults induced so that one signature is analyzed twice (a
# leg whose every request is answered 500 fails open) and another by nobody
# (legs that fail closed) — both reported, exit 1, in Markdown and JSON; a
# lock holder without a decision file (never decided); --scenario's interval
# over a set of runs; bad input (exit 2).
# Usage: test_agent_audit.sh COORDSIM_BINARY SOURCE_DIR
set -uo pipefail
bin=$1
src=$2
work=$(mktemp -d)
# shellcheck source=lib.sh
. "$src/tests/e2e/agent/lib.sh"
trap 'stop_servers; rm -rf "$work"' EXIT
unset HTTPS_PROXY https_proxy HTTP_PROXY http_proxy NO_PROXY no_proxy GITHUB_TOKEN GH_TOKEN GITHUB_REPOSITORY GITHUB_SHA GITHUB_API_URL
scen=$src/tests/data/agent-e2e.json

start_server good "$scen"
# Every request answered 500: an outage as one leg sees it.
start_server bad "$scen" --set github.faults.default.server_error=1
good=${server_url[good]}
bad=${server_url[bad]}
repo=audit/demo

# leg DIR URL COMMIT FLAVOR SIGNATURE ARGS...: one agent; DIR/FLAVOR-SIG.json.
# Started with & by the callers, whose PIDs go into $legs for wait_legs (a bare
# `wait` would wait for the servers too).
leg() {
  local dir=$1 url=$2 commit=$3 flavor=$4 sig=$5; shift 5
  mkdir -p "$dir"
  "$bin" agent --api-url "$url" --repo "$repo" --commit "$commit" --flavor "$flavor" --signature "$sig" \
    --scenario "$scen" "$@" --json "$dir/$commit-$flavor-${sig// /_}.json" >/dev/null 2>>"$dir/agents.err"
}
# The scenario's refs path lags 0.2 s behind a create: the audit reads after it
# (in a workflow the audit job starts many seconds after the legs).
legs=()
wait_legs() { wait "${legs[@]}"; legs=(); }
audit() { sleep 0.3; "$bin" audit --api-url "$good" --repo "$repo" "$@"; }

# --- a clean run: three legs, one signature, one analysis --------------------
for f in linux-x64 linux-arm64 windows; do leg "$work/clean" "$good" clean1 "$f" "undefined reference" & legs+=($!); done
wait_legs
audit --commit clean1 --decisions "$work/clean" --json "$work/clean.json" >"$work/clean.md"
check "clean run: exit 0" test $? = 0
check "clean run: one signature, analyzed once, by the lock holder" \
  test "$(json_get "$work/clean.json" '(d["totals"]["signatures"], d["commits"][0]["signatures"][0]["analyses"], d["clean"])')" = "(1, 1, True)"
check "clean run: the lock holder is the leg that analyzed" \
  test "$(json_get "$work/clean.json" 'd["commits"][0]["signatures"][0]["analyzed"][0] in d["commits"][0]["signatures"][0]["leaders_on_server"][0]')" = True
check "clean run: Markdown says clean" grep -q '^\*\*Clean\*\*' "$work/clean.md"

# --- faults: a duplicate and a miss ------------------------------------------
fast=(--timeout 3 --set agent.client.max_total_wait_s=1)
d=$work/faulty
for f in linux-x64 linux-arm64; do leg "$d" "$good" fault1 "$f" "link error" & done
# This leg's every request fails: it fails open and analyzes too.
leg "$d" "$bad" fault1 windows "link error" --on-error analyze "${fast[@]}" & legs+=($!)
# Both legs of another failure fail closed: nobody analyzes it.
for f in macos linux-x64; do leg "$d" "$bad" fault1 "$f" "test timeout" --on-error skip "${fast[@]}" & legs+=($!); done
wait_legs
check "faults: the windows leg failed open" \
  test "$(json_get "$d/fault1-windows-link_error.json" 'd["reason"]')" = error_fail_open
audit --commit fault1 --decisions "$d" --json "$work/fault.json" >"$work/fault.md"
check "faults: exit 1" test $? = 1
sig() { json_get "$work/fault.json" "[s for s in d['commits'][0]['signatures'] if s['signature']=='$1'][0]$2"; }
check "faults: 'link error' duplicate with 2 analyses" \
  test "$(json_get "$work/fault.json" "[(s['duplicate'], s['analyses']) for s in d['commits'][0]['signatures'] if s['signature']=='link error'][0]")" = "(True, 2)"
check "faults: 'test timeout' is a miss, analyzed by nobody" \
  test "$(json_get "$work/fault.json" "[(s['miss'], s['analyses'], len(s['skipped'])) for s in d['commits'][0]['signatures'] if s['signature']=='test timeout'][0]")" = "(True, 0, 2)"
check "faults: totals" test "$(json_get "$work/fault.json" '(d["totals"]["duplicates"], d["totals"]["misses"], d["clean"])')" = "(1, 1, False)"
check "faults: Markdown names the duplicate" grep -q 'fault1/link_20error.*\*\*duplicate\*\*' "$work/fault.md"
check "faults: Markdown names the miss" grep -q 'fault1/test_20timeout.*\*\*miss\*\*' "$work/fault.md"
check "faults: Markdown says not clean" grep -q '^\*\*Not clean\*\*' "$work/fault.md"

# --- a lock holder whose decision file was never uploaded ---------------------
d=$work/lost
leg "$d" "$good" lost1 dead "segfault" --lease-ttl 600
rm "$d/lost1-dead-segfault.json"           # the runner died before the upload
leg "$d" "$good" lost1 alive "segfault" --lease-ttl 600 --timeout 2 --on-error skip
audit --commit lost1 --decisions "$d" --json "$work/lost.json" >/dev/null
check "lost leader: exit 1 (nobody is known to have analyzed)" test $? = 1
check "lost leader: never decided, its lock left over (no done marker)" \
  test "$(json_get "$work/lost.json" '(lambda s: (s["never_decided"], "no done marker" in s["leftover_locks"][0], s["miss"]))(d["commits"][0]["signatures"][0])')" = "(['dead'], True, True)"

# --- --scenario: counts over a set of runs against the simulator --------------
runs=$work/runs
for c in 1 2 3 4; do
  for f in linux-x64 linux-arm64 windows; do leg "$runs" "$good" "run$c" "$f" "" & legs+=($!); done
done
wait_legs
audit --decisions "$runs" --scenario "$scen" --strategy ref-lock --json "$work/runs.json" >"$work/runs.md"
rc=$?
check "4 clean runs: exit 0 (got $rc)" test $rc = 0
[[ $rc = 0 ]] || cat "$work/runs.md" >&2
# From the server alone (no decision files): the lock holder is the one analysis.
# (Without git/matching-refs, which serve lacks, only the commit's own key is
# probed then: these runs have no signature.)
audit --commit run1 --json "$work/server-only.json" >/dev/null
check "server only: exit 0" test $? = 0
check "server only: the lock holder is the one analysis" \
  test "$(json_get "$work/server-only.json" '(lambda s: (len(s["analyzed"]), s["analyzed"][0] in s["leaders_on_server"][0], s["miss"]))(d["commits"][0]["signatures"][0])')" = "(1, True, False)"
check "4 clean runs: inside the simulator's interval (ref-lock: 0 duplicates, [0, 0])" \
  test "$(json_get "$work/runs.json" '(lambda k: (k["runs"], k["duplicates"]["observed"], k["duplicates"]["interval_95"], k["duplicates"]["inside"], k["misses"]["inside"]))(d["scenario_check"])')" = "(4, 0, [0, 0], True, True)"
cp "$work/faulty"/*.json "$runs/"
audit --decisions "$runs" --scenario "$scen" --strategy ref-lock --json "$work/runs2.json" >"$work/runs2.md"
check "with the faulty run: exit 1" test $? = 1
check "with the faulty run: 5 runs, 1 duplicate, outside [0, 0]" \
  test "$(json_get "$work/runs2.json" '(lambda k: (k["runs"], k["duplicates"]["observed"], k["duplicates"]["inside"]))(d["scenario_check"])')" = "(5, 1, False)"
check "with the faulty run: Markdown says no" grep -q '^| duplicates | 1 | 0.0% | \[0, 0\] | \*\*no\*\* |' "$work/runs2.md"

# --- bad input: exit 2, naming what is wrong ----------------------------------
mkdir -p "$work/junk" && echo '{"command": "run"}' >"$work/junk/x.json"
expect_error "a file that is not agent output" 2 "--decisions" "x.json: /command" -- audit --repo "$repo" --api-url "$good" --decisions "$work/junk"
echo '{' >"$work/junk/x.json"
expect_error "a file that is not JSON" 2 "x.json: (document): not valid JSON" -- audit --repo "$repo" --api-url "$good" --decisions "$work/junk"
expect_error "no commit" 2 "--commit: required" -- audit --repo "$repo" --api-url "$good"
expect_error "bad commit" 2 "--commit: expected a commit SHA" -- audit --repo "$repo" --api-url "$good" --commit 'a b'
expect_error "bad repo" 2 "--repo" -- audit --repo nope --commit c
expect_error "missing decisions dir" 2 "--decisions" -- audit --repo "$repo" --api-url "$good" --commit c --decisions "$work/nope"
finish
