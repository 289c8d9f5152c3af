#!/usr/bin/env bash
# Octokit (@octokit/rest) against `coordsim serve`, with Node's built-in test
# runner: tests/e2e/serve/octokit/test_octokit.mjs. scripts/setup.sh --test
# installs @octokit/rest there from package-lock.json (npm ci); when that was
# impossible (no node or npm, no registry), this test is skipped (exit 77), saying so.
# Usage: test_octokit.sh COORDSIM_BINARY SCENARIO_FILE
set -euo pipefail
bin=$(realpath "$1") scenario=$(realpath "$2")
dir=$(cd "$(dirname "$0")/octokit" && pwd)
if ! command -v node >/dev/null 2>&1; then
  echo "SKIP: node is not installed (scripts/setup.sh --test installs nodejs and @octokit/rest)"
  exit 77
fi
if [[ ! -f $dir/node_modules/@octokit/rest/package.json ]]; then
  echo "SKIP: @octokit/rest is not installed in $dir/node_modules:" \
       "scripts/setup.sh --test installs it with npm ci; it was not run there or npm could not reach its registry"
  exit 77
fi
# Loopback only: a proxy from the environment must not see these requests.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost
export COORDSIM_BIN=$bin COORDSIM_SCENARIO=$scenario
cd "$dir"
exec node --test --test-reporter=spec test_octokit.mjs
