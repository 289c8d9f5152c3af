#!/usr/bin/env bash
# `coordsim agent` end to end against `coordsim serve` over HTTP on loopback:
# three agent processes started together for one commit make the decisions
# `coordsim run` predicts for the same scenario — exactly, with constant lags,
# and within the simulator's 99.9% interval over a batch of repetitions with
# random lags. Also: keep-alive, the lease and `agent done`, status 0 on
# refused connections and timeouts, the --timeout deadline, rate limits, and
# clear errors for bad arguments.
# Usage: test_agent_e2e.sh COORDSIM_BINARY SOURCE_DIR
# COORDSIM_AGENT_BIN: run the agents with another binary (or wrapper) than
# COORDSIM_BINARY, which still serves and predicts (tests/e2e/package/test_arm64.sh).
set -uo pipefail
bin=$1
src=$2
work=$(mktemp -d)
# shellcheck source=lib.sh
. "$src/tests/e2e/agent/lib.sh"
trap 'stop_servers; rm -rf "$work"' EXIT
unset HTTPS_PROXY https_proxy HTTP_PROXY http_proxy NO_PROXY no_proxy GITHUB_TOKEN GH_TOKEN GITHUB_REPOSITORY GITHUB_SHA
scen=$src/tests/data/agent-e2e.json
flavors=(linux-x64 linux-arm64 windows)

