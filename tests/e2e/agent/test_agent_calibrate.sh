#!/usr/bin/env bash
# `coordsim calibrate` against `coordsim serve` configured with known lags:
# the lag model it writes recovers them (median within 10%, p90 within 15%,
# sigma within 0.1), it cleans up what it made, stays within --max-calls, and
# closes its markers on Ctrl-C.
# Usage: test_calibrate.sh COORDSIM_BINARY SOURCE_DIR
set -uo pipefail
bin=$1
src=$2
work=$(mktemp -d)
# shellcheck source=lib.sh
. "$src/tests/e2e/agent/lib.sh"
trap 'stop_servers; rm -rf "$work"' EXIT
unset HTTPS_PROXY https_proxy HTTP_PROXY http_proxy NO_PROXY no_proxy GITHUB_TOKEN GH_TOKEN
scen=$src/tests/data/agent-e2e.json

# Known lags: list lognormal (median 0.8 s, sigma 0.3), search lognormal
# (1.2 s, 0.3), get 0 (immediate), refs a constant 0.4 s. The server's limits
# are raised: this measures lags, not GitHub's 30 searches a minute.
start_server lag "$scen" --rate-limit 1000000 --search-rate-limit 1000000 \
  --set 'github.visibility_lag_s.list={"dist":"lognormal","median":0.8,"sigma":0.3}' \
  --set 'github.visibility_lag_s.search={"dist":"lognormal","median":1.2,"sigma":0.3}' \
  --set github.visibility_lag_s.get=0 --set github.visibility_lag_s.refs=0.4
url=${server_url[lag]}

"$bin" calibrate --api-url "$url" --repo cal/known --samples 100 --poll-interval 0.05 --search-interval 0.1 \
  --parallel 20 --max-calls 20000 --refs --out "$work/model.json" >"$work/cal.out" 2>"$work/cal.err"
check "calibrate: exit 0" test $? = 0
cat "$work/cal.out"
# Sanitizer builds scale every tolerance (tests/CMakeLists.txt says why).
scale=${COORDSIM_CALIBRATE_TOLERANCE_SCALE:-1}
within() {  # within FILE EXPR WANT TOLERANCE: |value - want| <= tolerance * scale
  $py -c '
import json, sys
d = json.load(open(sys.argv[1])); v = eval(sys.argv[2]); want = float(sys.argv[3]); tol = float(sys.argv[4]) * float(sys.argv[5])
ok = abs(v - want) <= tol
print(("" if ok else "FAIL ") + sys.argv[2] + " = %.4f, configured %.4f, tolerance %.4f" % (v, want, tol))
sys.exit(0 if ok else 1)' "$@" "$scale"
}
m=$work/model.json
lognormal_q() { $py -c 'import math,sys; print(float(sys.argv[1]) * math.exp(float(sys.argv[2]) * float(sys.argv[3])))' "$@"; }
p90_list=$(lognormal_q 0.8 0.3 1.2815516)
p90_search=$(lognormal_q 1.2 0.3 1.2815516)
check "list: 100 samples, none censored" test "$(json_get "$m" '(d["fit"]["list"]["samples"], d["fit"]["list"]["censored"])')" = "(100, 0)"
check "list: a lognormal" test "$(json_get "$m" 'd["github"]["visibility_lag_s"]["list"]["dist"]')" = lognormal
check "list: median within 10%" within "$m" 'd["github"]["visibility_lag_s"]["list"]["median"]' 0.8 0.08
check "list: sigma within 0.1" within "$m" 'd["github"]["visibility_lag_s"]["list"]["sigma"]' 0.3 0.1
check "list: empirical p90 within 15%" within "$m" 'd["fit"]["list"]["p90_s"]' "$p90_list" "$($py -c "print(0.15 * $p90_list)")"
check "search: median within 10%" within "$m" 'd["github"]["visibility_lag_s"]["search"]["median"]' 1.2 0.12
check "search: sigma within 0.1" within "$m" 'd["github"]["visibility_lag_s"]["search"]["sigma"]' 0.3 0.1
check "search: empirical p90 within 15%" within "$m" 'd["fit"]["search"]["p90_s"]' "$p90_search" "$($py -c "print(0.15 * $p90_search)")"
check "get: immediate, written as a constant under the poll resolution" \
  $py -c 'import json,sys; v=json.load(open(sys.argv[1]))["github"]["visibility_lag_s"]["get"]; sys.exit(0 if isinstance(v, float) and v < 0.025 else 1)' "$m"
