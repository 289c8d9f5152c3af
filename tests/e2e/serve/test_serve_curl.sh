#!/usr/bin/env bash
# `coordsim serve` with curl: the coordination flows, the list lag, GitHub's
# headers and errors, malformed and slow connections, TLS, --state, signals,
# and clear errors for bad command lines.
# Usage: test_serve_curl.sh COORDSIM_BINARY SOURCE_DIR
set -uo pipefail
bin=$1
src=$2
scen=$src/tests/data/serve-test.json
py=/usr/bin/python3
# Loopback only: a proxy from the environment must not see these requests.
export no_proxy=127.0.0.1,localhost NO_PROXY=127.0.0.1,localhost
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
work=$(mktemp -d)
server_pid=
cleanup() {
  [[ -n $server_pid ]] && kill "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
failures=0
pass=0
check() {  # check NAME COMMAND...
  local name=$1; shift
  if "$@"; then pass=$((pass + 1)); else echo "FAIL: $name" >&2; failures=$((failures + 1)); fi
}

# start_server ARGS...: starts coordsim serve on a free port; sets $url and $server_pid.
start_server() {
  "$bin" serve "$scen" --port 0 "$@" >"$work/out" 2>"$work/err" &
  server_pid=$!
  for _ in $(seq 100); do
    grep -q 'listening on' "$work/out" 2>/dev/null && break
    sleep 0.05
  done
  url=$(grep -o 'https\?://[^ ]*' "$work/out" | head -1)
  [[ -n $url ]] || { echo "server did not start: $(cat "$work/err")" >&2; exit 1; }
}
stop_server() {  # stop_server SIGNAL: returns the server's exit code
  kill -"$1" "$server_pid"
  wait "$server_pid"
  local rc=$?
  server_pid=
  return $rc
}

token=curl-test-token-42
auth=(-H "Authorization: token $token")
start_server --token "$token" --log-requests --idle-timeout 1 --state "$work/state.json"

# --- the coordination flows ------------------------------------------------
code=$(curl -s -o "$work/repo.json" -w '%{http_code}' "${auth[@]}" "$url/repos/acme/widgets")
check "GET repo 200" test "$code" = 200
check "repo full_name" grep -q '"full_name":"acme/widgets"' "$work/repo.json"

curl -s -D "$work/h1" -o "$work/i1.json" "${auth[@]}" -X POST "$url/repos/acme/widgets/issues" \
  -d '{"title":"Build failure on linux-x64","body":"log","labels":["autonomous-coordination"]}'
check "create issue 201" grep -q '^HTTP/1.1 201' "$work/h1"
check "content-type json utf-8" grep -qi '^content-type: application/json; charset=utf-8' "$work/h1"
check "x-ratelimit headers" grep -qi '^x-ratelimit-remaining: ' "$work/h1"
check "x-ratelimit-resource core" grep -qi '^x-ratelimit-resource: core' "$work/h1"
number=$($py -c 'import json,sys; print(json.load(open(sys.argv[1]))["number"])' "$work/i1.json")
check "issue number 1" test "$number" = 1
check "issue url absolute, on this server" grep -q "\"url\":\"$url/repos/acme/widgets/issues/1\"" "$work/i1.json"

list() { curl -s "${auth[@]}" "$url/repos/acme/widgets/issues?state=open&labels=autonomous-coordination$1"; }
numbers() { $py -c 'import json,sys; print(" ".join(str(i["number"]) for i in json.load(sys.stdin)))'; }
check "list: absent before the 1 s list lag" test "$(list "" | numbers)" = ""
sleep 1.2
check "list: present after the lag" test "$(list "" | numbers)" = "1"

for k in 2 3 4 5; do
  curl -s -o /dev/null "${auth[@]}" -X POST "$url/repos/acme/widgets/issues" \
    -d "{\"title\":\"Build failure $k\",\"labels\":[\"autonomous-coordination\"]}"
done
sleep 1.2
curl -s -D "$work/h2" -o "$work/p1.json" "${auth[@]}" "$url/repos/acme/widgets/issues?labels=autonomous-coordination&per_page=2"
check "page 1 newest first" test "$(numbers <"$work/p1.json")" = "5 4"
check "Link rel=next with page=2" grep -qi '^link: .*page=2>; rel="next"' "$work/h2"
check "Link rel=last with page=3" grep -qi 'page=3>; rel="last"' "$work/h2"
next=$(grep -i '^link:' "$work/h2" | grep -o '<[^>]*>; rel="next"' | sed 's/^<//; s/>;.*//')
check "following Link next gives page 2" test "$(curl -s "${auth[@]}" "$next" | numbers)" = "3 2"

code=$(curl -s -o "$work/closed.json" -w '%{http_code}' "${auth[@]}" -X PATCH "$url/repos/acme/widgets/issues/1" \
  -d '{"state":"closed"}')
check "close 200" test "$code" = 200
check "closed state" grep -q '"state":"closed"' "$work/closed.json"
code=$(curl -s -o "$work/c.json" -w '%{http_code}' "${auth[@]}" -X POST "$url/repos/acme/widgets/issues/1/comments" \
  -d '{"body":"analysis done"}')
check "comment 201" test "$code" = 201
check "comments list" grep -q '"body":"analysis done"' <(curl -s "${auth[@]}" "$url/repos/acme/widgets/issues/1/comments")
sleep 1.1
search=$(curl -s "${auth[@]}" -G "$url/search/issues" \
  --data-urlencode 'q=repo:acme/widgets is:issue is:open label:autonomous-coordination in:title "Build failure"')
check "search total_count 4" test "$($py -c 'import json,sys; print(json.loads(sys.argv[1])["total_count"])' "$search")" = 4
curl -s -D "$work/h3" -o /dev/null "${auth[@]}" "$url/search/issues?q=repo:acme/widgets"
check "search has its own rate-limit resource" grep -qi '^x-ratelimit-resource: search' "$work/h3"

# Create-if-absent primitives: the second create is 422.
ref='{"ref":"refs/coordination/46e71ff2","sha":"46e71ff2c1d3b5a79e0f4c6d8b2a1e3f5c7d9b0a"}'
check "create ref 201" test "$(curl -s -o /dev/null -w '%{http_code}' "${auth[@]}" -X POST "$url/repos/acme/widgets/git/refs" -d "$ref")" = 201
check "create ref again 422" test "$(curl -s -o /dev/null -w '%{http_code}' "${auth[@]}" -X POST "$url/repos/acme/widgets/git/refs" -d "$ref")" = 422
check "get ref 200" test "$(curl -s -o /dev/null -w '%{http_code}' "${auth[@]}" "$url/repos/acme/widgets/git/ref/coordination/46e71ff2")" = 200
check "delete ref 204" test "$(curl -s -o /dev/null -w '%{http_code}' "${auth[@]}" -X DELETE "$url/repos/acme/widgets/git/refs/coordination/46e71ff2")" = 204
commit='{"message":"holder:linux-x64","tree":"4b825dc642cb6eb9a060e54bf8d69288fbee4904","parents":[]}'
check "create commit 201" test "$(curl -s -o "$work/commit.json" -w '%{http_code}' "${auth[@]}" -X POST "$url/repos/acme/widgets/git/commits" -d "$commit")" = 201
commit_sha=$($py -c 'import json,sys; print(json.load(open(sys.argv[1]))["sha"])' "$work/commit.json")
check "get commit 200" test "$(curl -s -o /dev/null -w '%{http_code}' "${auth[@]}" "$url/repos/acme/widgets/git/commits/$commit_sha")" = 200
check "create commit with a bad tree 422" test "$(curl -s -o /dev/null -w '%{http_code}' "${auth[@]}" -X POST "$url/repos/acme/widgets/git/commits" -d '{"message":"m","tree":"x"}')" = 422
check "create ref at a token 422" test "$(curl -s -o /dev/null -w '%{http_code}' "${auth[@]}" -X POST "$url/repos/acme/widgets/git/refs" -d '{"ref":"refs/coordination/t","sha":"holder:linux-x64"}')" = 422
put='{"message":"lock","content":"bGludXgteDY0"}'
check "PUT contents 201" test "$(curl -s -o /dev/null -w '%{http_code}' "${auth[@]}" -X PUT "$url/repos/acme/widgets/contents/locks/x" -d "$put")" = 201
check "PUT contents again without sha 422" test "$(curl -s -o /dev/null -w '%{http_code}' "${auth[@]}" -X PUT "$url/repos/acme/widgets/contents/locks/x" -d "$put")" = 422
check "label create 201" test "$(curl -s -o /dev/null -w '%{http_code}' "${auth[@]}" -X POST "$url/repos/acme/widgets/labels" -d '{"name":"lock","color":"ff0000"}')" = 201
check "label create again 422" test "$(curl -s -o /dev/null -w '%{http_code}' "${auth[@]}" -X POST "$url/repos/acme/widgets/labels" -d '{"name":"lock"}')" = 422
check "rate_limit endpoint" grep -q '"core":{"limit":5000' <(curl -s "${auth[@]}" "$url/rate_limit")

# --- errors -------------------------------------------------------------------
code=$(curl -s -o "$work/e.json" -w '%{http_code}' "$url/repos/acme/widgets")
check "no token: 401" test "$code" = 401
check "401 body" grep -q '"message":"Bad credentials"' "$work/e.json"
check "Bearer accepted" test "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "$url/repos/a/b")" = 200
code=$(curl -s -o "$work/e.json" -w '%{http_code}' "${auth[@]}" "$url/no/such/route")
check "unknown route 404" test "$code" = 404
check "404 body" grep -q '"message":"Not Found","documentation_url"\|"documentation_url":"[^"]*","message":"Not Found"' "$work/e.json"
check "bad JSON 400" test "$(curl -s -o /dev/null -w '%{http_code}' "${auth[@]}" -X POST "$url/repos/a/b/issues" -d '{"title":')" = 400
code=$(curl -s -o "$work/e.json" -w '%{http_code}' "${auth[@]}" -X POST "$url/repos/a/b/issues" -d '{"body":"x"}')
check "missing title 422" test "$code" = 422
check "422 Validation Failed with errors[]" grep -q '"errors":\[{' "$work/e.json"
check "bad query value 422" test "$(curl -s -o /dev/null -w '%{http_code}' "${auth[@]}" "$url/repos/a/b/issues?state=maybe")" = 422
head -c 1100000 /dev/zero | tr '\0' 'a' >"$work/big"
check "oversized body 413" test "$(curl -s -o /dev/null -w '%{http_code}' "${auth[@]}" -X POST "$url/repos/a/b/issues" --data-binary @"$work/big")" = 413

# Malformed, slow and broken connections: the server answers or closes, and
# other clients are served meanwhile.
$py - "$url" "$token" <<'EOF' || { echo "FAIL: raw socket checks" >&2; failures=$((failures + 1)); }
import socket, sys, time, urllib.parse, urllib.request
url, token = sys.argv[1], sys.argv[2]
u = urllib.parse.urlparse(url)
def conn():
    s = socket.create_connection((u.hostname, u.port), timeout=5)
    return s
def recv_all(s):
    data = b""
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    except socket.timeout:
        pass
    return data
# Garbage instead of HTTP: 400 JSON, then close.
s = conn(); s.sendall(b"\x16\x03\x01 not http at all\r\n\r\n"); r = recv_all(s)
assert r.startswith(b"HTTP/1.1 400") and b'"message"' in r, r
# A slow client (headers never finished) is cut off by --idle-timeout 1 s...
slow = conn(); slow.sendall(b"GET /api/v3/rate_limit HTTP/1.1\r\nHost: x\r\n")
broken = conn(); broken.sendall(b"POST /api/v3/repos/a/b/issues HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"ti"); broken.close()
# ...while another client is served at once.
t0 = time.monotonic()
req = urllib.request.Request(url + "/rate_limit", headers={"Authorization": "token " + token})
assert urllib.request.urlopen(req, timeout=5).status == 200
assert time.monotonic() - t0 < 0.5, "a slow connection held up another client"
t0 = time.monotonic(); r = recv_all(slow)
assert r == b"" and time.monotonic() - t0 < 3, (r, time.monotonic() - t0)
# Keep-alive: two requests on one connection.
s = conn()
for _ in range(2):
    s.sendall(b"GET /api/v3/rate_limit HTTP/1.1\r\nHost: x\r\nAuthorization: token " + token.encode() + b"\r\n\r\n")
    head = b""
    while b"\r\n\r\n" not in head:
        head += s.recv(1)
    assert head.startswith(b"HTTP/1.1 200"), head
    length = int([l for l in head.split(b"\r\n") if l.lower().startswith(b"content-length")][0].split(b":")[1])
    body = b""
    while len(body) < length:
        body += s.recv(length - len(body))
s.close()
EOF

check "still serving after all that" test "$(curl -s -o /dev/null -w '%{http_code}' "${auth[@]}" "$url/rate_limit")" = 200
stop_server INT
check "SIGINT: exit 0" test $? -eq 0
check "request log has method, path, status" grep -q '^POST /api/v3/repos/acme/widgets/issues 201 ' "$work/err"
check "token never logged" bash -c "! grep -q '$token' '$work/err'"
check "state saved" grep -q '"format": "coordsim-serve-state"' "$work/state.json"
check "no temp file left" bash -c "! ls '$work' | grep -q 'state.json.tmp'"

# --- state reload and SIGTERM -----------------------------------------------
start_server --state "$work/state.json"
check "reloaded issue" grep -q '"title":"Build failure on linux-x64"' <(curl -s "$url/repos/acme/widgets/issues/1")
check "numbering continues" grep -q '"number":6' <(curl -s -X POST "$url/repos/acme/widgets/issues" -d '{"title":"t"}')
stop_server TERM
check "SIGTERM: exit 0" test $? -eq 0

# --- TLS with a self-signed certificate made now ----------------------------
if openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/key.pem" -out "$work/cert.pem" -days 1 \
    -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 >/dev/null 2>&1; then
  start_server --tls-cert "$work/cert.pem" --tls-key "$work/key.pem"
  check "https URL" test "${url%%:*}" = https
  code=$(curl -s --cacert "$work/cert.pem" -o "$work/t.json" -w '%{http_code}' -X POST "$url/repos/a/b/issues" -d '{"title":"tls"}')
  check "HTTPS create 201" test "$code" = 201
  check "HTTPS URLs in responses" grep -q '"url":"https://127.0.0.1:' "$work/t.json"
  check "plain HTTP to the TLS port fails, server survives" bash -c "! curl -s -m 3 -o /dev/null '${url/https/http}/rate_limit'; curl -s --cacert '$work/cert.pem' -o /dev/null '$url/rate_limit'"
  stop_server TERM
else
  echo "FAIL: openssl could not make a test certificate" >&2; failures=$((failures + 1))
fi

# --- the scenario's faults and rate limits, end to end --------------------------
start_server --set github.faults.create_issue.server_error=1 --set github.faults.create_ref.lost_response=1 \
  --set github.faults.spurious_ref_422=0
check "startup line says faults are on" grep -q 'faults on' "$work/out"
code=$(curl -s -o "$work/f1.json" -w '%{http_code}' -X POST "$url/repos/acme/faulty/issues" -d '{"title":"x"}')
check "server_error=1: a 5xx" grep -qx '50[023]' <<<"$code"
check "server_error=1: GitHub-shaped body" grep -q '"message":' "$work/f1.json"
sleep 1.2  # past the list lag
check "server_error=1: nothing created" test "$(curl -s "$url/repos/acme/faulty/issues?state=all")" = '[]'
code=$(curl -s -o "$work/f2.json" -w '%{http_code}' -X POST "$url/repos/acme/faulty/git/refs" \
  -d '{"ref":"refs/heads/lock","sha":"46e71ff2c1d3b5a79e0f4c6d8b2a1e3f5c7d9b0a"}')
check "lost_response=1: 502" test "$code" = 502
check "lost_response=1: Bad Gateway" grep -q '"message":"Bad Gateway"' "$work/f2.json"
check "lost_response=1: the ref exists all the same" \
  test "$(curl -s -o /dev/null -w '%{http_code}' "$url/repos/acme/faulty/git/ref/heads/lock")" = 200
stop_server TERM

start_server --set github.rate_limits.enabled=true --rate-limit 2
check "startup line says scenario rate limits" grep -q 'scenario rate limits' "$work/out"
curl -s -o /dev/null -D "$work/r1" "$url/repos/acme/limited"
check "scenario budget, --rate-limit overrides it" grep -qi '^x-ratelimit-limit: 2' "$work/r1"
curl -s -o /dev/null "$url/repos/acme/limited"
code=$(curl -s -D "$work/r3" -o "$work/r3.json" -w '%{http_code}' "$url/repos/acme/limited")
check "spent primary budget: 403" test "$code" = 403
check "spent primary budget: retry-after" grep -qi '^retry-after: [0-9]' "$work/r3"
check "spent primary budget: remaining 0" grep -qi '^x-ratelimit-remaining: 0' "$work/r3"
check "spent primary budget: GitHub's message" grep -q 'API rate limit exceeded' "$work/r3.json"
check "GET /rate_limit reports the same budget" grep -q '"core":{"limit":2,"remaining":0' <(curl -s "$url/rate_limit")
stop_server TERM

# --- bad command lines ----------------------------------------------------------
expect_error() {  # expect_error NAME PATTERN ARGS...: exit 2 and PATTERN in stderr
  local name=$1 pattern=$2; shift 2
  timeout 10 "$bin" "$@" >/dev/null 2>"$work/cli-err"
  local rc=$?
  if [[ $rc -eq 2 ]] && grep -qF -- "$pattern" "$work/cli-err"; then pass=$((pass + 1)); else
    echo "FAIL: $name: exit $rc, stderr: $(cat "$work/cli-err")" >&2; failures=$((failures + 1)); fi
}
expect_error "port out of range" "--port" serve --port 70000
expect_error "missing cert file" "--tls-cert" serve --tls-cert "$work/nope.pem" --tls-key "$work/key.pem"
expect_error "cert without key" "--tls-key" serve --tls-cert "$work/cert.pem"
expect_error "unreadable scenario" "nope.json" serve "$work/nope.json"
echo '{"workload": {"flavors": []}, "github": {"visibility_lag_s": {"list": -1}}}' >"$work/bad.json"
expect_error "invalid scenario" "/github/visibility_lag_s/list" serve "$work/bad.json"
expect_error "bad --set" "--set" serve --set nonsense
expect_error "bad host" "--host" serve --host example.invalid --port 0
echo '{"format": "coordsim-serve-state", "version": 9}' >"$work/badstate.json"
expect_error "bad state file" "badstate.json" serve --state "$work/badstate.json" --port 0
printf 'tok en\n' >"$work/spaced-token"
expect_error "--token-file with a space inside" "spaces or control characters" serve --token-file "$work/spaced-token"
printf ' \n\n' >"$work/blank-token"
expect_error "--token-file holding no token" "holds no token" serve --token-file "$work/blank-token"
expect_error "--token with a space inside" "--token" serve --token "a b"
# Issue #15: the state's fields named with their JSON pointer, not nlohmann's words; the
# state and token files read like a scenario (nesting, size).
printf '{"format":"coordsim-serve-state","version":1,"clock_us":0,"repositories":[{"owner":"a","name":"b","id":"1","created_unix_us":0,"journal":[]}]}' >"$work/badid.json"
expect_error "state field of the wrong type" 'badid.json: /repositories/0/id: expected an integer, got string "1"' \
  serve --state "$work/badid.json" --port 0
python3 -c 'print("{\"format\":\"coordsim-serve-state\",\"x\":" + "[" * 120000 + "]" * 120000 + "}")' >"$work/deepstate.json"
expect_error "deeply nested state" "deepstate.json: line 1, column 101: invalid JSON: nested deeper than 64 levels" \
  serve --state "$work/deepstate.json" --port 0
head -c 70000 /dev/zero | tr '\0' x >"$work/bigtoken"
expect_error "token file too large" "bigtoken: the token file is larger than 64 KiB" \
  serve --token-file "$work/bigtoken" --port 0
check "--help teaches with examples" bash -c "'$bin' serve --help | grep -q 'Examples:'"

echo "$pass passed, $failures failed"
[[ $failures -eq 0 ]]
