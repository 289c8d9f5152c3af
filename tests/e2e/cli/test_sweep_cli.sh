#!/usr/bin/env bash
# End-to-end checks of `coordsim sweep` and `coordsim merge`.
# Usage: test_sweep_cli.sh COORDSIM_BINARY SOURCE_DIR
set -uo pipefail
bin=$1
src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pass=0
failures=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
scen=$src/scenarios/tuning-seed.json
grid=(--vary agent.post_create_wait_s=0:10:5 --vary 'agent.retry_delays_s=[0.5,1],[1,2]' --trials 2000 --strategy seed-lowest)

"$bin" sweep "$scen" "${grid[@]}" --threads 1 --json "$work/whole.json" --csv "$work/whole.csv" \
  --markdown "$work/whole.md" --html "$work/whole.html" >"$work/stdout" 2>"$work/stderr" && ok || bad "sweep failed: $(cat "$work/stderr")"
[[ ! -s $work/stderr ]] && ok || bad "progress printed although stderr is not a terminal: $(cat "$work/stderr")"
grep -q "Recommendation\|No point" "$work/stdout" && ok || bad "no recommendation line on stdout"
[[ $(wc -l <"$work/whole.csv") -eq 7 ]] && ok || bad "CSV should have a header and 6 rows: $(wc -l <"$work/whole.csv")"
head -1 "$work/whole.csv" | grep -q "^index,agent.post_create_wait_s,agent.retry_delays_s,duplicate_rate," && ok || bad "CSV header"
grep -q "<svg" "$work/whole.html" && ok || bad "HTML has no SVG"
# One number, one text: every point's cost in the Markdown table is printed the
# same way in the HTML table (they once disagreed: $0.602 against $0.60).
costs=$(grep -E '^\| [0-9]' "$work/whole.md" | awk -F'|' '{gsub(/ /, "", $7); print $7}')
[[ $(wc -l <<<"$costs") -eq 6 ]] && ok || bad "six Markdown cost cells expected: $costs"
for c in $costs; do
  grep -qF "<td>$c</td>" "$work/whole.html" && ok || bad "Markdown cost $c is not in the HTML table"
done

"$bin" sweep "$scen" "${grid[@]}" --threads 2 --json "$work/threads2.json" >/dev/null && ok || bad "2-thread sweep"
cmp -s "$work/whole.json" "$work/threads2.json" && ok || bad "thread count changed the sweep"

for k in 1 2 3 4; do
  "$bin" sweep "$scen" "${grid[@]}" --shard "$k/4" --json "$work/part$k.json" >/dev/null || bad "shard $k"
done
"$bin" merge "$work/part3.json" "$work/part1.json" "$work/part4.json" "$work/part2.json" --json "$work/merged.json" \
  --csv "$work/merged.csv" >/dev/null && ok || bad "merge failed"
cmp -s "$work/whole.json" "$work/merged.json" && ok || bad "merged shards differ from the unsplit sweep"
cmp -s "$work/whole.csv" "$work/merged.csv" && ok || bad "merged CSV differs"

"$bin" merge "$work/part1.json" "$work/part2.json" >/dev/null 2>"$work/err"
[[ $? -eq 2 ]] && grep -q "shard 3/4 is missing" "$work/err" && ok || bad "missing shard: $(cat "$work/err")"
"$bin" sweep "$scen" --vary agent.post_create_wait_s=5:1:1 >/dev/null 2>"$work/err"
[[ $? -eq 2 ]] && grep -q "stop (1) must be >= start (5)" "$work/err" && ok || bad "bad SPEC: $(cat "$work/err")"
"$bin" sweep "$scen" --vary agent.post_create_wiat_s=1,2 --trials 10 >/dev/null 2>"$work/err"
[[ $? -eq 2 ]] && grep -q "/agent/post_create_wiat_s" "$work/err" && ok || bad "unknown path: $(cat "$work/err")"
"$bin" sweep "$scen" --vary a=1 --vary b=1 --vary c=1 --vary d=1 >/dev/null 2>"$work/err"
[[ $? -eq 2 ]] && grep -q "one to three" "$work/err" && ok || bad "four parameters: $(cat "$work/err")"

# A shard's Markdown says it is a shard and makes no claim that needs every point.
"$bin" sweep "$scen" "${grid[@]}" --shard 1/4 --markdown "$work/part1.md" >/dev/null || bad "shard markdown"
grep -q "This is shard 1 of 4: the Pareto front and the recommendation need every point" "$work/part1.md" && ok \
  || bad "shard Markdown does not say it is a shard"
