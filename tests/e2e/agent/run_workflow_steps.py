#!/usr/bin/env python3
"""Runs one leg of an example workflow's failure path (docs/examples/*.yml) as
GitHub Actions would run its `run:` steps, for tests: each step of the build
job from "Build" on, in order, with its `if:` evaluated for the cases these
workflows use (failure(), steps.X.outcome / outputs, the fork test), its `env:`
with ${{ matrix.flavor }}, ${{ github.token }} and ${{ steps.X.outputs.Y }}
substituted, `shell: bash` as `bash -eo pipefail` (and a step without it as
`bash -e`, Actions' default), and $GITHUB_OUTPUT read back after each step.
`uses:` steps are skipped (coordsim is already on PATH).

Usage: run_workflow_steps.py WORKFLOW FLAVOR WORKDIR
Prints one line per step: NAME: ran rc=N / skipped; exits 0."""
import os
import re
import subprocess
import sys

import yaml

workflow, flavor, workdir = sys.argv[1:4]
doc = yaml.safe_load(open(workflow))
job = doc["jobs"]["build"]
steps = job["steps"]
job_env = {k: str(v) for k, v in (job.get("env") or {}).items()}
outcomes, outputs = {}, {}
failed = False


def expr(text):
    def value(m):
        e = m.group(1).strip()
        if e == "matrix.flavor":
            return flavor
        if e == "github.token":
            return os.environ.get("GITHUB_TOKEN", "")
        s = re.fullmatch(r"steps\.([\w-]+)\.outputs\.([\w-]+)", e)
        if s:
            return outputs.get(s.group(1), {}).get(s.group(2), "")
        raise SystemExit(f"run_workflow_steps: unsupported expression {e}")
    return re.sub(r"\$\{\{(.*?)\}\}", value, str(text))


def condition(cond):
    if cond is None:
        return not failed
    c = " ".join(str(cond).split())
    c = c.replace("!github.event.pull_request.head.repo.fork", "True")
    c = c.replace("failure()", "True" if failed else "False")
    c = re.sub(r"steps\.([\w-]+)\.outcome", lambda m: repr(outcomes.get(m.group(1), "skipped")), c)
    c = re.sub(r"steps\.([\w-]+)\.outputs\.([\w-]+)",
               lambda m: repr(outputs.get(m.group(1), {}).get(m.group(2), "")), c)
    c = c.replace("&&", " and ").replace("||", " or ")
    return bool(eval(c, {"True": True, "False": False}))


started = False
for step in steps:
    name = step.get("name", step.get("uses", "?"))
    if name == "Build":
        started = True
    if not started:
        continue
    sid = step.get("id")
    if "uses" in step or not condition(step.get("if")):
        print(f"{name}: skipped")
        if sid:
            outcomes[sid] = "skipped"
        continue
    out_file = os.path.join(workdir, f"output.{len(outcomes)}")
    open(out_file, "w").close()
    env = dict(os.environ)
    env.update({k: expr(v) for k, v in job_env.items()})
    env.update({k: expr(v) for k, v in (step.get("env") or {}).items()})
    env["GITHUB_OUTPUT"] = out_file
    shell = ["bash", "--noprofile", "--norc", "-eo", "pipefail"] if step.get("shell") == "bash" else ["bash", "-e"]
    rc = subprocess.call(shell + ["-c", expr(step["run"])], cwd=workdir, env=env)
    print(f"{name}: ran rc={rc}")
    if sid:
        outcomes[sid] = "success" if rc == 0 else "failure"
        outputs[sid] = dict(line.rstrip("\n").split("=", 1) for line in open(out_file) if "=" in line)
    failed = failed or rc != 0
