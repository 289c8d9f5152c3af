#!/usr/bin/env bash
# Bad command lines get a message that says what was wrong and what was
# expected, on the one pattern every error has ("coordsim: error: WHERE: WHAT"),
# and exit 2: mistyped subcommands with a suggestion, values that are not what
# an option takes, explore's refusals naming the scenario file, sweep ranges
# that overflow.
# Usage: test_messages.sh COORDSIM_BINARY SOURCE_DIR
set -uo pipefail
bin=$1
src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
pass=0

# expect_error NAME EXPECTED_EXIT PATTERN... -- ARGS: runs coordsim ARGS, wants the exit
# code, stderr starting "coordsim: error:", and every pattern in stderr.
expect_error() {
  local name=$1 want=$2; shift 2
  local patterns=()
  while [[ $1 != -- ]]; do patterns+=("$1"); shift; done
  shift
  timeout 60 "$bin" "$@" >"$work/out" 2>"$work/err" </dev/null
  local got=$?
  if [[ $got -ne $want ]]; then
    echo "FAIL: $name: exit $got, expected $want; stderr: $(head -c 1000 "$work/err")" >&2
    failures=$((failures + 1)); return
  fi
  if [[ $(head -c 16 "$work/err") != "coordsim: error:" ]]; then
    echo "FAIL: $name: stderr does not start with 'coordsim: error:': $(head -c 1000 "$work/err")" >&2
    failures=$((failures + 1)); return
  fi
  for p in "${patterns[@]}"; do
    if ! grep -qF -- "$p" "$work/err"; then
      echo "FAIL: $name: stderr lacks '$p': $(head -c 1000 "$work/err")" >&2
      failures=$((failures + 1)); return
    fi
  done
  pass=$((pass + 1))
}

scen=$src/scenarios/seed-reproduction.json

# --- subcommands ------------------------------------------------------------------------
expect_error "runn" 2 "unknown subcommand 'runn'; did you mean 'run'?" -- runn
expect_error "Run (case only)" 2 "unknown subcommand 'Run'; did you mean 'run'?" -- Run
expect_error "REPLAY (case only)" 2 "unknown subcommand 'REPLAY'; did you mean 'replay'?" -- REPLAY
expect_error "chekc" 2 "unknown subcommand 'chekc'; did you mean 'check'?" -- chekc "$scen"
expect_error "calibrat" 2 "did you mean 'calibrate'?" -- calibrat --repo a/b
expect_error "a typo after --log-level" 2 "unknown subcommand 'expolre'; did you mean 'explore'?" -- \
  --log-level info expolre
expect_error "nothing close" 2 "unknown subcommand 'xyzzy'; expected one of run, check, compare, sweep, merge, replay" -- xyzzy
expect_error "no subcommand" 2 "a subcommand is required: one of run, check" --
expect_error "only an option" 2 "a subcommand is required" -- --log-level info
# A known subcommand keeps CLI11's own message about what follows it.
expect_error "unknown option" 2 "The following argument was not expected: --bogus" -- run --bogus
expect_error "missing --trial" 2 "--trial is required" -- replay "$scen"
expect_error "bad --log-level" 2 "--log-level" -- --log-level loud run

# --- option values say what was expected --------------------------------------------------
expect_error "--trials abc" 2 "--trials: expected an integer from 1 to 1099511627776, got 'abc'" -- run --trials abc
expect_error "--threads x" 2 "--threads: expected an integer from 0 to 1024, got 'x'" -- run --threads x
expect_error "--trials 0" 2 "--trials: expected an integer from 1 to 1099511627776, got '0'" -- check "$scen" --trials 0
expect_error "a long value is cut short" 2 "got '1111111111111111111111111111111111111111...'" -- \
  run --trials "$(printf '1%.0s' {1..200})"

# --- explore's refusals name the scenario file ----------------------------------------------
expect_error "explore refuses an unbounded draw, naming the file" 2 \
  "coordsim: error: $scen: /github/visibility_lag_s/list: explore enumerates bounded draws only" -- explore "$scen"
# explore has no default scenario: the built-in one's draws are unbounded, so it would always refuse.
expect_error "explore needs a scenario" 2 "coordsim: error: scenario is required" -- explore
expect_error "explore refuses an unbounded --set" 2 "$src/scenarios/explore/seed-box.json: /llm/duration_s" -- \
  explore "$src/scenarios/explore/seed-box.json" --set 'llm.duration_s={"dist":"exponential","mean":30}'

# --- sweep ranges that overflow -------------------------------------------------------------
expect_error "sweep --vary 1e300:1e300:1" 2 \
  "--vary agent.post_create_wait_s=1e300:1e300:1: expected start, stop and step within ±1e299, got 1e300:1e300:1" -- \
  sweep "$scen" --vary agent.post_create_wait_s=1e300:1e300:1 --trials 10
expect_error "sweep --vary 0:1e300:1e300" 2 "expected start, stop and step within ±1e299" -- \
  sweep "$scen" --vary agent.post_create_wait_s=0:1e300:1e300 --trials 10
if grep -q null "$work/err"; then
  echo "FAIL: the overflowing range still says null: $(cat "$work/err")" >&2
  failures=$((failures + 1))
fi

echo "test_messages: $pass passed, $failures failed"
((failures == 0))
