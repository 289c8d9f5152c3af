#!/usr/bin/env bash
# Instructions per trial under callgrind: (I(60000) - I(20000)) / 40000, so the
# fixed cost (start-up, scenario load, thread pool) cancels out.
# Usage: instr.sh BENCH_MEMORY_BIN [COORDSIM_BIN SCENARIO_DIR]
#   bench_memory runs the built-in seed reproduction with strategy seed-lowest.
#   With COORDSIM_BIN and SCENARIO_DIR (a scenarios/ folder) it also measures
#   `coordsim run` for strategy seed on the built-in scenario and strategy
#   seed-lowest on SCENARIO_DIR/faults-lost-responses.json (same difference).
set -euo pipefail
(($# == 1 || $# == 3)) || { echo "usage: instr.sh BENCH_MEMORY_BIN [COORDSIM_BIN SCENARIO_DIR]" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
LO=20000 HI=60000

total() {  # total Ir of one callgrind run; args: label command...
  local out=$tmp/cg.$1; shift
  valgrind --tool=callgrind --callgrind-out-file="$out" "$@" >"$out.stdout" 2>"$out.stderr"
  awk '/^(summary|totals):/ {print $2; exit}' "$out"
}
per_trial() {  # label, then the command without its trial count (appended or substituted for @N@)
  local label=$1; shift
  local lo hi
  lo=$(total "$label.$LO" "${@//@N@/$LO}")
  hi=$(total "$label.$HI" "${@//@N@/$HI}")
  echo "$label: I($LO)=$lo I($HI)=$hi per_trial=$(( (hi - lo) / (HI - LO) )) ($(awk -v a="$lo" -v b="$hi" -v d=$((HI - LO)) 'BEGIN{printf "%.1f", (b-a)/d}'))"
}

per_trial "bench_memory(seed-lowest,builtin)" "$1" @N@
if (($# == 3)); then
  per_trial "coordsim-run(seed,builtin)" "$2" run --strategy seed --trials @N@ --threads 1
  per_trial "coordsim-run(seed-lowest,faults-lost-responses)" "$2" run "$3/faults-lost-responses.json" \
    --strategy seed-lowest --trials @N@ --threads 1
fi
