#!/usr/bin/env python3
"""Mutation fuzzer over the coordsim CLI (docs/fuzzing.md).

Mutates the shipped scenario files with JSON-aware mutations (extreme, negative,
overflowing and NaN-ish numbers, deep nesting, type swaps, unicode and long
strings, removed, added and duplicated keys, grafted subtrees, broken text) and
feeds each through one of `run`, `check`, `sweep`, `replay`, `find`, `explore`
with small trial counts, each under its documented budget of CPU time
(budget_s: a timeout is a finding); some runs also mutate a
parser argument (--set, --where, --vary, --trial). Every run is classified by
exit code, signal or timeout, and flagged when its output holds a raw library
message (`[json.exception`, `std::bad_alloc`, `terminate called`, `what():`)
or an unexpected exit code for the command (exit 1 from an exception rather
than a verdict). Each distinct failure is minimized (the JSON shrunk while it
fails the same way) and written as a reproducer.

Usage: mutate.py [--coordsim BIN] [--count N] [--jobs J] [--seed S]
                 [--commands run,check,...] [--out DIR]

Inputs and outputs are written in a new temp dir (removed at the end);
--out DIR receives report.md, report.json and reproducers/. Exit 0 when
nothing was found, 1 otherwise.
"""
import argparse
import collections
import concurrent.futures
import json
import math
import os
import pathlib
import random
import resource
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
COMMANDS = ["run", "check", "sweep", "replay", "find", "explore"]
RAW_MARKERS = ["[json.exception", "std::bad_alloc", "bad_alloc", "terminate called", "what():", "basic_string",
               "vector::_M", "_M_range_check", "std::out_of_range", "std::length_error", "bad_optional_access",
               "bad_variant_access", "Assertion", "AddressSanitizer", "runtime error:", "stoi", "stod"]
# What each command may exit with on a correct run (docs): anything else is a finding.
EXPECTED = {
    "run": {0, 2},
    "check": {0, 1, 2, 3, 4},   # 1: a bound fails; 3: inconclusive at the trial cap; 4: a report not written
    "sweep": {0, 2},
    "replay": {0, 2},
    "find": {0, 2},
    "explore": {0, 2, 3, 4},
}

# The documented budget of one command (docs/fuzzing.md), in CPU seconds: STARTUP_S to start,
# load and write reports, plus TRIAL_S for every trial it may run. A trial stops at
# limits.max_events_per_trial, 10 million events (docs/scenarios.md: "about a second of one
# core"; measured 0.5 s in the Release build). Past the budget the kernel stops the command
# (RLIMIT_CPU): a timeout, a finding. A command that uses no CPU and does not end is stopped
# at WALL_FACTOR times its budget of wall-clock time ("wall timeout", also a finding).
STARTUP_S = 2.0
TRIAL_S = 1.0
WALL_FACTOR = 20
MEMORY_LIMIT = 4 << 30  # bytes of address space: a blow-up is a bad_alloc (a raw message), not swap


def option(argv, name, default):
    """The value of the last `name VALUE` in argv, as a float, or default."""
    value = default
    for k in range(len(argv) - 1):
        if argv[k] == name:
            try:
                value = float(argv[k + 1])
            except ValueError:
                pass
    return value if math.isfinite(value) and value >= 0 else default


def vary_points(spec):
    """How many points `sweep --vary PATH=SPEC` runs, by sim/analysis/sweep.cpp's parse_vary."""
    spec = spec.partition("=")[2]
    if ":" in spec and "," not in spec and not spec.startswith(("[", "{")):
        try:
            start, stop, step = (float(x) for x in spec.split(":"))
            return max(1, min(10_000, math.floor((stop - start) / step + 1e-9) + 1))
        except (ValueError, ZeroDivisionError, OverflowError):
            return 1
    depth, quoted, points = 0, False, 1
    for c in spec:
        if c == '"':
            quoted = not quoted
        elif not quoted and c in "[{":
            depth += 1
        elif not quoted and c in "]}":
            depth -= 1
        elif c == "," and depth == 0 and not quoted:
            points += 1
    return points


def trials_bound(command, argv):
    """The most trials `argv` may run (a schedule of explore is a trial)."""
    trials = option(argv, "--trials", 0)
    if command == "run":
        return trials * (3 if "--check-determinism" in argv else 1)  # twice more, on 1 and 2 threads
    if command == "check":
        return max(trials, option(argv, "--max-trials", 0))
    if command == "sweep":
        varies = [argv[k + 1] for k in range(len(argv) - 1) if argv[k] == "--vary"]
        points = 1
        for v in varies:
            points *= vary_points(v)
        return points * trials
    if command == "replay":
        return 3  # the trial, and twice more with --check-determinism
    if command == "find":
        return trials
    if command == "explore":
        return option(argv, "--max-schedules", 1_000_000)
    return trials


def budget_s(command, argv):
    return STARTUP_S + TRIAL_S * trials_bound(command, argv)


# --- JSON with what Python's json cannot write ---------------------------------

class Raw:
    """Literal JSON text: 1e400, NaN, a lone surrogate escape, deep nesting."""
    def __init__(self, text):
        self.text = text

    def __repr__(self):
        return f"Raw({self.text[:40]!r})"


