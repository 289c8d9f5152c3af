#!/usr/bin/env python3
"""The layering rule of docs/architecture.md, checked on the sources' text.

Usage: check_layers.py REPO_ROOT LAYERS_JSON

LAYERS_JSON is the table cmake/Layers.cmake writes at configure time (each
layer's folder, excluded subfolders, and the layers it links), so CMake's
target graph and this check cannot disagree. A file may include, with
quotes, only headers of its own layer and of layers below it (what its layer
links, transitively). Unit tests under tests/<folder>/ follow their layer's
rule, plus tests/support/. Every source file of agent/, sim/ and cli/ must
belong to a layer. Exit 0 when the rule holds; 1 with one line per
violation ("file:line: includes X of layer L, above layer M").
"""
import json
import pathlib
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    root = pathlib.Path(sys.argv[1]).resolve()
    table = json.loads(pathlib.Path(sys.argv[2]).read_text())["layers"]
    layers = {row["folder"]: row for row in table}

    def owner(path: str):
        """The layer whose folder holds path (the longest match), or None."""
        best = None
        for folder, row in layers.items():
            if path == folder or path.startswith(folder + "/"):
                if any(path == e or path.startswith(e + "/") for e in row["excludes"]):
                    continue
                if best is None or len(folder) > len(best):
                    best = folder
        return best

    below = {}

    def reachable(folder: str) -> set:
        if folder not in below:
            seen = {folder}
            for dep in layers[folder]["links"]:
                seen |= reachable(dep)
            below[folder] = seen
        return below[folder]

    problems = []
    sources = [p for d in ("agent", "sim", "cli", "tests") for p in (root / d).rglob("*")
               if p.suffix in (".cpp", ".hpp", ".h") and p.is_file()]
    if not sources:
        print("check_layers: no sources under " + str(root), file=sys.stderr)
        return 2
    checked = 0
    for path in sorted(sources):
        rel = path.relative_to(root).as_posix()
        extra = set()
        if rel.startswith("tests/"):
            inner = rel[len("tests/"):]
            layer = owner(inner)
            if layer is None:
                continue  # end-to-end programs and sanitizer probes build on their own
            extra = {"support"}
        else:
            layer = owner(rel)
            if layer is None:
                problems.append(f"{rel}: belongs to no layer (add its folder with coordsim_layer)")
                continue
        allowed = reachable(layer)
        checked += 1
        for n, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            m = INCLUDE.match(line)
            if not m:
                continue
            target = m.group(1)
            if any(target.startswith(e + "/") for e in extra):
                continue
            if not (root / target).is_file():
                problems.append(f"{rel}:{n}: includes \"{target}\", which is not a path from the "
                                "repository root")
                continue
            to = owner(target)
            if to is None:
                problems.append(f"{rel}:{n}: includes \"{target}\", which belongs to no layer")
            elif to not in allowed:
                problems.append(f"{rel}:{n}: includes \"{target}\" of layer {to}, which layer "
                                f"{layer} does not link (it links: {', '.join(sorted(allowed))})")
    for p in problems:
        print(p)
    print(f"check_layers: {checked} files, {len(layers)} layers, {len(problems)} violations")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
