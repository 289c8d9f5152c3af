#!/usr/bin/env python3
"""No source file over 600 lines without a reason written at its top.

Usage: check_file_sizes.py REPO_ROOT

A long file is usually several concepts that want their own files
(docs/architecture.md, "Style"). One that is long for a reason says so in a
comment among its first 30 lines containing "Long because" — the reason
a reader needs before splitting it. Exit 0 when every file is short or says
why; 1 with one line per file that is neither.
"""
import pathlib
import sys

LIMIT = 600


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    root = pathlib.Path(sys.argv[1]).resolve()
    problems = []
    files = 0
    for d in ("agent", "sim", "cli", "tests", "bench"):
        for path in sorted((root / d).rglob("*")):
            if path.suffix not in (".cpp", ".hpp", ".h") or not path.is_file():
                continue
            files += 1
            lines = path.read_text(errors="replace").splitlines()
            if len(lines) > LIMIT and not any("Long because" in l for l in lines[:30]):
                problems.append(f"{path.relative_to(root)}: {len(lines)} lines (over {LIMIT}) and no "
                                "\"Long because ...\" comment in its first 30 lines")
    for p in problems:
        print(p)
    print(f"check_file_sizes: {files} files, {len(problems)} over {LIMIT} lines without a reason")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
