#!/usr/bin/python3
"""PyGithub (Debian's python3-github, the reference system's client) against
`coordsim serve`: the flows the reference's coordination.py uses, the list lag
observed from a real client, errors in GitHub's shapes, and --state.

Usage: test_pygithub.py COORDSIM_BINARY SCENARIO_FILE
"""
import os
import subprocess
import sys
import tempfile
import time

from github import Github, GithubException
from github.GithubException import BadCredentialsException, UnknownObjectException

BIN, SCENARIO = sys.argv[1], sys.argv[2]
# Loopback only: a proxy from the environment must not see these requests.
for var in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
    os.environ.pop(var, None)
os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost"
TOKEN = "test-token-0123456789"
LAG = 1.0  # github.visibility_lag_s.list, set below; search lags 1 s in the scenario
LABEL = "autonomous-coordination"

failures = 0
passed = 0


def check(name, cond, detail=""):
    global failures, passed
    if cond:
        passed += 1
    else:
        failures += 1
        print(f"FAIL: {name} {detail}", file=sys.stderr)


def start(*extra):
    proc = subprocess.Popen(
        [BIN, "serve", SCENARIO, "--port", "0", "--token", TOKEN,
         "--set", f"github.visibility_lag_s.list={LAG}", *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    if "listening on " not in line:
        proc.kill()
        sys.exit(f"server did not start: {line!r} {proc.stderr.read()}")
    url = line.split("listening on ")[1].split()[0]
    return proc, url


def stop(proc):
    proc.terminate()
    try:
        return proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        return None


work = tempfile.mkdtemp()
state = os.path.join(work, "state.json")
proc, url = start("--state", state)
try:
    check("url has the /api/v3 base", url.startswith("http://127.0.0.1:") and url.endswith("/api/v3"), url)
    g = Github(base_url=url, login_or_token=TOKEN, per_page=5)
    repo = g.get_repo("acme/widgets")
    check("get_repo full_name", repo.full_name == "acme/widgets", repo.full_name)
    check("get_repo owner", repo.owner.login == "acme")

    label = repo.create_label(LABEL, "d73a4a", "coordination locks")
    check("create_label", label.name == LABEL and label.color == "d73a4a")
    try:
        repo.create_label(LABEL, "d73a4a")
        check("duplicate label is 422", False)
    except GithubException as e:
        check("duplicate label is 422", e.status == 422 and e.data["errors"][0]["code"] == "already_exists", e.data)

    # The list lag, from a real client: absent before it, present after it.
    # Retried if the machine was so slow that the list left after the lag.
    for attempt in range(3):
        t0 = time.monotonic()
        issue = repo.create_issue(title=f"Build failure lag-probe {attempt}", body="probe", labels=[LABEL])
        numbers = [i.number for i in repo.get_issues(state="open", labels=[label])]
        if time.monotonic() - t0 < LAG * 0.8:
            break
    check("new issue absent from get_issues before the list lag", issue.number not in numbers, numbers)
    check("get_issue sees it at once (get lag 0)", repo.get_issue(issue.number).title == issue.title)
    time.sleep(LAG + 0.2)
    numbers = [i.number for i in repo.get_issues(state="open", labels=[label])]
    check("new issue present in get_issues after the list lag", issue.number in numbers, numbers)

    # Many issues: numbers unique and increasing; listing crosses pages (per_page=5).
    created = [repo.create_issue(title=f"Build failure {k} on linux-x64", body=f"log {k}",
                                 labels=[LABEL, f"flavor-{k % 3}"]).number for k in range(12)]
    check("issue numbers strictly increase", created == sorted(set(created)) and created[0] > issue.number, created)
    first = repo.get_issue(created[0])
    check("issue fields", first.state == "open" and first.body == "log 0" and first.user.login == "coordsim"
          and sorted(l.name for l in first.labels) == sorted([LABEL, "flavor-0"])
          and first.created_at is not None and first.html_url.endswith(f"/acme/widgets/issues/{created[0]}"))
    time.sleep(LAG + 0.2)
    listed = [i.number for i in repo.get_issues(state="open", labels=[label])]
    expected = sorted(created + [i for i in numbers], reverse=True)
    check("get_issues across pages: all, newest first", listed == expected, (listed, expected))
    listed = [i.number for i in repo.get_issues(state="open", labels=[LABEL, "flavor-1"])]
    check("labels filter is AND", listed == sorted([n for k, n in enumerate(created) if k % 3 == 1], reverse=True), listed)
    asc = [i.number for i in repo.get_issues(state="all", sort="created", direction="asc")]
    check("direction=asc", asc == sorted(asc) and len(asc) == len(expected), asc)

    # Close one; the open list drops it after the lag, the closed list shows it.
    target = repo.get_issue(created[1])
    target.edit(state="closed")
    check("edit(state=closed) response", target.state == "closed" and target.closed_at is not None)
    check("get_issue shows closed", repo.get_issue(created[1]).state == "closed")
    time.sleep(LAG + 0.2)
    check("closed issue left the open list", created[1] not in [i.number for i in repo.get_issues(state="open")])
    check("closed list has it", created[1] in [i.number for i in repo.get_issues(state="closed")])
    target.edit(title="renamed", labels=["flavor-9"])
    again = repo.get_issue(created[1])
    check("edit title and labels", again.title == "renamed" and [l.name for l in again.labels] == ["flavor-9"])

    comment = target.create_comment("Analysis: flaky linker")
    check("create_comment", comment.body == "Analysis: flaky linker" and comment.id > 0)
    check("get_comments", [c.body for c in repo.get_issue(created[1]).get_comments()] == ["Analysis: flaky linker"])
    check("comments count", repo.get_issue(created[1]).comments == 1)

    # Search: the qualifiers the coordination query uses; its own (1 s) lag.
    fresh = repo.create_issue(title="Searchable needle", labels=[LABEL]).number
    q = f"repo:acme/widgets is:issue is:open label:{LABEL} in:title needle"
    check("search: absent before the search lag", fresh not in [i.number for i in g.search_issues(q)])
    time.sleep(1.2)
    hits = g.search_issues(q)
    check("search: present after the search lag", [i.number for i in hits] == [fresh] and hits.totalCount == 1,
          [i.number for i in hits])
    all_open = g.search_issues("", repo="acme/widgets", label=LABEL, state="open")
    check("search across pages", len(list(all_open)) == all_open.totalCount and all_open.totalCount >= 13,
          all_open.totalCount)
    closed_hits = [i.number for i in g.search_issues(f"repo:acme/widgets is:closed")]
    check("search is:closed", closed_hits == [created[1]], closed_hits)

    # Create-if-absent primitives.
    sha = "46e71ff2c1d3b5a79e0f4c6d8b2a1e3f5c7d9b0a"
    ref = repo.create_git_ref("refs/coordination/46e71ff2", sha)
    check("create_git_ref", ref.ref == "refs/coordination/46e71ff2" and ref.object.sha == sha)
    try:
        repo.create_git_ref("refs/coordination/46e71ff2", sha)
        check("second create_git_ref is 422", False)
    except GithubException as e:
        check("second create_git_ref is 422", e.status == 422 and e.data["message"] == "Reference already exists")
    check("get_git_ref", repo.get_git_ref("coordination/46e71ff2").object.sha == sha)
    ref.edit("0" * 40, force=True)
    check("ref edit force", repo.get_git_ref("coordination/46e71ff2").object.sha == "0" * 40)
    ref.delete()
    try:
        repo.get_git_ref("coordination/46e71ff2")
        check("deleted ref is 404", False)
    except UnknownObjectException:
        check("deleted ref is 404", True)

    res = repo.create_file("locks/46e71ff2", "take the lock", "linux-x64")
    check("create_file", res["content"].path == "locks/46e71ff2")
    try:
        repo.create_file("locks/46e71ff2", "take the lock", "windows")
        check("create_file on an existing path is 422", False)
    except GithubException as e:
        check("create_file on an existing path is 422", e.status == 422)
    check("get_contents", repo.get_contents("locks/46e71ff2").decoded_content == b"linux-x64")

    # Errors in GitHub's shapes.
    try:
        repo.get_issue(99999)
        check("missing issue is 404", False)
    except UnknownObjectException as e:
        check("missing issue is 404", e.status == 404 and e.data["message"] == "Not Found")
    try:
        repo.create_issue(title="")
        check("empty title is 422", False)
    except GithubException as e:
        check("empty title is 422", e.status == 422 and e.data["message"] == "Validation Failed")
    try:
        Github(base_url=url, login_or_token="wrong").get_repo("acme/widgets")
        check("wrong token is 401", False)
    except BadCredentialsException as e:
        check("wrong token is 401", e.status == 401 and e.data["message"] == "Bad credentials")
    rl = g.get_rate_limit()
    check("rate limit", rl.core.limit == 5000 and 0 < rl.core.remaining < 5000, (rl.core.limit, rl.core.remaining))
finally:
    rc = stop(proc)
    err = proc.stderr.read()
check("SIGTERM stops cleanly", rc == 0, (rc, err))
check("token never logged", TOKEN not in err)

# --state: saved atomically on shutdown, loaded on start.
check("state file written", os.path.exists(state))
proc, url = start("--state", state)
try:
    g = Github(base_url=url, login_or_token=TOKEN)
    repo = g.get_repo("acme/widgets")
    check("state reloaded: issue", repo.get_issue(created[1]).title == "renamed")
    check("state reloaded: comment", [c.body for c in repo.get_issue(created[1]).get_comments()] ==
          ["Analysis: flaky linker"])
    n = repo.create_issue(title="after reload").number
    check("state reloaded: numbering continues", n == fresh + 1, (n, fresh))
finally:
    check("second stop", stop(proc) == 0)

print(f"{passed} passed, {failures} failed")
sys.exit(1 if failures else 0)
