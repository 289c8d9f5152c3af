#!/bin/sh
# A trial that reaches limits.max_events_per_trial: a schema-valid scenario whose
# agent makes 3,000,000 find attempts. The engine stops it with an error naming
# the limit, which the CLI reported with exit 1 — for check, "a bound failed".
# It is the scenario's doing: exit 2.
# expect: exit 2
# expect-stderr: coordsim: error: the trial ran 200000 events, its limit (limits.max_events_per_trial)
"$COORDSIM" sweep "$REPRO_DIR/trial-event-limit.json" --vary agent.post_create_wait_s=0,1 --trials 20 --threads 1
