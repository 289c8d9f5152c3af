// Octokit (@octokit/rest, installed here by scripts/setup.sh --test) against
// `coordsim serve`: issues, comments, labels of the repository and of an issue,
// search, pagination over 130 issues, refs (create, get, update, delete,
// matching, with Octokit's encoded slash), blobs, contents (file, directory,
// raw, delete), events, the rate limit, conditional requests, and the errors
// Octokit raises (422, 404, 401, 403 rate limit).
//
// Run by test_octokit.sh: node --test test_octokit.mjs, with COORDSIM_BIN and
// COORDSIM_SCENARIO in the environment.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";

import { Octokit } from "@octokit/rest";

const BIN = process.env.COORDSIM_BIN;
const SCENARIO = process.env.COORDSIM_SCENARIO;
const TOKEN = "octokit-test-token-0123";
const owner = "acme";
const repo = "widgets";

// Starts a server on a free port; resolves to {proc, url} once it prints its URL.
function startServer(...extra) {
  return new Promise((resolve, reject) => {
    const proc = spawn(BIN, ["serve", SCENARIO, "--port", "0", "--token", TOKEN, ...extra], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    proc.stderr.on("data", (d) => (stderr += d));
    proc.on("error", reject);
    proc.on("exit", (code) => reject(new Error(`server exited ${code} before listening: ${stderr}`)));
    createInterface({ input: proc.stdout }).once("line", (line) => {
      const m = /listening on (\S+)/.exec(line);
      if (!m) reject(new Error(`unexpected first line: ${line}`));
      else resolve({ proc, url: m[1], stderr: () => stderr });
    });
  });
}

function stopServer(server) {
  return new Promise((resolve) => {
    server.proc.removeAllListeners("exit");
    server.proc.once("exit", (code) => resolve(code));
    server.proc.kill("SIGTERM");
  });
}

// Octokit raises RequestError for every status >= 300 (304 included).
async function statusOf(promise) {
  try {
    await promise;
    return 200;
  } catch (e) {
    if (typeof e.status !== "number") throw e;
    return e.status;
  }
}

let server;
let octokit;

before(async () => {
  assert.ok(BIN && SCENARIO, "COORDSIM_BIN and COORDSIM_SCENARIO must be set");
  // Lags 0 on every read path: each step reads its own writes.
  server = await startServer(
    "--set", "github.visibility_lag_s.list=0", "--set", "github.visibility_lag_s.search=0");
  octokit = new Octokit({ baseUrl: server.url, auth: TOKEN, log: { debug() {}, info() {}, warn() {}, error() {} } });
});

after(async () => {
  if (!server) return;
  const code = await stopServer(server);
  assert.equal(code, 0, "SIGTERM stops the server cleanly");
  assert.ok(!server.stderr().includes(TOKEN), "the token is never logged");
});

describe("octokit against coordsim serve", () => {
  test("the API root and the user", async () => {
    const root = await octokit.request("GET /");
    assert.equal(root.data.current_user_url, `${server.url}/user`);
    assert.match(root.headers["x-oauth-scopes"], /repo/);
    const { data: me } = await octokit.rest.users.getAuthenticated();
    assert.equal(me.login, "coordsim");
  });

  test("issues: create, get, update with state_reason, and a 422 for an empty title", async () => {
    const { data: created, status } = await octokit.rest.issues.create({
      owner, repo, title: "Build failure on linux-x64", body: "log", labels: ["autonomous-coordination"],
    });
    assert.equal(status, 201);
    assert.equal(created.state, "open");
    assert.deepEqual(created.labels.map((l) => l.name), ["autonomous-coordination"]);
    const { data: got } = await octokit.rest.issues.get({ owner, repo, issue_number: created.number });
    assert.equal(got.title, "Build failure on linux-x64");
    assert.equal(got.body, "log");
    const { data: closed } = await octokit.rest.issues.update({
      owner, repo, issue_number: created.number, state: "closed", state_reason: "not_planned",
    });
    assert.equal(closed.state, "closed");
    assert.equal(closed.state_reason, "not_planned");
    const err = await octokit.rest.issues.create({ owner, repo, title: "" }).catch((e) => e);
    assert.equal(err.status, 422);
    assert.equal(err.response.data.message, "Validation Failed");
    assert.equal(err.response.data.errors[0].field, "title");
  });

  test("404 for a missing issue, in GitHub's shape", async () => {
    const err = await octokit.rest.issues.get({ owner, repo, issue_number: 99999 }).catch((e) => e);
    assert.equal(err.status, 404);
    assert.equal(err.response.data.message, "Not Found");
  });

  test("pagination over 130 issues: paginate follows the Link header", async () => {
    const r = "paged";
    const numbers = [];
    for (let k = 0; k < 130; k++) {
      const { data } = await octokit.rest.issues.create({ owner, repo: r, title: `issue ${k}`, labels: ["bulk"] });
      numbers.push(data.number);
    }
    const first = await octokit.rest.issues.listForRepo({ owner, repo: r, per_page: 100 });
    assert.equal(first.data.length, 100);
    assert.match(first.headers.link, /rel="next"/);
    const all = await octokit.paginate(octokit.rest.issues.listForRepo, {
      owner, repo: r, per_page: 30, state: "all", labels: "bulk",
    });
    assert.equal(all.length, 130);
    assert.deepEqual(all.map((i) => i.number), [...numbers].reverse(), "newest first, each once");
    const asc = await octokit.paginate(octokit.rest.issues.listForRepo, {
      owner, repo: r, per_page: 100, direction: "asc",
    });
    assert.deepEqual(asc.map((i) => i.number), numbers);
  });

  test("comments: create, list, get, update, delete, and the repository's list", async () => {
    const { data: issue } = await octokit.rest.issues.create({ owner, repo, title: "commented" });
    const n = issue.number;
    const { data: c1 } = await octokit.rest.issues.createComment({ owner, repo, issue_number: n, body: "first" });
    const { data: c2 } = await octokit.rest.issues.createComment({ owner, repo, issue_number: n, body: "second" });
    const { data: listed } = await octokit.rest.issues.listComments({ owner, repo, issue_number: n });
    assert.deepEqual(listed.map((c) => c.body), ["first", "second"]);
    const { data: one } = await octokit.rest.issues.getComment({ owner, repo, comment_id: c1.id });
    assert.equal(one.body, "first");
    const { data: edited } = await octokit.rest.issues.updateComment({
      owner, repo, comment_id: c1.id, body: "first, edited",
    });
    assert.equal(edited.body, "first, edited");
    const del = await octokit.rest.issues.deleteComment({ owner, repo, comment_id: c2.id });
    assert.equal(del.status, 204);
    assert.equal(await statusOf(octokit.rest.issues.getComment({ owner, repo, comment_id: c2.id })), 404);
    const { data: all } = await octokit.rest.issues.listCommentsForRepo({ owner, repo });
    assert.ok(all.some((c) => c.id === c1.id && c.body === "first, edited"));
    assert.ok(!all.some((c) => c.id === c2.id));
    const { data: after } = await octokit.rest.issues.get({ owner, repo, issue_number: n });
    assert.equal(after.comments, 1);
  });

  test("repository labels: create, get, list, and 422 already_exists", async () => {
    const { data: label, status } = await octokit.rest.issues.createLabel({
      owner, repo, name: "flavor-linux", color: "d73a4a", description: "linux builds",
    });
    assert.equal(status, 201);
    assert.equal(label.color, "d73a4a");
    const { data: got } = await octokit.rest.issues.getLabel({ owner, repo, name: "flavor-linux" });
    assert.equal(got.description, "linux builds");
    const all = await octokit.paginate(octokit.rest.issues.listLabelsForRepo, { owner, repo, per_page: 1 });
    assert.ok(all.some((l) => l.name === "flavor-linux"));
    const err = await octokit.rest.issues.createLabel({ owner, repo, name: "FLAVOR-linux" }).catch((e) => e);
    assert.equal(err.status, 422);
    assert.equal(err.response.data.errors[0].code, "already_exists");
  });

  test("an issue's labels: add, list, set, remove one, remove all; events", async () => {
    const { data: issue } = await octokit.rest.issues.create({ owner, repo, title: "labelled", labels: ["a"] });
    const n = issue.number;
    const { data: added } = await octokit.rest.issues.addLabels({ owner, repo, issue_number: n, labels: ["b", "c"] });
    assert.deepEqual(added.map((l) => l.name), ["a", "b", "c"]);
    const { data: listed } = await octokit.rest.issues.listLabelsOnIssue({ owner, repo, issue_number: n });
    assert.deepEqual(listed.map((l) => l.name), ["a", "b", "c"]);
    const { data: removed } = await octokit.rest.issues.removeLabel({ owner, repo, issue_number: n, name: "b" });
    assert.deepEqual(removed.map((l) => l.name), ["a", "c"]);
    assert.equal(await statusOf(octokit.rest.issues.removeLabel({ owner, repo, issue_number: n, name: "b" })), 404);
    const { data: set } = await octokit.rest.issues.setLabels({ owner, repo, issue_number: n, labels: ["z"] });
    assert.deepEqual(set.map((l) => l.name), ["z"]);
    const none = await octokit.rest.issues.removeAllLabels({ owner, repo, issue_number: n });
    assert.equal(none.status, 204);
    const { data: now } = await octokit.rest.issues.get({ owner, repo, issue_number: n });
    assert.deepEqual(now.labels, []);
    const { data: events } = await octokit.rest.issues.listEvents({ owner, repo, issue_number: n });
    assert.ok(events.filter((e) => e.event === "labeled").length >= 3);
    assert.ok(events.some((e) => e.event === "unlabeled" && e.label.name === "b"));
  });

  test("search: qualifiers the coordination query uses, across pages", async () => {
    const { data: fresh } = await octokit.rest.issues.create({
      owner, repo, title: "Searchable needle", labels: ["autonomous-coordination"],
    });
    const q = `repo:${owner}/${repo} is:issue is:open label:autonomous-coordination in:title needle`;
    const { data } = await octokit.rest.search.issuesAndPullRequests({ q });
    assert.equal(data.total_count, 1);
    assert.equal(data.items[0].number, fresh.number);
    const hits = await octokit.paginate(octokit.rest.search.issuesAndPullRequests, {
      q: `repo:${owner}/paged label:bulk`, per_page: 50,
    });
    assert.equal(hits.length, 130);
  });

  test("refs: create, get and update with the encoded slash, matching, delete", async () => {
    const sha = "46e71ff2c1d3b5a79e0f4c6d8b2a1e3f5c7d9b0a";
    const { data: created, status } = await octokit.rest.git.createRef({ owner, repo, ref: "refs/heads/lock", sha });
    assert.equal(status, 201);
    assert.equal(created.ref, "refs/heads/lock");
    const again = await octokit.rest.git.createRef({ owner, repo, ref: "refs/heads/lock", sha }).catch((e) => e);
    assert.equal(again.status, 422);
    assert.equal(again.response.data.message, "Reference already exists");
    const { data: got } = await octokit.rest.git.getRef({ owner, repo, ref: "heads/lock" });
    assert.equal(got.object.sha, sha);
    const { data: moved } = await octokit.rest.git.updateRef({
      owner, repo, ref: "heads/lock", sha: "0".repeat(40), force: true,
    });
    assert.equal(moved.object.sha, "0".repeat(40));
    await octokit.rest.git.createRef({ owner, repo, ref: "refs/heads/lock-2", sha });
    const { data: matching } = await octokit.rest.git.listMatchingRefs({ owner, repo, ref: "heads/lock" });
    assert.deepEqual(matching.map((r) => r.ref), ["refs/heads/lock", "refs/heads/lock-2"]);
    const del = await octokit.rest.git.deleteRef({ owner, repo, ref: "heads/lock" });
    assert.equal(del.status, 204);
    assert.equal(await statusOf(octokit.rest.git.getRef({ owner, repo, ref: "heads/lock" })), 404);
  });

  test("blobs: content-addressed, git's sha", async () => {
    const { data: blob, status } = await octokit.rest.git.createBlob({ owner, repo, content: "hello\n" });
    assert.equal(status, 201);
    assert.equal(blob.sha, "ce013625030ba8dba906f756967f9e9ca394464a"); // git hash-object of "hello\n"
    const { data: got } = await octokit.rest.git.getBlob({ owner, repo, file_sha: blob.sha });
    assert.equal(Buffer.from(got.content, "base64").toString(), "hello\n");
  });

  test("contents: a file, a directory, raw, update with sha, delete", async () => {
    const b64 = (s) => Buffer.from(s).toString("base64");
    const { data: put, status } = await octokit.rest.repos.createOrUpdateFileContents({
      owner, repo, path: "locks/46e71ff2", message: "take the lock", content: b64("linux-x64"),
    });
    assert.equal(status, 201);
    await octokit.rest.repos.createOrUpdateFileContents({
      owner, repo, path: "locks/other", message: "m", content: b64("windows"),
    });
    const { data: file } = await octokit.rest.repos.getContent({ owner, repo, path: "locks/46e71ff2" });
    assert.equal(Buffer.from(file.content, "base64").toString(), "linux-x64");
    const { data: dir } = await octokit.rest.repos.getContent({ owner, repo, path: "locks" });
    assert.ok(Array.isArray(dir));
    assert.deepEqual(dir.map((e) => [e.name, e.type]), [["46e71ff2", "file"], ["other", "file"]]);
    const { data: root } = await octokit.rest.repos.getContent({ owner, repo, path: "" });
    assert.ok(root.some((e) => e.name === "locks" && e.type === "dir"));
    const raw = await octokit.rest.repos.getContent({ owner, repo, path: "locks/46e71ff2", mediaType: { format: "raw" } });
    assert.equal(raw.data, "linux-x64");
    const exists = await octokit.rest.repos.createOrUpdateFileContents({
      owner, repo, path: "locks/46e71ff2", message: "m", content: b64("windows"),
    }).catch((e) => e);
    assert.equal(exists.status, 422);
    const { data: updated } = await octokit.rest.repos.createOrUpdateFileContents({
      owner, repo, path: "locks/46e71ff2", message: "m", content: b64("mac"), sha: put.content.sha,
    });
    const del = await octokit.rest.repos.deleteFile({
      owner, repo, path: "locks/46e71ff2", message: "release", sha: updated.content.sha,
    });
    assert.equal(del.status, 200);
    assert.equal(del.data.content, null);
    assert.equal(await statusOf(octokit.rest.repos.getContent({ owner, repo, path: "locks/46e71ff2" })), 404);
  });

  test("conditional requests: an ETag replayed gets 304, which costs no budget", async () => {
    const { data: issue } = await octokit.rest.issues.create({ owner, repo, title: "polled" });
    const first = await octokit.rest.issues.get({ owner, repo, issue_number: issue.number });
    assert.ok(first.headers.etag);
    assert.ok(first.headers["last-modified"]);
    const remaining = Number(first.headers["x-ratelimit-remaining"]);
    const err = await octokit.rest.issues.get({
      owner, repo, issue_number: issue.number, headers: { "if-none-match": first.headers.etag },
    }).catch((e) => e);
    assert.equal(err.status, 304);
    assert.equal(Number(err.response.headers["x-ratelimit-remaining"]), remaining, "a 304 is free");
  });

  test("rate limit: the budget as it stands", async () => {
    const { data } = await octokit.rest.rateLimit.get();
    assert.equal(data.resources.core.limit, 5000);
    assert.ok(data.resources.core.remaining < 5000);
    assert.equal(data.resources.search.limit, 30);
  });

  test("401 for a wrong token, with rate-limit headers", async () => {
    const wrong = new Octokit({ baseUrl: server.url, auth: "wrong", log: octokit.log });
    const err = await wrong.rest.issues.get({ owner, repo, issue_number: 1 }).catch((e) => e);
    assert.equal(err.status, 401);
    assert.equal(err.response.data.message, "Bad credentials");
    assert.ok(err.response.headers["x-ratelimit-limit"]);
  });

  test("403 once the primary budget is spent", async () => {
    const limited = await startServer("--rate-limit", "3");
    try {
      const client = new Octokit({ baseUrl: limited.url, auth: TOKEN, log: octokit.log });
      for (let k = 0; k < 3; k++) await client.rest.issues.listForRepo({ owner, repo });
      const err = await client.rest.issues.listForRepo({ owner, repo }).catch((e) => e);
      assert.equal(err.status, 403);
      assert.match(err.response.data.message, /API rate limit exceeded/);
      assert.equal(err.response.headers["x-ratelimit-remaining"], "0");
      assert.ok(Number(err.response.headers["x-ratelimit-reset"]) > Date.now() / 1000);
    } finally {
      assert.equal(await stopServer(limited), 0);
    }
  });
});
