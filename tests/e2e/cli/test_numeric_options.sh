#!/usr/bin/env bash
# Every numeric option of every subcommand refuses what is not a number in its
# range with one short message naming the option and the range (exit 2):
# CLI11 alone wraps "-1" to 2^64-1 for an unsigned option, saturates what
# overflows, reads "010" as octal and lets NaN through a range check.
# Usage: test_numeric_options.sh COORDSIM_BINARY SOURCE_DIR
set -uo pipefail
bin=$1
src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
pass=0

check() {  # check NAME CONDITION-COMMAND...
  local name=$1; shift
  if "$@"; then pass=$((pass + 1)); else echo "FAIL: $name" >&2; failures=$((failures + 1)); fi
}

# expect_error NAME EXPECTED_EXIT PATTERN... -- ARGS: runs coordsim ARGS, wants the
# exit code, every pattern in stderr, and a short message on the common pattern.
expect_error() {
  local name=$1 want=$2; shift 2
  local patterns=()
  while [[ $1 != -- ]]; do patterns+=("$1"); shift; done
  shift
  timeout 20 "$bin" "$@" >"$work/out" 2>"$work/err" </dev/null
  local got=$?
  if [[ $got -ne $want ]]; then
    echo "FAIL: $name: exit $got, expected $want; stderr: $(head -c 1000 "$work/err")" >&2
    failures=$((failures + 1)); return
  fi
  for p in coordsim:\ error: "${patterns[@]}"; do
    if ! grep -qF -- "$p" "$work/err"; then
      echo "FAIL: $name: stderr lacks '$p': $(head -c 1000 "$work/err")" >&2
      failures=$((failures + 1)); return
    fi
  done
  if (($(wc -c <"$work/err") > 300)); then
    echo "FAIL: $name: a message of $(wc -c <"$work/err") bytes: $(head -c 1000 "$work/err")" >&2
    failures=$((failures + 1)); return
  fi
  pass=$((pass + 1))
}

scen=$src/scenarios/seed-reproduction.json
box=$src/scenarios/explore/ref-lock-box.json
guarantee=$src/scenarios/guarantees/none-always-duplicates.json
U64=18446744073709551615

# --- integers: OPTION RANGE-TEXT COMMAND... -------------------------------------------
# Each is refused for a negative number, 2^64 and 2^63, a fraction, a word and hex.
integer_cases() {
  local option=$1 range=$2; shift 2
  local bad
  for bad in -1 18446744073709551616 9223372036854775808 1.5 abc 0x10 "" " 5" 1e3; do
    [[ $range == *" $U64" && $bad == 9223372036854775808 ]] && continue  # 2^63 is a seed
    expect_error "$* $option '$bad'" 2 "$option: expected an integer from $range, got '$bad'" -- "$@" "$option" "$bad"
  done
}
T40="1 to 1099511627776"
integer_cases --seed "0 to $U64" run "$scen"
integer_cases --trials "$T40" run "$scen"
integer_cases --threads "0 to 1024" run "$scen"
integer_cases --seed "0 to $U64" check "$guarantee"
integer_cases --trials "$T40" check "$guarantee"
integer_cases --max-trials "$T40" check "$guarantee"
integer_cases --threads "0 to 1024" check "$guarantee"
integer_cases --seed "0 to $U64" sweep "$scen" --vary agent.post_create_wait_s=1,2
integer_cases --trials "$T40" sweep "$scen" --vary agent.post_create_wait_s=1,2
integer_cases --threads "0 to 1024" sweep "$scen" --vary agent.post_create_wait_s=1,2
integer_cases --trial "0 to 1099511627775" replay "$scen"
integer_cases --seed "0 to $U64" replay "$scen" --trial 0
integer_cases --trials "$T40" replay "$scen" --trial 0
integer_cases --seed "0 to $U64" find "$scen" --where duplicate
integer_cases --trials "$T40" find "$scen" --where duplicate
integer_cases --limit "0 to 1048576" find "$scen" --where duplicate
integer_cases --threads "0 to 1024" find "$scen" --where duplicate
integer_cases --grid "2 to 100" explore "$box"
integer_cases --max-schedules "$T40" explore "$box"
integer_cases --port "0 to 65535" serve
integer_cases --rate-limit "$T40" serve
integer_cases --search-rate-limit "$T40" serve
# Short forms are the same option.
expect_error "-s -1" 2 "--seed: expected an integer from 0 to $U64, got '-1'" -- run "$scen" -s -1
expect_error "-k -1" 2 "--trial: expected an integer from 0 to 1099511627775, got '-1'" -- replay "$scen" -k -1
expect_error "-n=-1" 2 "--trials: expected an integer" -- run "$scen" --trials=-1

# Accepted integers mean what they say: leading zeros are decimal, not octal;
# a sign is allowed; the extremes are in range.
"$bin" run "$scen" --trials 300 --seed 010 --json "$work/s010.json" >"$work/out" &&
  "$bin" run "$scen" --trials 300 --seed 10 --json "$work/s10.json" >"$work/out"