! grep -q "No point\|Recommendation" "$work/part1.md" && ok || bad "shard Markdown claims about all points"
# A recommendation at the edge of the grid is flagged: seed-lowest's cheapest point under
# the target is the largest wait swept.
"$bin" sweep "$scen" --vary agent.post_create_wait_s=0:30:10 --trials 2000 --strategy seed-lowest \
  --json "$work/edge.json" --markdown "$work/edge.md" >/dev/null || bad "edge sweep"
python3 -c '
import json, sys
d = json.load(open(sys.argv[1])); r = d["recommendation"]
wait = r["values"]["agent.post_create_wait_s"]
values = [p["values"]["agent.post_create_wait_s"] for p in d["points"]]
edge = wait in (min(values), max(values))
assert edge == bool(r.get("warnings")), (wait, values, r)
assert edge, "expected the recommendation on the edge of this grid: %s" % r
' "$work/edge.json" && ok || bad "edge warning in the JSON"
grep -q "⚠️ The recommended point is on the edge of the grid: agent.post_create_wait_s=30 is the largest value swept" \
  "$work/edge.md" && ok || bad "no edge warning in the Markdown: $(grep -i recommend "$work/edge.md")"

# Item 7: the HTML shows the edge warning too, and every output says which rule chose the point.
"$bin" sweep "$scen" --vary agent.post_create_wait_s=0:30:10 --trials 2000 --strategy seed-lowest \
  --html "$work/edge.html" >/dev/null || bad "edge sweep html"
grep -q 'class="warning">⚠️ The recommended point is on the edge of the grid: agent.post_create_wait_s=30' \
  "$work/edge.html" && ok || bad "no edge warning in the HTML"
grep -q 'Recommendation:\*\* `agent.post_create_wait_s=30` — rule `cheapest`: the cheapest point' "$work/edge.md" && ok \
  || bad "the Markdown does not name the rule: $(grep Recommendation "$work/edge.md")"
# The cheapest point (wait 30) is 10 s slower at p95 than wait 20, which costs $0.0003 more:
# the cheapest rule names it as the alternative, the latency-aware rule chooses it.
grep -q '^Latency-aware alternative: `agent.post_create_wait_s=20` has a p95 decision 9.96 s lower' "$work/edge.md" && ok \
  || bad "no latency-aware alternative in the Markdown"
grep -q 'Latency-aware alternative (<code>--recommend lowest-p95</code>): agent.post_create_wait_s=20' "$work/edge.html" \
  && ok || bad "no latency-aware alternative in the HTML"
"$bin" sweep "$scen" --vary agent.post_create_wait_s=0:30:10 --trials 2000 --strategy seed-lowest \
  --recommend lowest-p95 --json "$work/fast.json" --markdown "$work/fast.md" >/dev/null || bad "lowest-p95 sweep"
python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))["recommendation"]
assert r["rule"] == "lowest-p95" and r["cost_tolerance"] == 0.1, r
assert r["values"] == {"agent.post_create_wait_s": 20}, r
assert "warnings" not in r and "alternative" not in r, r
' "$work/fast.json" && ok || bad "lowest-p95 did not choose wait 20 without an edge warning"
grep -q 'rule `lowest-p95`: the lowest p95 decision latency (22.68 s' "$work/fast.md" && ok || bad "lowest-p95 Markdown"
# --cost-tolerance 0 leaves only the cheapest points: the choice is the cheapest rule's.
"$bin" sweep "$scen" --vary agent.post_create_wait_s=0:30:10 --trials 2000 --strategy seed-lowest \
  --recommend lowest-p95 --cost-tolerance 0 --json "$work/tight.json" >/dev/null || bad "tolerance 0"
python3 -c '
import json, sys
assert json.load(open(sys.argv[1]))["recommendation"]["values"] == {"agent.post_create_wait_s": 30}
' "$work/tight.json" && ok || bad "tolerance 0 should choose the cheapest"
"$bin" sweep "$scen" --vary agent.post_create_wait_s=0,10 --recommend fastest >/dev/null 2>"$work/err"
[[ $? -eq 2 ]] && grep -q "cheapest" "$work/err" && ok || bad "unknown rule: $(cat "$work/err")"
# Shards carry the rule; the merge equals the unsplit sweep and refuses mixed rules.
for k in 1 2; do
  "$bin" sweep "$scen" --vary agent.post_create_wait_s=0:30:10 --trials 2000 --strategy seed-lowest \
    --recommend lowest-p95 --shard "$k/2" --json "$work/fast$k.json" >/dev/null || bad "lowest-p95 shard $k"
done
"$bin" merge "$work/fast1.json" "$work/fast2.json" --json "$work/fast-merged.json" >/dev/null && \
  cmp -s "$work/fast.json" "$work/fast-merged.json" && ok || bad "lowest-p95 shards do not merge to the unsplit sweep"
