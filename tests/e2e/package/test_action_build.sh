#!/usr/bin/env bash
# action.yml's two scripts as the action runs them: scripts/action-asset.sh
# (which release asset fits a runner) and the fallback, scripts/action-build.sh
# (the minimal runner target from source): the binary runs, has the runner's
# commands and none of the simulator's, and the build compiled no simulator
# tool, test or benchmark.
# Usage: test_action_build.sh BUILD_DIR SOURCE_DIR   (BUILD_DIR persists between
# runs, as the action's cache does: only the first run is a full build)
set -uo pipefail
build=$1
src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0 pass=0
check() { local n=$1; shift; if "$@"; then pass=$((pass + 1)); else echo "FAIL: $n" >&2; failures=$((failures + 1)); fi; }

asset() {  # asset OS ARCH VERSION -> "tag asset"
  : >"$work/out"
  GITHUB_OUTPUT=$work/out RUNNER_OS_NAME=$1 RUNNER_ARCH_NAME=$2 VERSION=$3 bash "$src/scripts/action-asset.sh" 2>/dev/null
  echo "$(sed -n 's/^tag=//p' "$work/out") $(sed -n 's/^asset=//p' "$work/out")"
}
check "asset: Linux X64 at v0.1.0" test "$(asset Linux X64 v0.1.0)" = "v0.1.0 coordsim-runner-0.1.0-linux-x86_64.tar.gz"
check "asset: Linux ARM64 builds from source" test "$(asset Linux ARM64 v0.1.0)" = "v0.1.0 "
check "asset: Windows builds from source" test "$(asset Windows X64 v0.1.0)" = "v0.1.0 "
check "asset: a branch has no release" test "$(asset Linux X64 main)" = " "
check "asset: a source hash for the cache key" grep -Eq '^source-hash=[0-9a-f]{16}$' "$work/out"

start=$(date +%s)
COORDSIM_JOBS=${COORDSIM_JOBS:-1} bash "$src/scripts/action-build.sh" "$build" "$work/bin" >"$work/build.out" 2>"$work/build.err"
rc=$?
echo "action-build.sh: exit $rc in $(( $(date +%s) - start )) s ($(grep -o 'built in [0-9]* s' "$work/build.err"))"
check "action-build.sh: exit 0" test $rc = 0
[[ $rc = 0 ]] || tail -20 "$work/build.err"
bin=$work/bin/coordsim
check "the binary runs (--version)" "$bin" --version
check "runner commands: agent, agent done, calibrate, audit" \
  bash -c "'$bin' agent --help >/dev/null && '$bin' agent done --help >/dev/null && '$bin' calibrate --help >/dev/null && '$bin' audit --help >/dev/null"
for c in run serve sweep check find explore replay; do
  "$bin" "$c" >/dev/null 2>"$work/err"
  rc=$?
  check "no simulator tool '$c' (exit 2, unknown subcommand; got $rc)" \
    bash -c "test $rc = 2 && grep -q 'unknown subcommand' '$work/err'"
done
# Nothing of serve, the analyses, the outputs, the tests or the benchmarks was compiled.
objects=$(find "$build" -name '*.o' | sed "s|^$build/||")
check "no object of sim/http, sim/analysis, sim/output, tests or bench" \
  bash -c "! grep -Eq '^(sim/http|sim/analysis|sim/output|tests|bench)/' <<<'$objects'"
check "the agent's and the engine's objects were compiled" \
  bash -c "grep -q '^agent/real/' <<<'$objects' && grep -q '^sim/engine/' <<<'$objects'"
echo "$(wc -l <<<"$objects") objects; binary $(stat -c %s "$bin" 2>/dev/null) bytes"
echo "$pass passed, $failures failed"
[[ $failures -eq 0 ]]
