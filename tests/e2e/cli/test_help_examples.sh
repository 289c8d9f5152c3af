#!/usr/bin/env bash
# The examples in `sweep --help` and `explore --help` name scenarios that exist,
# and they run (with few trials or schedules): `sweep --help` once used
# scenarios/tuning-seed-lowest.json, which does not exist, and `s.json`.
# Usage: test_help_examples.sh COORDSIM_BINARY SOURCE_DIR
set -uo pipefail
bin=$(realpath "$1")
src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pass=0
failures=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

mkdir -p "$work/run"
ln -s "$(realpath "$src")/scenarios" "$work/run/scenarios"
for sub in sweep explore; do
  "$bin" "$sub" --help >"$work/$sub.help" || bad "$sub --help failed"
  # The examples: lines "  coordsim SUB ..." joined with their "\" continuations, comments dropped.
  python3 - "$work/$sub.help" "$sub" >"$work/$sub.examples" <<'PY'
import sys
lines = open(sys.argv[1]).read().splitlines()
out, cur = [], None
for l in lines:
    s = l.strip()
    if cur is None and s.startswith("coordsim " + sys.argv[2] + " "):
        cur = s
    elif cur is not None:
        cur += " " + s
    else:
        continue
    if cur.endswith("\\"):
        cur = cur[:-1].rstrip()
        continue
    out.append(cur.split("   #")[0].strip())
    cur = None
print("\n".join(out))
PY
  [[ -s $work/$sub.examples ]] && ok || bad "$sub --help has no examples"
  while IFS= read -r example; do
    for word in $example; do
      word=${word//\'/}
      if [[ $word == *.json && $word != --* && $word != part* && $word != counterexample.json ]]; then
        [[ -f $src/$word ]] && ok || bad "$sub --help names $word, which does not exist: $example"
      fi
    done
    # Run it, small, in a scratch directory (the examples write sweep.html and the like there).
    read -ra argv <<<"${example#coordsim }"
    argv=("${argv[@]//\'/}")
    extra=(--trials 50 --threads 1)
    [[ $sub == explore ]] && extra=(--max-schedules 200)
    [[ $example == *--max-schedules* ]] && extra=()
    (cd "$work/run" && "$bin" "${argv[@]}" "${extra[@]}" >"$work/out" 2>"$work/err")
    rc=$?
    # explore exits 3 when it finds a counterexample, 4 when the budget runs out: both are answers.
    if [[ $rc -eq 0 || ($sub == explore && ($rc -eq 3 || $rc -eq 4)) ]]; then ok; else
      bad "example exits $rc: $example: $(head -3 "$work/err")"
    fi
  done <"$work/$sub.examples"
done

echo "$pass passed, $failures failed"
[[ $failures -eq 0 ]]
