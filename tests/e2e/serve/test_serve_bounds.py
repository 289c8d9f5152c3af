#!/usr/bin/env python3
"""coordsim serve at the socket level: HTTP conformance (HEAD, OPTIONS,
Transfer-Encoding without chunked, HTTP/1.1 without Host), reads that must not
create repositories, idle connections evicted at the cap, new connections
answered promptly under load, SIGHUP, and --state checks at start (a missing
directory, nonsensical values naming their JSON path, a second server).

Usage: test_serve_bounds.py COORDSIM_BINARY SCENARIO
"""
import http.client
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

binary, scenario = sys.argv[1], sys.argv[2]
work = tempfile.mkdtemp(prefix="coordsim-bounds-")
failures = []
passed = 0


def check(name, ok, detail=""):
    global passed
    if ok:
        passed += 1
    else:
        failures.append(name)
        print("FAIL: %s %s" % (name, detail), file=sys.stderr)


def start(*extra):
    err = open(os.path.join(work, "err"), "wb")
    proc = subprocess.Popen([binary, "serve", scenario, "--port", "0", "--rate-limit", "100000000"] + list(extra),
                            stdout=subprocess.PIPE, stderr=err)
    line = proc.stdout.readline().decode()
    m = re.search(r"http://127\.0\.0\.1:(\d+)", line)
    if not m:
        proc.kill()
        raise SystemExit("server did not start: " + line + open(os.path.join(work, "err")).read())
    return proc, int(m.group(1))


