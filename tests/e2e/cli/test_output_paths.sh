#!/usr/bin/env bash
# What an output path means (cli/write_file.cpp), for every option that writes
# one: a regular file is replaced atomically, a symlink's target is replaced
# and the link kept, a character device or FIFO is written in place (never
# replaced by a regular file), '-' is stdout, and a write that fails — a full
# device, a full stdout — is an error (exit 1), never a silent success.
#
# Devices: only scratch nodes this test makes in its own temporary directory
# (mknod needs root or CAP_MKNOD; without it those cases are skipped). Nothing
# here names a real system path: run as root, `--json /dev/null` under the
# old behaviour would have replaced the machine's /dev/null.
# Usage: test_output_paths.sh COORDSIM_BINARY SOURCE_DIR
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

# expect_exit NAME EXPECTED_EXIT PATTERN... -- ARGS: runs coordsim ARGS (stdout to $work/out
# unless STDOUT is set), wants the exit code and every pattern in stderr.
expect_exit() {
  local name=$1 want=$2; shift 2
  local patterns=()
  while [[ $1 != -- ]]; do patterns+=("$1"); shift; done
  shift
  "$bin" "$@" >"${STDOUT:-$work/out}" 2>"$work/err"
  local got=$?
  if [[ $got -ne $want ]]; then
    echo "FAIL: $name: exit $got, expected $want; stderr: $(head -c 2000 "$work/err")" >&2
    failures=$((failures + 1)); return
  fi
  for p in "${patterns[@]}"; do
    if ! grep -qF -- "$p" "$work/err"; then
      echo "FAIL: $name: stderr lacks '$p': $(head -c 2000 "$work/err")" >&2
      failures=$((failures + 1)); return
    fi
  done
  pass=$((pass + 1))
}

scen=$src/scenarios/seed-reproduction.json
box=$src/scenarios/explore/seed-box.json
fast=(--trials 200 --threads 1)

# --- scratch devices ------------------------------------------------------------
have_devices=0
if mknod "$work/null" c 1 3 2>/dev/null && mknod "$work/full" c 1 7 2>/dev/null; then
  have_devices=1
else
  echo "note: mknod not permitted; device cases skipped" >&2
fi
is_chr() { [[ -c $1 && ! -L $1 ]]; }

if ((have_devices)); then
  # Every output option, into the scratch null device: exit 0, and it is still a device.
  d=$work/null
  expect_exit "run --json to a null device" 0 -- run "$scen" "${fast[@]}" --json "$d"
  expect_exit "run --markdown to a null device" 0 -- run "$scen" "${fast[@]}" --markdown "$d"
  expect_exit "run --strategy list --json to a null device" 0 -- run "$scen" "${fast[@]}" --strategy seed,none --json "$d"
  expect_exit "check --junit/--markdown/--json to a null device" 0 -- \
    check "$src/scenarios/guarantees/none-always-duplicates.json" --trials 500 --junit "$d" --markdown "$d" --json "$d"
  expect_exit "sweep --json/--csv/--html/--markdown to a null device" 0 -- \
    sweep "$scen" --vary agent.post_create_wait_s=1,2 "${fast[@]}" --json "$d" --csv "$d" --html "$d" --markdown "$d"
  expect_exit "replay --trace/--shrink to a null device" 0 -- replay "$scen" --trial 0 --trace "$d" --shrink "$d"
  expect_exit "find --json/--shrink to a null device" 0 -- find "$scen" "${fast[@]}" --where duplicate --json "$d" --shrink "$d"
  expect_exit "explore --out/--json to a null device" 3 -- explore "$box" --out "$d" --json "$d"
  check "the null device is still a character device" is_chr "$work/null"
  check "no temporary file beside the device" test -z "$(ls "$work" | grep '\.tmp\.')"

  # A full device: the write fails, exit 1, the message names the path.
  expect_exit "run --json to a full device" 1 "cannot write $work/full" "No space left on device" -- \
    run "$scen" "${fast[@]}" --json "$work/full"
  # (check's own code for a report not written: 4, docs/ci.md)
  expect_exit "check --junit to a full device" 4 "cannot write $work/full" -- \
    check "$src/scenarios/guarantees/none-always-duplicates.json" --trials 500 --junit "$work/full"
  expect_exit "replay --trace to a full device" 1 "cannot write $work/full" -- replay "$scen" --trial 0 --trace "$work/full"

  # stdout on a full device: `--json -`, the text report, the timeline, help.
  STDOUT=$work/full expect_exit "run --json - to a full stdout" 1 "cannot write standard output" -- \
    run "$scen" "${fast[@]}" --json -
  STDOUT=$work/full expect_exit "run's text report to a full stdout" 1 "cannot write standard output" -- \
    run "$scen" "${fast[@]}"
  STDOUT=$work/full expect_exit "replay's timeline to a full stdout" 1 "cannot write standard output" -- \
    replay "$scen" --trial 0
  STDOUT=$work/full expect_exit "find to a full stdout" 1 "cannot write standard output" -- \
    find "$scen" "${fast[@]}" --where duplicate
  STDOUT=$work/full expect_exit "explore's counterexample to a full stdout" 1 "cannot write standard output" -- \
    explore "$box"
  STDOUT=$work/full expect_exit "--help to a full stdout" 1 "cannot write standard output" -- run --help
  check "the full device is still a character device" is_chr "$work/full"

  # Through a symlink to the device: written in place, the link and the device stay.
  ln -s null "$work/null-link"
  expect_exit "run --json through a symlink to a device" 0 -- run "$scen" "${fast[@]}" --json "$work/null-link"
  check "the symlink to the device is still a symlink" test -L "$work/null-link"
  check "the device behind the symlink is still a character device" is_chr "$work/null"
