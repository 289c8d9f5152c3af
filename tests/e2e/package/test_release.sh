#!/usr/bin/env bash
# The self-contained release build (scripts/build-release.sh DIR): its only
# dynamic dependencies are glibc's (readelf and ldd), it is the runner-only
# command set, the .tar.gz and .deb hold it, and the agent's end-to-end tests
# that need no simulator command (audit, the example workflows) pass with it
# against a full build's `coordsim serve`.
# Usage: test_release.sh RELEASE_DIR FULL_COORDSIM SOURCE_DIR
# Exits 77 (skipped) when RELEASE_DIR has no build: run scripts/build-release.sh first.
set -uo pipefail
dir=$1
full=$2
src=$3
bin=$dir/cli/coordsim
[[ -x $bin ]] || { echo "no release build in $dir: run scripts/build-release.sh $dir (slow)"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0 pass=0
check() { local n=$1; shift; if "$@"; then pass=$((pass + 1)); else echo "FAIL: $n" >&2; failures=$((failures + 1)); fi; }

# glibc's own libraries only: libc, libm, the loader (and libpthread/libdl on an older glibc).
needed=$(readelf -d "$bin" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | sort | tr '\n' ' ')
echo "NEEDED: $needed"
only_glibc() {
  local lib
  for lib in $needed; do
    case $lib in libc.so.6|libm.so.6|ld-linux-x86-64.so.2|libpthread.so.0|libdl.so.2) ;; *) echo "  not glibc: $lib" >&2; return 1 ;; esac
  done
}
check "readelf: only glibc is NEEDED ($needed)" only_glibc
check "readelf: libc is NEEDED" grep -q 'libc.so.6' <<<"$needed"
ldd "$bin" >"$work/ldd" 2>&1
check "ldd: no libstdc++, libgcc_s, libssl, libcrypto, libspdlog, libfmt" \
  bash -c "! grep -E 'libstdc\+\+|libgcc_s|libssl|libcrypto|libspdlog|libfmt' '$work/ldd'"
check "ldd: resolves everything" bash -c "! grep -q 'not found' '$work/ldd'"
check "runs: --version" "$bin" --version
"$bin" run >/dev/null 2>"$work/run.err"
check "runner-only: no 'run' command (exit 2)" test $? = 2
check "runner-only: agent, calibrate, audit are there" bash -c "'$bin' --help | grep -q 'audit' && '$bin' agent --help >/dev/null && '$bin' calibrate --help >/dev/null"

tgz=$(ls "$dir"/coordsim-runner-*.tar.gz 2>/dev/null | head -1)
check "a .tar.gz was made" test -n "$tgz"
[[ -n $tgz ]] && check ".tar.gz holds bin/coordsim" bash -c "tar -tzf '$tgz' | grep -q '/bin/coordsim$'"
deb=$(ls "$dir"/*.deb 2>/dev/null | head -1)
check "a .deb was made" test -n "$deb"
if [[ -n $deb ]]; then
  check ".deb holds usr/bin/coordsim" bash -c "dpkg-deb -c '$deb' | grep './usr/bin/coordsim$' >/dev/null"
  check ".deb depends on libc6 only" test "$(dpkg-deb -f "$deb" Depends)" = "libc6 (>= 2.34)"
fi
check "cmake --install put it in DIR/install/usr/bin" test -x "$dir/install/usr/bin/coordsim"

for t in audit example_workflow; do
  if serve_bin=$full bash "$src/tests/e2e/agent/test_agent_$t.sh" "$bin" "$src" >"$work/$t.log" 2>&1; then
    pass=$((pass + 1)); echo "agent.$t with the release binary: $(tail -1 "$work/$t.log")"
  else
    failures=$((failures + 1)); echo "FAIL: agent.$t with the release binary:"; tail -20 "$work/$t.log"
  fi
done
echo "$pass passed, $failures failed"
[[ $failures -eq 0 ]]