class Deep:
    """Nesting `depth` deep: [[[...1...]]] or {"a":{"a":...}}."""
    def __init__(self, depth, array=True):
        self.depth = depth
        self.array = array

    @property
    def text(self):
        n = self.depth
        return "[" * n + "1" + "]" * n if self.array else '{"a":' * n + "1" + "}" * n


class Pairs:
    """An object that may repeat a key."""
    def __init__(self, pairs):
        self.pairs = list(pairs)


def dump(v, out):
    if isinstance(v, (Raw, Deep)):
        out.append(v.text)
    elif isinstance(v, Pairs):
        out.append("{")
        for i, (k, x) in enumerate(v.pairs):
            if i:
                out.append(",")
            out.append(json.dumps(k, ensure_ascii=False) if not isinstance(k, Raw) else k.text)
            out.append(":")
            dump(x, out)
        out.append("}")
    elif isinstance(v, dict):
        dump(Pairs(v.items()), out)
    elif isinstance(v, list):
        out.append("[")
        for i, x in enumerate(v):
            if i:
                out.append(",")
            dump(x, out)
        out.append("]")
    elif isinstance(v, float) and not math.isfinite(v):
        out.append("1e400" if v > 0 else "-1e400")
    else:
        out.append(json.dumps(v, ensure_ascii=False))


def to_text(v):
    out = []
    dump(v, out)
    return "".join(out)


def paths(v, prefix=()):
    """Every (path, value) in the tree, the root included."""
    yield prefix, v
    if isinstance(v, dict):
        for k, x in v.items():
            yield from paths(x, prefix + (k,))
    elif isinstance(v, list):
        for i, x in enumerate(v):
            yield from paths(x, prefix + (i,))


def get(v, path):
    for p in path:
        v = v[p]
    return v


def put(root, path, value):
    if not path:
        return value
    get(root, path[:-1])[path[-1]] = value
    return root


def copy(v):
    if isinstance(v, dict):
        return {k: copy(x) for k, x in v.items()}
    if isinstance(v, list):
        return [copy(x) for x in v]
    if isinstance(v, Pairs):
        return Pairs([(k, copy(x)) for k, x in v.pairs])
    return v


# --- mutations -------------------------------------------------------------------

NUMBERS = [Raw("1e400"), Raw("-1e400"), Raw("1" + "0" * 400), Raw("-0"), Raw("NaN"), Raw("Infinity"), Raw("-Infinity"),
           Raw("1e-400"), Raw("0.0000000000000000000000000000001"), Raw("18446744073709551616"),
           Raw("9223372036854775808"), Raw("-9223372036854775809"), 9223372036854775807, -9223372036854775808,
           2 ** 53 + 1, 2 ** 31, 2 ** 31 - 1, -2 ** 31, 2 ** 32, 4294967295, 65536, 1e308, 1.7976931348623157e308,
           -1e308, 5e-324, 2.2250738585072014e-308, 1e-300, 1e15, 1e18, 1e19, -1, -2, 0, 0.0, 1, 0.5, 0.999999999,
           1.0000000001, 3.5, 100, 1000, 10000, 100000, 1000000, 1e9, 1e12, -0.5, -1e-9, 1e-9]
STRINGS = ["", " ", "x", "\u0000", "\ud7ff\ue000", "é", "日本語", "🙂" * 50, "\u202e\u0301", "a" * 100_000,
           "\n\r\t", "%s%n%x", "../../../etc/passwd", "seed", "seed-lowest", "ref-lock", "scan-down", "settle",
           "fan-in", "none", "all", "constant", "uniform", "exponential", "normal", "lognormal", "empirical",
           "mixture", "get", "list", "search", "refs", "default", "create_issue", "list_issues", "-", "0", "1e400",
           "true", "null", "{}", "[]", "$ref", "#/definitions", "\\", "\"", "/", "~0~1"]
RAW_STRINGS = [Raw('"\\ud800"'), Raw('"\\udc00x"'), Raw('"\\u0000"'), Raw('"\\uFFFF"'), Raw('"\\ud83d\\ude42"')]
DISTS = [
    {"dist": "uniform", "min": 5, "max": 1}, {"dist": "uniform", "min": -1, "max": 1}, {"dist": "uniform", "min": 0, "max": 1e308},
    {"dist": "uniform", "min": 0, "max": Raw("1e400")}, {"dist": "exponential", "mean": 0}, {"dist": "exponential", "mean": -1},
    {"dist": "exponential", "mean": 1e308}, {"dist": "normal", "mean": 1, "sd": -1}, {"dist": "normal", "mean": -1e308, "sd": 1e308},
    {"dist": "normal", "mean": 0, "sd": 0}, {"dist": "lognormal", "median": 0, "sigma": 1}, {"dist": "lognormal", "median": 1, "sigma": 1000},
    {"dist": "lognormal", "median": 1e300, "sigma": 10}, {"dist": "empirical", "samples": []}, {"dist": "empirical", "samples": [1e308, -1]},
    {"dist": "empirical", "samples": [0] * 10000}, {"dist": "mixture", "weights": [], "components": []},
    {"dist": "mixture", "weights": [1, 1], "components": [1]}, {"dist": "mixture", "weights": [0, 0], "components": [1, 2]},
    {"dist": "mixture", "weights": [-1, 2], "components": [1, 2]}, {"dist": "mixture", "weights": [1e308, 1e308], "components": [1, 2]},
    {"dist": "mixture", "weights": [1], "components": [{"dist": "mixture", "weights": [1], "components": [{"dist": "constant", "value": 1e308}]}]},
    {"dist": "constant"}, {"dist": "constant", "value": -1}, {"dist": "constant", "value": 1e300}, {"dist": "nope"}, {"dist": 7},
    {}, {"dist": "uniform", "min": 0, "max": 1, "extra": 1},
]


