"""The layer plan of ``../shared/ARCHITECTURE.md`` read from the imports of ``src/ltc``.

Three layers, imports only downwards: interfaces (web, cli, interop) over the domain (care,
pipeline, analytics, synth) over stores and leaves (records, codes, config, windows). The
care plane never imports the pipeline. No import cycles between modules; no module over
400 lines. ``tests/test_architecture.py`` checks these against the debt still recorded in
``tests/architecture_debt.txt``, which may only shrink.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import ltc

SRC = Path(ltc.__file__).parent
MAX_LINES = 400

#: Each top-level part of ``ltc`` and its layer: 3 interfaces, 2 domain, 1 stores and leaves.
LAYERS = {
    "web": 3, "cli": 3, "interop": 3, "options": 3, "__main__": 3,
    "care": 2, "pipeline": 2, "analytics": 2, "synth": 2,
    "records": 1, "codes": 1, "protocols": 1, "config": 1, "windows": 1, "": 1,
}
LAYER_NAMES = {3: "interface", 2: "domain", 1: "store or leaf"}


def modules() -> dict[str, Path]:
    out = {}
    for path in sorted(SRC.rglob("*.py")):
        parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _imported(name: str, path: Path) -> Iterator[str]:
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            yield module
            yield from (f"{module}.{alias.name}" for alias in node.names)


def graph() -> dict[str, set[str]]:
    """Each module of ``ltc`` and the modules of ``ltc`` it imports."""
    mods = modules()
    return {name: {m for m in _imported(name, path) if m in mods and m != name}
            for name, path in mods.items()}


def part(module: str) -> str:
    pieces = module.split(".")
    return pieces[1] if len(pieces) > 1 else ""


def upward(g: dict[str, set[str]]) -> list[str]:
    """Imports against the plan, as ``a -> b (why)``."""
    out = []
    for a, targets in g.items():
        for b in sorted(targets):
            pa, pb = part(a), part(b)
            if LAYERS[pb] > LAYERS[pa]:
                out.append(f"{a} -> {b} ({LAYER_NAMES[LAYERS[pa]]} imports "
                           f"{LAYER_NAMES[LAYERS[pb]]})")
            elif pa == "care" and pb == "pipeline":
                out.append(f"{a} -> {b} (the care plane imports the pipeline)")
            elif pa == "interop" and pb in ("web", "cli"):
                out.append(f"{a} -> {b} (interop imports another interface)")
    return sorted(out)


def cycles(g: dict[str, set[str]]) -> list[str]:
    """Strongly connected groups of more than one module (Tarjan), as ``a <-> b``."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[str] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(g[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                out.append(" <-> ".join(sorted(group)))

    for v in sorted(g):
        if v not in index:
            visit(v)
    return sorted(out)


def long_modules() -> list[str]:
    return sorted(f"{p.relative_to(SRC.parent).as_posix()} has {n} lines"
                  for p in modules().values()
                  if (n := len(p.read_text().splitlines())) > MAX_LINES)


def violations() -> dict[str, list[str]]:
    g = graph()
    return {"upward": upward(g), "cycle": cycles(g), "long": long_modules()}
