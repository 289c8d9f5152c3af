#!/usr/bin/env bash
# Renders sweep HTML reports in headless Chromium, as a person would open them:
# the page must paint something that is not blank, and the SVG charts must be in
# the DOM the browser built (not just in the bytes we wrote).
# Usage: test_sweep_html_chromium.sh HTML_FILE_OR_DIR SOURCE_DIR
set -uo pipefail
target=${1:?usage: test_sweep_html_chromium.sh HTML_FILE_OR_DIR SOURCE_DIR}
src=${2:-}  # unused for now; kept so the ctest call matches the other CLI tests
: "$src"

chromium=${CHROMIUM:-}
if [[ -z $chromium ]]; then
  for c in /usr/bin/chromium /usr/bin/chromium-browser; do
    if [[ -x $c ]]; then chromium=$c; break; fi
  done
fi
if [[ -z $chromium ]]; then
  echo "FAIL: chromium not found (apt-get install -y chromium)" >&2
  echo "0 passed, 1 failed"
  exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pass=0
failures=0

check() {  # check NAME CONDITION-COMMAND...
  local name=$1; shift
  if "$@"; then pass=$((pass + 1)); else echo "FAIL: $name" >&2; failures=$((failures + 1)); fi
}

# Each run gets its own profile so runs never share state; the flags keep
# Chromium off the network (no updates, sync or QUIC probes).
run_chromium() {
  local profile
  profile=$(mktemp -d "$work/profile.XXXXXX")
  timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --disable-dev-shm-usage --hide-scrollbars --user-data-dir="$profile" "$@"
}

# A PNG that is not one flat colour: the stored pixels of a blank page
# compress to almost nothing, and so does one colour, so look at the
# decompressed scanlines and count distinct byte values.
png_has_content() {
  python3 - "$1" <<'EOF'
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
pos, idat = 8, b""
while pos < len(data):
    length, kind = struct.unpack(">I4s", data[pos:pos + 8])
    if kind == b"IDAT":
        idat += data[pos + 8:pos + 8 + length]
    pos += 12 + length
raw = zlib.decompress(idat)
distinct = len(set(raw[i] for i in range(0, len(raw), 7)))
sys.exit(0 if distinct > 8 else 1)
EOF
}

check_page() {
  local html=$1 name
  name=$(basename "$html")
  local abs
  abs=$(cd "$(dirname "$html")" && pwd)/$(basename "$html")
  local png=$work/${name%.html}.png dom=$work/${name%.html}.dom.html

  run_chromium --screenshot="$png" --window-size=1200,2400 "file://$abs" >"$work/shot.log" 2>&1
  check "$name: screenshot written" test -s "$png"
  if [[ -s $png ]]; then
    local size
    size=$(stat -c %s "$png")
    check "$name: screenshot is larger than 10 KB ($size bytes)" test "$size" -gt 10240
    check "$name: screenshot is not a single colour" png_has_content "$png"
  else
    sed 's/^/  chromium: /' "$work/shot.log" >&2
  fi
  if [[ -n ${KEEP_SCREENSHOTS:-} ]]; then cp "$png" "$KEEP_SCREENSHOTS/" 2>/dev/null; fi

  run_chromium --dump-dom "file://$abs" >"$dom" 2>"$work/dom.log"
  check "$name: DOM dumped" test -s "$dom"
  local charts
  charts=$(grep -o '<svg[^>]*class="chart"' "$dom" | wc -l)
  check "$name: $charts SVG chart(s) in the rendered DOM" test "$charts" -ge 1
  check "$name: every chart has role=img and a viewBox" test \
    "$(grep -o '<svg[^>]*class="chart"[^>]*>' "$dom" | grep 'role="img"' | grep -c 'viewBox=')" \
    -eq "$charts"
  check "$name: chart shapes (rect, circle or path) in the DOM" \
    grep -qE '<(rect|circle|path)[ >]' "$dom"
  check "$name: table of points in the DOM" grep -q '<table' "$dom"
  # shellcheck disable=SC2016  # $1 is expanded by the inner bash
  check "$name: nothing loaded from the network" \
    bash -c '! grep -qiE "(src|href)=\"?(https?:)?//" "$1"' _ "$dom"
}

pages=()
if [[ -d $target ]]; then
  while IFS= read -r -d '' f; do
    pages+=("$f")
  done < <(find "$target" -maxdepth 1 -name '*.html' -print0 | sort -z)
elif [[ -f $target ]]; then
  pages=("$target")
fi
if [[ ${#pages[@]} -eq 0 ]]; then
  echo "FAIL: no .html files at $target" >&2
  failures=$((failures + 1))
fi
for page in "${pages[@]}"; do check_page "$page"; done

echo "$pass passed, $failures failed"
[[ $failures -eq 0 ]]
