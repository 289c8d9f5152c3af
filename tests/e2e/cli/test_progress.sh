#!/usr/bin/env bash
# Progress on long commands (cli/progress.hpp): in a log a line every interval
# with done/total, rate and ETA; on a terminal a redrawn line; nothing with
# --quiet; and never a change to the report itself.
# Usage: test_progress.sh COORDSIM_BINARY SOURCE_DIR
set -uo pipefail
bin=$1
src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pass=0
failures=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

scenario=$src/scenarios/aprapipes-production.json
# A log (stderr a file): with the interval at 0.05 s a run of a few seconds prints lines.
COORDSIM_PROGRESS_SECONDS=0.05 "$bin" run "$scenario" --trials 200000 -j1 >"$work/out" 2>"$work/err"
grep -Eq '^coordsim: run: [0-9]+/200000 trials \([0-9.]+%\), [0-9]+ trials/s, ETA [0-9]+ (s|min)$' "$work/err" && ok \
  || bad "no progress line in the log: $(head -3 "$work/err")"
# The counts only grow, and never pass the total.
python3 -c '
import re, sys
done = [int(m.group(1)) for m in re.finditer(r"run: (\d+)/200000", open(sys.argv[1]).read())]
assert done == sorted(done) and all(0 <= d <= 200000 for d in done), done
' "$work/err" && ok || bad "progress counts not increasing"
# --quiet: nothing; and the report is the same byte for byte.
COORDSIM_PROGRESS_SECONDS=0.05 "$bin" --quiet run "$scenario" --trials 200000 -j1 >"$work/quiet" 2>"$work/qerr"
[[ ! -s "$work/qerr" ]] && ok || bad "--quiet still printed: $(head -2 "$work/qerr")"
# (but for the timing line, "N events in X s on T thread(s): R trials/s")
cmp -s <(grep -v ' events in ' "$work/out") <(grep -v ' events in ' "$work/quiet") && ok || bad "progress changed the report"
# The default interval is 30 s: a short command prints nothing in a log.
"$bin" run "$scenario" --trials 2000 >"$work/short.out" 2>"$work/short"
[[ ! -s "$work/short" ]] && ok || bad "a short run printed progress: $(cat "$work/short")"
# check and find report too.
COORDSIM_PROGRESS_SECONDS=0.05 "$bin" check "$src/scenarios/guarantees/seed-in-production.json" --trials 100000 -j1 \
  >"$work/out" 2>"$work/err"
grep -Eq '^coordsim: check: [0-9]+ trials, [0-9]+ trials/s$' "$work/err" && ok || bad "check: no progress: $(head -2 "$work/err")"
COORDSIM_PROGRESS_SECONDS=0.05 "$bin" find "$scenario" --where duplicate --trials 200000 -j1 >"$work/out" 2>"$work/err"
grep -Eq '^coordsim: find: [0-9]+/200000 trials' "$work/err" && ok || bad "find: no progress: $(head -2 "$work/err")"
# explore (schedules, no ETA: a proof may end long before the budget) and --shrink (scenarios
# tried) report through the same component; both take milliseconds here, hence the tiny interval.
COORDSIM_PROGRESS_SECONDS=0.0001 "$bin" explore "$src/scenarios/explore/ref-lock-box.json" --max-schedules 20000 \
  >"$work/out" 2>"$work/err"
grep -Eq '^coordsim: explore: [0-9]+ schedules, [0-9]+ schedules/s$' "$work/err" && ok \
  || bad "explore: no progress: $(head -2 "$work/err")"
COORDSIM_PROGRESS_SECONDS=0.0001 "$bin" --quiet explore "$src/scenarios/explore/ref-lock-box.json" --max-schedules 20000 \
  >"$work/out" 2>"$work/err"
[[ ! -s "$work/err" ]] && ok || bad "explore --quiet printed: $(head -2 "$work/err")"
# The shrink takes ~5 ms, 50x the interval: even when a loaded machine does not schedule
# the reporter in time, the line the log is owed comes at the end (no retries needed).
COORDSIM_PROGRESS_SECONDS=0.0001 "$bin" replay "$scenario" --trial 0 --shrink "$work/small.json" >"$work/out" 2>"$work/err"
grep -Eq '^coordsim: shrink: [0-9]+ scenarios, [0-9]+ scenarios/s$' "$work/err" && ok \
  || bad "replay --shrink: no progress: $(head -2 "$work/err")"
COORDSIM_PROGRESS_SECONDS=0.0001 "$bin" --quiet replay "$scenario" --trial 0 --shrink "$work/small2.json" >"$work/out2" 2>"$work/err"
[[ ! -s "$work/err" ]] && ok || bad "replay --shrink --quiet printed: $(head -2 "$work/err")"
cmp -s "$work/small.json" "$work/small2.json" && ok || bad "progress changed the shrunk scenario"
# On a terminal (script(1) gives stderr a pty): the line is redrawn with \r and cleared at the end.
if command -v script >/dev/null; then
  COORDSIM_PROGRESS_SECONDS=0.05 script -qec "$bin run $scenario --trials 200000 -j1 --json $work/t.json" "$work/typescript" >/dev/null 2>&1
  grep -aq $'\rrun: [0-9]*/200000 trials' "$work/typescript" && ok || bad "no redrawn line on a terminal"
  grep -aq $'\r\e\\[K' "$work/typescript" && ok || bad "line not cleared on a terminal"
fi

echo "$pass passed, $failures failed"
[[ $failures -eq 0 ]]
