#!/usr/bin/env bash
# End-to-end checks of `coordsim check`: the project's guarantees pass, a protocol
# parameter flips a verdict, exit codes, JUnit validity, Markdown, bad input.
# Usage: test_check_cli.sh COORDSIM_BINARY SOURCE_DIR
set -uo pipefail
bin=$1
src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Run under GitHub Actions or not, the cases below set the environment they test.
unset GITHUB_ACTIONS GITHUB_STEP_SUMMARY
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
expect_exit "inconclusive at the cap" 3 check "$work/close.json" --max-trials 400
grep -q "INCONCLUSIVE" "$work/out" && ok || bad "no INCONCLUSIVE line"

# The closing totals line, per-expectation time, percentages with their interval.
expect_exit "totals" 1 check "$guarantee" "$src/scenarios/guarantees/none-always-duplicates.json" \
  --set agent.post_create_wait_s=1
grep -Eq '^[0-9]+ passed, 1 failed, 0 inconclusive \(2 scenarios, [0-9]+ trials, [0-9.]+ s\)$' "$work/out" && ok \
  || bad "no totals line: $(tail -1 "$work/out")"
grep -Eq 'FAIL +duplicate_rate +[0-9.]+% +\[[0-9.]+%, [0-9.]+%\] +max 1% +[0-9.]+ s$' "$work/out" && ok \
  || bad "rate not as a percentage with its interval and time: $(grep duplicate_rate "$work/out")"
python3 -c '
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
times = [float(c.get("time")) for c in root.iter("testcase")]
assert times and all(t > 0 for t in times), times
assert float(root.get("time")) > 0
' "$work/fail.xml" && ok || bad "JUnit times are not all positive"

# A report that cannot be written after the run is exit 4, not 1 (a failed bound):
# the file-size limit makes the JSON's write fail with EFBIG.
( trap '' XFSZ; ulimit -f 1; "$bin" check "$guarantee" --json "$work/big.json" 2>&1 ) | cat >"$work/out"
[[ ${PIPESTATUS[0]} -eq 4 ]] && ok || bad "write failure: exit ${PIPESTATUS[0]}, expected 4"
grep -q "coordsim: error: .*big.json" "$work/out" && ok || bad "write failure message: $(cat "$work/out")"
# A missing directory is known before the run: bad input.
expect_exit "missing report directory" 2 check "$guarantee" --junit "$work/no/such/dir/j.xml"

# Under GitHub Actions: annotations for failed and inconclusive bounds ('%' is written %25,
# ':' in a property %3A, as the runner unescapes them), and the step
# summary is appended to, not replaced.
summary=$work/step-summary.md
printf '## an earlier step\n' >"$summary"
GITHUB_ACTIONS=true GITHUB_STEP_SUMMARY=$summary expect_exit "actions fail" 1 check "$guarantee" \
  --set agent.post_create_wait_s=1 --markdown "$summary"
grep -Eq "^::error file=$guarantee,title=coordsim check%3A guarantee-seed-lowest-with-long-wait duplicate_rate failed::FAIL: duplicate_rate [0-9.]+%25 \(one-sided bounds \[[0-9.]+%25, [0-9.]+%25\]\) against max 1%25 after 4000 trials" \
  "$work/out" && ok || bad "no ::error annotation: $(grep '^::' "$work/out")"
[[ $(grep -c '^::' "$work/out") -eq 1 ]] && ok || bad "annotations for passing bounds"
GITHUB_ACTIONS=true GITHUB_STEP_SUMMARY=$summary expect_exit "actions inconclusive" 3 check "$work/close.json" \
  --max-trials 400 --markdown "$summary"
grep -q "^::warning file=$work/close.json,title=coordsim check%3A x analyses.mean inconclusive::" "$work/out" && ok \
  || bad "no ::warning annotation: $(grep '^::' "$work/out")"
