#!/usr/bin/env bash
# action.yml's fallback: builds the minimal runner target (agent, agent done,
# calibrate, audit; COORDSIM_MINIMAL: no serve, no simulator tools, tests or
# benchmarks) in BUILD_DIR and copies the binary to DEST.
# Usage: scripts/action-build.sh BUILD_DIR DEST
# On Linux it installs the Debian/Ubuntu packages it needs (apt-get, with sudo
# when not root); on macOS, Homebrew's (docs/install.md). COORDSIM_JOBS sets
# the parallelism (default: all cores). CTest `package.action_build` runs it.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
build=${1:?usage: action-build.sh BUILD_DIR DEST}
dest=${2:?usage: action-build.sh BUILD_DIR DEST}
jobs=${COORDSIM_JOBS:-$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)}

case "$(uname -s)" in
  Linux)
    # Alternatives by '|': Debian 12 has Boost 1.81 as libboost1.81-dev (its
    # libboost-dev is 1.74, too old), Ubuntu 24.04 as libboost-dev (1.83).
    pkgs=(g++ cmake ninja-build "libboost1.81-dev|libboost-dev|libboost1.83-dev" nlohmann-json3-dev
          libcli11-dev libspdlog-dev libssl-dev)
    installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
    missing=()
    for p in "${pkgs[@]}"; do
      IFS='|' read -ra alternatives <<<"$p"
      found=""
      for alt in "${alternatives[@]}"; do installed "$alt" && found=$alt; done
      [[ -n $found ]] || missing+=("$p")
    done
    if ((${#missing[@]})); then
      sudo=""; [[ $(id -u) -ne 0 ]] && sudo=sudo
      $sudo apt-get update -q
      install=()
      for p in "${missing[@]}"; do  # the first alternative this distribution has
        IFS='|' read -ra alternatives <<<"$p"
        for alt in "${alternatives[@]}"; do
          if apt-cache show "$alt" >/dev/null 2>&1; then install+=("$alt"); break; fi
        done
      done
      $sudo apt-get install -y -q "${install[@]}"
    fi
    preset_args=(-G Ninja) ;;
  Darwin)
    brew install cmake ninja boost nlohmann-json cli11 spdlog openssl@3 >&2
    preset_args=(-G Ninja -DOPENSSL_ROOT_DIR="$(brew --prefix openssl@3)") ;;
  *)
    echo "action-build.sh: building on $(uname -s) is not supported yet (docs/install.md)" >&2
    exit 1 ;;
esac

launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
if [[ ! -f $build/CMakeCache.txt ]]; then
  cmake -S "$src" -B "$build" "${preset_args[@]}" -DCMAKE_BUILD_TYPE=Release -DCOORDSIM_MINIMAL=ON \
    "${launcher[@]}" >&2
fi
start=$(date +%s)
cmake --build "$build" --target coordsim -j "$jobs" >&2
echo "action-build.sh: built in $(( $(date +%s) - start )) s" >&2
mkdir -p "$dest"
cp "$build/cli/coordsim" "$dest/coordsim"
"$dest/coordsim" --version
