#!/usr/bin/env bash
# The Linux arm64 runner cross-built by scripts/cross-arm64.sh DIR: an AArch64
# ELF whose only dynamic dependencies are glibc's, the .tar.gz and the arm64
# .deb hold it, it runs under qemu-user (`--version`, `agent --help`), and the
# agent's end-to-end test passes with three arm64 agents under qemu against the
# x86-64 build's `coordsim serve` (test_agent_e2e.sh with COORDSIM_AGENT_BIN):
# exactly one analysis per failure where the simulator says one.
# Usage: test_arm64.sh ARM64_DIR FULL_COORDSIM SOURCE_DIR
# Exits 77 (skipped) when ARM64_DIR has no build or qemu-aarch64-static is
# missing: run scripts/cross-arm64.sh first (slow; it installs qemu too).
set -uo pipefail
dir=$1
full=$2
src=$3
bin=$dir/cli/coordsim
[[ -x $bin ]] || { echo "no arm64 build in $dir: run scripts/cross-arm64.sh $dir (slow)"; exit 77; }
qemu=$(command -v qemu-aarch64-static) || { echo "no qemu-aarch64-static: apt-get install qemu-user-static"; exit 77; }
# The arm64 dynamic loader and libc: Debian's cross toolchain's copy (libc6-arm64-cross).
sysroot=/usr/aarch64-linux-gnu
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0 pass=0
check() { local n=$1; shift; if "$@"; then pass=$((pass + 1)); else echo "FAIL: $n" >&2; failures=$((failures + 1)); fi; }

check "readelf -h: AArch64 ELF" bash -c "readelf -h '$bin' | grep -q 'Machine:.*AArch64'"
needed=$(readelf -d "$bin" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | sort | tr '\n' ' ')
echo "NEEDED: $needed"
only_glibc() {
  local lib
  for lib in $needed; do
    case $lib in libc.so.6|libm.so.6|ld-linux-aarch64.so.1|libpthread.so.0|libdl.so.2) ;; *) echo "  not glibc: $lib" >&2; return 1 ;; esac
  done
}
check "readelf -d: only glibc is NEEDED ($needed)" only_glibc
check "readelf -d: libc is NEEDED" grep -q 'libc.so.6' <<<"$needed"
check "readelf -l: the interpreter is /lib/ld-linux-aarch64.so.1" \
  bash -c "readelf -l '$bin' | grep -q 'interpreter: /lib/ld-linux-aarch64.so.1'"

# One executable for COORDSIM_AGENT_BIN: the e2e test quotes it as one word.
wrapper=$work/coordsim-arm64
printf '#!/bin/sh\nexec %q -L %q %q "$@"\n' "$qemu" "$sysroot" "$(realpath "$bin")" >"$wrapper"
chmod +x "$wrapper"
check "qemu: --version" bash -c "'$wrapper' --version | grep -q '^coordsim '"
check "qemu: agent --help" bash -c "'$wrapper' agent --help | grep -q 'coordsim agent done'"
"$wrapper" run >/dev/null 2>&1
check "runner-only: no 'run' command (exit 2)" test $? = 2

tgz=$(ls "$dir"/coordsim-runner-*-linux-aarch64.tar.gz 2>/dev/null | head -1)
check "a linux-aarch64 .tar.gz was made" test -n "$tgz"
[[ -n $tgz ]] && check ".tar.gz holds bin/coordsim" bash -c "tar -tzf '$tgz' | grep -q '/bin/coordsim$'"
deb=$(ls "$dir"/*.deb 2>/dev/null | head -1)
check "a .deb was made" test -n "$deb"
if [[ -n $deb ]]; then
  check ".deb is Architecture: arm64 (got $(dpkg-deb -f "$deb" Architecture))" test "$(dpkg-deb -f "$deb" Architecture)" = arm64
  check ".deb holds usr/bin/coordsim" bash -c "dpkg-deb -c '$deb' | grep './usr/bin/coordsim$' >/dev/null"
  check ".deb depends on libc6 only" test "$(dpkg-deb -f "$deb" Depends)" = "libc6 (>= 2.34)"
fi

# The x86-64 build serves and predicts (`serve`, `run`); the arm64 agents decide.
start=$(date +%s)
if COORDSIM_AGENT_BIN=$wrapper bash "$src/tests/e2e/agent/test_agent_e2e.sh" "$full" "$src" >"$work/e2e.log" 2>&1; then
  pass=$((pass + 1)); echo "agent.e2e with arm64 agents under qemu ($(( $(date +%s) - start )) s): $(tail -1 "$work/e2e.log")"
else
  failures=$((failures + 1)); echo "FAIL: agent.e2e with arm64 agents under qemu:"; tail -30 "$work/e2e.log"
fi
grep -E '^random lags:' "$work/e2e.log"
echo "$pass passed, $failures failed"
[[ $failures -eq 0 ]]
