#!/usr/bin/env bash
# `coordsim serve` under wrk (Debian package `wrk`), every figure of issue #16's
# performance targets side by side in one run, on loopback: a repository of
# 10,000 issues of which 500 carry the coordination label, 2 wrk threads, 200
# connections; GET /user (the server's own floor), list by label 20 per page,
# get one issue, create an issue (without and with --state), and the first
# response of new connections while the list load runs.
#
# Usage: bench/serve-wrk.sh [COORDSIM_BINARY] [SECONDS_PER_RUN]
#   defaults: build/cli/coordsim (or build/coordsim), 10 s
# Prints a Markdown table. Writes only inside a temp dir it makes.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-}
if [[ -z $bin ]]; then
  for b in build/cli/coordsim build/coordsim; do [[ -x $b ]] && bin=$b && break; done
fi
[[ -x ${bin:-} ]] || { echo "serve-wrk.sh: no coordsim binary (build first)" >&2; exit 2; }
secs=${2:-10}
command -v wrk >/dev/null || { echo "serve-wrk.sh: wrk is not installed (scripts/setup.sh --bench)" >&2; exit 2; }
export no_proxy=127.0.0.1 NO_PROXY=127.0.0.1
work=$(mktemp -d)
server_pid=
cleanup() {
  [[ -n $server_pid ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

# The repository, as a state file: 10,000 creates, every 20th labelled.
python3 - "$work/state.json" <<'EOF'
import json, sys
journal = []
for n in range(1, 10001):
    journal.append({"op": "create_issue", "c": n, "lags": [0, 0, 0, 0], "title": "Build failure %d" % n,
                    "body": "log of run %d" % n, "labels": ["autonomous-coordination"] if n % 20 == 0 else []})
state = {"format": "coordsim-serve-state", "version": 1, "clock_us": 10001, "unix_epoch_us": 0,
         "repositories": [{"owner": "acme", "name": "widgets", "id": 1, "created_unix_us": 0,
                           "issues": [], "journal": journal}]}
json.dump(state, open(sys.argv[1], "w"))
EOF

start_server() {  # start_server ARGS...
  "$bin" serve tests/data/serve-test.json --port 0 --rate-limit 1000000000000 ${SERVE_ARGS:-} \
    --set github.visibility_lag_s.list=0 --set github.visibility_lag_s.get=0 "$@" >"$work/out" 2>"$work/err" &
  server_pid=$!
  for _ in $(seq 200); do grep -q 'listening on' "$work/out" 2>/dev/null && break; sleep 0.05; done
  url=$(grep -o 'http://[^ ]*' "$work/out")
  [[ -n $url ]] || { echo "server did not start: $(cat "$work/err")" >&2; exit 1; }
  base=${url%/api/v3}
}
stop_server() {
  kill -TERM "$server_pid"
  wait "$server_pid" || true
  server_pid=
}

cat >"$work/get.lua" <<'EOF'
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", "/api/v3/repos/acme/widgets/issues/" .. ((n * 7919) % 10000 + 1))
end
EOF
cat >"$work/create.lua" <<'EOF'
wrk.method = "POST"
wrk.body = '{"title":"Build failure (bench)","labels":["autonomous-coordination"]}'
wrk.headers["Content-Type"] = "application/json"
EOF

# The server's CPU time so far, in clock ticks (user + system): per request it
# is a figure the other loads of a shared machine disturb far less than req/s.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$server_pid/stat"; }

# run NAME PATH [wrk args]: one wrk run; appends a table row.
rows=()
run() {
  local name=$1 path=$2; shift 2
  local cpu0 cpu1
  cpu0=$(cpu_ticks)
  wrk -t2 -c200 -d"${secs}s" --latency "$@" "$base$path" >"$work/wrk.txt" 2>&1 || true
  cpu1=$(cpu_ticks)
  local rps p50 p99 errors requests cpu_us
  requests=$(awk '/requests in/ {print $1}' "$work/wrk.txt")
  cpu_us=$(awk -v a="$cpu0" -v b="$cpu1" -v n="${requests:-0}" -v hz="$(getconf CLK_TCK)" \
    'BEGIN {if (n > 0) printf "%.0f", (b - a) * 1e6 / hz / n; else print "?"}')
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$work/wrk.txt")
  p50=$(awk '$1 == "50%" {print $2}' "$work/wrk.txt")
  p99=$(awk '$1 == "99%" {print $2}' "$work/wrk.txt")
  errors=$(awk '/Non-2xx or 3xx responses:/ {print $5} /Socket errors:/ {print "socket:" $4 $6 $8 $10}' "$work/wrk.txt" | tr '\n' ' ')
  rows+=("| $name | ${rps:-?} | ${p50:-?} | ${p99:-?} | $cpu_us | ${errors:-0} |")
  echo "$name: ${rps:-?} req/s, p50 ${p50:-?}, p99 ${p99:-?}, server CPU ${cpu_us} µs/request ${errors}" >&2
}

# first_responses N: N new connections, one after another, while a load runs;
# each one's time to its first response byte (curl's time_starttransfer).
first_responses() {
  local n=$1
  for _ in $(seq "$n"); do
    curl -s -o /dev/null -w '%{time_starttransfer}\n' "$base/api/v3/rate_limit"
    sleep 0.05
  done | sort -n | awk '{a[NR] = $1 * 1000} END {printf "p50 %.1f ms, max %.1f ms (%d connections)", a[int((NR + 1) / 2)], a[NR], NR}'
}

cp "$work/state.json" "$work/state-copy.json"
start_server --state "$work/state-copy.json"
curl -s -o /dev/null "$base/api/v3/repos/acme/widgets/issues?labels=autonomous-coordination&per_page=20"
run "GET /user" /api/v3/user
run "list by label, 20 per page" "/api/v3/repos/acme/widgets/issues?labels=autonomous-coordination&per_page=20"
run "get one issue" /api/v3/repos/acme/widgets/issues/1 -s "$work/get.lua"
run "create an issue, --state (synced)" /api/v3/repos/acme/widgets/issues -s "$work/create.lua"
# New connections while 200 connections list by label, on the 10,000-issue
# repository again: the creates above added tens of thousands of issues, which
# made every list (and so the wait behind the listers) several times longer.
stop_server
cp "$work/state.json" "$work/state-copy.json"
start_server --state "$work/state-copy.json"
wrk -t2 -c200 -d"$((secs + 2))s" "$base/api/v3/repos/acme/widgets/issues?labels=autonomous-coordination&per_page=20" \
  >/dev/null 2>&1 &
wrk_pid=$!
sleep 1
firsts=$(first_responses 40)
wait $wrk_pid || true
stop_server
start_server
run "create an issue, no --state" /api/v3/repos/acme/widgets/issues -s "$work/create.lua"
stop_server

echo
echo "$(nproc) cores, load average before: $(cut -d' ' -f1-3 /proc/loadavg); $secs s per run, wrk -t2 -c200"
echo
echo "| load | requests/s | p50 | p99 | server CPU µs/request | errors |"
echo "|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
echo
echo "New connections' first response under the list load: $firsts"
