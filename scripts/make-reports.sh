#!/usr/bin/env bash
# Regenerates reports/ from scenarios/: one Markdown report per scenario and
# strategy, plus a JSON file with the same numbers. Deterministic: the same
# commit produces the same files (but for the timing lines).
# Usage: scripts/make-reports.sh [TRIALS]   (default: each scenario's `trials`)
set -euo pipefail
cd "$(dirname "$0")/.."
dir=$(bash scripts/build.sh)
bin=$dir/cli/coordsim
trials=()
[[ $# -ge 1 ]] && trials=(--trials "$1")

mkdir -p reports
for scenario in seed-reproduction aprapipes-production aprapipes-assumed; do
  for strategy in none seed seed-lowest; do
    out=reports/$scenario.$strategy
    "$bin" run "scenarios/$scenario.json" --strategy "$strategy" "${trials[@]}" \
      --markdown "$out.md" --json "$out.json" >/dev/null
    echo "wrote $out.md" >&2
  done
done
