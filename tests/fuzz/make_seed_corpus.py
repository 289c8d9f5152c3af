#!/usr/bin/env python3
"""Seed corpora for the fuzz targets, from what the project ships.

Usage: make_seed_corpus.py OUT_DIR [--coordsim BINARY]

Writes OUT_DIR/<target>/<name> for every target of tests/fuzz/
(docs/fuzzing.md):

  scenario     scenarios/**/*.json, tests/data/*.json
  set          every --set PATH=VALUE in the docs, scripts and tests, and the
               apply_set("...") cases of the unit tests; a few joined (0x1E)
  vary         every --vary PATH=SPEC likewise, and parse_vary("...") cases;
               some with a --shard K/N record
  where        every --where EXPR likewise, and Predicate::parse("...") cases
  http         the requests of tests/e2e/serve/test_serve_curl.sh as raw
               HTTP/1.1, alone and as sequences (0x1E between requests)
  merge        (with --coordsim) shards of small sweeps, as merge reads them
  serve_state  (with --coordsim) a state file `coordsim serve --state` saved
               after the curl test's flows

and OUT_DIR/<target>.dict, a libFuzzer dictionary: JSON tokens, the schema's
property names and enums, metric names, HTTP methods and headers, and the keys
of the target's committed corpus (tests/fuzz/regression/<target>/).

Everything is written under OUT_DIR; temporary files go to a temp dir it
removes. Deterministic (the same tree gives the same files) but for the
serve state's wall-clock timestamps.
"""
import argparse
import hashlib
import json
import pathlib
import re
import shlex
import signal
import subprocess
import sys
import tempfile
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parents[2]
SEP = "\x1e"
TEXT_DIRS = ["README.md", "docs", "scripts", "tests", "reports", ".ci"]


def text_files():
    for entry in TEXT_DIRS:
        p = ROOT / entry
        files = [p] if p.is_file() else sorted(p.rglob("*")) if p.is_dir() else []
        for f in files:
            if f.is_file() and f.suffix in (".md", ".sh", ".py", ".cpp", ".hpp", "") and "fuzz" not in f.parts:
                try:
                    yield f.read_text()
                except UnicodeDecodeError:
                    pass


def option_values(option, placeholder):
    """Values given to --OPTION in shell commands of the docs and scripts."""
    out = set()
    pattern = re.compile(r"--%s[ =]('([^']*)'|\"((?:[^\"\\]|\\.)*)\"|([^\s`\)\]\"]+))" % option)
    for text in text_files():
        for m in pattern.finditer(text):
            v = m.group(2) if m.group(2) is not None else m.group(3) if m.group(3) is not None else m.group(4)
            if v and v != placeholder and "$" not in v and not v.startswith("-"):
                out.add(v)
    return out


def cpp_literals(call):
    """First string arguments of CALL("...") in the unit tests."""
    out = set()
    pattern = re.compile(re.escape(call) + r'\((?:[a-z_]+, )?"((?:[^"\\]|\\.)*)"')
    for f in sorted((ROOT / "tests").rglob("*.cpp")):
        if "fuzz" in f.parts:
            continue
        for m in pattern.finditer(f.read_text()):
            out.add(m.group(1).encode().decode("unicode_escape"))
    return out


class Writer:
    def __init__(self, out):
        self.out = pathlib.Path(out)
        self.counts = {}

    def add(self, target, data, name=None):
        if isinstance(data, str):
            data = data.encode()
        d = self.out / target
        d.mkdir(parents=True, exist_ok=True)
        name = name or hashlib.sha1(data).hexdigest()[:16]
        (d / name).write_bytes(data)
        self.counts[target] = self.counts.get(target, 0) + 1


def scenarios(w):
    for f in sorted(list((ROOT / "scenarios").rglob("*.json")) + list((ROOT / "tests/data").glob("*.json"))):
        if f.name == "scenario.schema.json":
            continue
        w.add("scenario", f.read_bytes(), f.relative_to(ROOT).as_posix().replace("/", "_"))


def sets(w):
    values = sorted(option_values("set", "PATH=VALUE") | cpp_literals("apply_set"))
    values += ['github.visibility_lag_s.list={"dist":"uniform","min":1,"max":4}', "workload.flavors.-=macos",
               "/agent/post_create_wait_s=2.5", "agent.strategy=ref-lock", "agent.lease.enabled=true",
               "github.faults.default.timeout=0.2", "agent.client.timeout_s=1"]
    for v in values:
        w.add("set", v)
    for i in range(0, len(values) - 2, 3):
        w.add("set", SEP.join(values[i:i + 3]))


