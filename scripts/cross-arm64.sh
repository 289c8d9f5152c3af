#!/usr/bin/env bash
# One command for the Linux arm64 release, cross-built on a Debian 12 x86-64
# host: the same self-contained runner as scripts/build-release.sh
# (COORDSIM_MINIMAL + COORDSIM_STATIC: only glibc dynamic) compiled by Debian's
# g++-aarch64-linux-gnu against the arm64 multiarch libraries, with
# cmake/toolchains/aarch64-linux-gnu.cmake; `cmake --install` into DIR/install
# and CPack's .tar.gz and arm64 .deb in DIR.
# Usage: scripts/cross-arm64.sh [DIR]   (default DIR: build-arm64)
# Installs what is missing first (apt, as root): the arm64 architecture, the
# cross compiler, libssl-dev:arm64, libfmt-dev:arm64, libspdlog-dev:arm64 and
# qemu-user-static (for the test). Boost, nlohmann_json and CLI11 are used as
# headers only: the host's packages serve both architectures.
# Prints the build time and the artifacts' sizes. COORDSIM_JOBS: parallelism.
# Checked by tests/e2e/package/test_arm64.sh (CTest package.arm64, which runs
# only when DIR exists: CI's time budget cannot afford the cross build).
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build-arm64}

host_pkgs=(g++-aarch64-linux-gnu qemu-user-static cmake ninja-build pkg-config
           libboost1.81-dev nlohmann-json3-dev libcli11-dev)
arm64_pkgs=(libssl-dev:arm64 libfmt-dev:arm64 libspdlog-dev:arm64)
missing=()
for p in "${host_pkgs[@]}" "${arm64_pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "cross-arm64.sh: installing ${missing[*]}" >&2
  sudo=""; [[ $(id -u) -eq 0 ]] || sudo=sudo
  dpkg --print-foreign-architectures | grep -qx arm64 || $sudo dpkg --add-architecture arm64
  $sudo apt-get update -q >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
fi

args=(-DCMAKE_TOOLCHAIN_FILE="$PWD/cmake/toolchains/aarch64-linux-gnu.cmake"
      -DCMAKE_BUILD_TYPE=Release -DCOORDSIM_STATIC=ON -DCOORDSIM_MINIMAL=ON -DCMAKE_INSTALL_PREFIX=/usr)
command -v ccache >/dev/null && args+=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S . -B "$dir" -G Ninja "${args[@]}" >/dev/null
start=$(date +%s)
cmake --build "$dir" --target coordsim -- -j"${COORDSIM_JOBS:-$(nproc)}" >&2
built=$(( $(date +%s) - start ))
DESTDIR=$(realpath "$dir")/install cmake --install "$dir" >/dev/null  # DIR may be absolute
(cd "$dir" && cpack >/dev/null)
echo "cross-arm64.sh: coordsim (arm64) built in $built s" >&2
ls -l "$dir/cli/coordsim" "$dir"/coordsim*.tar.gz "$dir"/*.deb >&2
echo "$dir"