class Mutator:
    def __init__(self, rng, bases):
        self.r = rng
        self.bases = bases
        self.keys = sorted({k for b in bases for p, _ in paths(b) for k in p if isinstance(k, str)})

    def pick_path(self, doc, want=None):
        ps = [p for p, v in paths(doc) if want is None or want(v)]
        return self.r.choice(ps) if ps else None

    def any_value(self):
        r = self.r
        k = r.randrange(9)
        if k == 0:
            return r.choice(NUMBERS)
        if k == 1:
            return r.choice(STRINGS)
        if k == 2:
            return r.choice(RAW_STRINGS)
        if k == 3:
            return copy(r.choice(DISTS))
        if k == 4:
            return r.choice([None, True, False, [], {}, [[]], [{}], {"": None}])
        if k == 5:
            return [r.choice(NUMBERS) for _ in range(r.randrange(1, 4))]
        if k == 6:
            return copy(get(*self.random_subtree()))
        if k == 7:
            return self.deep()
        return r.choice(STRINGS + ["seed"] * 3)

    def random_subtree(self):
        b = self.r.choice(self.bases)
        return b, self.pick_path(b)

    def deep(self):
        return Deep(self.r.choice([64, 512, 5000, 100_000, 1_000_000]), self.r.random() < 0.5)

    def mutate(self, doc):
        r = self.r
        op = r.randrange(13)
        if op == 0:  # an extreme number where a number is
            p = self.pick_path(doc, lambda v: isinstance(v, (int, float)) and not isinstance(v, bool))
            if p is not None:
                return put(doc, p, r.choice(NUMBERS)), "number"
        if op == 1:  # a type swap
            p = self.pick_path(doc)
            if p:
                return put(doc, p, self.any_value()), "type"
        if op == 2:  # a string changed
            p = self.pick_path(doc, lambda v: isinstance(v, str))
            if p is not None:
                return put(doc, p, r.choice(STRINGS + RAW_STRINGS)), "string"
        if op == 3:  # a key removed
            p = self.pick_path(doc, lambda v: isinstance(v, dict) and v)
            if p is not None:
                o = get(doc, p)
                del o[r.choice(list(o))]
                return doc, "remove"
        if op == 4:  # a key duplicated (the later one with another value)
            p = self.pick_path(doc, lambda v: isinstance(v, dict) and v)
            if p is not None:
                o = get(doc, p)
                k = r.choice(list(o))
                pairs = list(o.items()) + [(k, self.any_value())]
                return put(doc, p, Pairs(pairs)), "duplicate-key"
        if op == 5:  # a key added: known elsewhere, or unknown
            p = self.pick_path(doc, lambda v: isinstance(v, dict))
            if p is not None:
                k = r.choice(self.keys + ["", "nope", "$schema", "\u00e9", "x" * 1000])
                get(doc, p)[k] = self.any_value()
                return doc, "add-key"
        if op == 6:  # deep nesting
            p = self.pick_path(doc)
            if p:
                return put(doc, p, self.deep()), "deep"
        if op == 7:  # an array grown, emptied or shortened
            p = self.pick_path(doc, lambda v: isinstance(v, list))
            if p is not None:
                a = get(doc, p)
                k = r.randrange(3)
                if k == 0 and a:
                    a.extend(copy(a[i % len(a)]) for i in range(r.choice([10, 100, 1000, 20000])))
                elif k == 1:
                    a.clear()
                else:
                    del a[r.randrange(len(a) + 1):]
                return doc, "array"
        if op == 8:  # a weird distribution where a distribution (number or {dist}) may be
            p = self.pick_path(doc, lambda v: (isinstance(v, (int, float)) and not isinstance(v, bool)) or
                               (isinstance(v, dict) and "dist" in v))
            if p is not None:
                return put(doc, p, copy(r.choice(DISTS))), "distribution"
        if op == 9:  # a subtree of another file grafted
            p = self.pick_path(doc)
            if p:
                return put(doc, p, copy(get(*self.random_subtree()))), "graft"
        if op == 10:  # the flavors list: many, duplicated, odd names
            wl = doc.get("workload") if isinstance(doc, dict) else None
            if isinstance(wl, dict):
                k = r.randrange(4)
                wl["flavors"] = ([f"f{i}" for i in range(r.choice([64, 65, 200, 1000, 5000]))] if k == 0 else
                                 ["a", "a"] if k == 1 else [] if k == 2 else [r.choice(STRINGS)])
                return doc, "flavors"
        if op == 11:  # a number nudged across a boundary
            p = self.pick_path(doc, lambda v: isinstance(v, (int, float)) and not isinstance(v, bool))
            if p is not None:
                v = get(doc, p)
                return put(doc, p, r.choice([-v, v * 1e6, v + 1e-9, v - 1, int(v) if abs(v) < 1e18 else v, 0])), "nudge"
        return doc, None

    def text_mutation(self, text):
        r = self.r
        k = r.randrange(7)
        if k == 0 and text:
            return text[:r.randrange(len(text))], "truncate"
        if k == 1:
            return "\ufeff" + text, "bom"
        if k == 2:
            return text.replace(",", ",", 1) + r.choice(["", ",", "}", "]", "\x00", " // c", "{}", "\n{}"]), "trailing"
        if k == 3 and text:
            i = r.randrange(len(text))
            return text[:i] + chr(r.randrange(1, 0x80)) + text[i + 1:], "byte"
        if k == 4:
            return text.replace(",", ",\n", 3).replace("\n", "\r\n"), "crlf"
        if k == 5 and text:
            i = r.randrange(len(text))
            return text[:i] + r.choice(["\"", "\\", "\\u", "\\ud800", "/*", "\udcff"]) + text[i:], "escape"
        return text, None


