#!/usr/bin/python3
"""PyGithub (Debian's python3-github) against `coordsim serve`, beyond the
reference's flows (test_pygithub.py): pagination over 130 issues, an issue's
labels (add_to_labels sends a bare array), comments by id and the repository's
comments, events, ref listings, blobs, contents (directory, update, delete),
conditional requests (update() with the ETag), state_reason, the rate limit,
and the exceptions PyGithub raises for 422, 404, 401 and a 403 rate limit.

Usage: test_pygithub_compat.py COORDSIM_BINARY SCENARIO_FILE
"""
import base64
import os
import subprocess
import sys
import tempfile

from github import Github, GithubException
from github.GithubException import (BadCredentialsException, RateLimitExceededException,
                                    UnknownObjectException)

BIN, SCENARIO = sys.argv[1], sys.argv[2]
for var in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
    os.environ.pop(var, None)
os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost"
TOKEN = "pygithub-compat-token-0123"

failures = 0
passed = 0


def check(name, cond, detail=""):
    global failures, passed
    if cond:
        passed += 1
    else:
        failures += 1
        print(f"FAIL: {name} {detail}", file=sys.stderr)


def raises(name, exc_type, fn, status=None):
    try:
        fn()
        check(name, False, "no exception")
        return None
    except exc_type as e:
        check(name, status is None or e.status == status, (e.status, e.data))
        return e


