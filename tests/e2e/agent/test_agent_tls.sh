#!/usr/bin/env bash
# `coordsim agent` over HTTPS against `coordsim serve --tls-cert`, with a test
# CA made here with openssl: the simulator's decisions over TLS, certificate
# and host-name verification (on by default; --ca-file or SSL_CERT_FILE for a
# private CA), and HTTPS_PROXY / HTTP_PROXY / NO_PROXY through a small proxy.
# Usage: test_agent_tls.sh COORDSIM_BINARY SOURCE_DIR
set -uo pipefail
bin=$1
src=$2
work=$(mktemp -d)
# shellcheck source=lib.sh
. "$src/tests/e2e/agent/lib.sh"
proxy_pid=
trap 'stop_servers; [[ -n $proxy_pid ]] && kill $proxy_pid 2>/dev/null; rm -rf "$work"' EXIT
unset HTTPS_PROXY https_proxy HTTP_PROXY http_proxy NO_PROXY no_proxy GITHUB_TOKEN GH_TOKEN SSL_CERT_FILE SSL_CERT_DIR
scen=$src/tests/data/agent-e2e.json

# A CA, and a server certificate it signs for 127.0.0.1 (and nothing else).
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/ca.key" -out "$work/ca.pem" -days 1 \
  -subj "/CN=coordsim test CA" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout "$work/server.key" -out "$work/server.csr" \
  -subj "/CN=127.0.0.1" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n' >"$work/ext.cnf"
openssl x509 -req -in "$work/server.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" -CAcreateserial \
  -out "$work/server.pem" -days 1 -extfile "$work/ext.cnf" 2>/dev/null
[[ -s $work/server.pem ]] || { echo "FAIL: openssl could not make the test certificates" >&2; exit 1; }

start_server tls "$scen" --tls-cert "$work/server.pem" --tls-key "$work/server.key"
url=${server_url[tls]}
check "serve speaks https" test "${url:0:8}" = "https://"