# --- arguments -----------------------------------------------------------------

NUMERIC_ARGS = ["-1", "0", "18446744073709551615", "18446744073709551616", "9223372036854775808", "1e3", "0x10",
                "010", " 1", "1 ", "", "nan", "inf", "+1", "1.0", "abc", "٣", "2147483648", "4294967297"]
WHERES = ["analyses>1", "misses>0 && api_calls<20", "!(duplicate || miss)", "cost_usd > 2 * baseline_cost_usd / failing_flavors",
          "min_gap_s < 0.5", "duplicate"]
VARIES = ["agent.post_create_wait_s=0,1", "agent.find_attempts=1,3", "agent.post_create_wait_s=0:2:1",
          "agent.retry_delays_s=[0.5,1],[1,2]", "agent.strategy=seed,seed-lowest"]


def mutate_expression(r, s):
    k = r.randrange(8)
    if k == 0:
        return "(" * r.choice([100, 10_000, 100_000]) + s + ")" * r.choice([0, 100, 10_000])
    if k == 1:
        return "-" * r.choice([100, 10_000, 100_000]) + "1"
    if k == 2:
        return "!" * r.choice([100, 10_000, 100_000]) + s
    if k == 3:
        return s + " && " + " && ".join([s] * r.choice([10, 300, 1000]))
    if k == 4:
        return s.replace("1", r.choice(["1e400", "1e-400", "0x10", "1.", ".", "1e", "nan", "inf", "99999999999999999999"]))
    if k == 5 and s:
        i = r.randrange(len(s))
        return s[:i] + r.choice(["\x00", "é", "\xff", "=", "&", "|", "<", "(", ")", " "]) + s[i:]
    if k == 6:
        return s + r.choice(["\n", "\t", " ", "#", ";", "\u00a0"])
    return s[:r.randrange(len(s) + 1)]


def mutate_vary(r, s):
    k = r.randrange(8)
    path, _, spec = s.partition("=")
    if k == 0:
        return path + "=" + r.choice(["0:1e308:1e-308", "0:1:1e-300", "-1e308:1e308:1e300", "1e400:1e400:1", "0:10000:1",
                                      "0:9999:1", "5:1:1", "0:1:0", "0:1:-1", "nan:1:1", "0:inf:1", "1:1:1", ":::", "0:1:1:1"])
    if k == 1:
        return path + "=" + ",".join(["1"] * r.choice([2, 1000, 10_001]))
    if k == 2:
        return path + "=" + r.choice(['"', '[', '{"a":', '[1,2', '"a,b', ",", ",,", "[[[[", "]]]", "1,", "\"\""])
    if k == 3:
        return r.choice(["", "=", ".", "..", "/", "~", "-", "a.-.b", "/x/~2", "workload.flavors.99999999999999999999",
                         "workload.flavors.-", "agent.x.y.z", "trials", "seed", "0"]) + "=" + spec
    if k == 4:
        return path + "=" + mutate_expression(r, spec)
    if k == 5:
        return s.replace("=", "==", 1)
    if k == 6:
        return path + "=" + r.choice(["1e400", "-1", "true", "null", "{}", "[]", "\"x\"", "\xff", "é"])
    return s


def mutate_set(r, doc):
    """A --set at one of the document's paths (or a broken one), with an odd value."""
    ps = [p for p, _ in paths(doc) if p]
    path = ".".join(str(x) for x in r.choice(ps)) if ps else "agent.find_attempts"
    k = r.randrange(6)
    if k == 0:
        path = r.choice(["", ".", "..", "/", "~", "a.-.b", "/x/~2", "workload.flavors.99999999999999999999",
                         "workload.flavors.-1", "workload.flavors.-", "agent.x.y.z", path + ".0", path + ".-"])
    value = r.choice(["1e400", "-1", "0", "NaN", "true", "null", "{}", "[]", '"x"', "\udcff", "é", "", "[" * 100_000,
                      '{"dist":"uniform","min":5,"max":1}', "x" * 100_000, "18446744073709551616", "1e308"])
    return f"{path}={value}"


# --- running and classifying --------------------------------------------------

def normalize(line, tmp):
    line = line.replace(tmp, "<tmp>")
    line = re.sub(r"<tmp>/[^\s:]*", "<file>", line)
    line = re.sub(r'"(?:[^"\\]|\\.){0,200}"', '"…"', line)
    line = re.sub(r"-?\b\d[\d.e+-]*\b", "N", line)
    return line[:200]