def start(*extra, token_args=("--token", TOKEN)):
    proc = subprocess.Popen(
        [BIN, "serve", SCENARIO, "--port", "0", *token_args,
         "--set", "github.visibility_lag_s.list=0", "--set", "github.visibility_lag_s.search=0", *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    if "listening on " not in line:
        proc.kill()
        sys.exit(f"server did not start: {line!r} {proc.stderr.read()}")
    return proc, line.split("listening on ")[1].split()[0]


def stop(proc):
    proc.terminate()
    try:
        return proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        return None


work = tempfile.mkdtemp()
proc, url = start()
try:
    g = Github(base_url=url, login_or_token=TOKEN, per_page=30)
    repo = g.get_repo("acme/widgets")

    # Pagination over 130 issues: PaginatedList follows the Link header.
    paged = g.get_repo("acme/paged")
    made = [paged.create_issue(title=f"issue {k}", labels=["bulk"]).number for k in range(130)]
    listed = [i.number for i in paged.get_issues(state="all", labels=[paged.get_label("bulk")])]
    check("get_issues over 130 items, 5 pages", listed == sorted(made, reverse=True), (len(listed), listed[:3]))
    check("totalCount over pages", paged.get_issues(state="open").totalCount == 130)
    hits = g.search_issues("label:bulk", repo="acme/paged")
    check("search over 130 items", hits.totalCount == 130 and len(list(hits)) == 130, hits.totalCount)

    # An issue's labels: add_to_labels and set_labels send a bare JSON array.
    issue = repo.create_issue(title="labelled", labels=["a"])
    issue.add_to_labels("b", "c")
    check("add_to_labels", [l.name for l in issue.get_labels()] == ["a", "b", "c"],
          [l.name for l in issue.get_labels()])
    issue.remove_from_labels("b")
    check("remove_from_labels", [l.name for l in repo.get_issue(issue.number).labels] == ["a", "c"])
    raises("remove_from_labels of an absent label is 404", GithubException,
           lambda: issue.remove_from_labels("b"), 404)
    issue.set_labels("z")
    check("set_labels", [l.name for l in repo.get_issue(issue.number).labels] == ["z"])
    issue.delete_labels()
    check("delete_labels", repo.get_issue(issue.number).labels == [])
    kinds = [e.event for e in issue.get_events()]
    check("get_events", kinds.count("labeled") == 4 and kinds.count("unlabeled") == 4, kinds)

    # Repository labels.
    label = repo.create_label("flavor-linux", "d73a4a", "linux builds")
    check("create_label / get_label", repo.get_label("flavor-linux").description == "linux builds")
    e = raises("duplicate label is 422", GithubException, lambda: repo.create_label("FLAVOR-LINUX", "d73a4a"), 422)
    check("duplicate label: already_exists", e is not None and e.data["errors"][0]["code"] == "already_exists")
    check("get_labels", "flavor-linux" in [l.name for l in repo.get_labels()])

    # Comments: by id, edited, deleted, and the repository's list.
    c1 = issue.create_comment("first")
    c2 = issue.create_comment("second")
    check("get_comment by id", issue.get_comment(c1.id).body == "first")
    c1.edit("first, edited")
    check("edit comment", issue.get_comment(c1.id).body == "first, edited")
    c2.delete()
    raises("deleted comment is 404", UnknownObjectException, lambda: issue.get_comment(c2.id), 404)
    check("get_comments after delete", [c.body for c in issue.get_comments()] == ["first, edited"])
    check("repo.get_issues_comments", [c.id for c in repo.get_issues_comments()] == [c1.id])
    check("comment count", repo.get_issue(issue.number).comments == 1)

    # state_reason and conditional requests (update() sends the ETag: False when unchanged).
    polled = repo.get_issue(issue.number)
    check("update() unchanged: 304", polled.update() is False)
    check("etag and last_modified", polled.etag is not None and polled.last_modified is not None)
    before = g.get_rate_limit().core.remaining
    for _ in range(5):
        polled.update()
    check("304s are not counted", g.get_rate_limit().core.remaining == before, (before,))
    # PyGithub 1.55's edit() has no state_reason: through its requester, as its users do.
    repo._requester.requestJsonAndCheck("PATCH", polled.url, input={"state": "closed", "state_reason": "not_planned"})
    check("state_reason not_planned kept", repo.get_issue(issue.number).raw_data["state_reason"] == "not_planned")
    stale = repo.get_issue(issue.number)
    repo.get_issue(issue.number).edit(title="renamed")
    check("update() after a change: 200", stale.update() is True and stale.title == "renamed")

    # Refs: create, get, update, listings, delete.
    sha = "46e71ff2c1d3b5a79e0f4c6d8b2a1e3f5c7d9b0a"
    repo.create_git_ref("refs/heads/lock", sha)
    repo.create_git_ref("refs/heads/lock-2", sha)
    repo.create_git_ref("refs/tags/v1", sha)
    check("get_git_ref", repo.get_git_ref("heads/lock").object.sha == sha)
    check("get_git_refs", [r.ref for r in repo.get_git_refs()] == ["refs/heads/lock", "refs/heads/lock-2",
                                                                   "refs/tags/v1"])
    check("get_git_matching_refs", [r.ref for r in repo.get_git_matching_refs("heads/lock")] ==
          ["refs/heads/lock", "refs/heads/lock-2"])
    ref = repo.get_git_ref("heads/lock")
    ref.edit("1" * 40, force=True)
    check("ref edit", repo.get_git_ref("heads/lock").object.sha == "1" * 40)
    ref.delete()
    raises("deleted ref is 404", UnknownObjectException, lambda: repo.get_git_ref("heads/lock"), 404)
    e = raises("second create_git_ref is 422", GithubException,
               lambda: repo.create_git_ref("refs/heads/lock-2", sha), 422)

    # Blobs.
    blob = repo.create_git_blob("hello\n", "utf-8")
    check("create_git_blob: git's sha", blob.sha == "ce013625030ba8dba906f756967f9e9ca394464a", blob.sha)
    check("get_git_blob", base64.b64decode(repo.get_git_blob(blob.sha).content) == b"hello\n")

    # Commits: what `coordsim agent`'s ref-lock points its lock at (the empty tree, no parents).
    empty_tree = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
    _, made_commit = repo._requester.requestJsonAndCheck(
        "POST", repo.url + "/git/commits", input={"message": "holder:linux\n\nlock", "tree": empty_tree, "parents": []})
    commit = repo.get_git_commit(made_commit["sha"])
    check("get_git_commit", commit.message == "holder:linux\n\nlock" and commit.tree.sha == empty_tree
          and commit.parents == [] and commit.author.name == "coordsim serve", commit.raw_data)
    child = repo.create_git_commit("child", commit.tree, [commit])
    check("create_git_commit with a parent", [p.sha for p in child.parents] == [commit.sha], child.raw_data)
    repo.create_git_ref("refs/coordination/lock-commit", commit.sha)
    check("a ref at a commit", repo.get_git_ref("coordination/lock-commit").object.type == "commit")
    raises("create_git_ref at a non-sha is 422", GithubException,
           lambda: repo.create_git_ref("refs/coordination/bad", "holder:linux"), 422)

    # Contents: a file, a directory, update with sha, delete.
    made = repo.create_file("locks/46e71ff2", "take the lock", "linux-x64")
    repo.create_file("locks/other", "m", "windows")
    listing = repo.get_contents("locks")
    check("get_contents of a directory", isinstance(listing, list) and
          [(c.name, c.type) for c in listing] == [("46e71ff2", "file"), ("other", "file")],
          listing)
    root = repo.get_contents("")
    check("get_contents of the root", any(c.name == "locks" and c.type == "dir" for c in root))
    updated = repo.update_file("locks/46e71ff2", "move", "mac", made["content"].sha)
    check("update_file", repo.get_contents("locks/46e71ff2").decoded_content == b"mac")
    raises("update_file with a stale sha is 409", GithubException,
           lambda: repo.update_file("locks/46e71ff2", "m", "x", made["content"].sha), 409)
    repo.delete_file("locks/46e71ff2", "release", updated["content"].sha)
    raises("deleted file is 404", UnknownObjectException, lambda: repo.get_contents("locks/46e71ff2"), 404)
    check("directory after the delete", [c.name for c in repo.get_contents("locks")] == ["other"])

    # Errors.
    raises("missing issue is UnknownObjectException", UnknownObjectException, lambda: repo.get_issue(99999), 404)
    raises("empty title is 422", GithubException, lambda: repo.create_issue(title=""), 422)
    raises("title over 256 characters is 422", GithubException, lambda: repo.create_issue(title="é" * 257), 422)
    check("title of 256 two-byte characters", repo.create_issue(title="é" * 256).title == "é" * 256)
    raises("wrong token is BadCredentialsException", BadCredentialsException,
           lambda: Github(base_url=url, login_or_token="wrong").get_repo("acme/widgets"), 401)
    rl = g.get_rate_limit()
    check("rate limit", rl.core.limit == 5000 and 0 < rl.core.remaining < 5000 and rl.search.limit == 30,
          (rl.core.limit, rl.core.remaining))
finally:
    rc = stop(proc)
    err = proc.stderr.read()
check("SIGTERM stops cleanly", rc == 0, (rc, err))
check("token never logged", TOKEN not in err)

# A spent budget: RateLimitExceededException (403).
proc, url = start("--rate-limit", "3")
try:
    g = Github(base_url=url, login_or_token=TOKEN)
    e = raises("spent budget is RateLimitExceededException", RateLimitExceededException,
               lambda: [g.get_repo("acme/widgets") for _ in range(4)], 403)
    check("rate limit message", e is not None and "API rate limit exceeded" in e.data["message"])
finally:
    stop(proc)

# --token-file with a trailing newline and spaces: trimmed, so clients get in.
token_file = os.path.join(work, "token")
with open(token_file, "w") as f:
    f.write(f"  {TOKEN} \n")
proc, url = start(token_args=("--token-file", token_file))
try:
    check("--token-file is trimmed", Github(base_url=url, login_or_token=TOKEN).get_user().login == "coordsim")
finally:
    stop(proc)

print(f"{passed} passed, {failures} failed")
sys.exit(1 if failures else 0)
