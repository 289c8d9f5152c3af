#!/usr/bin/env bash
# Runs the fuzz targets (tests/fuzz/, docs/fuzzing.md) for a fixed time each,
# two at a time, and lists what they found.
#   scripts/fuzz.sh                 every target, FUZZ_SECONDS (60) each
#   scripts/fuzz.sh where http      only those
# Environment:
#   FUZZ_ENGINE   libfuzzer (default): builds the coverage-guided libFuzzer
#                 targets with clang++ in FUZZ_BUILD (default build-fuzz);
#                 driver: runs the targets of an existing build (FUZZ_BUILD,
#                 e.g. build-asan from scripts/test.sh --sanitize) with their
#                 own random mutator, no coverage guidance and no extra build:
#                 what CI runs (.ci/run)
#   FUZZ_SECONDS  time per target (default 60)
#   FUZZ_JOBS     targets run at once, and build jobs (default 2)
#   FUZZ_WORK     where corpora and crash files go (default: a new temp dir,
#                 kept when something was found)
#   FUZZ_ARGS     extra flags for the targets, e.g. "-only_ascii=1"; with
#                 FUZZ_KEEP_GOING=1 libFuzzer goes on past findings (-fork=1
#                 -ignore_crashes=1 ...) and collects them all
# Exit 0 when no target found anything; 1 with the findings listed (each a
# crash file and the command that reproduces it).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
seconds=${FUZZ_SECONDS:-60}
jobs=${FUZZ_JOBS:-2}
engine=${FUZZ_ENGINE:-libfuzzer}
all=(scenario set vary where merge serve_state http)
targets=("$@")
((${#targets[@]})) || targets=("${all[@]}")

started=$SECONDS
case $engine in
  libfuzzer)
    build=${FUZZ_BUILD:-build-fuzz}
    command -v clang++ >/dev/null || { echo "fuzz.sh: clang++ not found (apt-get install clang), or FUZZ_ENGINE=driver" >&2; exit 2; }
    bash scripts/setup.sh --test
    # Asserts stay on (no NDEBUG): a failed assertion is a finding. -O1 builds fast and fuzzes well.
    [[ -f $build/build.ninja ]] ||
      cmake -S . -B "$build" -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCOORDSIM_FUZZ=ON -DCMAKE_BUILD_TYPE=Debug \
        -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g" -DCOORDSIM_BUILD_BENCH=OFF >/dev/null
    cmake --build "$build" --target fuzz_all -j"$jobs"
    ;;
  driver)
    build=${FUZZ_BUILD:-build-asan}
    [[ -f $build/build.ninja ]] || { echo "fuzz.sh: no build in $build (scripts/build.sh --sanitize makes build-asan)" >&2; exit 2; }
    cmake --build "$build" --target "${targets[@]/#/fuzz_}" -j"$jobs" >&2
    ;;
  *) echo "fuzz.sh: FUZZ_ENGINE is libfuzzer or driver, not $engine" >&2; exit 2 ;;
esac
echo "fuzz.sh: built in $((SECONDS - started)) s" >&2

if [[ -n ${FUZZ_WORK:-} ]]; then work=$FUZZ_WORK; mkdir -p "$work"; keep=1; else work=$(mktemp -d -t coordsim-fuzz.XXXXXX); keep=0; fi
# Seeds from the shipped files; merge's and serve_state's come from the
# committed corpus (make_seed_corpus.py --coordsim regenerates them).
python3 tests/fuzz/make_seed_corpus.py "$work/seeds" 2>/dev/null
# The regression corpus less the reproducers of open bugs: those would be found again at once.
for t in "${targets[@]}"; do
  mkdir -p "$work/regression/$t"
  cp tests/fuzz/regression/"$t"/* "$work/regression/$t/"
  while read -r open _; do
    [[ $open == "$t"/* ]] && rm -f "$work/regression/$open"
  done < <(grep -v '^#' tests/fuzz/regression/open-bugs.txt)
done

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
keep_going=()
[[ ${FUZZ_KEEP_GOING:-0} == 1 && $engine == libfuzzer ]] && keep_going=(-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)
run_one() {
  local t=$1 corpus=$work/corpus/$1 out=$work/artifacts/$1 seeds=() rc=0
  mkdir -p "$corpus" "$out"
  [[ -d $work/seeds/$t ]] && seeds=("$work/seeds/$t")
  # New inputs go to the first corpus directory; seeds and the regression corpus are read.
  # shellcheck disable=SC2086
  "$build/tests/fuzz_$t" "$corpus" "${seeds[@]}" "$work/regression/$t" \
    -dict="$work/seeds/$t.dict" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=16384 \
    -print_final_stats=1 -artifact_prefix="$out/" "${keep_going[@]}" ${FUZZ_ARGS:-} >"$work/$t.log" 2>&1 || rc=$?
  # The driver leaves the input that killed it as current-input.
  if [[ -f $out/current-input ]]; then
    if ((rc)); then mv "$out/current-input" "$out/crash-$(sha1sum <"$out/current-input" | cut -c1-40)"; else rm -f "$out/current-input"; fi
  fi
  return "$rc"
}
started=$SECONDS
pids=() names=() failed=()
for t in "${targets[@]}"; do
  [[ -x $build/tests/fuzz_$t ]] || { echo "fuzz.sh: no target fuzz_$t" >&2; exit 2; }
  while (( $(jobs -rp | wc -l) >= jobs )); do sleep 1; done
  echo "fuzz.sh: $t (${seconds} s)" >&2
  run_one "$t" & pids+=($!) names+=("$t")
done
for i in "${!pids[@]}"; do
  # A finding is a failed run, or a crash file left (FUZZ_KEEP_GOING runs on past them).
  if ! wait "${pids[$i]}" || compgen -G "$work/artifacts/${names[$i]}/*" >/dev/null; then failed+=("${names[$i]}"); fi
done

printf '\n%-12s %10s %8s %8s  %s\n' target execs/s corpus cov result >&2
for t in "${targets[@]}"; do
  log=$work/$t.log
  execs=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1 || true)
  cov=$( (grep -o 'cov: [0-9]*' "$log" || true) | tail -1 | cut -d' ' -f2)
  units=$(find "$work/corpus/$t" -type f | wc -l)
  result=ok
  [[ " ${failed[*]:-} " == *" $t "* ]] && result=FINDING
  printf '%-12s %10s %8s %8s  %s\n' "$t" "${execs:-?}" "$units" "${cov:-?}" "$result" >&2
done
echo "fuzz.sh: ${#targets[@]} targets in $((SECONDS - started)) s" >&2

if ((${#failed[@]})); then
  for t in "${failed[@]}"; do
    echo >&2
    echo "=== $t: $(grep -m1 -E 'coordsim-fuzz: finding|ERROR: (AddressSanitizer|libFuzzer)|runtime error|SUMMARY' "$work/$t.log" || echo 'see the log')" >&2
    for f in "$work/artifacts/$t"/*; do
      [[ -e $f ]] || continue
      echo "  reproduce: $build/tests/fuzz_$t $f" >&2
      echo "  minimize:  $build/tests/fuzz_$t -minimize_crash=1 -runs=10000 $f" >&2
    done
    echo "  log: $work/$t.log" >&2
  done
  echo "fuzz.sh: findings in ${failed[*]}; kept $work" >&2
  exit 1
fi
((keep)) || rm -rf "$work"
