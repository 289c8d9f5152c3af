# Shared by the end-to-end tests of `coordsim agent` and `coordsim calibrate`
# against `coordsim serve` on loopback. Source it after setting $bin and $work.
# shellcheck shell=bash

py=/usr/bin/python3
# $agent_bin runs the agent's commands (`agent`, `agent done`, argument errors);
# $bin the simulator's (`serve`, `run`). COORDSIM_AGENT_BIN: another build of
# the agent, e.g. an arm64 one under qemu (tests/e2e/package/test_arm64.sh).
agent_bin=${COORDSIM_AGENT_BIN:-$bin}
failures=0
pass=0
declare -A server_pid=() server_url=()

check() {  # check NAME COMMAND...
  local name=$1; shift
  if "$@"; then pass=$((pass + 1)); else echo "FAIL: $name" >&2; failures=$((failures + 1)); fi
}

# expect_error NAME EXPECTED_EXIT PATTERN... -- ARGS: runs coordsim ARGS, wants the exit code and every pattern in stderr.
expect_error() {
  local name=$1 want=$2; shift 2
  local patterns=()
  while [[ $1 != -- ]]; do patterns+=("$1"); shift; done
  shift
  "$agent_bin" "$@" >"$work/out" 2>"$work/err"
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

# start_server NAME SCENARIO ARGS...: coordsim serve on a free port; sets
# server_url[NAME] and server_pid[NAME]. Its stderr goes to $work/NAME.serve.err.
start_server() {
  local name=$1 scenario=$2; shift 2
  # $serve_bin: a coordsim with `serve` when $bin is a runner-only build.
  "${serve_bin:-$bin}" serve "$scenario" --port 0 "$@" >"$work/$name.serve.out" 2>"$work/$name.serve.err" &
  server_pid[$name]=$!
  for _ in $(seq 200); do
    grep -q 'listening on' "$work/$name.serve.out" 2>/dev/null && break
    sleep 0.05
  done
  server_url[$name]=$(grep -o 'https\?://[^ ]*' "$work/$name.serve.out" | head -1)
  if [[ -z ${server_url[$name]} ]]; then
    echo "server $name did not start: $(cat "$work/$name.serve.err")" >&2
    exit 1
  fi
}

stop_servers() {
  local name
  for name in "${!server_pid[@]}"; do
    kill "${server_pid[$name]}" 2>/dev/null
    wait "${server_pid[$name]}" 2>/dev/null
  done
  server_pid=()
}

# json_get FILE EXPR: evaluates a Python expression over the JSON document `d`.
json_get() {
  $py -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

# api GET|POST URL [BODY]: one request with Python (no curl needed); prints the body.
api() {
  $py - "$@" <<'PYEOF'
import sys, urllib.request, os
method, url = sys.argv[1], sys.argv[2]
data = sys.argv[3].encode() if len(sys.argv) > 3 else None
req = urllib.request.Request(url, data=data, method=method)
token = os.environ.get("API_TOKEN")
if token:
    req.add_header("Authorization", "token " + token)
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
try:
    with opener.open(req) as r:
        print(r.read().decode())
except urllib.error.HTTPError as e:
    print(e.read().decode())
PYEOF
}

finish() {  # prints the tally and exits with it
  stop_servers
  echo "$pass passed, $failures failed"
  [[ $failures -eq 0 ]]
  exit $?
}
