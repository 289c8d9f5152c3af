#!/usr/bin/env bash
# The example workflows' coordination steps (docs/examples/ref-lock-matrix.yml
# and lease-matrix.yml), run as Actions runs them (run_workflow_steps.py: each
# step's `if:`, `env:`, `shell: bash`, $GITHUB_OUTPUT) by four legs at once
# against `coordsim serve`, three failing with one signature and one with
# another: exactly one analysis per failure, and `coordsim audit` over the
# uploaded decisions agrees. Also the two bugs the examples had: a build step
# without `shell: bash` (no pipefail) never coordinates, and a done step whose
# signature is lost is refused by `coordsim agent done`.
# Usage: test_agent_example_workflow.sh COORDSIM_BINARY SOURCE_DIR
set -uo pipefail
bin=$1
src=$2
work=$(mktemp -d)
# shellcheck source=lib.sh
. "$src/tests/e2e/agent/lib.sh"
trap 'stop_servers; rm -rf "$work"' EXIT
unset HTTPS_PROXY https_proxy HTTP_PROXY http_proxy NO_PROXY no_proxy GITHUB_TOKEN GH_TOKEN
mkdir -p "$work/bin" && ln -s "$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")" "$work/bin/coordsim"
export PATH=$work/bin:$PATH

start_server s "$src/tests/data/agent-e2e.json"
export GITHUB_API_URL=${server_url[s]} GITHUB_REPOSITORY=examples/demo

# legs WORKFLOW NAME: four legs of the workflow at once, each in NAME/<flavor>;
# every analysis is a line "<flavor> <signature>" in NAME/analyses.
legs() {
  local wf=$1 name=$2 f pids=()
  export GITHUB_SHA=$name
  for f in linux-x64 linux-arm64 windows macos; do
    local dir=$work/$name/$f
    mkdir -p "$dir"
    local error="error: undefined reference to 'foo'"
    [[ $f == macos ]] && error="error: 'bar.h' file not found"
    printf '#!/bin/bash\necho "compiling for $1"\necho "%s"\nexit 1\n' "$error" >"$dir/build.sh"
    printf '#!/bin/bash\ngrep -m1 "^error:" "$1"\n' >"$dir/error-signature.sh"
    printf '#!/bin/bash\necho "%s $(grep -m1 "^error:" "$1")" >>%q\n' "$f" "$work/$name/analyses" >"$dir/analyze-with-llm.sh"
    chmod +x "$dir"/*.sh
    $py "$src/tests/e2e/agent/run_workflow_steps.py" "$wf" "$f" "$dir" >"$dir/steps.log" 2>"$dir/steps.err" &
    pids+=($!)
  done
  wait "${pids[@]}"
  touch "$work/$name/analyses"
}
per_signature() { cut -d' ' -f2- "$1" | sort | uniq -c | awk '{print $1}' | sort | tr '\n' ' '; }

# --- ref-lock-matrix.yml -------------------------------------------------------
legs "$src/docs/examples/ref-lock-matrix.yml" refmatrix
check "ref-lock example: 2 analyses for 2 failures ($(wc -l <"$work/refmatrix/analyses"))" \
  test "$(wc -l <"$work/refmatrix/analyses")" = 2
check "ref-lock example: one per signature" test "$(per_signature "$work/refmatrix/analyses")" = "1 1 "
check "ref-lock example: the macos leg analyzed its own failure" grep -q "^macos error: 'bar.h'" "$work/refmatrix/analyses"
check "ref-lock example: every leg coordinated" test "$(grep -c '^Coordinate the analysis: ran rc=0' "$work"/refmatrix/*/steps.log | awk -F: '{s+=$2} END {print s}')" = 4
mkdir -p "$work/decisions/refmatrix"
for f in linux-x64 linux-arm64 windows macos; do cp "$work/refmatrix/$f/decision.json" "$work/decisions/refmatrix/$f.json"; done
sleep 0.3  # the refs path's lag (0.2 s in this scenario)
coordsim audit --commit refmatrix --decisions "$work/decisions/refmatrix" --json "$work/refmatrix.audit.json" >/dev/null
check "ref-lock example: coordsim audit says clean (exit 0)" test $? = 0
check "ref-lock example: audit sees 2 signatures" test "$(json_get "$work/refmatrix.audit.json" 'd["totals"]["signatures"]')" = 2

# --- lease-matrix.yml: followers wait for `agent done` -------------------------
legs "$src/docs/examples/lease-matrix.yml" leasematrix
check "lease example: 2 analyses for 2 failures ($(wc -l <"$work/leasematrix/analyses"))" \
  test "$(wc -l <"$work/leasematrix/analyses")" = 2
check "lease example: one per signature" test "$(per_signature "$work/leasematrix/analyses")" = "1 1 "
check "lease example: the done steps ran and recorded" \
  test "$(cat "$work"/leasematrix/*/done.json 2>/dev/null | grep -c '"recorded": true')" = 2
check "lease example: followers skipped because the leader was done" \
  test "$(cat "$work"/leasematrix/*/decision.json | grep -c '"reason": "leader_done"')" = 2

# --- the old bugs, which the test must catch -------------------------------------
# A build step without `shell: bash`: `bash -e` without pipefail, tee succeeds.
$py - "$src/docs/examples/ref-lock-matrix.yml" "$work/no-pipefail.yml" <<'PY'
import sys, yaml
d = yaml.safe_load(open(sys.argv[1]))
for s in d["jobs"]["build"]["steps"]:
    if s.get("name") == "Build": s.pop("shell")
yaml.safe_dump(d, open(sys.argv[2], "w"))
PY
legs "$work/no-pipefail.yml" nopipefail
check "without shell: bash, the failed build looks green and nothing is analyzed" \
  test "$(wc -l <"$work/nopipefail/analyses")" = 0
# The lease example as it was: the done step's signature lost (an empty $signature).
$py - "$src/docs/examples/lease-matrix.yml" "$work/lost-signature.yml" <<'PY'
import sys, yaml
d = yaml.safe_load(open(sys.argv[1]))
for s in d["jobs"]["build"]["steps"]:
    if s.get("name") == "Mark the analysis done": s["env"]["SIGNATURE"] = ""
# Followers take over once the TTL passes without a done marker: keep it short.
d["jobs"]["build"]["env"]["LEASE_TTL"] = "1"
yaml.safe_dump(d, open(sys.argv[2], "w"))
PY
legs "$work/lost-signature.yml" lostsig
check "lost signature: agent done refuses (the step fails, exit 1)" \
  test "$(grep -h '^Mark the analysis done' "$work"/lostsig/*/steps.log | sort -u)" = "Mark the analysis done: ran rc=1"
check "lost signature: says this flavor holds no lock" \
  grep -q 'holds no lock for lostsig' "$work"/lostsig/*/steps.err
check "lost signature: nothing recorded" test "$(cat "$work"/lostsig/*/done.json | grep -c '"recorded": true')" = 0
finish