def varies(w):
    values = sorted(option_values("vary", "PATH=SPEC") | cpp_literals("parse_vary"))
    values += ["agent.post_create_wait_s=0:1:0.1", "agent.find_attempts=1,2,3", "workload.flavors=[\"a\"],[\"a\",\"b\"]",
               "agent.settle.settle_time_s=0:40:2.5"]
    for v in values:
        w.add("vary", v)
    for i, v in enumerate(values[:12]):
        w.add("vary", v + SEP + ["1/1", "2/4", "3/3", "1/2"][i % 4])


def wheres(w):
    values = sorted(option_values("where", "EXPR") | cpp_literals("Predicate::parse"))
    values += ["!(duplicate || miss)", "cost_usd > 2 * baseline_cost_usd / failing_flavors", "min_gap_s < 0.5",
               "-(-1) + .5 >= 1e3 / 7", "((analyses))"]
    for v in values:
        w.add("where", v)


def raw(method, target, body=None, token=None, extra=()):
    lines = [f"{method} /api/v3{target} HTTP/1.1", "Host: 127.0.0.1:8080", "User-Agent: curl/7.88.1", "Accept: */*"]
    if token:
        lines.append(f"Authorization: token {token}")
    lines += list(extra)
    if body is not None:
        b = body.encode()
        lines += ["Content-Type: application/json", f"Content-Length: {len(b)}"]
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + b
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def http(w):
    r = "/repos/acme/widgets"
    label = "autonomous-coordination"
    flow = [
        raw("GET", r),
        raw("POST", r + "/issues", json.dumps({"title": "Build failure on linux-x64", "body": "log", "labels": [label]},
                                              separators=(",", ":"))),
        raw("GET", r + f"/issues?state=open&labels={label}"),
        raw("POST", r + "/issues", '{"title":"t2","labels":["' + label + '"]}'),
        raw("GET", r + f"/issues?labels={label}&per_page=2"),
        raw("GET", r + f"/issues?labels={label}&per_page=2&page=2"),
        raw("PATCH", r + "/issues/1", '{"state":"closed"}'),
        raw("POST", r + "/issues/1/comments", '{"body":"analysis done"}'),
        raw("GET", r + "/issues/1/comments"),
        raw("GET", "/search/issues?q=repo%3Aacme%2Fwidgets+is%3Aissue+is%3Aopen+label%3Aautonomous-coordination"
                   "+in%3Atitle+%22Build+failure%22"),
        raw("GET", "/search/issues?q=repo:acme/widgets"),
        raw("POST", r + "/git/refs", '{"ref":"refs/coordination/46e71ff2","sha":"46e71ff2c1d3b5a79e0f4c6d8b2a1e3f5c7d9b0a"}'),
        raw("POST", r + "/git/refs", '{"ref":"refs/coordination/46e71ff2","sha":"46e71ff2c1d3b5a79e0f4c6d8b2a1e3f5c7d9b0a"}'),
        raw("GET", r + "/git/ref/coordination/46e71ff2"),
        raw("PATCH", r + "/git/refs/coordination/46e71ff2", '{"sha":"0123456789abcdef0123456789abcdef01234567","force":true}'),
        raw("DELETE", r + "/git/refs/coordination/46e71ff2"),
        raw("POST", r + "/git/commits", '{"message":"holder:linux-x64","tree":"4b825dc642cb6eb9a060e54bf8d69288fbee4904","parents":[]}'),
        raw("GET", r + "/git/commits/4b825dc642cb6eb9a060e54bf8d69288fbee4904"),
        raw("POST", r + "/git/commits", '{"message":"m","tree":"x"}'),
        raw("PUT", r + "/contents/locks/x", '{"message":"lock","content":"bGludXgteDY0"}'),
        raw("PUT", r + "/contents/locks/x", '{"message":"lock","content":"bGludXgteDY0"}'),
        raw("GET", r + "/contents/locks/x"),
        raw("POST", r + "/labels", '{"name":"lock","color":"ff0000"}'),
        raw("POST", r + "/labels", '{"name":"lock"}'),
        raw("GET", r + "/labels"),
        raw("GET", "/rate_limit"),
        raw("GET", "/repos/a/b", extra=["Authorization: Bearer curl-test-token-42"]),
        raw("GET", "/no/such/route"),
        raw("POST", "/repos/a/b/issues", '{"title":'),
        raw("POST", "/repos/a/b/issues", '{"body":"x"}'),
        raw("GET", "/repos/a/b/issues?state=maybe"),
        raw("GET", r + "/issues?since=2025-12-03T00:00:00Z&sort=updated&direction=asc"),
        raw("GET", "/user"),
    ]
    for i, req in enumerate(flow):
        w.add("http", req, f"curl-{i:02d}")
    w.add("http", SEP.encode().join(flow), "curl-flow")
    w.add("http", SEP.encode().join(flow[1:9]), "curl-issues")
    w.add("http", SEP.encode().join(flow[11:19]), "curl-refs-contents")
    chunked = (b"POST /api/v3/repos/acme/widgets/issues HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n"
               b"\r\n10\r\n{\"title\":\"chunk\"\r\n1\r\n}\r\n0\r\n\r\n")
    w.add("http", chunked, "chunked")
    w.add("http", b"GET /repos/acme/widgets/issues HTTP/1.0\r\n\r\n", "http10-no-api-prefix")


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)


