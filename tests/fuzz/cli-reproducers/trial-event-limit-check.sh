#!/bin/sh
# The same scenario through check, whose exit 1 means "a bound failed".
# expect: exit 2
# expect-stderr: limits.max_events_per_trial
"$COORDSIM" check "$REPRO_DIR/trial-event-limit.json" --trials 40 --max-trials 200 --threads 1
