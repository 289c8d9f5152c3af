#!/usr/bin/env bash
# The load test in CTest, bounded: starts `coordsim serve` on loopback with no
# latency, no list lag and a rate limit above the request count, runs
# serve_load against it, stops the server. Extra arguments go to serve_load.
# Usage: test_serve_load.sh COORDSIM_BINARY SERVE_LOAD_BINARY SCENARIO [serve_load options]
set -euo pipefail
bin=$1 load=$2 scen=$3
shift 3
work=$(mktemp -d)
"$bin" serve "$scen" --port 0 --token load-test --rate-limit 100000000 \
  --set github.visibility_lag_s.list=0 >"$work/out" 2>"$work/err" &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 100); do grep -q 'listening on' "$work/out" && break; sleep 0.05; done
url=$(grep -o 'http://[^ ]*' "$work/out")
rc=0
"$load" "$url" --token load-test "$@" || rc=$?
kill -TERM $pid
wait $pid || { echo "server exit $?: $(cat "$work/err")" >&2; rc=1; }
exit $rc
