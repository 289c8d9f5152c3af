#!/usr/bin/env bash
# Installs missing packages, configures and builds coordsim.
# Usage: scripts/build.sh [--sanitize] [--debug]
#   --sanitize  AddressSanitizer + UndefinedBehaviorSanitizer build in build-asan/
#   --debug     Debug build in build-debug/
# The default is an optimized build in build/. Prints the build directory last.
set -euo pipefail
cd "$(dirname "$0")/.."

dir=build
args=(-DCMAKE_BUILD_TYPE=Release)
for a in "$@"; do
  case "$a" in
    --sanitize) dir=build-asan; args=(-DCMAKE_BUILD_TYPE=Debug -DCOORDSIM_SANITIZE=ON -DCOORDSIM_BUILD_BENCH=OFF) ;;
    --debug) dir=build-debug; args=(-DCMAKE_BUILD_TYPE=Debug) ;;
    *) echo "build.sh: unknown option $a (expected --sanitize or --debug)" >&2; exit 2 ;;
  esac
done

bash scripts/setup.sh
# ccache, when installed, makes rebuilds across worktrees and build types cheap;
# a fresh machine without it builds the same way, only slower.
if command -v ccache >/dev/null; then
  args+=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
fi
if [[ ! -f "$dir/build.ninja" ]]; then
  cmake -S . -B "$dir" -G Ninja "${args[@]}" >/dev/null
fi
cmake --build "$dir" -- -j"${COORDSIM_JOBS:-$(nproc)}" >&2
echo "$dir"
