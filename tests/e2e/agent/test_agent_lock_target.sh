#!/usr/bin/env bash
# ref-lock's lock target (docs/agent.md#the-lock-target) end to end: three
# `coordsim agent`s at once against one `coordsim serve`, once per target.
# commit (the default): the leader makes one commit of the empty tree whose
# message names its holder token, the lock ref points at it, exactly one
# flavor analyzes, and `agent done` (another process, which knows no sha)
# reads the lock back as its own and points the done marker at the same
# commit. blob: the same over a blob holding the token. A lease follower then
# sees the done marker of each target (it compares the two refs' objects).
# Usage: test_agent_lock_target.sh COORDSIM_BINARY SOURCE_DIR
set -uo pipefail
bin=$1
src=$2
work=$(mktemp -d)
# shellcheck source=lib.sh
. "$src/tests/e2e/agent/lib.sh"
trap 'stop_servers; [[ -n ${KEEP:-} ]] || rm -rf "$work"' EXIT
unset HTTPS_PROXY https_proxy HTTP_PROXY http_proxy NO_PROXY no_proxy GITHUB_TOKEN GH_TOKEN GITHUB_REPOSITORY GITHUB_SHA GITHUB_RUN_ATTEMPT
scen=$src/tests/data/agent-e2e.json
start_server t "$scen"
url=${server_url[t]}
flavors=(linux-x64 linux-arm64 windows)

# matrix NAME COMMIT ARGS...: the three flavors at once; $work/NAME-FLAVOR.{json,rc}.
matrix() {
  local name=$1 commit=$2; shift 2
  local pids=() f
  for f in "${flavors[@]}"; do
    ( "$bin" agent --api-url "$url" --repo e2e/target --commit "$commit" --flavor "$f" --scenario "$scen" "$@" \
        >"$work/$name-$f.json" 2>"$work/$name-$f.err"; echo $? >"$work/$name-$f.rc" ) &
    pids+=($!)
  done
  wait "${pids[@]}"
}
# leader NAME: the one flavor that exited 0 (empty unless exactly one did).
leader() {
  local f found=()
  for f in "${flavors[@]}"; do [[ $(cat "$work/$1-$f.rc") == 0 ]] && found+=("$f"); done
  [[ ${#found[@]} -eq 1 ]] && echo "${found[0]}"
}
ref_sha() { api GET "$url/repos/e2e/target/git/ref/$1" | $py -c 'import json,sys; print(json.load(sys.stdin)["object"]["sha"])'; }

for target in commit blob; do
  args=()
  [[ $target == blob ]] && args=(--lock-target blob)
  commit=c-$target
  matrix "$target" "$commit" "${args[@]}"
  sleep 0.5  # the lock's refs lag, before it is read here
  lead=$(leader "$target")
  check "$target: exactly one of three analyzes" test -n "$lead"
  [[ -n $lead ]] || { for f in "${flavors[@]}"; do cat "$work/$target-$f.err" >&2; done; continue; }
  for f in "${flavors[@]}"; do
    [[ $f == "$lead" ]] && continue
    check "$target: $f skips (exit 3, lock_held)" test "$(cat "$work/$target-$f.rc"):$(json_get "$work/$target-$f.json" 'd["reason"]')" = 3:lock_held
  done
  out=$work/$target-$lead.json
  check "$target: the output names the target" test "$(json_get "$out" 'd["lock_target"]')" = "$target"
  if [[ $target == commit ]]; then
    check "commit: the leader made one commit, no blob" \
      test "$(json_get "$out" '(d["api_calls"]["by_endpoint"].get("create_commit"), d["api_calls"]["by_endpoint"].get("create_blob"))')" = "(1, None)"
  else
    check "blob: the leader made one blob, no commit" \
      test "$(json_get "$out" '(d["api_calls"]["by_endpoint"].get("create_blob"), d["api_calls"]["by_endpoint"].get("create_commit"))')" = "(1, None)"
  fi
  lock_sha=$(ref_sha "coordination/$commit")
  if [[ $target == commit ]]; then
    api GET "$url/repos/e2e/target/git/commits/$lock_sha" >"$work/$target.object.json"
    check "commit: the lock ref is at a commit of the empty tree, no parents" \
      test "$(json_get "$work/$target.object.json" '(d["tree"]["sha"], d["parents"])')" = "('4b825dc642cb6eb9a060e54bf8d69288fbee4904', [])"
    check "commit: its message names the leader's holder token" \
      test "$(json_get "$work/$target.object.json" 'd["message"].split(chr(10))[0]')" = "holder:$lead"
    check "commit: the ref says commit" \
      test "$(api GET "$url/repos/e2e/target/git/ref/coordination/$commit" | $py -c 'import json,sys; print(json.load(sys.stdin)["object"]["type"])')" = commit
  else
    api GET "$url/repos/e2e/target/git/blobs/$lock_sha" >"$work/$target.object.json"
    check "blob: the lock ref is at a blob holding the leader's holder token" \
      test "$(json_get "$work/$target.object.json" '__import__("base64").b64decode(d["content"]).decode()')" = "holder:$lead"
  fi
  # `agent done` is another process: it finds its lock by reading it back.
  "$bin" agent done --api-url "$url" --repo e2e/target --commit "$commit" --flavor "$lead" --scenario "$scen" "${args[@]}" \
    >"$work/$target-done.json" 2>"$work/$target-done.err"
  check "$target: agent done records the marker (exit 0)" test $? = 0
  sleep 0.5  # the scenario's refs lag (0.2 s)
  check "$target: the done marker is at the lock's object" test "$(ref_sha "coordination/$commit-done")" = "$lock_sha"
  if [[ $target == commit ]]; then
    check "commit: agent done made no commit of its own" \
      test "$(json_get "$work/$target-done.json" 'd["api_calls"]["by_endpoint"].get("create_commit")')" = None
  fi
  # A lease follower (another flavor, another process) tells the holder's
  # done marker from a takeover by comparing the two refs.
  "$bin" agent --api-url "$url" --repo e2e/target --commit "$commit" --flavor late --scenario "$scen" "${args[@]}" \
    --lease-ttl 60 --set agent.lease.poll_interval_s=0.2 >"$work/$target-late.json" 2>"$work/$target-late.err"
  check "$target: a lease follower sees the done marker (exit 3, leader_done)" \
    test "$?:$(json_get "$work/$target-late.json" 'd["reason"]')" = 3:leader_done
done

# The scenario's agent.ref_lock.target chooses it too; --lock-target wins.
"$bin" agent --api-url "$url" --repo e2e/target --commit c-set --flavor a --scenario "$scen" \
  --set agent.ref_lock.target=blob >"$work/set.json" 2>"$work/set.err"
check "agent.ref_lock.target=blob: blob" test "$(json_get "$work/set.json" 'd["lock_target"]')" = blob
"$bin" agent --api-url "$url" --repo e2e/target --commit c-set2 --flavor a --scenario "$scen" \
  --set agent.ref_lock.target=blob --lock-target commit >"$work/set2.json" 2>"$work/set2.err"
check "--lock-target overrides the scenario" test "$(json_get "$work/set2.json" 'd["lock_target"]')" = commit
expect_error "--lock-target tree is refused" 2 "--lock-target" -- agent --api-url "$url" --repo e2e/target --commit c9 \
  --flavor a --lock-target tree

echo "agent lock target: $pass passed, $failures failed"
[[ $failures -eq 0 ]]
