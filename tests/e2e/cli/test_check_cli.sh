#!/usr/bin/env bash
# End-to-end checks of `coordsim check`: the project's guarantees pass, a protocol
# parameter flips a verdict, exit codes, JUnit validity, Markdown, bad input.
# Usage: test_check_cli.sh COORDSIM_BINARY SOURCE_DIR
set -uo pipefail
bin=$1
src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pass=0
failures=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

expect_exit() {  # expect_exit NAME CODE ARGS...
  local name=$1 want=$2; shift 2
  "$bin" "$@" >"$work/out" 2>"$work/err"
  local got=$?
  if [[ $got -eq $want ]]; then ok; else bad "$name: exit $got, expected $want; $(cat "$work/out" "$work/err")"; fi
}

guarantee=$src/scenarios/guarantees/seed-lowest-with-long-wait.json

# The guarantee holds as committed...
expect_exit "long wait passes" 0 check "$guarantee" --junit "$work/pass.xml"
grep -q "PASS         duplicate_rate" "$work/out" && ok || bad "no PASS line for duplicate_rate"
# ...and changing the protocol parameter back to the reference's 1 s flips it to a failure.
expect_exit "1 s wait fails" 1 check "$guarantee" --set agent.post_create_wait_s=1 --junit "$work/fail.xml" \
  --markdown "$work/fail.md" --json "$work/fail.json"
grep -q "FAIL         duplicate_rate" "$work/out" && ok || bad "no FAIL line for duplicate_rate"
grep -q "<failure message=" "$work/fail.xml" && ok || bad "JUnit has no <failure>"
grep -q "| ❌ FAIL |" "$work/fail.md" && ok || bad "Markdown has no failed row"
python3 -c '
import json,sys; d=json.load(open(sys.argv[1]))
assert d[0]["verdict"]=="FAIL", d
e={x["metric"]:x for x in d[0]["expectations"]}
assert e["duplicate_rate"]["verdict"]=="FAIL" and e["duplicate_rate"]["value"] > 0.9, e' "$work/fail.json" && ok || bad "JSON verdicts"

# JUnit output validates against the JUnit schema CI publishers use, pass or fail.
for f in pass fail; do
  if xmllint --noout --schema "$src/tests/junit/junit.xsd" "$work/$f.xml" 2>"$work/xmllint"; then ok; else bad "$f.xml invalid: $(cat "$work/xmllint")"; fi
done
python3 -c '
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == "testsuites"
cases = root.findall("testsuite/testcase")
assert len(cases) == 3 and int(root.get("tests")) == 3, len(cases)
failed = [c for c in cases if c.find("failure") is not None]
assert len(failed) == 1 and int(root.get("failures")) == 1
assert "duplicate_rate" in failed[0].get("name") and "of 4000 failure events" in failed[0].find("failure").get("message")
' "$work/fail.xml" && ok || bad "JUnit structure"

# Inconclusive at the cap: exit 2. Two flavors failing independently with p = 0.5 under `none`
# analyze 2 * 0.5 / 0.75 = 1.3333 times per failure event: 400 trials cannot place that
# inside or outside [1.333, 1.334].
printf '%s' '{"name": "x", "trials": 100, "agent": {"strategy": "none"},
  "workload": {"flavors": ["a", "b"], "failure": {"common_mode_probability": 0, "per_flavor_probability": 0.5}},
  "expect": {"analyses.mean": {"min": 1.333, "max": 1.334}}}' >"$work/close.json"
expect_exit "inconclusive at the cap" 2 check "$work/close.json" --max-trials 400
grep -q "INCONCLUSIVE" "$work/out" && ok || bad "no INCONCLUSIVE line"

# Bad input: exit 2 with file and JSON path.
printf '%s' '{"name": "x", "workload": {"flavors": ["a"]}, "expect": {"duplicate_rate": {"min": 0.5, "max": 0.1}}}' >"$work/minmax.json"
expect_exit "min > max" 2 check "$work/minmax.json"
grep -q "minmax.json: /expect/duplicate_rate: min (0.5) must be <= max (0.1)" "$work/err" && ok || bad "min>max message: $(cat "$work/err")"
printf '%s' '{"name": "x", "workload": {"flavors": ["a"]}}' >"$work/none.json"
expect_exit "no expect block" 2 check "$work/none.json"
grep -q "no \"expect\" block" "$work/err" && ok || bad "no-expect message"

echo "$pass passed, $failures failed"
[[ $failures -eq 0 ]]
