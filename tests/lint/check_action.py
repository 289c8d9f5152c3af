#!/usr/bin/env python3
"""Checks a composite action (action.yml) for what actionlint does not lint
(it lints workflows only): `runs.using: composite`; every `run:` step has a
`shell:` (required in composite actions); every ${{ inputs.X }} names a
declared input; every ${{ steps.X... }} names an earlier step's id; every
referenced script ($GITHUB_ACTION_PATH/...) exists. Exits 1 with one line per
problem. Used by scripts/lint-workflows.sh."""
import os
import re
import sys

import yaml

path = sys.argv[1]
root = os.path.dirname(os.path.abspath(path))
doc = yaml.safe_load(open(path))
problems = []
runs = doc.get("runs") or {}
if runs.get("using") != "composite":
    problems.append("runs.using: expected composite")
inputs = set((doc.get("inputs") or {}).keys())
seen_ids = []


def refs(text, where):
    for m in re.finditer(r"\$\{\{(.*?)\}\}", str(text), re.S):
        e = m.group(1)
        for name in re.findall(r"\binputs\.([\w-]+)", e):
            if name not in inputs:
                problems.append(f"{where}: inputs.{name} is not declared")
        for sid in re.findall(r"\bsteps\.([\w-]+)\.", e):
            if sid not in seen_ids:
                problems.append(f"{where}: steps.{sid} is not an earlier step's id")


for i, step in enumerate(runs.get("steps") or []):
    where = f"runs.steps[{i}] ({step.get('name', step.get('uses', '?'))})"
    if "run" in step and "shell" not in step:
        problems.append(f"{where}: a run step of a composite action needs shell:")
    for field in ("if", "run", "env", "with"):
        if field in step:
            refs(step[field], where)
    for script in re.findall(r"\$GITHUB_ACTION_PATH/([\w./-]+)", str(step.get("run", ""))):
        if not os.path.exists(os.path.join(root, script)):
            problems.append(f"{where}: {script} does not exist")
    if "id" in step:
        seen_ids.append(step["id"])
for name, out in (doc.get("outputs") or {}).items():
    refs(out.get("value", ""), f"outputs.{name}")
for p in problems:
    print(f"{path}: {p}", file=sys.stderr)
sys.exit(1 if problems else 0)
