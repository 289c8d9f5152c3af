#!/usr/bin/env bash
# Renders sweep HTML reports (1, 2 and 3 varied parameters) in headless Chromium
# and checks the charts are there: see test_sweep_html_chromium.sh.
# Usage: test_sweep_html.sh COORDSIM_BINARY SOURCE_DIR
set -euo pipefail
bin=$1
src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
scen=$src/scenarios/tuning-seed.json
common=(--trials 1000 --strategy seed-lowest)
"$bin" sweep "$scen" "${common[@]}" --vary agent.post_create_wait_s=0:20:5 --html "$work/one.html" >/dev/null
"$bin" sweep "$scen" "${common[@]}" --vary agent.post_create_wait_s=0:20:10 \
  --vary 'agent.retry_delays_s=[0.5,1],[1,2]' --html "$work/two.html" >/dev/null
"$bin" sweep "$scen" --trials 1000 --vary agent.post_create_wait_s=0,10 --vary agent.find_attempts=1,3 \
  --vary agent.strategy=seed,seed-lowest --html "$work/three.html" >/dev/null
exec bash "$src/tests/e2e/cli/test_sweep_html_chromium.sh" "$work" "$src"
