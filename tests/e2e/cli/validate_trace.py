#!/usr/bin/env python3
"""Validates a Chrome trace-event file (JSON object or array form) against the
rules viewers rely on (https://docs.google.com/document/d/1CvAClvFfyA5R-PhYUmn5OOQtYMH4h6I0nSsKchNAySU):

* valid JSON; an object with a "traceEvents" list, or a bare list of events;
* every event has name, ph, pid, tid (integers), and ts (a number) unless it is
  metadata ("M");
* "X" (complete) events have a numeric dur >= 0;
* "B"/"E" pairs nest properly per (pid, tid): every E closes the latest open B
  (same name when the E names one), and none is left open;
* "X" spans on one track nest too: two spans either are disjoint or one
  contains the other (what Perfetto draws as a stack);
* "i"/"I" instants have a scope s in g, p, t when present;
* metadata names are process_name, thread_name, process_sort_index,
  thread_sort_index, ... with args.

Usage: validate_trace.py FILE [--expect-tracks N]   exit 0 valid, 1 invalid (reasons on stderr).
"""
import json
import sys

PHASES = set("BEXiIMCbenstfPOND(),RpT")


def validate(doc, expect_tracks=None):
    errors = []
    if isinstance(doc, dict):
        events = doc.get("traceEvents")
        if not isinstance(events, list):
            return ["object form without a traceEvents list"]
    elif isinstance(doc, list):
        events = doc
    else:
        return ["top level is neither an object nor a list"]

    open_b = {}   # (pid, tid) -> stack of (name, ts)
    spans = {}    # (pid, tid) -> [(ts, end, name)]
    named_threads = set()
    for i, e in enumerate(events):
        where = f"event {i}"
        if not isinstance(e, dict):
            errors.append(f"{where}: not an object")
            continue
        for field in ("name", "ph", "pid", "tid"):
            if field not in e:
                errors.append(f"{where}: missing '{field}'")
        ph = e.get("ph")
        if ph not in PHASES:
            errors.append(f"{where}: unknown phase {ph!r}")
            continue
        if not isinstance(e.get("pid"), int) or not isinstance(e.get("tid"), int):
            errors.append(f"{where}: pid and tid must be integers")
            continue
        key = (e["pid"], e["tid"])
        if ph == "M":
            if not isinstance(e.get("args"), dict):
                errors.append(f"{where}: metadata without args")
            if e.get("name") == "thread_name":
                named_threads.add(key)
            continue
        ts = e.get("ts")
        if not isinstance(ts, (int, float)) or isinstance(ts, bool):
            errors.append(f"{where}: ts must be a number, got {ts!r}")
            continue
        if ph == "X":
            dur = e.get("dur")
            if not isinstance(dur, (int, float)) or isinstance(dur, bool) or dur < 0:
                errors.append(f"{where}: X event needs dur >= 0, got {dur!r}")
                continue
            spans.setdefault(key, []).append((ts, ts + dur, e.get("name"), i))
        elif ph == "B":
            open_b.setdefault(key, []).append((e.get("name"), ts, i))
        elif ph == "E":
            stack = open_b.get(key, [])
            if not stack:
                errors.append(f"{where}: E without an open B on track {key}")
                continue
            name, begin, _ = stack.pop()
            if "name" in e and e["name"] and name and e["name"] != name:
                errors.append(f"{where}: E '{e['name']}' closes B '{name}' on track {key}")
            if ts < begin:
                errors.append(f"{where}: E at {ts} before its B at {begin}")
        elif ph in ("i", "I"):
            if "s" in e and e["s"] not in ("g", "p", "t"):
                errors.append(f"{where}: instant scope must be g, p or t, got {e['s']!r}")
    for key, stack in open_b.items():
        for name, ts, i in stack:
            errors.append(f"event {i}: B '{name}' at {ts} on track {key} never closed")
    for key, items in spans.items():
        items.sort(key=lambda s: (s[0], -(s[1] - s[0])))
        stack = []  # open spans, each inside the one below it
        for start, end, name, i in items:
            while stack and stack[-1][1] <= start:
                stack.pop()  # ended before this one starts
            if stack and end > stack[-1][1]:
                errors.append(f"event {i}: X '{name}' [{start}, {end}] overlaps '{stack[-1][2]}' "
                              f"[{stack[-1][0]}, {stack[-1][1]}] on track {key} without nesting")
                continue
            stack.append((start, end, name))
    if expect_tracks is not None and len(named_threads) != expect_tracks:
        errors.append(f"expected {expect_tracks} named tracks, found {len(named_threads)}")
    return errors


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    expect = None
    if "--expect-tracks" in argv:
        expect = int(argv[argv.index("--expect-tracks") + 1])
    try:
        with open(argv[1], encoding="utf-8") as f:
            doc = json.load(f)
    except (OSError, ValueError) as err:
        print(f"{argv[1]}: not valid JSON: {err}", file=sys.stderr)
        return 1
    errors = validate(doc, expect)
    for err in errors:
        print(f"{argv[1]}: {err}", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
