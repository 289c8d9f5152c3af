#!/usr/bin/env bash
# CTest fuzz.cli_reproducers: the CLI mutation fuzzer's findings that no fuzz
# target covers (docs/fuzzing.md), one NAME.sh each, run in a temp dir of its
# own with $COORDSIM set. A reproducer's first lines say what must happen:
#   # expect: exit 2            the exit code
#   # expect-stderr: TEXT       a line of stderr contains TEXT (may repeat)
# and whatever the exit code, stderr and stdout must not hold a library's own
# words (scripts/mutate.py's RAW_MARKERS) and the command must end by itself
# within 60 s.
#   run.sh COORDSIM [NAME.sh...]
set -uo pipefail
bin=$(realpath "$1"); shift
dir=$(cd "$(dirname "$0")" && pwd)
cases=("$@")
((${#cases[@]})) || cases=("$dir"/*.sh)
raw='\[json\.exception|bad_alloc|terminate called|what\(\):|basic_string|vector::_M|_M_range_check|std::out_of_range|std::length_error|bad_optional_access|bad_variant_access|Assertion|AddressSanitizer|runtime error:'
failures=0 count=0
for c in "${cases[@]}"; do
  [[ $(basename "$c") == run.sh ]] && continue
  count=$((count + 1))
  work=$(mktemp -d -t coordsim-cli-repro.XXXXXX)
  (cd "$work" && COORDSIM=$bin REPRO_DIR=$dir timeout 60 bash "$c" >"$work/.out" 2>"$work/.err")
  rc=$?
  want=$(sed -n 's/^# expect: exit //p' "$c" | head -1)
  why=()
  [[ $rc == 124 ]] && why+=("did not end within 60 s")
  [[ -n $want && $rc != "$want" ]] && why+=("exit $rc, expected $want")
  while IFS= read -r text; do
    grep -qF -- "$text" "$work/.err" || why+=("stderr lacks: $text")
  done < <(sed -n 's/^# expect-stderr: //p' "$c")
  grep -qE "$raw" "$work/.out" "$work/.err" && why+=("a raw library message")
  if ((${#why[@]})); then
    failures=$((failures + 1))
    echo "FAIL: $(basename "$c"): ${why[*]}" >&2
    sed 's/^/  stderr: /' "$work/.err" | head -5 >&2
  fi
  rm -rf "$work"
done
echo "$((count - failures)) of $count CLI reproducers pass"
((failures == 0))