fi

# --- FIFOs: written in place, the reader gets the whole report -----------------------
mkfifo "$work/fifo"
timeout 60 cat "$work/fifo" >"$work/fifo.got" &
reader=$!
expect_exit "run --json to a FIFO" 0 -- run "$scen" "${fast[@]}" --json "$work/fifo"
wait "$reader"
check "the FIFO is still a FIFO" test -p "$work/fifo"
check "the FIFO's reader got the JSON report" python3 -c '
import json, sys; d = json.load(open(sys.argv[1])); assert d["trials"] == 200, d' "$work/fifo.got"
# A report larger than a pipe's buffer (64 KiB) arrives whole: the HTML.
timeout 60 cat "$work/fifo" >"$work/fifo.html" &
reader=$!
expect_exit "sweep --html to a FIFO" 0 -- sweep "$scen" --vary agent.post_create_wait_s=0:60:1 --trials 50 --threads 1 \
  --html "$work/fifo"
wait "$reader"
"$bin" sweep "$scen" --vary agent.post_create_wait_s=0:60:1 --trials 50 --threads 1 --html "$work/file.html" >"$work/sweep.out"
check "the FIFO's reader got the whole HTML" cmp -s "$work/fifo.html" "$work/file.html"
check "the HTML is larger than a pipe buffer" test "$(stat -c %s "$work/file.html")" -gt 65536

# --- symlinks: the target is replaced, the link stays ---------------------------------
mkdir "$work/reports"
echo old >"$work/reports/real.json"
ln -s reports/real.json "$work/link.json"  # relative to the link's directory
expect_exit "run --json through a symlink" 0 -- run "$scen" "${fast[@]}" --json "$work/link.json"
check "the symlink is still a symlink" test -L "$work/link.json"
check "the symlink still points where it did" test "$(readlink "$work/link.json")" = reports/real.json
check "the symlink's target holds the report" grep -q '"trials": 200' "$work/reports/real.json"
# A chain of links, and a dangling one: its target is created.
ln -s link.json "$work/link2.json"
expect_exit "run --markdown through two symlinks" 0 -- run "$scen" "${fast[@]}" --markdown "$work/link2.json"
check "a chain of symlinks stays" bash -c "test -L '$work/link2.json' && test -L '$work/link.json'"
check "the chain's last target holds the report" grep -q "duplicate rate" "$work/reports/real.json"
ln -s reports/new.json "$work/dangling.json"
expect_exit "replay --trace through a dangling symlink" 0 -- replay "$scen" --trial 0 --trace "$work/dangling.json"
check "the dangling symlink is still a symlink" test -L "$work/dangling.json"
check "the dangling symlink's target was created" python3 -c 'import json,sys; json.load(open(sys.argv[1]))' \
  "$work/reports/new.json"
