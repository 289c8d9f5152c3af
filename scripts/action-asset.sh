#!/usr/bin/env bash
# action.yml's first step: the release asset name for this runner, from
# RUNNER_OS_NAME (Linux, macOS, Windows) and RUNNER_ARCH_NAME (X64, ARM64), and
# the tag from VERSION (a tag such as v0.1.0; a branch or SHA has no release:
# the asset is left empty and the action builds). Writes tag= and asset= to
# $GITHUB_OUTPUT, and source-hash= (the build's sources, for the cache key).
# The names are those .github/workflows/release.yml uploads.
set -euo pipefail
os=${RUNNER_OS_NAME:-Linux}
arch=${RUNNER_ARCH_NAME:-X64}
version=${VERSION:-}
tag="" asset=""
if [[ $version =~ ^v[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
  tag=$version
  case "$os/$arch" in
    Linux/X64) asset="coordsim-runner-${version#v}-linux-x86_64.tar.gz" ;;
    # arm64, Windows and macOS assets are not built yet (docs/install.md):
    # those runners build from source.
    *) asset="" ;;
  esac
fi
echo "coordsim: runner $os/$arch, version '${version}': ${asset:-no release asset, building from source}" >&2
src=$(cd "$(dirname "$0")/.." && pwd)
hash=$(cd "$src" && find . -path './build*' -prune -o \( -name '*.cpp' -o -name '*.hpp' -o -name 'CMakeLists.txt' \
  -o -name '*.cmake' \) -type f -print | LC_ALL=C sort | xargs cat | sha256sum | cut -c1-16)
{
  echo "source-hash=$hash"
  echo "tag=$tag"
  echo "asset=$asset"
} >>"${GITHUB_OUTPUT:-/dev/stdout}"
