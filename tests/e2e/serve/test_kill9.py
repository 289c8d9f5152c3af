#!/usr/bin/env python3
"""coordsim serve --state under SIGKILL: 200 concurrent writers create issues
(and comment on them), the server is killed with SIGKILL at several moments
under load (and once while it starts), restarted on the same --state, and
every acknowledged write must be there, with the number it was acknowledged
with; no number a client was given is handed out again.

Usage: test_kill9.py COORDSIM_BINARY SCENARIO [--writers 200] [--rounds 4]

Fails on a server that saves only at shutdown (it loses every write) and on
one that answers before its journal line is written. (SIGKILL leaves the page
cache alone, so this checks write-before-acknowledge, not fsync; fsync is
what a power cut needs, and docs/serve.md says what is synced when.)
"""
import http.client
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

args = sys.argv[1:]
binary, scenario = args[0], args[1]
writers = int(args[args.index("--writers") + 1]) if "--writers" in args else 200
rounds = int(args[args.index("--rounds") + 1]) if "--rounds" in args else 4
REPO = "/api/v3/repos/acme/durable"

work = tempfile.mkdtemp(prefix="coordsim-kill9-")
state = os.path.join(work, "state.json")
failures = []


def fail(message):
    failures.append(message)
    print("FAIL: " + message, file=sys.stderr)


def start():
    err = open(os.path.join(work, "err"), "ab")
    proc = subprocess.Popen(
        [binary, "serve", scenario, "--port", "0", "--state", state, "--rate-limit", "100000000",
         "--set", "github.visibility_lag_s.list=0"],
        stdout=subprocess.PIPE, stderr=err)
    line = proc.stdout.readline().decode()
    m = re.search(r"http://127\.0\.0\.1:(\d+)", line)
    if not m:
        proc.kill()
        raise SystemExit("server did not start: " + line + open(os.path.join(work, "err")).read())
    return proc, int(m.group(1))


def request(port, method, path, body=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    c.request(method, path, body=json.dumps(body) if body is not None else None)
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, data


acknowledged = {}  # number -> title, every create a client was answered 201 for
comments = {}  # number -> set of comment bodies answered 201
lock = threading.Lock()


def writer(port, wid, stop):
    conn = None
    k = 0
    while not stop.is_set():
        k += 1
        title = "w%d-%d-%d" % (wid, k, random.getrandbits(32))
        try:
            if conn is None:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("POST", REPO + "/issues", body=json.dumps({"title": title}))
            r = conn.getresponse()
            data = r.read()
            if r.status != 201:
                continue
            number = json.loads(data)["number"]
            with lock:
                if number in acknowledged:
                    fail("number %d acknowledged twice (%s, then %s)" % (number, acknowledged[number], title))
                acknowledged[number] = title
            if k % 4 == 0:
                conn.request("POST", REPO + "/issues/%d/comments" % number, body=json.dumps({"body": "c-" + title}))
                r = conn.getresponse()
                r.read()
                if r.status == 201:
                    with lock:
                        comments.setdefault(number, set()).add("c-" + title)
        except (OSError, http.client.HTTPException, ValueError):
            # The server died under us: this request was never acknowledged.
            conn = None
            if stop.is_set():
                return
            time.sleep(0.01)


def listed(port):
    """Every issue the server holds: number -> (title, comment count)."""
    out = {}
    page = 1
    while True:
        status, data = request(port, "GET", REPO + "/issues?state=all&per_page=100&direction=asc&page=%d" % page)
        if status != 200:
            raise SystemExit("list failed: %d %s" % (status, data[:200]))
        items = json.loads(data)
        for i in items:
            out[i["number"]] = (i["title"], i["comments"])
        if len(items) < 100:
            return out
        page += 1


def verify(port, label):
    held = listed(port)
    lost = [n for n, t in acknowledged.items() if held.get(n, (None,))[0] != t]
    if lost:
        fail("%s: %d of %d acknowledged creates lost or changed, e.g. #%d %s -> %s" %
             (label, len(lost), len(acknowledged), lost[0], acknowledged[lost[0]], held.get(lost[0])))
    short = [n for n, c in comments.items() if held.get(n, (None, 0))[1] < len(c)]
    if short:
        fail("%s: %d issues lack acknowledged comments, e.g. #%d" % (label, len(short), short[0]))
    # A fresh create must get a number nobody was given before.
    status, data = request(port, "POST", REPO + "/issues", {"title": "after " + label})
    if status != 201:
        fail("%s: create after restart: %d" % (label, status))
        return
    number = json.loads(data)["number"]
    if number in acknowledged:
        fail("%s: number %d reused (it was %s)" % (label, number, acknowledged[number]))
    acknowledged[number] = "after " + label
    print("%s: %d acknowledged creates, %d with comments checked; next number %d" %
          (label, len(acknowledged) - 1, len(comments), number))


try:
    rng = random.Random(16)
    for round_no in range(rounds):
        proc, port = start()
        if round_no > 0:
            verify(port, "restart %d" % round_no)
        before = len(acknowledged)
        stop = threading.Event()
        threads = [threading.Thread(target=writer, args=(port, w, stop)) for w in range(writers)]
        for t in threads:
            t.start()
        time.sleep(0.3 + rng.random() * 1.2)  # a different moment each round
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        stop.set()
        for t in threads:
            t.join()
        print("round %d: killed under load after %d acknowledged creates (%d this round)" %
              (round_no + 1, len(acknowledged), len(acknowledged) - before))
    # A kill while the server starts (it may be folding the journal into the snapshot).
    for delay in (0.0, 0.02, 0.05):
        p = subprocess.Popen([binary, "serve", scenario, "--port", "0", "--state", state],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        p.send_signal(signal.SIGKILL)
        p.wait()
    proc, port = start()
    verify(port, "final restart")
    leftovers = [f for f in os.listdir(work) if ".tmp." in f]
    if leftovers:
        fail("temporary files left behind: %s" % leftovers)
    proc.send_signal(signal.SIGTERM)
    if proc.wait(timeout=60) != 0:
        fail("SIGTERM: exit %d" % proc.returncode)
    if len(acknowledged) < writers:
        fail("too few writes acknowledged to mean anything: %d" % len(acknowledged))
finally:
    shutil.rmtree(work, ignore_errors=True)

print("%d failures" % len(failures))
sys.exit(1 if failures else 0)
