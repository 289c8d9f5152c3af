#!/usr/bin/env bash
# Installs the Debian 12 packages coordsim needs, and only those that are missing.
# Idempotent: a second run on a ready machine does nothing and makes no network call.
set -euo pipefail

# Usage: scripts/setup.sh [--test] [--bench]
#   --test adds what only the tests need; --bench what bench/serve-wrk.sh needs (wrk, curl)
packages=(
  g++ cmake ninja-build pkg-config
  libboost1.81-dev nlohmann-json3-dev libcli11-dev libspdlog-dev
  libbenchmark-dev catch2 libssl-dev libvalijson-dev
  python3  # scripts/make-reports.sh builds its index with it
)
for arg in "$@"; do
  if [[ $arg == --bench ]]; then packages+=(wrk curl); fi
done
if [[ ${1:-} == --test ]]; then
  # xmllint: JUnit schema validation; chromium: renders the sweep's HTML report;
  # python3-github (PyGithub, the reference's client), curl and openssl: `coordsim serve` tests;
  # openssl (a test CA) and python3 (a test proxy, JSON checks): `coordsim agent` / `calibrate` tests.
  packages+=(libxml2-utils chromium python3-github curl openssl)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} == 0)); then
  exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=sudo; else
    echo "setup.sh: missing packages (${missing[*]}) and not root; run as root or install them" >&2
    exit 1
  fi
else
  SUDO=
fi

echo "setup.sh: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