def classify(command, rc, out, err, note):
    """(outcome, flags): outcome is 'exit N', 'signal NAME', 'timeout' (past the CPU budget) or
    'wall timeout' (past the wall-clock guard)."""
    timed_out = note is not None
    if note == "timeout":
        outcome = "timeout"
    elif note == "wall":
        outcome = "wall timeout"
    elif rc < 0:
        try:
            outcome = "signal " + signal.Signals(-rc).name
        except ValueError:
            outcome = f"signal {-rc}"
    else:
        outcome = f"exit {rc}"
    flags = []
    text = out + err
    raw = [m for m in RAW_MARKERS if m in text]
    if raw:
        flags.append("raw message")
    if not timed_out and rc >= 0 and rc not in EXPECTED[command]:
        flags.append("unexpected exit")
    if rc == 1 and "coordsim: error:" in err and command in ("run", "sweep", "replay", "find", "check"):
        flags.append("error exit 1")
    return outcome, flags


def cause(mutations, arg_tags):
    """The likeliest cause class of a crash or timeout, for telling them apart."""
    if arg_tags:
        return "argument " + "+".join(sorted(arg_tags))
    if "deep" in mutations:
        return "deep nesting"
    if {"flavors", "array"} & set(mutations):
        return "large array"
    return "values"


def signature(command, outcome, flags, out, err, tmp, why=""):
    """What tells one failure from another: the outcome and the first error line,
    normalized (a crash or timeout also by its likely cause), whatever the command."""
    if outcome.endswith("timeout") or outcome.startswith("signal"):
        key = why
        for line in (err + out).splitlines():
            if any(m in line for m in RAW_MARKERS) or "error" in line:
                key += " | " + normalize(line, tmp)
                break
        return f"{outcome} | {key}"
    for line in (err + out).splitlines():
        if any(m in line for m in RAW_MARKERS) or "coordsim: error" in line:
            return f"{outcome} | {normalize(line, tmp)}"
    return f"{outcome} | {', '.join(flags)} | " + normalize((err or out).strip().split("\n")[-1], tmp)


