#!/usr/bin/env bash
# Proves that two coordsim binaries behave the same: runs both over every
# shipped scenario through a representative set of commands (run, check,
# replay, find, explore, sweep, merge, every --help, bad inputs), records
# stdout, stderr, exit code and every file written, masks the wall-clock
# fields, and diffs. For refactors that must not change behaviour.
#
# Usage: scripts/same-outputs.sh OLD_COORDSIM NEW_COORDSIM [OUTDIR]
#   OUTDIR  keep everything there (created; must be empty or absent). Without
#           it, a mktemp -d directory is used, removed when all is identical and
#           kept (its path printed) when something differs.
# Exit: 0 every output identical, 1 some output differs, 2 bad usage.
#
# Layout of the work directory: scenarios/ (a snapshot of the project's, taken
# once so both binaries read the same inputs), old/ and new/ (each binary runs
# with its own as the working directory: scenarios/ -> ../scenarios, inputs/
# for bad-input files, cases/NAME.{stdout,stderr,rc}, o/NAME.* for the files
# the command wrote), masked/old, masked/new (what is diffed). Every path
# handed to coordsim is relative, so the outputs that echo paths match.
# Cases are named GROUP.DETAIL; the summary has one line per GROUP.
#
# SAME_OUTPUTS_NO_MASK=1 diffs without masking (to re-derive the masks: run a
# binary against itself and look at what differs).
set -uo pipefail