head -1 "$summary" | grep -q "an earlier step" && ok || bad "step summary replaced"
[[ $(grep -c '^## coordsim check: ' "$summary") -eq 2 ]] && ok || bad "step summary not appended twice"
grep -q '^## coordsim check: ❌ 2 passed, 1 failed, 0 inconclusive' "$summary" && ok || bad "headline: $(grep '^## coordsim' "$summary")"
grep -q '<details><summary>All 3 expectations</summary>' "$summary" && ok || bad "no <details>"
# Without the environment no annotation; --append appends to any file.
expect_exit "no actions" 1 check "$guarantee" --set agent.post_create_wait_s=1 --markdown "$work/a.md" --append
expect_exit "no actions" 1 check "$guarantee" --set agent.post_create_wait_s=1 --markdown "$work/a.md" --append
! grep -q '^::' "$work/out" && ok || bad "annotations outside Actions"
[[ $(grep -c '^## coordsim check: ' "$work/a.md") -eq 2 ]] && ok || bad "--append did not append"

# Regression against a baseline: the same run passes, a change that raises the
# duplicate rate fails (exit 1), in `check --baseline` and in `compare`.
expect_exit "baseline json" 0 check "$guarantee" --json "$work/main.json"
expect_exit "same as baseline" 0 check "$guarantee" --baseline "$work/main.json"
grep -q "^0 regressions$" "$work/out" && ok || bad "identical run: $(tail -3 "$work/out")"
expect_exit "pr json" 1 check "$guarantee" --set agent.post_create_wait_s=1 --json "$work/pr.json"
expect_exit "compare regression" 1 compare "$work/main.json" "$work/pr.json"
grep -Eq '^  duplicate_rate +[0-9.]+% +[0-9.]+% +\+[0-9.]+% \[\+[0-9.]+%, \+[0-9.]+%\] +REGRESSION$' "$work/out" && ok \
  || bad "compare: $(cat "$work/out")"
grep -q "paired: same seed, trials and batches" "$work/out" && ok || bad "not paired on the same seed"
# A change that keeps the bound (max 1%) but raises the duplicate rate from 0.15% to 0.70%
# (the post-create wait from 24 s to 20 s): every expectation passes, the baseline fails.
expect_exit "baseline 24 s" 0 check "$guarantee" --set agent.post_create_wait_s=24 --trials 40000 --json "$work/w24.json"
expect_exit "regression within the bound" 1 check "$guarantee" --set agent.post_create_wait_s=20 --trials 40000 \
  --baseline "$work/w24.json"
grep -q "^3 passed, 0 failed, 0 inconclusive" "$work/out" && ok || bad "bounds should pass: $(cat "$work/out")"
grep -Eq "^  duplicate_rate +0\.1[0-9]% +0\.[67][0-9]% .* REGRESSION$" "$work/out" && ok || bad "no regression: $(cat "$work/out")"
expect_exit "compare same" 0 compare "$work/main.json" "$work/main.json"
expect_exit "compare bad input" 2 compare "$work/main.json" "$guarantee"
grep -q "coordsim: error: .*seed-lowest-with-long-wait.json: expected the array" "$work/err" && ok || bad "compare bad input: $(cat "$work/err")"

# Bad input: exit 2 with file and JSON path.
printf '%s' '{"name": "x", "workload": {"flavors": ["a"]}, "expect": {"duplicate_rate": {"min": 0.5, "max": 0.1}}}' >"$work/minmax.json"
expect_exit "min > max" 2 check "$work/minmax.json"
grep -q "minmax.json: /expect/duplicate_rate: min (0.5) must be <= max (0.1)" "$work/err" && ok || bad "min>max message: $(cat "$work/err")"
printf '%s' '{"name": "x", "workload": {"flavors": ["a"]}}' >"$work/none.json"
expect_exit "no expect block" 2 check "$work/none.json"
grep -q "no \"expect\" block" "$work/err" && ok || bad "no-expect message"

echo "$pass passed, $failures failed"
[[ $failures -eq 0 ]]
