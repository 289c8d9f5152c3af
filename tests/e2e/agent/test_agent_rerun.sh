#!/usr/bin/env bash
# Re-runs ("Re-run failed jobs") of `coordsim agent` against one `coordsim
# serve`: the same flavor and commit decided twice, the second time as attempt
# 2 ($GITHUB_RUN_ATTEMPT). ref-lock: a holder whose earlier attempt wrote no
# done marker (its job died, or never ran `agent done`) analyzes again; with
# the marker it skips; another flavor's lock is still another's. Before the
# re-run semantics, the holder's re-run found its own lock and skipped
# (lock_held): the failure was never analyzed.
# Usage: test_agent_rerun.sh COORDSIM_BINARY SOURCE_DIR
set -uo pipefail
bin=$1
src=$2
work=$(mktemp -d)
# shellcheck source=lib.sh
. "$src/tests/e2e/agent/lib.sh"
trap 'stop_servers; [[ -n ${KEEP:-} ]] || rm -rf "$work"' EXIT
unset HTTPS_PROXY https_proxy HTTP_PROXY http_proxy NO_PROXY no_proxy GITHUB_TOKEN GH_TOKEN GITHUB_REPOSITORY GITHUB_SHA GITHUB_RUN_ATTEMPT
scen=$src/tests/data/agent-e2e.json
start_server r "$scen"
url=${server_url[r]}

# decide NAME ATTEMPT FLAVOR COMMIT ARGS...: $work/NAME.json and .rc.
decide() {
  local name=$1 attempt=$2 flavor=$3 commit=$4; shift 4
  GITHUB_RUN_ATTEMPT=$attempt "$bin" agent --api-url "$url" --repo e2e/rerun --commit "$commit" --flavor "$flavor" \
    --scenario "$scen" "$@" >"$work/$name.json" 2>"$work/$name.err"
  echo $? >"$work/$name.rc"
}
rc() { cat "$work/$1.rc"; }
reason() { json_get "$work/$1.json" 'd["reason"]'; }

# --- ref-lock, no lease: the leader dies before `agent done` ------------------
decide a1 1 linux-x64 c1
decide b1 1 windows c1
check "attempt 1: linux-x64 leads (exit 0)" test "$(rc a1)" = 0
check "attempt 1: windows follows (exit 3, lock_held)" test "$(rc b1):$(reason b1)" = 3:lock_held
# linux-x64's job died: no `agent done`. The re-run of the failed jobs:
decide a2 2 linux-x64 c1
decide b2 2 windows c1
check "re-run: linux-x64 finds its own lock without a done marker and analyzes again (exit 0, rerun_unfinished)" \
  test "$(rc a2):$(reason a2)" = 0:rerun_unfinished
check "re-run: the attempt is in the output" test "$(json_get "$work/a2.json" 'd["attempt"]')" = 2
check "re-run: the analysis is generation 2's" test "$(json_get "$work/a2.json" 'd["lock_ref"]')" = refs/coordination/c1-g2
check "re-run: windows still follows (exit 3, lock_held)" test "$(rc b2):$(reason b2)" = 3:lock_held
"$bin" agent done --api-url "$url" --repo e2e/rerun --commit c1 --flavor linux-x64 --scenario "$scen" \
  >"$work/done.json" 2>"$work/done.err"
check "re-run: agent done records generation 2's marker" \
  test "$(json_get "$work/done.json" '(d["recorded"], d["done_ref"])')" = "(True, 'refs/coordination/c1-g2-done')"
# A third attempt: the analysis is recorded now.
decide a3 3 linux-x64 c1
check "third attempt: linux-x64 skips (exit 3, leader_done)" test "$(rc a3):$(reason a3)" = 3:leader_done

# --- ref-lock, no lease: the leader finished and recorded it ------------------
decide f1 1 linux-x64 c2
"$bin" agent done --api-url "$url" --repo e2e/rerun --commit c2 --flavor linux-x64 --scenario "$scen" \
  >"$work/done2.json" 2>"$work/done2.err"
check "finished leader: agent done without a lease records the marker (exit 0)" \
  test "$(json_get "$work/done2.json" '(d["recorded"], d["done_ref"])')" = "(True, 'refs/coordination/c2-done')"
decide f2 2 linux-x64 c2
check "re-run after a finished analysis: the holder skips (exit 3, leader_done)" test "$(rc f2):$(reason f2)" = 3:leader_done

# --- ref-lock with a lease: a re-run of a finished generation skips at once ---
decide l1 1 linux-x64 c3 --lease-ttl 60
"$bin" agent done --api-url "$url" --repo e2e/rerun --commit c3 --flavor linux-x64 --scenario "$scen" --lease-ttl 60 \
  >"$work/done3.json" 2>"$work/done3.err"
decide l2 2 windows c3 --lease-ttl 60 --set agent.lease.poll_interval_s=0.2
check "lease, re-run of a follower: the done marker is seen (exit 3, leader_done)" test "$(rc l2):$(reason l2)" = 3:leader_done

# --- --attempt overrides $GITHUB_RUN_ATTEMPT; bad values are refused ----------
decide o1 1 linux-x64 c4
GITHUB_RUN_ATTEMPT=1 "$bin" agent --api-url "$url" --repo e2e/rerun --commit c4 --flavor linux-x64 --scenario "$scen" \
  --attempt 2 >"$work/o2.json" 2>"$work/o2.err"
check "--attempt 2: analyzes again (rerun_unfinished)" test "$(json_get "$work/o2.json" 'd["reason"]')" = rerun_unfinished
expect_error "--attempt 0 is refused" 2 "--attempt" -- agent --api-url "$url" --repo e2e/rerun --commit c5 --flavor a --attempt 0
GITHUB_RUN_ATTEMPT=x "$bin" agent --api-url "$url" --repo e2e/rerun --commit c5 --flavor a >"$work/bad.json" 2>"$work/bad.err"
check "a bad \$GITHUB_RUN_ATTEMPT is refused (exit 2)" test $? = 2
check "a bad \$GITHUB_RUN_ATTEMPT: the error names it" grep -q GITHUB_RUN_ATTEMPT "$work/bad.err"

# --- the issue protocols on a re-run: what docs/protocols.md#re-runs says ------
for strategy in scan-down settle seed-lowest; do
  decide "${strategy}1" 1 linux-x64 "i-$strategy" --strategy "$strategy"
  decide "${strategy}2" 2 linux-x64 "i-$strategy" --strategy "$strategy"
  echo "$strategy: attempt 1 $(rc "${strategy}1") ($(reason "${strategy}1")), attempt 2 $(rc "${strategy}2") ($(reason "${strategy}2"))"
done
# scan-down and settle record nothing when the analysis finishes: the holder's
# open issue is still the lowest, and its re-run analyzes again (a duplicate
# when the first attempt finished, the repair when it died).
check "scan-down re-run: the holder analyzes again (lowest_issue)" test "$(rc scan-down2):$(reason scan-down2)" = 0:lowest_issue
check "settle re-run: the holder analyzes again (lowest_issue)" test "$(rc settle2):$(reason settle2)" = 0:lowest_issue
# seed-lowest (as the reference) finds its own issue and skips: a dead
# leader is never repaired by a re-run.
check "seed-lowest re-run: skips (found_existing)" test "$(rc seed-lowest2):$(reason seed-lowest2)" = 3:found_existing

echo "agent re-run: $pass passed, $failures failed"
[[ $failures -eq 0 ]]
