#!/usr/bin/env bash
# The committed reports/ are what scripts/make-reports.sh makes from
# scenarios/ with this binary: regenerating them changes nothing but the
# documented timing fields ("wall_s", "trials_per_s" in the JSON), which are
# masked before the diff. A change that moves a shipped number must
# regenerate reports/ in the same commit.
# Usage: test_reports_fresh.sh COORDSIM_BINARY SOURCE_DIR
set -uo pipefail
bin=$(realpath "$1")
src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

mkdir -p "$work/scripts"
cp -r "$src/scenarios" "$work/scenarios"
cp "$src/scripts/make-reports.sh" "$work/scripts/"
if ! (cd "$work" && COORDSIM_BIN=$bin bash scripts/make-reports.sh >"$work/log" 2>&1); then
  echo "FAIL: make-reports.sh failed: $(tail -5 "$work/log")" >&2
  exit 1
fi
mask() {
  sed -E 's/"(wall_s|trials_per_s)": -?[0-9][0-9.eE+-]*/"\1": "<masked>"/g' "$1"
}
status=0
while IFS= read -r -d '' f; do
  name=${f#"$src/reports/"}
  if [[ ! -e $work/reports/$name ]]; then
    echo "FAIL: reports/$name is committed but make-reports.sh no longer writes it" >&2
    status=1
  elif ! diff -u --label "committed/$name" --label "regenerated/$name" <(mask "$f") <(mask "$work/reports/$name") \
      >"$work/diff"; then
    echo "FAIL: reports/$name is stale (run scripts/make-reports.sh):" >&2
    head -20 "$work/diff" >&2
    status=1
  fi
done < <(find "$src/reports" -type f -print0)
while IFS= read -r -d '' f; do
  name=${f#"$work/reports/"}
  [[ -e $src/reports/$name ]] || { echo "FAIL: make-reports.sh writes reports/$name, which is not committed" >&2; status=1; }
done < <(find "$work/reports" -type f -print0)
[[ $status -eq 0 ]] && echo "reports/ is up to date ($(find "$src/reports" -type f | wc -l) files)"
exit $status
