#!/usr/bin/env bash
# coordsim beside the read-only measuring sticks in ../shared/bench-reference, in one run:
# the hand-written floor model (floor_seed.cpp), the coroutine sketch (coro_seed.cpp) and the
# Python peer (py_seed.py), all on the same workload (floor-equivalent.json: 3 flavors 1 s
# apart, list lag U(3,5) s, list 0.27 s, create 0.14 s, 3 attempts with 0.5/1.0 s sleeps,
# 1 s post-create wait). Prints each one's trials/s and answer, and the ratios issue #19
# sets targets on (coordsim >= 0.4 of the floor, >= 20x the Python peer), plus threads
# scaling and the cost of the simulator's slow path (faults/timeouts).
#
# The reference programs are built from ../shared into a temp dir, never copied into the
# project. Run it on an otherwise idle machine: each figure is one timed run (the best
# of REPEAT for the C++ programs), so a busy core halves a number. Ratios are taken within
# one run of this script.
#
# Usage: bench/reference-ratios.sh COORDSIM_BIN [REFERENCE_DIR]
#   REFERENCE_DIR defaults to ../shared/bench-reference beside the repository.
#   TRIALS (default 2000000) trials for the C++ programs, PY_TRIALS (default 100000) for
#   Python, REPEAT (default 3) runs of each C++ program, best kept.
set -euo pipefail
(($# >= 1 && $# <= 2)) || { echo "usage: reference-ratios.sh COORDSIM_BIN [REFERENCE_DIR]" >&2; exit 2; }
bin=$(realpath "$1")
here=$(cd "$(dirname "$0")/.." && pwd)
ref=${2:-$here/../shared/bench-reference}
[[ -f $ref/floor_seed.cpp && -f $ref/floor-equivalent.json ]] || {
  echo "reference-ratios.sh: $ref does not hold floor_seed.cpp and floor-equivalent.json" >&2; exit 2; }
TRIALS=${TRIALS:-2000000} PY_TRIALS=${PY_TRIALS:-100000} REPEAT=${REPEAT:-3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The same optimisation level as the project's Release build (-O2).
g++ -std=c++20 -O2 -o "$tmp/floor" "$ref/floor_seed.cpp"
g++ -std=c++20 -O2 -o "$tmp/coro" "$ref/coro_seed.cpp"

field() { sed -n "s/.*$1=\([0-9.e+-]*\).*/\1/p"; }  # key=value out of the references' one line
best_of() {  # best trials/s over REPEAT runs of a reference; prints "rate answer"
  local best=0 answer= line rate
  for ((i = 0; i < REPEAT; i++)); do
    line=$("$@")
    rate=$(field trials_per_s <<<"$line")
    answer=$(field analyses_mean <<<"$line")
    best=$(awk -v a="$best" -v b="$rate" 'BEGIN{print (b > a) ? b : a}')
  done
  echo "$best $answer"
}
coordsim_run() {  # best trials/s over REPEAT runs; args: strategy threads [--set ...]; prints "rate answer"
  local strategy=$1 threads=$2 best=0 answer=; shift 2
  for ((i = 0; i < REPEAT; i++)); do
    "$bin" run "$ref/floor-equivalent.json" --strategy "$strategy" --trials "$TRIALS" --threads "$threads" \
      --quiet "$@" --json "$tmp/run.json" >/dev/null
    read -r rate answer < <(python3 -c 'import json,sys; j=json.load(open(sys.argv[1]));
print(j["trials_per_s"], j["analyses"]["mean"])' "$tmp/run.json")
    best=$(awk -v a="$best" -v b="$rate" 'BEGIN{print (b > a) ? b : a}')
  done
  echo "$best $answer"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", a / b}'; }

read -r floor_lowest ans_floor_lowest < <(best_of "$tmp/floor" "$TRIALS" 3 1.0 0)
read -r floor_seed ans_floor_seed < <(best_of "$tmp/floor" "$TRIALS" 3 1.0 1)
read -r coro ans_coro < <(best_of "$tmp/coro" "$TRIALS" 3 1.0)
py_line=$(python3 "$ref/py_seed.py" "$PY_TRIALS" 3 1.0)
py=$(field trials_per_s <<<"$py_line")
ans_py=$(field analyses_mean <<<"$py_line")
read -r cs_lowest ans_cs_lowest < <(coordsim_run seed-lowest 1)
read -r cs_seed ans_cs_seed < <(coordsim_run seed 1)
# The slow path with nothing firing: a request timeout no request reaches (1000 s against
# 0.27 s requests) routes every request through it and leaves every answer as it was.
read -r cs_slow ans_cs_slow < <(coordsim_run seed-lowest 1 --set agent.client.timeout_s=1000)
cores=$(nproc)
read -r cs_cores _ < <(coordsim_run seed-lowest "$cores")

printf '%-58s %12s %9s\n' "program (floor-equivalent workload)" "trials/s" "answer"
printf '%-58s %12.0f %9s\n' "floor_seed.cpp, seed-lowest (mode 0)" "$floor_lowest" "$ans_floor_lowest"
printf '%-58s %12.0f %9s\n' "floor_seed.cpp, seed (mode 1)" "$floor_seed" "$ans_floor_seed"
printf '%-58s %12.0f %9s\n' "coro_seed.cpp (C++20 coroutines, seed-lowest)" "$coro" "$ans_coro"
printf '%-58s %12.0f %9s\n' "py_seed.py (generators + heapq, $PY_TRIALS trials)" "$py" "$ans_py"
printf '%-58s %12.0f %9s\n' "coordsim run --strategy seed-lowest --threads 1" "$cs_lowest" "$ans_cs_lowest"
printf '%-58s %12.0f %9s\n' "coordsim run --strategy seed --threads 1" "$cs_seed" "$ans_cs_seed"
printf '%-58s %12.0f %9s\n' "coordsim seed-lowest, slow path (timeout_s=1000), 1 thread" "$cs_slow" "$ans_cs_slow"
printf '%-58s %12.0f %9s\n' "coordsim seed-lowest --threads $cores" "$cs_cores" ""
echo
echo "ratios (issue #19 targets in brackets)"
echo "  coordsim seed-lowest / floor mode 0:  $(ratio "$cs_lowest" "$floor_lowest")  [>= 0.4]"
echo "  coordsim seed / floor mode 1:         $(ratio "$cs_seed" "$floor_seed")  [>= 0.4]"
echo "  coro sketch / floor mode 0:           $(ratio "$coro" "$floor_lowest")"
echo "  coordsim seed-lowest / Python peer:   $(ratio "$cs_lowest" "$py")  [>= 20]"
echo "  slow path / plain cost per trial:     $(ratio "$cs_lowest" "$cs_slow")  [slow path <= 1.5x plain]"
echo "  $cores threads / (1 thread x $cores):       $(ratio "$cs_cores" "$(awk -v a="$cs_lowest" -v n="$cores" 'BEGIN{print a*n}')")  [>= 0.9]"