check "refs: median within 10%" within "$m" 'd["github"]["visibility_lag_s"]["refs"]["median"]' 0.4 0.04
check "empirical samples kept" test "$(json_get "$m" 'len(d["empirical"]["github"]["visibility_lag_s"]["list"]["samples"])')" = 100
check "complete, within --max-calls" test "$(json_get "$m" '(d["calibration"]["complete"], d["calibration"]["api_calls"] <= 20000)')" = "(True, True)"
# The model drops into a scenario as it is.
"$bin" run "$scen" --trials 200 --set "github.visibility_lag_s=$(json_get "$m" 'json.dumps(d["github"]["visibility_lag_s"])')" \
  --json "$work/run.json" >/dev/null 2>"$work/run.err"
check "the lag model is a valid github.visibility_lag_s" test $? = 0
sleep 1.5  # the closes reach the list path (0.8 s median)
check "cleanup: no marker left open" test "$(api GET "$url/repos/cal/known/issues?labels=coordsim-calibrate&state=open" | $py -c 'import json,sys; print(len(json.load(sys.stdin)))')" = 0
check "cleanup: every marker closed" test "$(api GET "$url/repos/cal/known/issues?labels=coordsim-calibrate&state=closed&per_page=100" | $py -c 'import json,sys; print(len(json.load(sys.stdin)))')" = 100
run_id=$(json_get "$m" 'd["calibration"]["run_id"]')
check "cleanup: refs deleted" grep -q '"Not Found"' <(api GET "$url/repos/cal/known/git/ref/coordsim-calibrate/$run_id-0")

# --max-calls: measuring stops early, leaving enough calls to clean up.
"$bin" calibrate --api-url "$url" --repo cal/budget --samples 50 --poll-interval 0.05 --search-interval 0.1 \
  --max-calls 60 --out "$work/budget.json" >"$work/budget.out" 2>&1
check "budget: exit 0" test $? = 0
check "budget: at most 60 calls, incomplete, says why" \
  test "$(json_get "$work/budget.json" '(d["calibration"]["api_calls"] <= 60, d["calibration"]["complete"], d["calibration"]["stopped_by"])')" = "(True, False, 'the --max-calls budget')"
sleep 1.5
check "budget: no marker left open" test "$(api GET "$url/repos/cal/budget/issues?labels=coordsim-calibrate&state=open" | $py -c 'import json,sys; print(len(json.load(sys.stdin)))')" = 0

# Ctrl-C: the markers made so far are closed, exit 130, no model.
"$bin" calibrate --api-url "$url" --repo cal/interrupted --samples 1000 --poll-interval 0.05 --search-interval 0.1 \
  --parallel 10 --max-calls 100000 --out "$work/int.json" >"$work/int.out" 2>"$work/int.err" &
cal_pid=$!
sleep 2
kill -INT "$cal_pid"
wait "$cal_pid"
check "Ctrl-C: exit 130" test $? = 130
check "Ctrl-C: says it cleans up" grep -q 'interrupted; closing the markers' "$work/int.err"
check "Ctrl-C: no model written" test ! -e "$work/int.json"
sleep 1.5
check "Ctrl-C: no marker left open" test "$(api GET "$url/repos/cal/interrupted/issues?labels=coordsim-calibrate&state=open" | $py -c 'import json,sys; print(len(json.load(sys.stdin)))')" = 0
check "Ctrl-C: markers were made (and closed)" test "$(api GET "$url/repos/cal/interrupted/issues?labels=coordsim-calibrate&state=closed&per_page=100" | $py -c 'import json,sys; print(len(json.load(sys.stdin)))')" -gt 0
stop_servers

# The rate limit: calibrate reads x-ratelimit-remaining and stops before the
# budget runs out, keeping what it needs to clean up.
start_server limited "$scen" --rate-limit 80 --search-rate-limit 1000000
url=${server_url[limited]}
"$bin" calibrate --api-url "$url" --repo cal/limited --samples 100 --poll-interval 0.05 --search-interval 0.1 \
  --parallel 5 --out "$work/limited.json" >"$work/limited.out" 2>&1
check "rate limit: exit 0" test $? = 0
check "rate limit: stopped by it" test "$(json_get "$work/limited.json" 'd["calibration"]["stopped_by"]')" = "the API rate limit (x-ratelimit-remaining)"
check "rate limit: no warning about leftovers" test "$(grep -c 'could not clean up' "$work/limited.out")" = 0

expect_error "calibrate: no --repo" 2 "--repo" -- calibrate --api-url "$url"
expect_error "calibrate: bad --paths" 2 "--paths" -- calibrate --api-url "$url" --repo a/b --paths list,refs
expect_error "calibrate: bad --samples" 2 "--samples" -- calibrate --api-url "$url" --repo a/b --samples 0
finish