die() { echo "same-outputs.sh: $*" >&2; exit 2; }
(($# == 2 || $# == 3)) || die "usage: scripts/same-outputs.sh OLD_COORDSIM NEW_COORDSIM [OUTDIR]"
OLD=$(realpath -e "$1") || die "no such binary: $1"
NEW=$(realpath -e "$2") || die "no such binary: $2"
[[ -x $OLD && -x $NEW ]] || die "not executable: $OLD or $NEW"
PROJECT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
[[ -d $PROJECT/scenarios ]] || die "no scenarios/ in $PROJECT"

keep=0
if (($# == 3)); then
  WORK=$3
  if [[ -e $WORK ]]; then
    [[ -d $WORK && -z $(ls -A "$WORK") ]] || die "OUTDIR $WORK exists and is not an empty directory"
  else
    mkdir -p "$WORK" || die "cannot create $WORK"
  fi
  WORK=$(realpath "$WORK")
  keep=1
else
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/same-outputs.XXXXXX") || die "mktemp failed"
fi
started=$SECONDS

cp -r "$PROJECT/scenarios" "$WORK/scenarios"
# Scenarios in the snapshot, relative to a side's working directory. The JSON
# schema is not a scenario (it is fed to `run` below as a bad input).
mapfile -t TOP < <(cd "$WORK" && ls scenarios/*.json | grep -v '\.schema\.json$')
mapfile -t GUARANTEES < <(cd "$WORK" && ls scenarios/guarantees/*.json)
mapfile -t EXPLORE < <(cd "$WORK" && ls scenarios/explore/*.json)
ALL=("${TOP[@]}" "${GUARANTEES[@]}" "${EXPLORE[@]}")
STRATEGIES=(none seed seed-lowest ref-lock scan-down settle fan-in)
TRIALS=2000

stem() { local b=${1##*/}; b=${b%.json}; [[ $1 == */guarantees/* ]] && b=g-$b; [[ $1 == */explore/* ]] && b=x-$b; echo "$b"; }

BIN=
# c NAME ARGS...: runs $BIN ARGS in the side's directory, recording stdout,
# stderr and the exit code under cases/NAME. Output files go to o/NAME.*.
c() {
  local name=$1; shift
  timeout 600 "$BIN" "$@" >"cases/$name.stdout" 2>"cases/$name.stderr" </dev/null
  echo $? >"cases/$name.rc"
}

cases() {
  local s n k st
  # --- help and version -----------------------------------------------------
  c help.main --help
  c help.version --version
  for k in run check sweep merge replay find explore serve agent calibrate; do c "help.$k" "$k" --help; done
  c help.agent-done agent done --help

  # --- run: every protocol compared, on every scenario ------------------------
  for s in "${ALL[@]}"; do
    n=$(stem "$s")
    c "run-all.$n" run "$s" --strategy all --trials $TRIALS --json "o/run-all.$n.json" --markdown "o/run-all.$n.md"
  done
  # --- run: one protocol at a time -------------------------------------------
  for s in "${ALL[@]}"; do
    n=$(stem "$s")
    for st in "${STRATEGIES[@]}"; do
      c "run-one.$n.$st" run "$s" --strategy "$st" --trials $TRIALS --json "o/run-one.$n.$st.json"
    done
    c "run-one.$n.default" run "$s" --trials $TRIALS --markdown "o/run-one.$n.default.md"
  done
  # --- run: other options ----------------------------------------------------
  c run-misc.builtin run --trials $TRIALS
  c run-misc.builtin-threads1 run --trials $TRIALS --threads 1 --json "o/run-misc.builtin-threads1.json"
  c run-misc.determinism run --trials $TRIALS --check-determinism
  c run-misc.json-stdout run scenarios/aprapipes-production.json --strategy seed-lowest --trials $TRIALS --json -
  c run-misc.markdown-stdout run scenarios/aprapipes-production.json --strategy seed,ref-lock --trials $TRIALS --markdown -
  c run-misc.overrides run scenarios/seed-reproduction.json --trials $TRIALS --seed 11 --failures-per-year 50 \
    --set agent.post_create_wait_s=10 --set 'agent.retry_delays_s=[1,2]' --json "o/run-misc.overrides.json"
  c run-misc.subset run scenarios/faults-lost-responses.json --strategy seed,ref-lock,scan-down --trials $TRIALS \
    --json "o/run-misc.subset.json" --markdown "o/run-misc.subset.md"
  c run-misc.log-info --log-level info run scenarios/seed-reproduction.json --trials $TRIALS

  # --- check: the guarantees, one by one and together --------------------------
  for s in "${GUARANTEES[@]}"; do
    n=$(stem "$s")
    c "check.$n" check "$s" --trials $TRIALS --junit "o/check.$n.xml" --markdown "o/check.$n.md" --json "o/check.$n.json"
  done
  c check.all check "${GUARANTEES[@]}" --trials $TRIALS --junit o/check.all.xml --markdown o/check.all.md \
    --json o/check.all.json
  c check.all-defaults check "${GUARANTEES[@]}" --junit o/check.all-defaults.xml
  c check.strategy-none check scenarios/guarantees/seed-in-production.json --strategy none --trials $TRIALS \
    --max-trials 4000 --json -
  c check.no-expect check scenarios/seed-reproduction.json --trials $TRIALS

  # --- replay: trial 0 as a timeline and a Chrome trace -------------------------
  for s in "${ALL[@]}"; do
    n=$(stem "$s")
    c "replay.$n.default" replay "$s" --trial 0 --trace "o/replay.$n.default.trace.json"
    for st in seed-lowest ref-lock; do
      c "replay.$n.$st" replay "$s" --trial 0 --strategy "$st" --trace "o/replay.$n.$st.trace.json"
    done
  done
  c replay.builtin replay --trial 3
  c replay.trace-stdout replay scenarios/aprapipes-production.json --trial 12 --strategy seed-lowest --trace -
  c replay.determinism replay --trial 3 --set agent.post_create_wait_s=10 --check-determinism
  c replay.seed replay scenarios/aprapipes-production.json --trial 1500 --seed 99 --trials $TRIALS --strategy fan-in
  c replay.shrink replay scenarios/guarantees/none-always-duplicates.json --trial 0 --shrink o/replay.shrink.json

  # --- find ----------------------------------------------------------------
  for s in "${ALL[@]}"; do
    n=$(stem "$s")
    c "find.$n" find "$s" --where duplicate --trials $TRIALS --json "o/find.$n.json"
  done
  c find.expr find scenarios/aprapipes-production.json --strategy seed-lowest \
    --where 'misses>0 || (analyses>1 && api_calls<40)' --limit 3 --trials $TRIALS
  c find.json-stdout find scenarios/seed-reproduction.json --where 'analyses>2' --trials $TRIALS --json -
  c find.none find scenarios/seed-reproduction.json --where 'analyses>100' --trials $TRIALS
  c find.shrink find scenarios/seed-reproduction.json --where 'analyses>2' --trials $TRIALS --shrink o/find.shrink.json

  # --- explore ---------------------------------------------------------------
  for s in "${EXPLORE[@]}"; do
    n=$(stem "$s")
    c "explore.$n" explore "$s" --json "o/explore.$n.json" --out "o/explore.$n.cx.json"
    c "explore.$n.grid2" explore "$s" --grid 2 --where duplicate --json -
    c "explore.$n.budget" explore "$s" --max-schedules 5 --no-prune
  done
  c explore.strategy explore scenarios/explore/ref-lock-box.json --strategy seed --out o/explore.strategy.cx.json
  c explore.set explore scenarios/explore/seed-box.json --grid 2 --set agent.post_create_wait_s=30

  # --- sweep and merge ---------------------------------------------------------
  local vary=(--vary agent.post_create_wait_s=0:10:5 --vary 'agent.retry_delays_s=[0.5,1],[2,4]')
  c sweep.full sweep scenarios/tuning-seed.json "${vary[@]}" --trials 500 --json o/sweep.full.json \
    --csv o/sweep.full.csv --markdown o/sweep.full.md --html o/sweep.full.html
  c sweep.shard1 sweep scenarios/tuning-seed.json "${vary[@]}" --trials 500 --shard 1/2 --json o/sweep.shard1.json
  c sweep.shard2 sweep scenarios/tuning-seed.json "${vary[@]}" --trials 500 --shard 2/2 --json o/sweep.shard2.json
  c sweep.merge merge o/sweep.shard1.json o/sweep.shard2.json --json o/sweep.merge.json --csv o/sweep.merge.csv \
    --markdown o/sweep.merge.md --html o/sweep.merge.html
  c sweep.target sweep scenarios/tuning-seed.json --vary agent.post_create_wait_s=0,20 --trials 500 \
    --strategy seed-lowest --target-duplicate-rate 0.2 --json -

  # --- bad input: messages and exit codes ------------------------------------------
  printf '{"name": "broken",\n  "trials": \n' >inputs/broken.json
  sed 's/"trials"/"trails"/' scenarios/seed-reproduction.json >inputs/typo.json
  c error.no-subcommand
  c error.unknown-subcommand frobnicate
  c error.missing-file run scenarios/no-such-file.json
  c error.broken-json run inputs/broken.json
  c error.typo-key run inputs/typo.json
  c error.schema-as-scenario run scenarios/scenario.schema.json
  c error.set-unknown-path run scenarios/seed-reproduction.json --set agent.no_such_key=1
  c error.set-no-equals run scenarios/seed-reproduction.json --set agent.post_create_wait_s
  c error.set-bad-type run scenarios/seed-reproduction.json --set agent.post_create_wait_s=abc
  c error.bad-strategy run --strategy bogus
  c error.bad-strategy-list run --strategy seed,bogus
  c error.zero-trials run --trials 0
  c error.unknown-option run --bogus
  c error.bad-log-level --log-level loud run
  c error.json-dir run --trials 10 --json nodir/x.json
  c error.replay-range replay scenarios/seed-reproduction.json --trial 99999999
  c error.replay-no-trial replay scenarios/seed-reproduction.json
  c error.replay-trace-dir replay --trial 0 --trace nodir/t.json
  c error.replay-where-no-shrink replay --trial 0 --where duplicate
  c error.find-syntax find --where 'analyses >' --trials 10
  c error.find-unknown-metric find --where 'analyzes>1' --trials 10
  c error.find-no-where find scenarios/seed-reproduction.json
  c error.check-no-args check
  c error.check-max-trials check scenarios/guarantees/seed-in-production.json --trials 100 --max-trials 10
  c error.explore-unbounded explore scenarios/seed-reproduction.json
  c error.explore-grid explore scenarios/explore/seed-box.json --grid 1
  c error.sweep-no-vary sweep scenarios/tuning-seed.json
  c error.sweep-bad-vary sweep scenarios/tuning-seed.json --vary agent.post_create_wait_s
  c error.sweep-bad-path sweep scenarios/tuning-seed.json --vary agent.nope=1,2 --trials 10
  c error.sweep-bad-shard sweep scenarios/tuning-seed.json --vary agent.post_create_wait_s=0,1 --shard 3/2
  c error.merge-not-sweep merge scenarios/seed-reproduction.json
  c error.serve-missing-file serve scenarios/no-such-file.json
  c error.agent-no-flavor agent
  c error.calibrate-no-repo calibrate
}

# Wall-clock fields, the only things that differ between two runs of one binary.
# Each rule is anchored on the text around the number, so nothing else is touched.
# mask FILE...: masks the files in place (sed -i: each file on its own).
mask() {
  [[ ${SAME_OUTPUTS_NO_MASK:-} == 1 ]] && return
  sed -i -E \
    -e 's/"(wall_s|trials_per_s)": -?[0-9][0-9.eE+-]*/"\1": "<masked>"/g' \
    -e 's/ events in [0-9.]+ s on ([0-9]+) thread\(s\): [0-9]+ trials\/s/ events in <masked> s on \1 thread(s): <masked> trials\/s/' \
    -e '/<(testsuites?|testcase) /s/ time="[0-9.]+"/ time="<masked>"/' \
    -e '/^  (PASS|FAIL|INCONCLUSIVE) /s/ [0-9]+\.[0-9]+ s$/ <masked> s/' \
    -e 's/(passed, [0-9]+ failed, [0-9]+ inconclusive \([0-9]+ scenarios?, [0-9]+ trials, )[0-9.]+ s\)/\1<masked> s)/' \
    -e '/ (PASS|FAIL|INCONCLUSIVE) \| /s/\| [0-9]+\.[0-9]+ s \|$/| <masked> s |/' \
    -e 's/"seconds": -?[0-9][0-9.eE+-]*/"seconds": "<masked>"/' \
    -e 's/([0-9]+ schedules?, [0-9]+ pruned, )[0-9.]+ m?s\)/\1<masked>)/' \
    -e 's/^(info: done in )[0-9.]+ s$/\1<masked> s/' "$@"
}
# What each rule masks (all measured with std::chrono::steady_clock):
#  1. "wall_s", "trials_per_s": run --json, once per protocol in run --strategy
#     LIST --json (sim/report.cpp report_json); sweep documents drop both.
#  2. run's text report, last line: "N events in X s on T thread(s): R trials/s"
#     (X and R; T is the worker count, the same on one machine).
#  3. check: JUnit time="..." of <testsuites>, each <testsuite> and <testcase>;
#     the time column of the text and Markdown rows, and the totals line's
#     "(N scenarios, M trials, X s)".
#  4. explore --json "seconds" (the search time).
#  5. explore's text: "(N schedules, M pruned, X ms)" or "... X s)".
#  6. --log-level info: "info: done in X s" on stderr.

for side in old new; do
  mkdir -p "$WORK/$side/cases" "$WORK/$side/o" "$WORK/$side/inputs"
  ln -s ../scenarios "$WORK/$side/scenarios"
done
side_started=$SECONDS
(cd "$WORK/old" && BIN=$OLD && cases)
old_s=$((SECONDS - side_started))
side_started=$SECONDS
(cd "$WORK/new" && BIN=$NEW && cases)
new_s=$((SECONDS - side_started))

# Masked copies of everything a command produced (not the inputs).
for side in old new; do
  mkdir -p "$WORK/masked/$side"
  cp -r "$WORK/$side/cases" "$WORK/$side/o" "$WORK/masked/$side/"
  mapfile -d '' files < <(find "$WORK/masked/$side" -type f -print0)
  ((${#files[@]})) && mask "${files[@]}"
done

mapfile -t FILES < <(cd "$WORK/masked" && { (cd old && find . -type f); (cd new && find . -type f); } | sed 's|^\./||' | sort -u)
declare -A total=() differ=()
groups=()
bad=()
for f in "${FILES[@]}"; do
  b=${f##*/}
  g=${b%%.*}
  [[ -v "total[$g]" ]] || { groups+=("$g"); total[$g]=0; differ[$g]=0; }
  total[$g]=$((total[$g] + 1))
  if ! cmp -s "$WORK/masked/old/$f" "$WORK/masked/new/$f"; then
    differ[$g]=$((differ[$g] + 1))
    bad+=("$f")
  fi
done

echo "same-outputs: $OLD (old) vs $NEW (new), scenarios of $PROJECT"
for g in "${groups[@]}"; do
  cases_n=$(printf '%s\n' "${FILES[@]}" | grep -c "^cases/$g\..*\.rc$")
  if ((differ[$g] == 0)); then
    printf '  %-10s %3d commands, %4d outputs: identical\n' "$g" "$cases_n" "${total[$g]}"
  else
    printf '  %-10s %3d commands, %4d outputs: %d DIFFER\n' "$g" "$cases_n" "${total[$g]}" "${differ[$g]}"
  fi
done
n_cases=$(printf '%s\n' "${FILES[@]}" | grep -c '^cases/.*\.rc$')
echo "  total: $n_cases commands, ${#FILES[@]} outputs (stdout, stderr, exit code, files written), ${#bad[@]} differ;" \
  "old ${old_s} s, new ${new_s} s, $((SECONDS - started)) s in all"

if ((${#bad[@]} == 0)); then
  if ((keep)); then echo "  outputs kept in $WORK"; else rm -rf "$WORK"; fi
  exit 0
fi

echo
echo "differences (masked; first 20 files, 40 lines each):"
shown=0
for f in "${bad[@]}"; do
  ((shown++ < 20)) || break
  echo "=== $f"
  if [[ ! -e $WORK/masked/old/$f ]]; then echo "  only in new"; continue; fi
  if [[ ! -e $WORK/masked/new/$f ]]; then echo "  only in old"; continue; fi
  diff -u --label "old/$f" --label "new/$f" "$WORK/masked/old/$f" "$WORK/masked/new/$f" | head -n 40
done
((${#bad[@]} > 20)) && echo "... and $((${#bad[@]} - 20)) more files"
echo
echo "outputs kept in $WORK (old/, new/ raw; masked/ as diffed)"
exit 1
