#!/usr/bin/env bash
# gh (Debian's gh 2.23) against `coordsim serve` over HTTPS, as a GitHub
# Enterprise host (gh speaks https only, to https://HOST/api/v3): the commands
# that work — gh api (REST, --paginate), gh search issues, gh label create,
# gh auth status — and what the GraphQL ones (gh issue list, gh label list,
# gh repo view, ...) print. docs/serve.md's "gh" section lists the same.
# Skipped (exit 77) when gh is not installed (scripts/setup.sh --test installs it).
# Usage: test_gh.sh COORDSIM_BINARY SCENARIO_FILE
set -uo pipefail
bin=$1 scenario=$2
if ! command -v gh >/dev/null 2>&1; then
  echo "SKIP: gh is not installed (scripts/setup.sh --test installs Debian's gh)"
  exit 77
fi
work=$(mktemp -d)
pid=
cleanup() {
  [[ -n $pid ]] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
passed=0 failed=0
check() {  # name, then a command that must succeed
  local name=$1
  shift
  if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: $name" >&2; fi
}
contains() { [[ $1 == *"$2"* ]] || { echo "  expected \"$2\" in: $1" >&2; return 1; }; }

openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/key.pem" -out "$work/cert.pem" -days 1 \
  -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 2>/dev/null
token=gh-test-token-0123456789
"$bin" serve "$scenario" --port 0 --token "$token" --tls-cert "$work/cert.pem" --tls-key "$work/key.pem" \
  --set github.visibility_lag_s.list=0 --set github.visibility_lag_s.search=0 >"$work/out" 2>"$work/err" &
pid=$!
for _ in $(seq 100); do grep -q "listening on" "$work/out" && break; sleep 0.1; done
url=$(sed -n 's/.*listening on \([^ ]*\).*/\1/p' "$work/out")
hostport=${url#https://}
hostport=${hostport%/api/v3}
[[ -n $hostport ]] || { echo "server did not start: $(cat "$work/err")" >&2; exit 1; }

# gh reads its host, token and trust from the environment; its config stays in $work.
unset GITHUB_TOKEN GH_TOKEN http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
export GH_HOST=$hostport GH_ENTERPRISE_TOKEN=$token GH_CONFIG_DIR=$work/gh SSL_CERT_FILE=$work/cert.pem
export XDG_CONFIG_HOME=$work/xdg/config XDG_STATE_HOME=$work/xdg/state XDG_CACHE_HOME=$work/xdg/cache XDG_DATA_HOME=$work/xdg/data
export GH_NO_UPDATE_NOTIFIER=1 GH_PROMPT_DISABLED=1 NO_COLOR=1 GH_PAGER=cat NO_PROXY=127.0.0.1 no_proxy=127.0.0.1
R=acme/widgets

# gh api: REST, any method, --paginate follows Link headers.
out=$(gh api "repos/$R/issues" -f title="Build failure" -f body=log --jq .number 2>&1)
check "gh api POST creates an issue" [ "$out" = 1 ]
for k in $(seq 2 35); do gh api "repos/$R/issues" -f title="issue $k" --silent || break; done
out=$(gh api "repos/$R/issues?per_page=10" --paginate --jq '.[].number' 2>&1 | wc -l)
check "gh api --paginate over 4 pages" [ "$out" = 35 ]
out=$(gh api -X PATCH "repos/$R/issues/1" -f state=closed --jq .state 2>&1)
check "gh api PATCH" [ "$out" = closed ]
out=$(gh api "repos/$R/issues/999" 2>&1)
check "gh api 404 message" contains "$out" "gh: Not Found (HTTP 404)"

# gh label create: REST.
gh label create flavor-linux --repo "$R" --color d73a4a --description "linux builds"  # prints nothing off a terminal
check "gh label create" [ $? -eq 0 ]
out=$(gh api "repos/$R/labels/flavor-linux" --jq .color 2>&1)
check "the label exists" [ "$out" = d73a4a ]
out=$(gh label create flavor-linux --repo "$R" 2>&1)
check "gh label create twice fails" contains "$out" "already exists"

# gh search issues: REST search/issues.
gh api "repos/$R/issues" -f title="Searchable needle" -F "labels[]=flavor-linux" --silent
out=$(gh search issues needle --repo "$R" --label flavor-linux --state open --json number,title --jq '.[].title' 2>&1)
check "gh search issues" [ "$out" = "Searchable needle" ]

# gh auth status: the API root's scopes; then GraphQL for the login.
gh auth status >"$work/auth" 2>&1
rc=$?
echo "--- gh auth status (exit $rc):"; cat "$work/auth"
check "gh auth status: the token's scopes from the API root" contains "$(cat "$work/auth")" "Token scopes: repo, read:org"
check "gh auth status: the login needs GraphQL" contains "$(cat "$work/auth")" "no GraphQL"

# The GraphQL commands fail, with the server's message.
for cmd in "issue list --repo $R" "issue view 1 --repo $R" "issue create --repo $R --title t --body b" \
           "issue close 1 --repo $R" "label list --repo $R" "repo view $R" "api graphql -f query={viewer{login}}"; do
  # shellcheck disable=SC2086
  out=$(gh $cmd 2>&1)
  rc=$?
  echo "--- gh $cmd (exit $rc):"
  echo "$out"
  check "gh $cmd fails" [ "$rc" -ne 0 ]
  check "gh $cmd says there is no GraphQL" contains "$out" "no GraphQL"
done

grep -q "$token" "$work/err" && { echo "FAIL: token logged" >&2; failed=$((failed + 1)); }
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
