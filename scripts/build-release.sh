#!/usr/bin/env bash
# One command for the Linux x86-64 release: the self-contained runner binary
# (COORDSIM_MINIMAL + COORDSIM_STATIC: agent, agent done, calibrate, audit;
# libstdc++, libgcc, OpenSSL, spdlog and fmt inside, only glibc dynamic),
# `cmake --install` into DIR/install, and CPack's .tar.gz and .deb in DIR.
# Usage: scripts/build-release.sh [DIR] [--full]   (default DIR: build-release;
#   --full: every command, serve and the simulator too, still self-contained)
# Prints the build time and the artifacts' sizes. COORDSIM_JOBS: parallelism.
# Checked by tests/e2e/package/test_release.sh (CTest package.release, which
# runs only when DIR exists: the build is too heavy for every test run).
set -euo pipefail
cd "$(dirname "$0")/.."
dir=build-release
minimal=ON
for a in "$@"; do
  case "$a" in
    --full) minimal=OFF ;;
    -*) echo "build-release.sh: unknown option $a (expected --full)" >&2; exit 2 ;;
    *) dir=$a ;;
  esac
done
args=(-DCMAKE_BUILD_TYPE=Release -DCOORDSIM_STATIC=ON -DCOORDSIM_MINIMAL=$minimal -DCMAKE_INSTALL_PREFIX=/usr)
command -v ccache >/dev/null && args+=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
[[ $minimal == OFF ]] && args+=(-DCOORDSIM_BUILD_TESTS=OFF -DCOORDSIM_BUILD_BENCH=OFF)
cmake -S . -B "$dir" -G Ninja "${args[@]}" >/dev/null
start=$(date +%s)
cmake --build "$dir" --target coordsim -- -j"${COORDSIM_JOBS:-$(nproc)}" >&2
built=$(( $(date +%s) - start ))
# DESTDIR must be absolute; DIR may be given either way.
case $dir in /*) destdir=$dir/install ;; *) destdir=$PWD/$dir/install ;; esac
DESTDIR=$destdir cmake --install "$dir" >/dev/null
(cd "$dir" && cpack >/dev/null)
echo "build-release.sh: coordsim built in $built s" >&2
ls -l "$dir/cli/coordsim" "$dir"/coordsim*.tar.gz "$dir"/*.deb >&2
echo "$dir"
