#!/usr/bin/env bash
# `coordsim serve`'s threads under ThreadSanitizer: builds coordsim and the load client
# with -fsanitize=thread in DIR (default build-tsan) and runs the serve tests that put many
# clients on one server at once (the 200-connection load test, PyGithub, curl, kill -9
# under concurrent writers, the socket bounds), each server with its default one thread
# per core (TSan judges happens-before, not timing: two threads suffice). Every TSan
# report goes to a log file;
# the script fails if any test fails or any report was written, and prints the reports.
# Too slow for CI's budget (a third full build); run by hand before changing the server's
# locking (docs/serve.md, "Threads").
# Usage: scripts/tsan-serve.sh [DIR]   COORDSIM_JOBS: build parallelism.
set -uo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build-tsan}
bash scripts/setup.sh --test || exit 1
args=(-DCMAKE_BUILD_TYPE=Debug -DCOORDSIM_TSAN=ON -DCOORDSIM_BUILD_BENCH=OFF -DCOORDSIM_PCH=OFF)
command -v ccache >/dev/null && args+=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
[[ -f $dir/build.ninja ]] || cmake -S . -B "$dir" -G Ninja "${args[@]}" >/dev/null || exit 1
start=$(date +%s)
cmake --build "$dir" --target coordsim serve_load -- -j"${COORDSIM_JOBS:-$(nproc)}" >&2 || exit 1
echo "tsan-serve.sh: built in $(( $(date +%s) - start )) s" >&2

# A check that cannot pass silently: the binary must carry TSan's runtime.
ldd "$dir/cli/coordsim" | grep -q libtsan || { echo "tsan-serve.sh: $dir/cli/coordsim is not built with ThreadSanitizer" >&2; exit 1; }
logs=$(mktemp -d -t coordsim-tsan.XXXXXX)
trap 'rm -rf "$logs"' EXIT
# log_path: one file per process that found a race, whatever the test does with the
# server's exit status; exitcode 66 as well, for the tests that do check it.
export TSAN_OPTIONS="log_path=$logs/tsan exitcode=66 second_deadlock_stack=1 ${TSAN_OPTIONS:-}"
bin=$dir/cli/coordsim
scen=tests/data/serve-test.json
py=/usr/bin/python3
failed=()
run() {  # name, command...
  local name=$1; shift
  local t0=$(date +%s)
  if "$@" >"$logs/$name.out" 2>&1; then echo "tsan-serve.sh: $name passed ($(( $(date +%s) - t0 )) s)"
  else echo "tsan-serve.sh: $name FAILED ($(( $(date +%s) - t0 )) s):"; tail -15 "$logs/$name.out"; failed+=("$name"); fi
}
run load bash tests/e2e/serve/test_serve_load.sh "$bin" "$dir/tests/serve_load" "$scen" \
  --connections 200 --rounds 3 --time-limit 300
run pygithub "$py" tests/e2e/serve/test_pygithub.py "$bin" "$scen"
run curl bash tests/e2e/serve/test_serve_curl.sh "$bin" "$PWD"
run kill9 "$py" tests/e2e/serve/test_kill9.py "$bin" "$scen" --writers 100 --rounds 2
run bounds "$py" tests/e2e/serve/test_serve_bounds.py "$bin" "$scen"

reports=$(find "$logs" -name 'tsan.*' | wc -l)
for f in "$logs"/tsan.*; do [[ -f $f ]] && { echo "== $f"; head -60 "$f"; }; done
echo "tsan-serve.sh: ${#failed[@]} test(s) failed${failed:+ (${failed[*]})}, $reports ThreadSanitizer report file(s)"
((${#failed[@]} == 0 && reports == 0))