flavors=(linux-x64 linux-arm64 windows)
run_matrix() {  # run_matrix REPO DIR AGENT_ARGS...
  local repo=$1 dir=$2; shift 2
  mkdir -p "$dir"
  local pids=() f
  for f in "${flavors[@]}"; do
    ( "$bin" agent --api-url "$url" --repo "$repo" --commit c1 --flavor "$f" --scenario "$scen" "$@" \
        >"$dir/$f.json" 2>"$dir/$f.err"; echo $? >"$dir/$f.rc" ) &
    pids+=($!)
  done
  wait "${pids[@]}"
}
analyses() { cat "$1"/*.rc | grep -c '^0$'; }
predicted() {
  "$bin" run "$scen" --trials 200 "$@" --json "$work/pred.json" >/dev/null
  json_get "$work/pred.json" 'int(d["analyses"]["mean"])'
}

for strategy in ref-lock seed-lowest seed; do
  run_matrix "tls/$strategy" "$work/$strategy" --strategy "$strategy" --ca-file "$work/ca.pem"
  want=$(predicted --strategy "$strategy")
  got=$(analyses "$work/$strategy")
  check "https, $strategy: $got analyses, the simulator predicts $want" test "$got" = "$want"
  [[ $got == "$want" ]] || cat "$work/$strategy"/*.err >&2
done

fast=(--set agent.client.max_attempts=1)
# Verification is on by default: the test CA is not in the system store.
"$bin" agent --api-url "$url" --repo tls/untrusted --commit c --flavor a "${fast[@]}" >"$work/untrusted.json" 2>/dev/null
check "untrusted certificate: status 0, certificate verify failed" \
  test "$(json_get "$work/untrusted.json" '(d["error"]["status"], "certificate verify failed" in d["error"]["message"])')" = "(0, True)"
# The same CA through OpenSSL's SSL_CERT_FILE: the "system store" path honours it.
SSL_CERT_FILE=$work/ca.pem "$bin" agent --api-url "$url" --repo tls/env --commit c --flavor a >"$work/env.json" 2>/dev/null
check "SSL_CERT_FILE trusted: lock_acquired" test "$(json_get "$work/env.json" 'd["reason"]')" = lock_acquired
# A name the certificate does not hold: host-name verification fails.
port=${url#https://127.0.0.1:}; port=${port%%/*}
"$bin" agent --api-url "https://localhost:$port/api/v3" --repo tls/name --commit c --flavor a --ca-file "$work/ca.pem" \
  "${fast[@]}" >"$work/name.json" 2>/dev/null
check "host name mismatch refused" test "$(json_get "$work/name.json" '(d["reason"], d["error"]["status"])')" = "('error_fail_open', 0)"
expect_error "unreadable --ca-file" 2 "--ca-file" "PEM" -- agent --api-url "$url" --repo a/b --commit c --flavor f --ca-file "$work/ext.cnf"

# --- proxies --------------------------------------------------------------------
$py "$src/tests/e2e/agent/proxy.py" "$work/proxy.log" >"$work/proxy.port" &
proxy_pid=$!
for _ in $(seq 100); do [[ -s $work/proxy.port ]] && break; sleep 0.05; done
pport=$(cat "$work/proxy.port")
: >"$work/proxy.log"
HTTPS_PROXY=http://127.0.0.1:$pport "$bin" agent --api-url "$url" --repo tls/proxied --commit c --flavor a \
  --ca-file "$work/ca.pem" >"$work/proxied.json" 2>"$work/proxied.err"
check "HTTPS_PROXY: decided through the proxy" test "$(json_get "$work/proxied.json" 'd["reason"]')" = lock_acquired
check "HTTPS_PROXY: one CONNECT tunnel to the API" test "$(grep -c "^CONNECT 127.0.0.1:$port no-auth" "$work/proxy.log")" = 1
: >"$work/proxy.log"
NO_PROXY=localhost,127.0.0.1 HTTPS_PROXY=http://127.0.0.1:$pport "$bin" agent --api-url "$url" --repo tls/direct \
  --commit c --flavor a --ca-file "$work/ca.pem" >"$work/direct.json" 2>/dev/null
check "NO_PROXY: direct" test "$(json_get "$work/direct.json" 'd["reason"]')" = lock_acquired
check "NO_PROXY: the proxy saw nothing" test ! -s "$work/proxy.log"
# Proxy credentials go in Proxy-Authorization and appear nowhere else.
https_proxy="http://agent:proxy-Secret-99@127.0.0.1:$pport" "$bin" agent --api-url "$url" --repo tls/auth \
  --commit c --flavor a --ca-file "$work/ca.pem" --log-level debug >"$work/auth.json" 2>"$work/auth.err"
check "proxy credentials: sent" grep -q "^CONNECT 127.0.0.1:$port with-auth" "$work/proxy.log"
check "proxy credentials: never printed" test "$(cat "$work/auth.json" "$work/auth.err" | grep -c 'proxy-Secret-99')" = 0
# A plain-HTTP API through HTTP_PROXY: absolute-form requests.
start_server plain "$scen"
purl=${server_url[plain]}
: >"$work/proxy.log"
HTTP_PROXY=http://127.0.0.1:$pport "$bin" agent --api-url "$purl" --repo tls/http-proxied --commit c --flavor a \
  >"$work/hp.json" 2>"$work/hp.err"
check "HTTP_PROXY: decided through the proxy" test "$(json_get "$work/hp.json" 'd["reason"]')" = lock_acquired
check "HTTP_PROXY: absolute-form requests" grep -q "^POST ${purl}/repos/tls/http-proxied/git/refs no-auth" "$work/proxy.log"
HTTPS_PROXY=http://127.0.0.1:1 "$bin" agent --api-url "$url" --repo tls/deadproxy --commit c --flavor a \
  --ca-file "$work/ca.pem" "${fast[@]}" >"$work/deadproxy.json" 2>/dev/null
check "unreachable proxy: status 0 naming the proxy" \
  test "$(json_get "$work/deadproxy.json" '(d["error"]["status"], "via proxy 127.0.0.1:1" in d["error"]["message"])')" = "(0, True)"
HTTPS_PROXY=https://127.0.0.1:1 expect_error "https:// proxy refused" 2 "only http:// proxies" -- agent --api-url "$url" --repo a/b --commit c --flavor f
finish
