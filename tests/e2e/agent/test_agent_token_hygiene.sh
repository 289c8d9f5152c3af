#!/usr/bin/env bash
# Token hygiene: with a known token, nothing coordsim agent or calibrate print
# — stdout, stderr at --log-level trace, JSON files, the lag model, error
# messages (bad credentials, TLS failures, unreachable hosts, bad arguments) —
# contains it, while the server proves it was sent.
# Usage: test_token_hygiene.sh COORDSIM_BINARY SOURCE_DIR
set -uo pipefail
bin=$1
src=$2
work=$(mktemp -d)
# shellcheck source=lib.sh
. "$src/tests/e2e/agent/lib.sh"
trap 'stop_servers; [[ -n ${KEEP_WORK:-} ]] || rm -rf "$work"' EXIT
unset HTTPS_PROXY https_proxy HTTP_PROXY http_proxy NO_PROXY no_proxy GITHUB_TOKEN GH_TOKEN
scen=$src/tests/data/agent-e2e.json
out=$work/out
mkdir -p "$out"

token=ghp_HygieneTest0Token1Known2Value3XYZ
printf '%s\n' "$token" >"$work/token"
other=ghp_TheServersOwnDifferentToken4567
printf '%s\n' "$other" >"$work/other-token"

start_server auth "$scen" --token-file "$work/token" --log-requests
url=${server_url[auth]}
start_server wrong "$scen" --token-file "$work/other-token"
wrong=${server_url[wrong]}

n=0
run() {  # run WHAT ENV... -- ARGS...: coordsim ARGS with ENV; everything it writes lands in $out
  local what=$1; shift
  local env=()
  while [[ $1 != -- ]]; do env+=("$1"); shift; done
  shift
  n=$((n + 1))
  env "${env[@]}" "$bin" --log-level trace "$@" >"$out/$n-$what.stdout" 2>"$out/$n-$what.stderr"
  echo $? >"$out/$n-$what.rc"
}

# Decisions that work: the token is accepted, so it was sent.
run ref-lock GITHUB_TOKEN="$token" -- agent --api-url "$url" --repo h/a --commit c1 --flavor a --json "$out/a.json"
check "GITHUB_TOKEN accepted (lock_acquired)" test "$(json_get "$out/a.json" 'd["reason"]')" = lock_acquired
run seed-lowest GH_TOKEN="$token" -- agent --api-url "$url" --repo h/b --commit c2 --flavor b --strategy seed-lowest \
  --json "$out/b.json"
check "GH_TOKEN accepted (seed-lowest decided)" test "$(json_get "$out/b.json" 'd["reason"]')" = confirmed_first
run token-file -- agent --api-url "$url" --repo h/c --commit c3 --flavor c --token-file "$work/token" --strategy scan-down \
  --json "$out/c.json"
check "--token-file accepted" test "$(json_get "$out/c.json" 'd["reason"]')" = lowest_issue
run done GITHUB_TOKEN="$token" -- agent done --api-url "$url" --repo h/a --commit c1 --flavor a --lease-ttl 60
check "agent done with the token" test "$(cat "$out/$n-done.rc")" = 0
# Refused: no token, and a token the server does not know.
run no-token -- agent --api-url "$url" --repo h/d --commit c4 --flavor d --set agent.client.max_attempts=1
check "no token: 401 Bad credentials" grep -q 'Bad credentials' "$out/$n-no-token.stdout"
run bad-credentials GITHUB_TOKEN="$token" -- agent --api-url "$wrong" --repo h/e --commit c5 --flavor e \
  --set agent.client.max_attempts=1
check "a wrong token: 401 Bad credentials in the error" grep -q '"status": 401' "$out/$n-bad-credentials.stdout"
# Transport failures: TLS to a plain-HTTP server, and nobody listening.
port=${url#http://127.0.0.1:}; port=${port%%/*}
run tls-mismatch GITHUB_TOKEN="$token" -- agent --api-url "https://127.0.0.1:$port/api/v3" --repo h/f --commit c6 \
  --flavor f --set agent.client.max_attempts=1
check "TLS to a plain server: status 0" grep -q '"status": 0' "$out/$n-tls-mismatch.stdout"
run refused GITHUB_TOKEN="$token" -- agent --api-url http://127.0.0.1:1 --repo h/g --commit c7 --flavor g \
  --set agent.client.max_attempts=1
# Bad arguments around the token.
printf 'ghp_Broken%s\ttab\n' "$token" >"$work/bad-token"
run bad-token-file -- agent --api-url "$url" --repo h/h --commit c8 --flavor h --token-file "$work/bad-token"
check "a token with a tab: exit 2" test "$(cat "$out/$n-bad-token-file.rc")" = 2
run token-in-url GITHUB_TOKEN="$token" -- agent --api-url "https://x-access-token:$token@127.0.0.1:$port/api/v3" \
  --repo h/i --commit c9 --flavor i
check "credentials in --api-url: exit 2" test "$(cat "$out/$n-token-in-url.rc")" = 2
run bad-repo GITHUB_TOKEN="$token" -- agent --api-url "$url" --repo "$token" --commit c --flavor i
check "the token passed by mistake as --repo: exit 2" test "$(cat "$out/$n-bad-repo.rc")" = 2
# calibrate, with its model file.
run calibrate GITHUB_TOKEN="$token" -- calibrate --api-url "$url" --repo h/cal --samples 3 --poll-interval 0.05 \
  --search-interval 0.1 --paths list,get --refs --out "$out/model.json"
check "calibrate with the token: exit 0" test "$(cat "$out/$n-calibrate.rc")" = 0
run calibrate-refused GITHUB_TOKEN="$token" -- calibrate --api-url "$wrong" --repo h/cal --samples 3 --out "$out/none.json"
check "calibrate with a wrong token: exit 1, says 401" grep -q '401 Bad credentials' "$out/$n-calibrate-refused.stderr"

cp "$work/auth.serve.err" "$out/serve-requests.log"
files=$(ls "$out" | wc -l)
check "collected $files outputs" test "$files" -gt 30
leaks=$(grep -rlF -- "$token" "$out")
check "the token appears in no output${leaks:+ (found in: $leaks)}" test -z "$leaks"
# The redaction is visible where a secret would have been echoed.
check "a mistaken --repo holding the token is shown redacted" grep -q "'\*\*\*'" "$out"/*-bad-repo.stderr
finish
