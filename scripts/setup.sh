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
  # gh (Debian's 2.23): the gh commands that work against `coordsim serve` (docs/serve.md).
  packages+=(gh)
  # ccache: package.action_build builds the runner's minimal target beside build/;
  # with ccache the objects build/ compiled already are not compiled again (a cold
  # minimal build is ~10 minutes on 2 cores, most of it objects build/ has).
  packages+=(ccache)
  # yamllint: lint.workflows (the example workflows, action.yml, the release workflow).
  packages+=(yamllint python3-yaml)
  # node and npm: the Octokit test (tests/e2e/serve/octokit). A machine with a
  # node of its own that brings npm (NodeSource's) keeps it.
  if ! command -v npm >/dev/null 2>&1; then packages+=(nodejs npm); fi
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

# @octokit/rest for the Octokit test, from the npm registry into the test's own
# folder (git ignores its node_modules), pinned by its package-lock.json. If npm
# cannot reach the registry the test reports itself skipped; nothing else needs it.
install_octokit() {
  local dir
  dir="$(cd "$(dirname "$0")/.." && pwd)/tests/e2e/serve/octokit"
  [[ ${1:-} == --test && -f $dir/package-lock.json ]] || return 0
  [[ -f $dir/node_modules/@octokit/rest/package.json ]] && return 0
  command -v npm >/dev/null 2>&1 || { echo "setup.sh: npm missing: the Octokit test will be skipped" >&2; return 0; }
  echo "setup.sh: npm ci in $dir (@octokit/rest)" >&2
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >&2) ||
    echo "setup.sh: npm ci failed: the Octokit test will be skipped" >&2
}

if ((${#missing[@]} == 0)); then
  install_octokit "${1:-}"
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
install_octokit "${1:-}"