"$bin" sweep "$scen" --vary agent.post_create_wait_s=0:30:10 --trials 2000 --strategy seed-lowest \
  --shard 2/2 --json "$work/cheap2.json" >/dev/null || bad "cheapest shard"
"$bin" merge "$work/fast1.json" "$work/cheap2.json" >/dev/null 2>"$work/err"
[[ $? -eq 2 ]] && grep -q "/recommendation_rule: differs from" "$work/err" && ok || bad "mixed rules merged: $(cat "$work/err")"

# Item 8: a parameter the protocol does not read (retry delays and the post-create wait
# under ref-lock) is named; one that matters (the wait under seed-lowest) is not.
"$bin" sweep "$scen" --vary 'agent.retry_delays_s=[0.5,1],[1,2]' --vary agent.post_create_wait_s=0,10 --trials 2000 \
  --strategy ref-lock --json "$work/inert.json" --markdown "$work/inert.md" --html "$work/inert.html" >/dev/null \
  || bad "inert sweep"
grep -q '^⚠️ `agent.retry_delays_s` changes nothing under `ref-lock`: points that differ only in it have identical metrics' \
  "$work/inert.md" && ok || bad "no inert-parameter warning in the Markdown"
grep -q 'class="warning">⚠️ `agent.retry_delays_s` changes nothing under `ref-lock`' "$work/inert.html" && ok \
  || bad "no inert-parameter warning in the HTML"
python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert len(d["warnings"]) == 2, d.get("warnings")
assert "warnings" not in d["recommendation"], d["recommendation"]  # no edge advice for inert parameters
' "$work/inert.json" && ok || bad "inert warnings in the JSON"
python3 -c '
import json, sys
assert "warnings" not in json.load(open(sys.argv[1]))
' "$work/edge.json" && ok || bad "a parameter that matters was called inert"

# Item 13: a heatmap cell prints its number as the table does, and the cost scale is not
# green (dark green read as "good" where it meant the most expensive point).
"$bin" sweep "$scen" --trials 1000 --strategy seed-lowest --vary agent.post_create_wait_s=0:20:10 \
  --vary 'agent.retry_delays_s=[0.5,1],[1,2]' --html "$work/two.html" >/dev/null || bad "two-parameter html"
python3 - "$work/two.html" <<'PY' && ok || bad "heatmap and table format numbers differently, or the cost scale is green"
import re, sys
html = open(sys.argv[1]).read()
svgs = dict(re.findall(r'<svg[^>]*data-metric="([a-z_0-9]+)"(.*?)</svg>', html, re.S))
table = html[html.index('<section id="points">'):]
cells = set(re.findall(r"<td>([^<]*)</td>", table))
for metric in ("duplicate_rate", "decision_latency_p95", "cost_mean"):
    texts = re.findall(r'pointer-events="none">([^<]+)</text>', svgs[metric])
    assert texts, metric
    for t in texts:
        assert t in cells, (metric, t, sorted(cells)[:20])
stops = re.findall(r'stop-color="#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})"', svgs["cost_mean"])
assert len(stops) == 5, stops
r, g, b = (int(x, 16) for x in stops[-1])
assert not (g > r and g > b), ("the darkest cost colour is green", stops[-1])
PY

# Item 10: sweeps show cost per year (Markdown, CSV, HTML); item 11: with a runner price they
# compare points on the total cost, LLM + runner.
grep -q '| cost | cost/year | p95 decision |' "$work/edge.md" && ok || bad "no cost/year column in the sweep Markdown"
head -1 "$work/whole.csv" | grep -q ',cost_usd_per_year$' && ok || bad "no cost_usd_per_year in the CSV"
grep -q '<th>cost/year</th>' "$work/edge.html" && ok || bad "no cost/year column in the HTML"
"$bin" sweep "$scen" --vary agent.post_create_wait_s=0:30:10 --trials 2000 --strategy seed-lowest \
  --set report.usd_per_runner_minute=0.008 --json "$work/priced.json" --markdown "$work/priced.md" >/dev/null \
  || bad "priced sweep"
grep -q '| total cost | cost/year |' "$work/priced.md" && ok || bad "priced sweep Markdown does not say total cost"
python3 -c '
import json, sys
d = json.load(open(sys.argv[1])); r = d["recommendation"]
best = [p for p in d["points"] if p["index"] == r["index"]][0]["metrics"]["cost_usd"]
assert "${:.4f} per failure".format(best["total_mean"]) in r["reason"], (r["reason"], best)
# Waiting costs runner time now: the longest wait is no longer the cheapest.
assert r["values"]["agent.post_create_wait_s"] != 30, r
' "$work/priced.json" && ok || bad "the priced sweep does not recommend on the total cost"

echo "$pass passed, $failures failed"
[[ $failures -eq 0 ]]