def raw(port, data, timeout=5.0):
    """Sends bytes, returns everything the server sends until it closes or goes quiet."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    s.sendall(data)
    out = b""
    s.settimeout(1.0)
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            out += chunk
    except socket.timeout:
        pass
    s.close()
    return out


def get(port, path, method="GET", body=None, headers=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    c.request(method, path, body=body, headers=headers or {})
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, dict((k.lower(), v) for k, v in r.getheaders()), data


API = "/api/v3"
try:
    proc, port = start()

    # --- HEAD and OPTIONS -------------------------------------------------
    get(port, API + "/repos/acme/conform/issues", "POST", json.dumps({"title": "one"}))
    status, headers, body = get(port, API + "/repos/acme/conform/issues/1")
    hstatus, hheaders, hbody = get(port, API + "/repos/acme/conform/issues/1", "HEAD")
    check("HEAD: GET's status", hstatus == status == 200, "%d %d" % (hstatus, status))
    check("HEAD: no body", hbody == b"")
    check("HEAD: GET's content-length", hheaders.get("content-length") == str(len(body)),
          "%s vs %d" % (hheaders.get("content-length"), len(body)))
    # Two HEADs and a GET on one keep-alive connection: each response starts where the last ended.
    head = "HEAD %s/repos/acme/conform/issues/1 HTTP/1.1\r\nHost: x\r\n\r\n" % API
    reply = raw(port, (head * 2 + "GET %s/user HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" % API).encode())
    check("HEAD keep-alive: three responses in order", reply.count(b"HTTP/1.1 200") == 3 and
          reply.rstrip().endswith(b"}") and b'"login":"coordsim"' in reply, reply[-300:])
    status, _, _ = get(port, API + "/repos/acme/conform/issues", "OPTIONS")
    check("OPTIONS where GET is 200: 204, not 404", status == 204, str(status))

    # --- Transfer-Encoding without chunked: 400 and close, the body never runs ---
    smuggled = ("POST %s/repos/acme/smuggle/issues HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                "Content-Length: 15\r\n\r\n{\"title\":\"bad\"}" % API)
    reply = raw(port, ("POST %s/repos/acme/te/issues HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n" % API +
                       smuggled).encode())
    check("Transfer-Encoding: gzip: 400", reply.startswith(b"HTTP/1.1 400"), reply[:80])
    check("Transfer-Encoding: gzip: one response, then close", reply.count(b"HTTP/1.1") == 1, reply[:300])
    status, _, body = get(port, API + "/repos/acme/smuggle/issues/1")
    check("the body was not run as a second request", status == 404, "%d %s" % (status, body[:100]))

    # --- HTTP/1.1 without Host ---------------------------------------------
    reply = raw(port, ("GET %s/user HTTP/1.1\r\n\r\n" % API).encode())
    check("HTTP/1.1 without Host: 400", reply.startswith(b"HTTP/1.1 400"), reply[:80])
    reply = raw(port, ("GET %s/user HTTP/1.0\r\n\r\n" % API).encode())
    check("HTTP/1.0 without Host: fine", reply.startswith(b"HTTP/1.0 200") or reply.startswith(b"HTTP/1.1 200"),
          reply[:80])

    # --- reads never create repositories ------------------------------------
    for k in range(30):
        get(port, API + "/repos/reader/r%d" % k, "HEAD")
        get(port, API + "/repos/reader/r%d/issues" % k)
    status, _, body = get(port, API + "/repos/reader/r0")
    check("a never-written repository reads as empty", status == 200 and json.loads(body)["open_issues"] == 0)
    status, _, body = get(port, API + "/repos/writer/first/issues", "POST", json.dumps({"title": "x"}))
    repo_id = json.loads(get(port, API + "/repos/writer/first")[2])["id"]
    # acme/conform is id 1, acme/smuggle was never written; 30 reads must not have taken ids.
    check("reads took no repository ids", status == 201 and repo_id == 2, "status %d id %s" % (status, repo_id))
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)

    # --- the connection cap: idle ones make room, and a health check is answered ---
    proc, port = start("--max-connections", "40", "--idle-timeout", "60")
    idle = [socket.create_connection(("127.0.0.1", port)) for _ in range(40)]
    time.sleep(0.3)
    t0 = time.monotonic()
    status, _, _ = get(port, API + "/rate_limit")
    elapsed = time.monotonic() - t0
    check("at the cap with idle connections: answered", status == 200, str(status))
    check("at the cap: answered at once", elapsed < 1.0, "%.3f s" % elapsed)
    closed = 0
    for s in idle:
        s.settimeout(0.5)
        try:
            if s.recv(1) == b"":
                closed += 1
        except (socket.timeout, ConnectionResetError):
            pass
        s.close()
    check("the longest-idle connection was closed to make room", closed >= 1, "%d closed" % closed)
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)

    # --- new connections under load are answered promptly --------------------
    proc, port = start()
    for k in range(200):
        get(port, API + "/repos/acme/load/issues", "POST", json.dumps({"title": "t%d" % k, "labels": ["l"]}))
    stop = threading.Event()

    busy_times = []

    def busy():
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while not stop.is_set():
            t0 = time.monotonic()
            c.request("GET", API + "/repos/acme/load/issues?labels=l&per_page=100&state=all")
            c.getresponse().read()
            if measuring.is_set():
                with lock:
                    busy_times.append(time.monotonic() - t0)

    measuring = threading.Event()
    lock = threading.Lock()
    hammers = [threading.Thread(target=busy) for _ in range(50)]
    for t in hammers:
        t.start()
    time.sleep(0.5)
    firsts = []
    measuring.set()

    def newcomer():
        t0 = time.monotonic()
        s = socket.create_connection(("127.0.0.1", port), timeout=30)
        s.sendall(("GET %s/user HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" % API).encode())
        s.recv(1)
        with lock:
            firsts.append(time.monotonic() - t0)
        s.close()

    news = [threading.Thread(target=newcomer) for _ in range(200)]
    for t in news:
        t.start()
    for t in news:
        t.join()
    measuring.clear()
    stop.set()
    for t in hammers:
        t.join()
    firsts.sort()
    busy_times.sort()
    p50, worst = statistics.median(firsts), firsts[-1]
    busy_p50 = statistics.median(busy_times)
    print("new connections under 50 busy clients: p50 %.1f ms, max %.1f ms; a busy client's request p50 %.1f ms"
          % (p50 * 1e3, worst * 1e3, busy_p50 * 1e3))
    # Judged in busy-request times, not against the clock: a sanitizer build or
    # a loaded machine slows both alike. A newcomer's wait divided by a busy
    # client's request time is how many requests each busy client got served
    # while the newcomer waited. A fair server serves the 200 newcomers and the
    # 50 busy clients round by round: measured p50 5-7x, max ~9x (Release,
    # 2 cores, Python's threads included). The old server served its open
    # connections before accepting: p50 1.5 s, max 3.1 s against ~10 ms busy
    # requests, over 100x.
    check("new connections under load: p50 within 15 busy-request times", p50 < 15 * busy_p50,
          "%.3f s vs %.3f s" % (p50, busy_p50))
    check("new connections under load: max within 50 busy-request times", worst < 50 * busy_p50,
          "%.3f s vs %.3f s" % (worst, busy_p50))
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)

    # --- SIGHUP stops cleanly, with the state kept ------------------------------
    state = os.path.join(work, "state.json")
    proc, port = start("--state", state)
    get(port, API + "/repos/acme/hup/issues", "POST", json.dumps({"title": "kept"}))
    proc.send_signal(signal.SIGHUP)
    check("SIGHUP: exit 0", proc.wait(timeout=30) == 0)
    proc, port = start("--state", state)
    status, _, body = get(port, API + "/repos/acme/hup/issues/1")
    check("SIGHUP: the write kept", status == 200 and json.loads(body)["title"] == "kept")
    # A second server on the same state is refused (their journals would interleave).
    r = subprocess.run([binary, "serve", scenario, "--port", "0", "--state", state], capture_output=True, timeout=30)
    check("a second server on one --state: exit 2", r.returncode == 2 and b"in use" in r.stderr, r.stderr[-200:])
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)

    # --- --state checked at start ---------------------------------------------
    r = subprocess.run([binary, "serve", scenario, "--port", "0", "--state", os.path.join(work, "nodir", "s.json")],
                       capture_output=True, timeout=30)
    check("--state in a missing directory: exit 2 at start", r.returncode == 2 and b"--state" in r.stderr,
          r.stderr[-200:])

    def bad_state(name, doc, path):
        f = os.path.join(work, name + ".json")
        with open(f, "w") as out:
            json.dump(doc, out)
        r = subprocess.run([binary, "serve", scenario, "--port", "0", "--state", f], capture_output=True, timeout=30)
        check("state %s: exit 2 naming %s" % (name, path), r.returncode == 2 and path.encode() in r.stderr,
              r.stderr[-300:])

    def repo(journal, rid=1):
        return {"owner": "a", "name": "b", "id": rid, "created_unix_us": 0, "issues": [], "journal": journal}

    def create(c, lags=(0, 0, 0, 0)):
        return {"op": "create_issue", "c": c, "lags": list(lags), "title": "t", "body": "", "labels": []}

    base = {"format": "coordsim-serve-state", "version": 1, "clock_us": 10, "unix_epoch_us": 0}
    bad_state("clock", dict(base, clock_us=2**63 - 1, repositories=[]), "/clock_us")
    bad_state("repo-id", dict(base, repositories=[repo([], 2**63 - 1)]), "/repositories/0/id")
    bad_state("lag", dict(base, repositories=[repo([create(1, (0, -5, 0, 0))])]), "/repositories/0/journal/0/lags/1")
    bad_state("order", dict(base, repositories=[repo([create(5), create(3)])]), "/repositories/0/journal/1/c")
    bad_state("clock-before-commit", dict(base, clock_us=2, repositories=[repo([create(5)])]), "/clock_us")
finally:
    shutil.rmtree(work, ignore_errors=True)

print("%d passed, %d failed" % (passed, len(failures)))
sys.exit(1 if failures else 0)