ln -s loop1 "$work/loop2" && ln -s loop2 "$work/loop1"
expect_exit "a symlink loop" 1 "cannot write $work/loop1" -- run "$scen" "${fast[@]}" --json "$work/loop1"
expect_exit "a symlink loop, checked before the work" 2 "--trace" "cannot write $work/loop1" -- \
  replay "$scen" --trial 0 --trace "$work/loop1"

# --- the process's own descriptors (a link to /proc/self/fd/N, as /dev/stdout is) ------
# Written through the descriptor, after what stdout already holds, whatever it is.
ln -s /proc/self/fd/1 "$work/stdout-link"
ln -s /proc/self/fd/2 "$work/stderr-link"
ln -s /proc/self/fd/9 "$work/fd9-link"
STDOUT=$work/stdout.txt expect_exit "run --json to a link to stdout (a file)" 0 -- \
  run "$scen" "${fast[@]}" --json "$work/stdout-link"
check "stdout holds the JSON, then the text report" python3 - "$work/stdout.txt" <<'PY'
import json, sys
text = open(sys.argv[1]).read()
doc, end = json.JSONDecoder().raw_decode(text)
assert doc["trials"] == 200, doc
assert text[end:].lstrip().startswith("coordsim run:"), text[end:end + 200]
PY
"$bin" run "$scen" "${fast[@]}" --json "$work/stdout-link" 2>"$work/err" | cat >"$work/piped.txt"
check "run --json to a link to stdout (a pipe)" python3 -c '
import json, sys; d, _ = json.JSONDecoder().raw_decode(open(sys.argv[1]).read()); assert d["trials"] == 200' \
  "$work/piped.txt"
"$bin" run "$scen" "${fast[@]}" --markdown "$work/stderr-link" >"$work/out" 2>"$work/stderr.txt"
check "run --markdown to a link to stderr" grep -q "| duplicate rate |" "$work/stderr.txt"
check "the links to descriptors are still links" bash -c "test -L '$work/stdout-link' && test -L '$work/stderr-link'"
expect_exit "a link to a closed descriptor" 1 "cannot write $work/fd9-link" "Bad file descriptor" -- \
  run "$scen" "${fast[@]}" --json "$work/fd9-link"
expect_exit "a link to a closed descriptor, checked before the work" 2 "--trace: cannot write $work/fd9-link" -- \
  replay "$scen" --trial 0 --trace "$work/fd9-link"
if ((have_devices)); then
  STDOUT=$work/full expect_exit "a link to stdout on a full device" 1 "cannot write standard output" -- \
    run "$scen" "${fast[@]}" --json "$work/stdout-link"
  check "the full device is still a character device" is_chr "$work/full"
fi

# --- regular files: replaced atomically, permissions kept -----------------------------
echo old >"$work/private.json"
chmod 600 "$work/private.json"
expect_exit "run --json over an existing file" 0 -- run "$scen" "${fast[@]}" --json "$work/private.json"
check "the replaced file keeps its permissions" test "$(stat -c %a "$work/private.json")" = 600
check "the replaced file holds the report" grep -q '"trials": 200' "$work/private.json"
check "no temporary file left behind" test -z "$(find "$work" -name '*.tmp.*')"

# --- what is never an output ----------------------------------------------------------
expect_exit "--json a directory" 1 "cannot write $work/reports" "it is a directory" -- \
  run "$scen" "${fast[@]}" --json "$work/reports"
expect_exit "--trace a directory, checked before the work" 2 "--trace" "it is a directory" -- \
  replay "$scen" --trial 0 --trace "$work/reports"
check "the directory is untouched" test -d "$work/reports"
python3 -c 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$work/sock"
expect_exit "--json a socket" 1 "it is a socket" -- run "$scen" "${fast[@]}" --json "$work/sock"
check "the socket is untouched" test -S "$work/sock"

echo "test_output_paths: $pass passed, $failures failed"
((failures == 0))