class Campaign:
    def __init__(self, a):
        self.a = a
        self.tmp = tempfile.mkdtemp(prefix="coordsim-mutate-")
        self.lock = threading.Lock()
        self.counts = collections.Counter()      # (command, outcome) -> n
        self.flag_counts = collections.Counter()  # (command, flag) -> n
        self.cpu = collections.Counter()          # command -> CPU seconds
        self.slowest = collections.defaultdict(lambda: (0.0, 0.0, -1))  # command -> (share of budget, cpu, input)
        self.mutation_counts = collections.Counter()
        self.failures = {}                        # signature -> first case
        self.done = 0
        self.stop = threading.Event()
        self.t0 = time.monotonic()
        files = [f for f in sorted((ROOT / "scenarios").rglob("*.json")) if f.name != "scenario.schema.json"]
        files += sorted((ROOT / "tests/data").glob("*.json"))
        self.bases = {f.relative_to(ROOT).as_posix(): json.loads(f.read_text()) for f in files}

    def argv(self, r, command, scenario, doc, workdir):
        base = [self.a.coordsim, command]
        extra = []
        tags = set()  # the arguments that were mutated
        if command == "run":
            extra = [scenario, "--trials", "40", "--threads", "1"]
            if r.random() < 0.3:
                extra += ["--json", os.path.join(workdir, "out.json"), "--markdown", os.path.join(workdir, "out.md")]
            if r.random() < 0.1:
                extra += ["--check-determinism"]
        elif command == "check":
            extra = [scenario, "--trials", "40", "--max-trials", "200", "--threads", "1"]
            if r.random() < 0.3:
                extra += ["--junit", os.path.join(workdir, "j.xml"), "--json", os.path.join(workdir, "c.json")]
        elif command == "sweep":
            vary = r.choice(VARIES)
            if r.random() < 0.25:
                vary = mutate_vary(r, vary)
                tags.add("vary")
            # A sweep of thousands of points is long legitimate work (each point loads its
            # scenario): one trial a point there keeps the campaign's time in hand.
            trials = "20" if vary_points(vary) <= 1000 else "1"
            extra = [scenario, "--vary", vary, "--trials", trials, "--threads", "1"]
            if r.random() < 0.3:
                extra += ["--html", os.path.join(workdir, "s.html"), "--csv", os.path.join(workdir, "s.csv")]
        elif command == "replay":
            trial = "3"
            if r.random() < 0.1:
                trial = r.choice(["-1", "18446744073709551615", "18446744073709551616", "1e3", "0x10", " 1", ""])
                tags.add("trial")
            extra = [scenario, "--trial", trial]
            if r.random() < 0.2:
                extra += ["--check-determinism"]
            if r.random() < 0.2:
                extra += ["--trace", os.path.join(workdir, "t.json")]
        elif command == "find":
            where = r.choice(WHERES)
            if r.random() < 0.25:
                where = mutate_expression(r, where)
                tags.add("where")
            extra = [scenario, "--where", where, "--limit", "3", "--trials", "40", "--threads", "1"]
        elif command == "explore":
            extra = [scenario, "--grid", "2", "--max-schedules", "300"]
            if r.random() < 0.2:
                extra += ["--where", mutate_expression(r, r.choice(WHERES))]
                tags.add("where")
        if r.random() < 0.15 and isinstance(doc, dict):
            extra += ["--set", mutate_set(r, doc)]
            tags.add("set")
        if r.random() < 0.05:
            # A numeric option typed wrong (issue #15: unsigned options wrapped). --trials only
            # where it cannot raise the budget: an odd value is refused, a large one capped here.
            opt = r.choice(["--seed", "--threads"] + (["--trials"] if command in ("run", "find") else []))
            value = r.choice(NUMERIC_ARGS)
            if opt == "--trials" and value.isdigit() and int(value) > 40:
                value = "41"
            extra += [opt, value]
            tags.add("number")
        return base + extra, tags

    def make_input(self, r, command):
        names = list(self.bases)
        if command == "explore" and r.random() < 0.7:
            names = [n for n in names if "/explore/" in n] or names
        if command == "check" and r.random() < 0.5:
            names = [n for n in names if "/guarantees/" in n] or names
        name = r.choice(names)
        doc = copy(self.bases[name])
        mut = Mutator(r, list(self.bases.values()))
        applied = []
        for _ in range(r.choice([1, 1, 1, 2, 2, 3])):
            doc, m = mut.mutate(doc)
            if m:
                applied.append(m)
        text = to_text(doc)
        if r.random() < 0.1:
            text, m = mut.text_mutation(text)
            if m:
                applied.append("text-" + m)
        return name, doc, text, applied

    def execute(self, argv, workdir, command):
        """Runs one command under its CPU budget (budget_s): (rc, stdout, stderr, outcome_note, cpu_s, wall_s).
        outcome_note is None, "timeout" (the CPU budget ran out: SIGXCPU) or "wall" (the wall-clock
        guard killed it: a hang that uses no CPU, or a machine slower than 20 times the budget)."""
        started = time.monotonic()
        # Under the kernel's 128 KiB per argument; an argument cannot hold a NUL byte.
        argv = [(a if len(a) < 120_000 else a[:120_000]).replace("\x00", "") for a in argv]
        budget = budget_s(command, argv)
        cpu_limit = max(1, math.ceil(budget))

        def limits():
            # The machine is shared: the budget is CPU time, which load does not stretch. The
            # soft limit sends SIGXCPU; the hard one, a second later, SIGKILL. No core files;
            # memory capped so that a blow-up is a bad_alloc here, not the machine's swap.
            resource.setrlimit(resource.RLIMIT_CPU, (cpu_limit, cpu_limit + 1))
            resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
            resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))

        p = subprocess.Popen([a.encode("utf-8", "surrogateescape") if isinstance(a, str) else a for a in argv],
                             stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=workdir,
                             start_new_session=True, preexec_fn=limits)
        chunks = {"out": collections.deque(maxlen=64), "err": collections.deque(maxlen=64)}

        def drain(stream, key):
            for block in iter(lambda: stream.read(4096), b""):
                chunks[key].append(block)

        readers = [threading.Thread(target=drain, args=(p.stdout, "out"), daemon=True),
                   threading.Thread(target=drain, args=(p.stderr, "err"), daemon=True)]
        for t in readers:
            t.start()
        note = None
        deadline = started + max(60.0, WALL_FACTOR * budget)
        while True:
            pid, status, usage = os.wait4(p.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                os.killpg(p.pid, signal.SIGKILL)  # the process group of the child we started
                note = "wall"
            time.sleep(0.005)
        p.returncode = os.waitstatus_to_exitcode(status)
        try:
            os.killpg(p.pid, signal.SIGKILL)  # anything it left behind
        except ProcessLookupError:
            pass
        for t in readers:
            t.join(5)
        cpu = usage.ru_utime + usage.ru_stime
        if note is None and p.returncode in (-signal.SIGXCPU, -signal.SIGKILL) and cpu >= cpu_limit - 0.05:
            note = "timeout"
        out = b"".join(chunks["out"]).decode("utf-8", "replace")[-20000:]
        err = b"".join(chunks["err"]).decode("utf-8", "replace")[-20000:]
        return p.returncode, out, err, note, cpu, time.monotonic() - started

    def one(self, i):
        # Past --max-seconds (or after SIGTERM / Ctrl-C) the queued inputs are
        # dropped, not run: the report then covers what ran and says so.
        if self.stop.is_set() or (self.a.max_seconds and time.monotonic() - self.t0 > self.a.max_seconds):
            self.stop.set()
            return
        r = random.Random(f"{self.a.seed}-{i}")
        command = self.a.commands[i % len(self.a.commands)]
        workdir = os.path.join(self.tmp, f"w{i}")
        os.mkdir(workdir)
        name, doc, text, applied = self.make_input(r, command)
        scenario = os.path.join(workdir, "s.json")
        with open(scenario, "w", encoding="utf-8", errors="surrogatepass") as f:
            f.write(text)
        argv, tags = self.argv(r, command, scenario, doc, workdir)
        rc, out, err, note, cpu, secs = self.execute(argv, workdir, command)
        why = cause(applied, tags)
        outcome, flags = classify(command, rc, out, err, note)
        with self.lock:
            self.counts[(command, outcome)] += 1
            for fl in flags:
                self.flag_counts[(command, fl)] += 1
            for m in applied:
                self.mutation_counts[m] += 1
            self.done += 1
            bad = flags or note or rc < 0
            self.cpu[command] += cpu
            self.slowest[command] = max(self.slowest[command], (cpu / max(budget_s(command, argv), 1e-9), cpu, i))
            sig = signature(command, outcome, flags, out, err, self.tmp, why) if bad else None
            new = bad and sig not in self.failures
            if new:
                self.failures[sig] = {"command": command, "outcome": outcome, "flags": flags, "base": name,
                                      "mutations": applied, "argv": argv, "text": text, "doc": doc,
                                      "stderr": err[-3000:], "stdout": out[-1500:], "seconds": round(secs, 2),
                                      "count": 0, "workdir": workdir, "why": why,
                                      "commands": collections.Counter()}
            if bad:
                self.failures[sig]["count"] += 1
                self.failures[sig]["commands"][command] += 1
        if not (bad and new):
            shutil.rmtree(workdir, ignore_errors=True)

    # --- minimizing ----------------------------------------------------------------

    def still_fails(self, case, sig, text, argv_extra=None):
        workdir = tempfile.mkdtemp(dir=self.tmp)
        scenario = os.path.join(workdir, "s.json")
        with open(scenario, "w", encoding="utf-8", errors="surrogatepass") as f:
            f.write(text)
        argv = [scenario if a == case["scenario_arg"] else a.replace(case["workdir"], workdir) for a in case["argv"]]
        rc, out, err, note, _, _ = self.execute(argv, workdir, case["command"])
        shutil.rmtree(workdir, ignore_errors=True)
        outcome, flags = classify(case["command"], rc, out, err, note)
        return signature(case["command"], outcome, flags, out, err, self.tmp, case["why"]) == sig

    def minimize(self, sig, case, budget):
        case["scenario_arg"] = os.path.join(case["workdir"], "s.json")
        doc = case["doc"]
        if case["mutations"] and any(m.startswith("text-") for m in case["mutations"]):
            return case["text"]  # broken text: kept as it failed
        if case["outcome"].endswith("timeout"):
            budget = min(budget, 10)
        runs = 0
        changed = True
        while changed and runs < budget:
            changed = False
            for p, v in sorted(paths(doc), key=lambda pv: len(pv[0])):
                if runs >= budget:
                    break
                if not p:
                    continue
                candidates = []
                parent = get(doc, p[:-1])
                if isinstance(parent, dict):
                    candidates.append("delete")
                elif isinstance(parent, list) and len(parent) > 1:
                    candidates.append("delete")
                if isinstance(v, list) and len(v) > 1:
                    candidates.append("halve")
                if isinstance(v, (dict, list)) and v:
                    candidates.append("empty")
                if isinstance(v, Deep) and v.depth > 1:
                    candidates.append("shallower")
                for c in candidates:
                    trial = copy(doc)
                    tparent = get(trial, p[:-1])
                    if c == "delete":
                        if isinstance(tparent, dict):
                            del tparent[p[-1]]
                        else:
                            del tparent[p[-1]]
                    elif c == "halve":
                        del get(trial, p)[max(1, len(v) // 2):]
                    elif c == "shallower":
                        put(trial, p, Deep(v.depth // 2 if runs % 2 else v.depth * 3 // 4, v.array))
                    else:
                        put(trial, p, type(v)())
                    runs += 1
                    if self.still_fails(case, sig, to_text(trial)):
                        doc = trial
                        changed = True
                        break
                if changed:
                    break
        # Long arguments (a --where of 100,000 parentheses): halve their longest run of one character.
        text = to_text(doc)
        for i, arg in enumerate(case["argv"]):
            while len(arg) > 64 and runs < budget + 40:
                runs_of = [(m.end() - m.start(), m.start()) for m in re.finditer(r"(.)\1*", arg, re.S)]
                n, at = max(runs_of)
                if n < 4:
                    break
                for keep in (n // 2, n * 3 // 4):
                    shorter = arg[:at] + arg[at:at + keep] + arg[at + n:]
                    trial = dict(case, argv=case["argv"][:i] + [shorter] + case["argv"][i + 1:])
                    runs += 1
                    if self.still_fails(trial, sig, text):
                        break
                else:
                    break
                arg = shorter
                case["argv"] = trial["argv"]
        return text

    def run(self):
        t0 = self.t0 = time.monotonic()
        for s in (signal.SIGTERM, signal.SIGINT):
            signal.signal(s, lambda *_: self.stop.set())
        with concurrent.futures.ThreadPoolExecutor(max_workers=self.a.jobs) as pool:
            futures = [pool.submit(self.one, i) for i in range(self.a.count)]
            for k, f in enumerate(concurrent.futures.as_completed(futures)):
                try:
                    f.result()
                except Exception as e:  # the harness's own problem: counted, not fatal
                    with self.lock:
                        self.counts[("harness", type(e).__name__)] += 1
                    print(f"mutate: harness error: {e!r}", file=sys.stderr)
                if (k + 1) % max(1, self.a.count // 20) == 0:
                    print(f"mutate: {k + 1}/{self.a.count} inputs, {len(self.failures)} distinct failures, "
                          f"{time.monotonic() - t0:.0f} s", file=sys.stderr, flush=True)
        self.seconds = time.monotonic() - t0
        # Minimize each distinct failure (sequentially: it reruns the command).
        for sig, case in self.failures.items():
            case["minimal"] = self.minimize(sig, case, self.a.minimize_budget)

    def report(self, out_dir):
        out = pathlib.Path(out_dir)
        (out / "reproducers").mkdir(parents=True, exist_ok=True)
        outcomes = sorted({o for (_, o) in self.counts}, key=lambda o: (not o.startswith("exit"), o))
        flag_names = sorted({f for (_, f) in self.flag_counts})
        lines = [f"# coordsim mutation campaign", "",
                 f"{self.done} inputs{'' if self.done == self.a.count else f' (stopped early: {self.a.count} asked)'}, seed {self.a.seed}, {self.a.jobs} jobs, {self.seconds:.0f} s; binary "
                 f"{self.a.coordsim}; budget per command {STARTUP_S:g} s + {TRIAL_S:g} s a trial of CPU time "
                 f"(wall-clock guard {WALL_FACTOR}x)", "",
                 "| command | " + " | ".join(outcomes + flag_names) + " | total |",
                 "|---|" + "---:|" * (len(outcomes) + len(flag_names) + 1)]
        for c in self.a.commands + (["harness"] if any(k[0] == "harness" for k in self.counts) else []):
            row = [str(self.counts[(c, o)]) for o in outcomes] + [str(self.flag_counts[(c, f)]) for f in flag_names]
            lines.append(f"| {c} | " + " | ".join(row) + f" | {sum(self.counts[(c, o)] for o in outcomes)} |")
        lines += ["", "CPU time by command (total; the slowest run as a share of its budget): " + "; ".join(
            f"{c} {self.cpu[c]:.0f} s ({self.slowest[c][1]:.2f} s, {100 * self.slowest[c][0]:.1f}% of its budget)"
            for c in self.a.commands)]
        lines += ["", "Mutations applied: " + ", ".join(f"{m} {n}" for m, n in self.mutation_counts.most_common()), "",
                  f"## Distinct failures ({len(self.failures)})", ""]
        summary = []
        for n, (sig, case) in enumerate(sorted(self.failures.items(), key=lambda kv: -kv[1]["count"]), 1):
            name = f"{n:02d}-{case['command']}"
            (out / "reproducers" / f"{name}.json").write_text(case["minimal"], encoding="utf-8", errors="surrogatepass")
            args = ["REPRO.json" if a == case.get("scenario_arg") else a.replace(case["workdir"], "$TMP")
                    for a in case["argv"][1:]]

            def sh(a):
                if a == "REPRO.json":
                    return f'"$(dirname "$0")/{name}.json"'
                if a.startswith("$TMP/"):
                    return '"$TMP"/' + shlex.quote(a[5:])
                return shlex.quote(a)

            def short(a):
                return a if len(a) <= 120 else f"{a[:40]}…({len(a)} chars)…{a[-20:]}"
            cmdline = "coordsim " + " ".join(short(shlex.quote(a)) for a in args)
            (out / "reproducers" / f"{name}.sh").write_text(
                "#!/bin/sh\n# " + sig.replace("\n", " ") + f"\n# seen {case['count']} times; base {case['base']}, "
                f"mutations {', '.join(case['mutations'])}\nTMP=$(mktemp -d)\n${{COORDSIM:-coordsim}} " +
                " ".join(sh(a) for a in args) + '\nrc=$?\nrm -rf "$TMP"\nexit $rc\n')
            err = case["stderr"].strip().splitlines()
            seen_in = ", ".join(f"{c} {k}" for c, k in case["commands"].most_common())
            lines += [f"### {n}. {sig}", "", f"seen {case['count']} times ({seen_in}); base `{case['base']}`; mutations "
                      f"{', '.join(case['mutations']) or 'none'}; reproducer `reproducers/{name}.json` "
                      f"({len(case['minimal'])} bytes)", "", "```", cmdline,
                      *(err[-6:] if err else case["stdout"].strip().splitlines()[-4:]), "```", ""]
            summary.append({"signature": sig, "count": case["count"], "commands": dict(case["commands"]),
                            "command": case["command"], "outcome": case["outcome"],
                            "flags": case["flags"], "reproducer": f"reproducers/{name}.json", "argv": args,
                            "stderr": case["stderr"][-2000:]})
        (out / "report.md").write_text("\n".join(lines) + "\n")
        (out / "report.json").write_text(json.dumps({
            "inputs": self.done, "seconds": self.seconds, "cpu_s": dict(self.cpu),
            "counts": [{"command": c, "outcome": o, "n": n} for (c, o), n in sorted(self.counts.items())],
            "flags": [{"command": c, "flag": f, "n": n} for (c, f), n in sorted(self.flag_counts.items())],
            "failures": summary}, indent=1))
        return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--coordsim", default=str(ROOT / "build/cli/coordsim"))
    ap.add_argument("--count", type=int, default=600)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--seed", default="1")
    ap.add_argument("--commands", default=",".join(COMMANDS))
    ap.add_argument("--minimize-budget", type=int, default=150)
    ap.add_argument("--max-seconds", type=float, default=0,
                    help="stop starting inputs after this long and report what ran (0: no limit)")
    ap.add_argument("--out", help="directory for report.md, report.json and reproducers/ (default: a new temp dir)")
    a = ap.parse_args()
    a.commands = a.commands.split(",")
    a.coordsim = os.path.abspath(a.coordsim)
    if not os.access(a.coordsim, os.X_OK):
        sys.exit(f"mutate: no coordsim binary at {a.coordsim} (build it, or give --coordsim)")
    c = Campaign(a)
    try:
        c.run()
        out = a.out or tempfile.mkdtemp(prefix="coordsim-mutate-report-")
        print(c.report(out))
        print(f"\nmutate: report in {out}/report.md", file=sys.stderr)
    finally:
        shutil.rmtree(c.tmp, ignore_errors=True)
    return 1 if c.failures else 0


if __name__ == "__main__":
    sys.exit(main())
