#!/usr/bin/env bash
# The layering and file-size checks themselves: on a scratch tree made here,
# each must pass a tree that follows its rule and fail one that breaks it, so
# a check that cannot fail would fail this test.
# Usage: test_checks.sh SOURCE_DIR
set -euo pipefail
src=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fails=0
expect() {  # expect CODE DESCRIPTION COMMAND...
  local want=$1 what=$2; shift 2
  local got=0
  "$@" >"$work/out" 2>&1 || got=$?
  if [[ $got == "$want" ]]; then echo "ok: $what"; else
    echo "FAIL: $what: exit $got, expected $want"; cat "$work/out"; fails=$((fails + 1)); fi
}

t=$work/tree
mkdir -p "$t"/agent/real "$t"/sim/model "$t"/sim/engine "$t"/cli "$t"/tests/sim/model "$t"/tests/support
cat >"$t/layers.json" <<'JSON'
{"layers": [
  {"target": "a", "folder": "agent", "excludes": ["agent/real"], "links": []},
  {"target": "r", "folder": "agent/real", "excludes": [], "links": ["agent"]},
  {"target": "m", "folder": "sim/model", "excludes": [], "links": ["agent"]},
  {"target": "e", "folder": "sim/engine", "excludes": [], "links": ["sim/model"]},
  {"target": "c", "folder": "cli", "excludes": [], "links": ["sim/engine", "agent/real"]}
]}
JSON
echo '#pragma once' >"$t/agent/ports.hpp"
echo '#include "agent/ports.hpp"' >"$t/agent/real/client.hpp"
echo '#include "agent/ports.hpp"' >"$t/sim/model/model.hpp"
printf '#include "sim/model/model.hpp"\n#include "agent/ports.hpp"\n' >"$t/sim/engine/loop.hpp"
printf '#include "sim/engine/loop.hpp"\n#include "agent/real/client.hpp"\n' >"$t/cli/main.cpp"
printf '#include "sim/model/model.hpp"\n#include "support/fixtures.hpp"\n' >"$t/tests/sim/model/test_model.cpp"
echo '#pragma once' >"$t/tests/support/fixtures.hpp"
check=(python3 "$src/tests/layering/check_layers.py" "$t" "$t/layers.json")
expect 0 "a tree that follows the rule passes" "${check[@]}"

echo '#include "sim/engine/loop.hpp"' >>"$t/sim/model/model.hpp"
expect 1 "a lower layer including a higher one fails" "${check[@]}"
grep -q 'sim/model/model.hpp:2: includes "sim/engine/loop.hpp" of layer sim/engine' "$work/out" &&
  echo "ok: the message names the file, line and layers" || { echo "FAIL: message"; cat "$work/out"; fails=$((fails + 1)); }
echo '#include "agent/ports.hpp"' >"$t/sim/model/model.hpp"

echo '#include "agent/real/client.hpp"' >>"$t/agent/ports.hpp"
expect 1 "agent/ outside agent/real including agent/real fails" "${check[@]}"
echo '#pragma once' >"$t/agent/ports.hpp"

echo '#include "sim/engine/loop.hpp"' >>"$t/tests/sim/model/test_model.cpp"
expect 1 "a unit test including above its layer fails" "${check[@]}"
printf '#include "sim/model/model.hpp"\n' >"$t/tests/sim/model/test_model.cpp"

mkdir -p "$t/sim/stray" && echo '#pragma once' >"$t/sim/stray/x.hpp"
expect 1 "a source file in no layer fails" "${check[@]}"
rm -r "$t/sim/stray"
expect 0 "the repaired tree passes again" "${check[@]}"

sizes=(python3 "$src/tests/layering/check_file_sizes.py" "$t")
expect 0 "short files pass" "${sizes[@]}"
seq 1 700 | sed 's/^/\/\/ line /' >"$t/sim/model/long.cpp"
expect 1 "a 700-line file without a reason fails" "${sizes[@]}"
{ echo '// Long because: one table of every route, read top to bottom.'; cat "$t/sim/model/long.cpp"; } >"$t/sim/model/long2.cpp"
mv "$t/sim/model/long2.cpp" "$t/sim/model/long.cpp"
expect 0 "a long file that says why passes" "${sizes[@]}"

if ((fails)); then echo "$fails failed"; exit 1; fi
echo "all passed"