def merges(w, coordsim, tmp):
    specs = [
        (["--vary", "agent.post_create_wait_s=0:2:1"], 2),
        (["--vary", "agent.post_create_wait_s=0,5", "--vary", "agent.find_attempts=1,3"], 3),
        (["--vary", "agent.strategy=seed,seed-lowest,ref-lock"], 1),
    ]
    for i, (vary, n) in enumerate(specs):
        parts = []
        for k in range(1, n + 1):
            out = tmp / f"sweep{i}-{k}.json"
            shard = ["--shard", f"{k}/{n}"] if n > 1 else []
            run([coordsim, "sweep", str(ROOT / "scenarios/seed-reproduction.json"), *vary, "--trials", "50", *shard, "--json", str(out)])
            parts.append(out.read_bytes().strip())
        w.add("merge", SEP.encode().join(parts), f"sweep{i}-all")
        if n > 1:
            w.add("merge", SEP.encode().join(reversed(parts)), f"sweep{i}-reversed")
            w.add("merge", parts[0], f"sweep{i}-first-only")


def serve_state(w, coordsim, tmp):
    state = tmp / "state.json"
    p = subprocess.Popen([coordsim, "serve", str(ROOT / "tests/data/serve-test.json"), "--port", "0",
                          "--state", str(state)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = p.stdout.readline()
        url = re.search(r"listening on (\S+)", line).group(1)
        def call(method, path, body=None):
            data = json.dumps(body).encode() if body is not None else None
            req = urllib.request.Request(url + path, data=data, method=method)
            try:
                urllib.request.urlopen(req, timeout=10).read()
            except urllib.error.HTTPError:
                pass
        r = "/repos/acme/widgets"
        call("POST", r + "/issues", {"title": "Build failure on linux-x64", "body": "log", "labels": ["autonomous-coordination"]})
        call("POST", r + "/issues", {"title": "second", "labels": ["x", "Autonomous-Coordination"]})
        call("PATCH", r + "/issues/1", {"state": "closed", "title": "u", "labels": []})
        call("POST", r + "/issues/2/comments", {"body": "analysis done"})
        call("POST", r + "/git/refs", {"ref": "refs/coordination/46e71ff2", "sha": "46e71ff2c1d3b5a79e0f4c6d8b2a1e3f5c7d9b0a"})
        call("PATCH", r + "/git/refs/coordination/46e71ff2", {"sha": "0123456789abcdef0123456789abcdef01234567", "force": True})
        call("POST", r + "/git/refs", {"ref": "refs/heads/gone", "sha": "46e71ff2c1d3b5a79e0f4c6d8b2a1e3f5c7d9b0a"})
        call("DELETE", r + "/git/refs/heads/gone")
        call("POST", r + "/git/commits", {"message": "holder:linux-x64", "tree": "4b825dc642cb6eb9a060e54bf8d69288fbee4904", "parents": []})
        call("PUT", r + "/contents/locks/x", {"message": "lock", "content": "bGludXgteDY0"})
        call("POST", r + "/labels", {"name": "lock", "color": "ff0000", "description": "d"})
        call("POST", "/repos/other/repo/issues", {"title": "elsewhere"})
    finally:
        p.send_signal(signal.SIGINT)
        p.communicate(timeout=30)
    text = state.read_bytes()
    w.add("serve_state", text, "curl-flows")
    doc = json.loads(text)
    doc["repositories"] = doc["repositories"][:1]
    w.add("serve_state", json.dumps(doc, indent=1), "one-repository")
    w.add("serve_state", json.dumps({"format": "coordsim-serve-state", "version": 1, "clock_us": 0,
                                     "unix_epoch_us": 0, "repositories": []}), "empty")


def dict_entry(token):
    out = []
    for b in token.encode():
        out.append("\\\\" if b == 0x5C else '\\"' if b == 0x22 else chr(b) if 0x20 <= b < 0x7F else "\\x%02X" % b)
    return '"' + "".join(out) + '"'


def json_keys(doc, out):
    if isinstance(doc, dict):
        for k, v in doc.items():
            out.add(k)
            json_keys(v, out)
    elif isinstance(doc, list):
        for v in doc:
            json_keys(v, out)
    elif isinstance(doc, str) and len(doc) < 40:
        out.add(doc)


def dictionaries(w):
    schema = json.loads((ROOT / "scenarios/scenario.schema.json").read_text())
    schema_words = set()
    json_keys(schema, schema_words)
    metrics = set(re.findall(r'\{"([a-z_]+)", "', (ROOT / "sim/engine/trial_metrics.cpp").read_text()))
    json_tokens = {"{", "}", "[", "]", ":", ",", "true", "false", "null", '""', "0", "-1", "0.5", "1e400", "-1e400",
                   "1e308", "4.9e-324", "9223372036854775807", "18446744073709551616", "-9223372036854775809",
                   "NaN", "Infinity", "\\u0000", "\\ud800", '"dist"', '"constant"', '"uniform"', '"lognormal"'}
    words = {
        "scenario": json_tokens | {f'"{k}"' for k in schema_words},
        "set": json_tokens | schema_words | {"=", ".", "/", "-", "~0", "~1", ".0", ".-"},
        "vary": json_tokens | schema_words | {"=", ":", ",", "0:10:1", "1e308", "-0"},
        "where": metrics | {"&&", "||", "!", "(", ")", "<", "<=", ">", ">=", "==", "!=", "+", "-", "*", "/", "1e308", ".5"},
        "merge": set(json_tokens),
        "serve_state": set(json_tokens),
        "http": {"GET ", "POST ", "PATCH ", "PUT ", "DELETE ", "HEAD ", " HTTP/1.1\r\n", " HTTP/1.0\r\n", "\r\n",
                 "\r\n\r\n", "Host: ", "Authorization: token ", "Authorization: Bearer ", "Content-Length: ",
                 "Transfer-Encoding: chunked\r\n", "Content-Type: application/json\r\n", "/api/v3", "/repos/",
                 "/issues", "/comments", "/labels", "/git/refs", "/git/ref/", "/contents/", "/search/issues?q=",
                 "/rate_limit", "?", "&", "=", "%", "%00", "+", "state=", "labels=", "per_page=", "page=", "sort=",
                 "direction=", "since=", "is:issue", "label:", "in:title", "repo:"} | json_tokens,
    }
    for target, tokens in words.items():
        corpus = ROOT / "tests/fuzz/regression" / target
        if target in ("merge", "serve_state", "http") and corpus.is_dir():
            for f in sorted(corpus.iterdir()):
                for part in f.read_bytes().split(SEP.encode()):
                    body = part.split(b"\r\n\r\n", 1)[-1] if target == "http" else part
                    try:
                        keys = set()
                        json_keys(json.loads(body), keys)
                        tokens |= {f'"{k}"' for k in keys}
                    except ValueError:
                        pass
        d = pathlib.Path(w.out)
        d.mkdir(parents=True, exist_ok=True)
        entries = sorted(dict_entry(t) for t in tokens if t and len(t) <= 64)
        (d / f"{target}.dict").write_text("\n".join(entries) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out")
    ap.add_argument("--coordsim", help="a coordsim binary, for the merge and serve_state seeds")
    a = ap.parse_args()
    w = Writer(a.out)
    scenarios(w)
    sets(w)
    varies(w)
    wheres(w)
    http(w)
    dictionaries(w)
    if a.coordsim:
        with tempfile.TemporaryDirectory(prefix="coordsim-seeds-") as tmp:
            merges(w, a.coordsim, pathlib.Path(tmp))
            serve_state(w, a.coordsim, pathlib.Path(tmp))
    for t in sorted(w.counts):
        print(f"{t}: {w.counts[t]} seeds", file=sys.stderr)


if __name__ == "__main__":
    main()