check "--seed 010 is seed 10" python3 -c '
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:])
assert a["seed"] == 10 and b["seed"] == 10, (a["seed"], b["seed"])
assert a["duplicate_rate"] == b["duplicate_rate"]' "$work/s010.json" "$work/s10.json"
"$bin" run "$scen" --trials +300 --seed $U64 --json "$work/max.json" >"$work/out"
check "--seed 2^64-1 and --trials +300 are accepted" python3 -c '
import json, sys; d = json.load(open(sys.argv[1])); assert d["seed"] == 18446744073709551615 and d["trials"] == 300, d' \
  "$work/max.json"
"$bin" replay "$scen" --trial 0 --seed -0 >"$work/out"
check "--seed -0 is 0" grep -q -- "--seed 0" "$work/out"
# An index past --trials is refused by replay itself, naming the scenario's range.
expect_error "replay --trial past the trials" 2 "--trial: trial 1099511627775 is out of range" -- \
  replay "$scen" --trial 1099511627775

# --- numbers: OPTION RANGE-TEXT COMMAND... ---------------------------------------------
number_cases() {
  local option=$1 expected=$2; shift 2
  local bad
  for bad in nan NaN -nan inf -inf infinity 1e309 abc "" 0x10 1,5; do
    expect_error "$* $option '$bad'" 2 "$option: $expected, got '$bad'" -- "$@" "$option" "$bad"
  done
}
number_cases --failures-per-year "expected a finite number >= 0" run "$scen"
expect_error "--failures-per-year -1" 2 "--failures-per-year: expected a finite number >= 0, got '-1'" -- \
  run "$scen" --failures-per-year -1
number_cases --target-duplicate-rate "expected a number from 0 to 1" sweep "$scen" --vary agent.post_create_wait_s=1,2
expect_error "--target-duplicate-rate 1.5" 2 "--target-duplicate-rate: expected a number from 0 to 1, got '1.5'" -- \
  sweep "$scen" --vary agent.post_create_wait_s=1,2 --target-duplicate-rate 1.5
number_cases --idle-timeout "expected a number from 0.01 to 86400" serve
# Loopback and a closed port: were a value accepted, nothing would leave the machine.
api=(--api-url http://127.0.0.1:9/api/v3)
number_cases --request-timeout "expected a number > 0 and <= 86400" agent "${api[@]}" --flavor linux --repo a/b --commit abc
number_cases --request-timeout "expected a number > 0 and <= 86400" calibrate "${api[@]}" --repo a/b
number_cases --lease-ttl "expected a number from 0.001 to 604800" agent "${api[@]}" --flavor linux --repo a/b --commit abc
number_cases --poll-interval "expected a number from 0.001 to 3600" calibrate "${api[@]}" --repo a/b
number_cases --search-interval "expected a number from 0 to 3600" calibrate "${api[@]}" --repo a/b
number_cases --max-lag "expected a number from 0.01 to 86400" calibrate "${api[@]}" --repo a/b
expect_error "calibrate --samples 0x10" 2 "--samples: expected an integer from 1 to 100000, got '0x10'" -- \
  calibrate "${api[@]}" --repo a/b --samples 0x10
expect_error "calibrate --parallel 101" 2 "--parallel: expected an integer from 1 to 100, got '101'" -- \
  calibrate "${api[@]}" --repo a/b --parallel 101
expect_error "calibrate --max-calls -1" 2 "--max-calls: expected an integer from 10 to 10000000, got '-1'" -- \
  calibrate "${api[@]}" --repo a/b --max-calls -1
for bad in 0 -1 86401; do
  expect_error "--request-timeout $bad" 2 "--request-timeout: expected a number > 0 and <= 86400, got '$bad'" -- \
    agent "${api[@]}" --flavor linux --repo a/b --commit abc --request-timeout "$bad"
done

# Accepted numbers: plain, with exponent, zero.
"$bin" run "$scen" --trials 300 --failures-per-year 12.5 --json "$work/fpy.json" >"$work/out"
check "--failures-per-year 12.5" python3 -c '
import json, sys; d = json.load(open(sys.argv[1])); assert d["cost_usd"]["failures_per_year"] == 12.5, d["cost_usd"]' \
  "$work/fpy.json"
"$bin" run "$scen" --trials 300 --failures-per-year 1e3 --json "$work/fpy.json" >"$work/out"
check "--failures-per-year 1e3" python3 -c '
import json, sys; d = json.load(open(sys.argv[1])); assert d["cost_usd"]["failures_per_year"] == 1000, d["cost_usd"]' \
  "$work/fpy.json"
"$bin" run "$scen" --trials 300 --failures-per-year 0 >"$work/out"
check "--failures-per-year 0 is accepted" test $? -eq 0
"$bin" run "$scen" --trials 300 --failures-per-year -0 --json "$work/fpy.json" >"$work/out"
check "--failures-per-year -0 is 0, not -0" grep -q '"failures_per_year": 0.0,' "$work/fpy.json"

echo "test_numeric_options: $pass passed, $failures failed"
((failures == 0))
