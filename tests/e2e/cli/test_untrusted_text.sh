#!/usr/bin/env bash
# Text that came from a scenario file or the command line — a scenario name, a
# path, an option's value — may hold anything JSON or a shell allows. The JUnit
# report stays well-formed XML whatever it holds (XML 1.0 cannot carry NUL,
# most C0 controls, U+FFFE, U+FFFF or bytes that are not UTF-8), and no control
# character reaches a terminal raw: ESC would start an escape sequence, CR
# would overwrite the line. Both are shown visibly, as \u001b.
# Usage: test_untrusted_text.sh COORDSIM_BINARY SOURCE_DIR
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

# No C0 control but tab and newline, no DEL, no C1 control (UTF-8 C2 80-9F).
no_controls() {
  python3 - "$1" <<'PY'
import re, sys
data = open(sys.argv[1], "rb").read()
bad = re.search(rb"[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]", data)
if bad:
    sys.exit(f"{sys.argv[1]}: raw control {bad.group()!r} at byte {bad.start()}: {data[max(0, bad.start() - 40):bad.end() + 40]!r}")
PY
}

# A guarantee whose name holds what XML cannot carry and what a terminal obeys.
name='evil\u0000nul\u0001soh\uffffnon\ufffechar\u001b[2J\u001b]0;title\u0007\rCR\u009bcsi\u007fdel\ttab \"q\" <a> & é ✓'
python3 - "$src/scenarios/guarantees/none-always-duplicates.json" "$work/evil.json" "$name" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
doc["name"] = json.loads('"' + sys.argv[3] + '"')
# A failing expectation too, so the name reaches a <failure> element.
doc["expect"]["api_calls.mean"] = {"min": 1}
json.dump(doc, open(sys.argv[2], "w"))
PY

"$bin" check "$work/evil.json" --trials 2000 --junit "$work/junit.xml" --json "$work/check.json" >"$work/check.txt" \
  2>"$work/check.err"
check "check of the evil name fails its expectation (exit 1)" test $? -eq 1
check "JUnit is well-formed and valid" xmllint --noout --schema "$src/tests/junit/junit.xsd" "$work/junit.xml"
check "JUnit shows what XML cannot carry visibly" python3 - "$work/junit.xml" <<'PY'
import sys, xml.etree.ElementTree as ET
suite = ET.parse(sys.argv[1]).getroot().find("testsuite")
name = suite.get("name")
for part in ["evil\\u0000nul", "\\u0001soh", "\\uffffnon", "\\ufffechar", "\\u001b[2J", "\\u0007", "\rCR",
             "\x9bcsi", "\x7fdel", "\ttab", '"q" <a> & é ✓']:
    assert part in name, (part, name)
failure = suite.find("testcase/failure")
assert failure is not None and failure.get("type") == "ExpectationFailed"
assert suite.find("testcase").get("classname").startswith("coordsim.evil\\u0000nul")
PY
check "check's text output holds no raw control character" no_controls "$work/check.txt"
check "check's text output shows the name visibly" grep -qF 'evil\u0000nul\u0001soh' "$work/check.txt"
check "check's text output shows ESC visibly" grep -qF '\u001b[2J\u001b]0;title\u0007\u000dCR\u009bcsi\u007fdel' \
  "$work/check.txt"
check "check --json keeps the name exactly" python3 -c '
import json, sys
assert json.load(open(sys.argv[1]))[0]["scenario"] == json.loads("\"" + sys.argv[2] + "\""), "name changed"' \
  "$work/check.json" "$name"

# A name that is not UTF-8 is refused at input (exit 2, naming the --set and the
# byte), by check and run alike: a JSON report could not carry it (issue #15).
bad_utf8=$'bad\xffname'
"$bin" check "$work/evil.json" --trials 2000 --set "name=$bad_utf8" --junit "$work/junit2.xml" --json "$work/check2.json" \
  >"$work/out" 2>"$work/err"
check "check of a non-UTF-8 name is bad input (exit 2)" test $? -eq 2
check "check names the place and the byte" grep -qF '/name: the value is not valid UTF-8 at byte 4 (\xff)' "$work/err"
check "check wrote no report for it" test ! -e "$work/junit2.xml" -a ! -e "$work/check2.json"
"$bin" run "$work/evil.json" --trials 200 --set "name=$bad_utf8" --json "$work/run2.json" >"$work/out" 2>"$work/err"
check "run of a non-UTF-8 name is bad input (exit 2)" test $? -eq 2
check "run's message shows the byte escaped, not raw" no_controls "$work/err"

# run, replay, find, explore, sweep print the name too.
"$bin" run "$work/evil.json" --trials 200 >"$work/run.txt" 2>&1
check "run's report holds no raw control character" no_controls "$work/run.txt"
check "run's report shows the name visibly" grep -qF 'evil\u0000nul' "$work/run.txt"
"$bin" run "$work/evil.json" --trials 200 --strategy seed,none >"$work/compare.txt" 2>&1
check "run's comparison holds no raw control character" no_controls "$work/compare.txt"
"$bin" replay "$work/evil.json" --trial 0 >"$work/replay.txt" 2>&1
check "replay's timeline holds no raw control character" no_controls "$work/replay.txt"
"$bin" find "$work/evil.json" --trials 200 --where 'analyses>0' >"$work/find.txt" 2>&1
check "find's text holds no raw control character" no_controls "$work/find.txt"
"$bin" sweep "$work/evil.json" --trials 200 --vary agent.post_create_wait_s=1,2 >"$work/sweep.txt" 2>&1
check "sweep's text holds no raw control character" no_controls "$work/sweep.txt"

# A flavor name is printed in timelines as well.
python3 - "$src/scenarios/seed-reproduction.json" "$work/flavor.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
doc["workload"]["flavors"][0] = "lin\u001b[31mux\r"
json.dump(doc, open(sys.argv[2], "w"))
PY
if "$bin" replay "$work/flavor.json" --trial 0 >"$work/flavor.txt" 2>&1; then
  check "a flavor name with ESC reaches the timeline visibly" grep -qF 'lin\u001b[31mux' "$work/flavor.txt"
fi
check "the timeline (or the refusal) holds no raw control character" no_controls "$work/flavor.txt"

# Messages: a path, an option value or a scenario key from the user, echoed.
esc=$'\e'
"$bin" run "$work/no${esc}[2Jsuch.json" >"$work/out" 2>"$work/err1"
"$bin" run "$src/scenarios/seed-reproduction.json" --strategy "x${esc}]0;pwned${esc}\\" >"$work/out" 2>"$work/err2"
"$bin" "ru${esc}[2Jn" >"$work/out" 2>"$work/err3"
printf '{"name": "x", "workload": {"flavors": ["a"]}, "agent": {"k\\u001b[2J": 1}}' >"$work/key.json"
"$bin" run "$work/key.json" >"$work/out" 2>"$work/err4"
"$bin" run --trials "1${esc}[2J" >"$work/out" 2>"$work/err5"
for k in 1 2 3 4 5; do
  check "error message $k holds no raw control character" no_controls "$work/err$k"
  check "error message $k shows ESC visibly" grep -qF '\u001b' "$work/err$k"
done

echo "test_untrusted_text: $pass passed, $failures failed"
((failures == 0))
