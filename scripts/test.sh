#!/usr/bin/env bash
# Quick start, part 2: installs what is missing, builds, and runs every test.
#   scripts/test.sh             optimized build, all tests
#   scripts/test.sh --sanitize  the same under AddressSanitizer + UBSan
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
dir=$(bash scripts/build.sh "$@")
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
ctest --test-dir "$dir" --output-on-failure -j"$(nproc)"
