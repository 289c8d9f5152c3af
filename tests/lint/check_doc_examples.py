#!/usr/bin/env python3
"""The docs include the example workflows as they are: after each
`<!-- example: PATH -->` line of a docs page comes a ```yaml block whose text
must equal docs/PATH; and every docs/examples/*.yml is included somewhere.
Exits 1 with one line per difference. Used by scripts/lint-workflows.sh."""
import glob
import os
import re
import sys

docs = sys.argv[1] if len(sys.argv) > 1 else "docs"
problems, included = [], set()
for page in sorted(glob.glob(os.path.join(docs, "*.md"))):
    text = open(page).read()
    for m in re.finditer(r"<!-- example: (\S+) -->\n```yaml\n(.*?)```\n", text, re.S):
        path = os.path.normpath(os.path.join(docs, m.group(1)))
        included.add(path)
        if not os.path.exists(path):
            problems.append(f"{page}: includes {m.group(1)}, which does not exist")
        elif open(path).read() != m.group(2):
            problems.append(f"{page}: the block after <!-- example: {m.group(1)} --> differs from {path}")
    for m in re.finditer(r"<!-- example: (\S+) -->\n(?!```yaml\n)", text):
        problems.append(f"{page}: <!-- example: {m.group(1)} --> is not followed by a ```yaml block")
for path in sorted(glob.glob(os.path.join(docs, "examples", "*.yml"))):
    if os.path.normpath(path) not in included:
        problems.append(f"{path}: no docs page includes it")
for p in problems:
    print(p, file=sys.stderr)
sys.exit(1 if problems else 0)
