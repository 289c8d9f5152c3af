#!/usr/bin/env bash
# Quick start, part 1: installs what is missing, builds, and runs coordsim on the
# seed reproduction scenario. Extra arguments go to `coordsim run`, e.g.
#   scripts/run.sh --strategy seed-lowest --trials 1000000
set -euo pipefail
cd "$(dirname "$0")/.."
dir=$(bash scripts/build.sh)
exec "$dir/cli/coordsim" run scenarios/seed-reproduction.json "$@"
