#!/usr/bin/env bash
# The CLI mutation fuzzer (scripts/mutate.py, docs/fuzzing.md) on a coordsim
# binary: mutated scenario files through run, check, sweep, replay, find and
# explore, two at a time, each with a timeout.
#   scripts/mutate.sh                        600 inputs on build/cli/coordsim
#   scripts/mutate.sh --count 20000 --out DIR --coordsim build/cli/coordsim
# Exit 0 when nothing was found; 1 with report.md listing each distinct failure
# and a minimal reproducer.
set -euo pipefail
cd "$(dirname "$0")/.."
exec python3 scripts/mutate.py "$@"
