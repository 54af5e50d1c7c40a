"""Rules about the shape of the code, checked by reading it."""

from __future__ import annotations

import ast
from pathlib import Path

import ltc

SRC = Path(ltc.__file__).parent


def _modules() -> list[Path]:
    return sorted(SRC.rglob("*.py"))


def test_only_config_reads_the_environment() -> None:
    offenders = []
    for path in _modules():
        if path == SRC / "config.py":
            continue
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv") and \
                    isinstance(node.value, ast.Name) and node.value.id == "os":
                offenders.append(path.relative_to(SRC).as_posix())
    assert offenders == [], offenders


def test_every_module_starts_with_a_docstring() -> None:
    missing = [p.relative_to(SRC).as_posix() for p in _modules()
               if ast.get_docstring(ast.parse(p.read_text())) is None]
    assert missing == []


def test_no_star_imports() -> None:
    offenders = [p.relative_to(SRC).as_posix() for p in _modules()
                 if any(isinstance(n, ast.ImportFrom) and any(a.name == "*" for a in n.names)
                        for n in ast.walk(ast.parse(p.read_text())))]
    assert offenders == []