# run_matrix URL REPO COMMIT DIR AGENT_ARGS...: one agent per flavor, all
# started at once; DIR/<flavor>.json, .err and .rc.
run_matrix() {
  local url=$1 repo=$2 commit=$3 dir=$4; shift 4
  mkdir -p "$dir"
  local pids=() f
  for f in "${flavors[@]}"; do
    ( "$agent_bin" agent --api-url "$url" --repo "$repo" --commit "$commit" --flavor "$f" --scenario "$scen" "$@" \
        >"$dir/$f.json" 2>"$dir/$f.err"; echo $? >"$dir/$f.rc" ) &
    pids+=($!)
  done
  wait "${pids[@]}"
}
analyses() { cat "$1"/*.rc | grep -c '^0$'; }
only_0_or_3() { ! cat "$1"/*.rc | grep -qv '^[03]$'; }
reasons() { for f in "${flavors[@]}"; do json_get "$1/$f.json" 'd["reason"]'; done | sort | tr '\n' ' '; }
# predicted SETS...: the simulator's mean number of analyses per failure.
predicted() {
  "$bin" run "$scen" --trials 200 "$@" --json "$work/pred.json" >/dev/null || return 1
  json_get "$work/pred.json" 'd["analyses"]["mean"]'
}

# --- constant lags: exactly the simulator's decisions ------------------------
# (name, strategy, lag --set for both runtimes, expected analyses)
start_server a "$scen"
url=${server_url[a]}
case_n=0
constant_case() {  # constant_case NAME STRATEGY EXPECTED SET...
  local name=$1 strategy=$2 want=$3; shift 3
  local sets=() s
  for s in "$@"; do sets+=(--set "$s"); done
  case_n=$((case_n + 1))
  local dir=$work/$name
  run_matrix "$url" "e2e/$name" "c0ffee$case_n" "$dir" --strategy "$strategy" "${sets[@]}"
  local pred got
  pred=$(predicted --strategy "$strategy" "${sets[@]}")
  got=$(analyses "$dir")
  # The agents start "together" as processes do: the constant lags leave the
  # decisions unchanged for start skews under 1 s (tests/data/agent-e2e.json).
  local skew
  skew=$($py -c 'import json,sys; t=[json.load(open(f))["started_unix_s"] for f in sys.argv[1:]]; print(round(max(t)-min(t),3))' "$dir"/*.json 2>/dev/null)
  check "$name: agents started within 1 s of each other (skew ${skew:-?} s)" $py -c 'import sys; sys.exit(0 if float(sys.argv[1]) < 1 else 1)' "${skew:-9}"
  check "$name: exit codes are 0 or 3" only_0_or_3 "$dir"
  check "$name: simulator predicts $want analyses (got $pred)" test "$pred" = "$want.0"
  check "$name: agents made $got analyses, simulator $pred" test "$got.0" = "$pred"
  [[ $got.0 == "$pred" ]] || { echo "  reasons: $(reasons "$dir")" >&2; cat "$dir"/*.err >&2; }
}
constant_case ref-lock ref-lock 1
check "ref-lock: one lock_acquired, two lock_held" test "$(reasons "$work/ref-lock")" = "lock_acquired lock_held lock_held "
check "ref-lock: 2 calls (blob + ref) on 1 kept-alive connection" \
  test "$(json_get "$work/ref-lock/windows.json" '(d["api_calls"]["total"], d["api_calls"]["connections"])')" = "(2, 1)"
check "ref-lock: lock ref named by commit" \
  test "$(json_get "$work/ref-lock/windows.json" 'd["lock_ref"]')" = "refs/coordination/c0ffee1"
# Newest-first first match: every creator sees a newer issue and analyzes.
constant_case seed seed 3
constant_case seed-lowest seed-lowest 1
check "seed-lowest: one confirmed_first, two deferred_to_lower" \
  test "$(reasons "$work/seed-lowest")" = "confirmed_first deferred_to_lower deferred_to_lower "
for f in "${flavors[@]}"; do
  check "seed-lowest, $f: 5 or more calls (3 finds, create, re-check, cleanup) on one connection" \
    test "$(json_get "$work/seed-lowest/$f.json" 'd["api_calls"]["total"] >= 5 and d["api_calls"]["connections"] == 1')" = True
done
sleep 1.2  # the losers' closes reach the list path
open=$(api GET "$url/repos/e2e/seed-lowest/issues?state=open&labels=autonomous-coordination" | $py -c 'import json,sys; print(len(json.load(sys.stdin)))')
check "seed-lowest: losers closed their issues (1 open, got $open)" test "$open" = 1
constant_case scan-down scan-down 1 github.visibility_lag_s.get=0.3
constant_case settle settle 1
stop_servers

# The list lag outlasts the seed protocols' re-check and the settle time.
start_server b "$scen" --set github.visibility_lag_s.list=5
url=${server_url[b]}
constant_case seed-lowest-lag5 seed-lowest 3 github.visibility_lag_s.list=5
constant_case settle-lag5 settle 3 github.visibility_lag_s.list=5
stop_servers

# --- random lags: duplicates within the simulator's 95% interval -------------
lag='github.visibility_lag_s.list={"dist":"uniform","min":0.5,"max":3.5}'
start_server c "$scen" --set "$lag"
url=${server_url[c]}
reps=12
p=$("$bin" run "$scen" --strategy seed-lowest --set "$lag" --trials 40000 --json - 2>/dev/null |
    $py -c 'import json,sys; print(json.load(sys.stdin)["duplicate_rate"]["value"])')
duplicates=0
for batch in 0 1 2; do
  batch_pids=()
  for r in 0 1 2 3; do
    i=$((batch * 4 + r))
    run_matrix "$url" "e2e/random-$i" "beef$i" "$work/random-$i" --strategy seed-lowest &
    batch_pids+=($!)
  done
  wait "${batch_pids[@]}"  # not the server
done
for i in $(seq 0 $((reps - 1))); do
  n=$(analyses "$work/random-$i")
  ((n > 1)) && duplicates=$((duplicates + 1))
done
read -r lo hi < <($py -c '
import math, sys
n, p = int(sys.argv[1]), float(sys.argv[2])
cdf, lo, hi = 0.0, None, None
for k in range(n + 1):
    cdf += math.comb(n, k) * p**k * (1 - p)**(n - k)
    if lo is None and cdf >= 0.0005: lo = k
    if hi is None and cdf >= 0.9995: hi = k
print(lo, hi)' "$reps" "$p")
# 99.9%, not 95%: twelve real repetitions on a loaded 2-core machine put one
# run in twenty outside a 95% interval (11 of 12 at p=0.572 was seen, 1.2% by
# chance); a model off by much (p=0.1 vs 0.57) still lands outside this one.
echo "random lags: $duplicates duplicates in $reps repetitions; simulator p=$p, 99.9% interval [$lo, $hi]"
check "random lags: $duplicates duplicates of $reps within [$lo, $hi] (p=$p)" test "$duplicates" -ge "$lo" -a "$duplicates" -le "$hi"
stop_servers

# --- lease: the follower waits for the leader's `agent done` -----------------
start_server d "$scen"
url=${server_url[d]}
lease=(--api-url "$url" --repo e2e/lease --commit lease1 --lease-ttl 60 --set agent.lease.poll_interval_s=0.2)
lease_pids=()
for f in linux-x64 windows; do
  ( "$agent_bin" agent "${lease[@]}" --flavor "$f" >"$work/lease-$f.json" 2>"$work/lease-$f.err"; echo $? >"$work/lease-$f.rc" ) &
  lease_pids+=($!)
done
leader=
for _ in $(seq 100); do
  for f in linux-x64 windows; do [[ -s $work/lease-$f.rc ]] && leader=$f; done
  [[ -n $leader ]] && break
  sleep 0.05
done
follower=$([[ $leader == linux-x64 ]] && echo windows || echo linux-x64)
check "lease: the leader exits 0 at once" test "$(cat "$work/lease-$leader.rc")" = 0
sleep 0.5
check "lease: the follower still waits" test ! -s "$work/lease-$follower.rc"
"$agent_bin" agent done "${lease[@]}" --flavor "$leader" >"$work/done.json" 2>"$work/done.err"
check "agent done: exit 0" test $? = 0
check "agent done: recorded the -done ref" test "$(json_get "$work/done.json" '(d["recorded"], d["done_ref"])')" = "(True, 'refs/coordination/lease1-done')"
wait "${lease_pids[@]}"
# `agent release` is `agent done`: a second record finds the -done ref there, which counts.
"$agent_bin" agent release "${lease[@]}" --flavor "$leader" >"$work/release.json" 2>"$work/release.err"
check "agent release (alias of done): exit 0" test $? = 0
check "agent release: recorded (the -done ref already exists)" test "$(json_get "$work/release.json" '(d["command"], d["recorded"])')" = "('agent done', True)"
check "lease: the follower skips once the leader is done" test "$(cat "$work/lease-$follower.rc")" = 3
check "lease: reason leader_done" test "$(json_get "$work/lease-$follower.json" 'd["reason"]')" = leader_done
"$agent_bin" agent done --api-url "$url" --repo e2e/x --commit x --flavor a --strategy seed-lowest >"$work/done2.json" 2>&1
check "agent done for an issue protocol: nothing to record, exit 0" test $? = 0
check "agent done for an issue protocol: says so" grep -q 'nothing to record' "$work/done2.json"

# --- errors: status 0, the deadline, rate limits ------------------------------
fast=(--set agent.client.max_attempts=2 --set agent.client.base_delay_s=0.01)
"$agent_bin" agent --api-url http://127.0.0.1:1/api/v3 --repo e2e/x --commit x --flavor a "${fast[@]}" >"$work/refused.json" 2>"$work/refused.err"
check "connection refused: --on-error analyze decides analyze (exit 0)" test $? = 0
check "connection refused: status 0, error_fail_open" \
  test "$(json_get "$work/refused.json" '(d["reason"], d["error"]["status"])')" = "('error_fail_open', 0)"
check "connection refused: says so" grep -qi 'refused' "$work/refused.json"
check "connection refused: warns on stderr" grep -q 'could not coordinate' "$work/refused.err"
"$agent_bin" agent --api-url http://127.0.0.1:1/api/v3 --repo e2e/x --commit x --flavor a "${fast[@]}" --on-error skip >"$work/refused2.json" 2>/dev/null
check "connection refused, --on-error skip: exit 3" test $? = 3
check "connection refused, --on-error skip: error_fail_closed" test "$(json_get "$work/refused2.json" 'd["reason"]')" = error_fail_closed
check "connection refused: the warning says what to check" grep -q 'check --api-url' "$work/refused.err"
# A repository the token cannot see: GitHub answers 404 to everything (serve makes any
# repository on first use, so a stub stands in for GitHub here).
cat >"$work/not_found.py" <<'PY'
import http.server, json, sys
class H(http.server.BaseHTTPRequestHandler):
    def answer(self):
        self.rfile.read(int(self.headers.get("content-length") or 0))
        body = json.dumps({"message": "Not Found", "documentation_url": "https://docs.github.com/rest"}).encode()
        self.send_response(404); self.send_header("content-type", "application/json; charset=utf-8")
        self.send_header("content-length", str(len(body))); self.end_headers(); self.wfile.write(body)
    do_GET = do_POST = do_PATCH = do_DELETE = answer
    def log_message(self, *a): pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()
PY
"$py" "$work/not_found.py" >"$work/not_found.port" &
nf_pid=$!
for _ in $(seq 100); do [[ -s $work/not_found.port ]] && break; sleep 0.05; done
nf_url="http://127.0.0.1:$(cat "$work/not_found.port")/api/v3"
"$agent_bin" agent --api-url "$nf_url" --repo e2e/missing --commit x --flavor a "${fast[@]}" --on-error skip >"$work/nf.json" 2>"$work/nf.err"
check "404 repository: --on-error skip decides skip (exit 3)" test $? = 3
check "404 repository: status 404 in the JSON" test "$(json_get "$work/nf.json" '(d["reason"], d["error"]["status"])')" = "('error_fail_closed', 404)"
check "404 repository: one warning line naming the repository problem" \
  test "$(grep -c 'no such repository, or the token cannot see it' "$work/nf.err")" = 1
kill "$nf_pid" 2>/dev/null; wait "$nf_pid" 2>/dev/null
"$agent_bin" agent done --api-url http://127.0.0.1:1/api/v3 --repo e2e/x --commit x --flavor a --lease-ttl 5 "${fast[@]}" \
  >"$work/done-refused.json" 2>"$work/done-refused.err"
check "agent done that cannot record: exit 1" test $? = 1
check "agent done that cannot record: recorded false, says why" \
  test "$(json_get "$work/done-refused.json" '(d["recorded"], d["error"]["status"])')" = "(False, 0)"
stop_servers

start_server slow "$scen" --set github.latency.default.request_s=2
url=${server_url[slow]}
"$agent_bin" agent --api-url "$url" --repo e2e/slow --commit x --flavor a --request-timeout 0.3 "${fast[@]}" >"$work/timeout.json" 2>/dev/null
check "request timeout: status 0, 'timed out'" \
  test "$(json_get "$work/timeout.json" '(d["error"]["status"], "timed out after 0.3 s" in d["error"]["message"])')" = "(0, True)"
start=$(date +%s.%N)
"$agent_bin" agent --api-url "$url" --repo e2e/slow2 --commit x --flavor a --timeout 1 >"$work/deadline.json" 2>/dev/null
rc=$?
took=$($py -c "import sys; print(float(sys.argv[2]) - float(sys.argv[1]))" "$start" "$(date +%s.%N)")
check "--timeout 1: decides by --on-error (exit $rc)" test "$rc" = 0
check "--timeout 1: deadline_expired" test "$(json_get "$work/deadline.json" 'd["deadline_expired"]')" = True
check "--timeout 1: done within 2 s (took $took s)" $py -c "import sys; sys.exit(0 if float(sys.argv[1]) < 2 else 1)" "$took"
stop_servers

# Two requests an hour: the second agent's blob is refused with x-ratelimit-reset
# an hour away, longer than the retry budget: it gives up at once, not hammering.
start_server limited "$scen" --rate-limit 2
url=${server_url[limited]}
"$agent_bin" agent --api-url "$url" --repo e2e/rl --commit x --flavor a >/dev/null 2>&1
start=$(date +%s)
"$agent_bin" agent --api-url "$url" --repo e2e/rl --commit x --flavor b >"$work/limited.json" 2>/dev/null
check "rate limited: fail open (exit 0)" test $? = 0
check "rate limited: 403 with GitHub's message, one call" \
  test "$(json_get "$work/limited.json" '(d["error"]["status"], "rate limit" in d["error"]["message"], d["api_calls"]["total"])')" = "(403, True, 1)"
check "rate limited: no waiting past the budget" test $(($(date +%s) - start)) -le 2
stop_servers

# --- bad arguments: exit 2 and a message naming the option -------------------
expect_error "no --flavor" 2 "--flavor" -- agent --repo a/b --commit c
expect_error "no --repo" 2 "--repo" "GITHUB_REPOSITORY" -- agent --commit c --flavor f
expect_error "no --commit" 2 "--commit" "GITHUB_SHA" -- agent --repo a/b --flavor f
expect_error "bad --repo" 2 "--repo: expected OWNER/NAME" -- agent --repo ab --commit c --flavor f
expect_error "bad --api-url" 2 "--api-url: expected http://" -- agent --api-url api.github.com --repo a/b --commit c --flavor f
expect_error "bad --strategy" 2 "--strategy" "ref-lock" -- agent --repo a/b --commit c --flavor f --strategy best
expect_error "bad --on-error" 2 "--on-error" -- agent --repo a/b --commit c --flavor f --on-error maybe
expect_error "bad --timeout" 2 "--timeout" -- agent --repo a/b --commit c --flavor f --timeout -1
expect_error "bad --flavor" 2 "--flavor" -- agent --repo a/b --commit c --flavor 'a b'
expect_error "--ca-file on http" 2 "--ca-file" -- agent --api-url http://127.0.0.1:1 --repo a/b --commit c --flavor f --ca-file /etc/hostname
expect_error "missing --token-file" 2 "--token-file" -- agent --repo a/b --commit c --flavor f --token-file "$work/none"
GITHUB_REPOSITORY=from/env GITHUB_SHA=envsha "$agent_bin" agent --api-url http://127.0.0.1:1 --flavor f "${fast[@]}" >"$work/env.json" 2>/dev/null
check "GITHUB_REPOSITORY and GITHUB_SHA as defaults" test "$(json_get "$work/env.json" '(d["repo"], d["commit"])')" = "('from/env', 'envsha')"
"$agent_bin" agent --help >"$work/help" 2>&1
check "--help: exit codes and examples" grep -q 'Exit codes: 0 analyze' "$work/help"
check "--help: examples" grep -q 'coordsim agent done' "$work/help"

finish
