"""The spec tables of the tests rendered as ``docs/specs.md``, so a reader sees each rule and
its proof side by side (STRAT-1, STRAT-2, STRAT-4, POP-3, CM-4).

A spec test is a test module that imports :mod:`spec_tables`. Its tables are found where
they are written: module-level tables are read from the imported module (so tables built
in code, such as the windows' ``SPECS``, appear with their values); tables inside a test
function are read from its source, with ``{name}`` placeholders replaced by the module's
value of ``name`` where it has one. Each table is parsed by :mod:`spec_tables`, the
parser the tests use, and written back as Markdown under the name it is given (the record
table it fills, ``expected``, or the variable that holds it).

``uv run python scripts/render_specs.py`` writes the file; ``tests/test_spec_docs.py``
fails when it differs from what this module renders.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Any

from spec_tables import header_and_rows, markdown

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
DOC = REPO / "docs" / "specs.md"
RENDER_COMMAND = "uv run python scripts/render_specs.py"
#: functions of :mod:`spec_tables` whose first argument names the record table filled
_NAMED = {"table", "records"}


@dataclass(frozen=True)
class Table:
    """One spec table: the name it is given and its text."""

    label: str
    text: str


#: test modules that use the parser on documents, not on spec tables of their own
NOT_SPECS = {TESTS / "test_spec_docs.py", TESTS / "test_capability_map.py"}


def spec_files(root: Path = TESTS) -> list[Path]:
    """Every test module under ``root`` that imports the spec-table parser (but those of
    :data:`NOT_SPECS`)."""
    return sorted(p for p in root.rglob("test_*.py") if p not in NOT_SPECS
                  and "from spec_tables import" in p.read_text(encoding="utf-8"))


def _module(path: Path) -> ModuleType:
    """Import a test module under the name pytest gives it (its package, if any)."""
    base, parts = path.parent, [path.stem]
    while (base / "__init__.py").exists():
        parts.insert(0, base.name)
        base = base.parent
    for folder in (str(TESTS), str(base)):
        if folder not in sys.path:
            sys.path.insert(0, folder)
    return importlib.import_module(".".join(parts))


def _is_table(text: str, label: str) -> bool:
    first = next((line for line in text.splitlines() if line.strip()), "")
    if "|" not in first:
        return False
    try:
        header, rows = header_and_rows(text)
    except ValueError:
        return False
    return all(header) and (bool(rows) or label == "expected")


def _from_value(value: Any, label: str) -> Iterator[Table]:
    """Tables in a module-level value: a string, or dicts, lists and tuples of them."""
    if isinstance(value, str):
        if _is_table(value, label):
            yield Table(label, value)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _from_value(item, f"{label} / {key}")
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _from_value(item, label)


def _literal(node: ast.expr, names: dict[str, Any]) -> str | None:
    """The text of a string or f-string, placeholders filled from module-level ``names``."""
    if isinstance(node, ast.Constant):
        return node.value if isinstance(node.value, str) else None
    if not isinstance(node, ast.JoinedStr):
        return None
    parts = []
    for part in node.values:
        if isinstance(part, ast.Constant):
            parts.append(str(part.value))
            continue
        assert isinstance(part, ast.FormattedValue)
        value = names.get(part.value.id) if isinstance(part.value, ast.Name) else None
        if isinstance(value, str | int | float | date) and part.format_spec is None:
            parts.append(str(value))
        else:
            parts.append("{" + ast.unparse(part.value) + "}")
    return "".join(parts)


def _from_source(node: ast.AST, label: str, names: dict[str, Any]) -> Iterator[Table]:
    """Tables written as literals in ``node``, named by the call or variable around them."""
    if isinstance(node, ast.BinOp):  # a table put together in code: not shown
        return
    text = _literal(node, names) if isinstance(node, ast.expr) else None
    if text is not None:
        if _is_table(text, label):
            yield Table(label, text)
        return
    if isinstance(node, ast.Call):
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        for i, arg in enumerate(node.args):
            if name in _NAMED and i == 1 and isinstance(node.args[0], ast.Constant):
                yield from _from_source(arg, str(node.args[0].value), names)
            elif name == "check" and i == 1:
                yield from _from_source(arg, "expected", names)
            else:
                yield from _from_source(arg, label, names)
        for keyword in node.keywords:
            yield from _from_source(keyword.value, keyword.arg or label, names)
        return
    if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
        target = node.targets[0] if isinstance(node, ast.Assign) else node.target
        own = target.id if isinstance(target, ast.Name) else label
        yield from _from_source(node.value, own, names)
        return
    if isinstance(node, ast.Dict):
        for key, value in zip(node.keys, node.values, strict=True):
            own = key.value if isinstance(key, ast.Constant) else label
            yield from _from_source(value, str(own), names)
        return
    for child in ast.iter_child_nodes(node):
        yield from _from_source(child, label, names)


def _title(name: str) -> str:
    words = name.removeprefix("test_").replace("_", " ")
    return words[:1].upper() + words[1:]


def _tables_md(tables: list[Table], heading: str = "") -> list[str]:
    """Each table under its name (less the heading's, which the section already gives)."""
    lines = []
    for table in tables:
        header, rows = header_and_rows(table.text)
        label = table.label.removeprefix(f"{heading} / ")
        lines += ([] if label == heading else [f"*{label}*", ""]) + [markdown(header, rows), ""]
    return lines


def render_file(path: Path) -> str:
    """The Markdown section for one spec test module."""
    module = _module(path)
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = vars(module)
    title, _, rest = (ast.get_docstring(tree) or path.stem).strip().partition("\n\n")
    where = path.relative_to(REPO) if path.is_relative_to(REPO) else path.name
    lines = [f"## {' '.join(title.split())}", "", f"`{where}`", ""]
    if rest.strip():
        lines += [inspect.cleandoc(rest), ""]
    for node in tree.body:
        if isinstance(node, ast.Assign | ast.AnnAssign):
            target = node.targets[0] if isinstance(node, ast.Assign) else node.target
            if not isinstance(target, ast.Name):
                continue
            tables = list(_from_value(names.get(target.id), target.id))
            tables = tables or list(_from_source(node, target.id, names))
            if tables:
                lines += [f"### `{target.id}`", "", *_tables_md(tables, target.id)]
        elif isinstance(node, ast.FunctionDef) and node.name.startswith("test"):
            tables = list(_from_source(node, "table", names))
            if tables:
                lines += [f"### {_title(node.name)}", ""]
                if (text := ast.get_docstring(node)) is not None:
                    lines += [text, ""]
                lines += _tables_md(tables)
    return "\n".join(lines)


def render(files: list[Path] | None = None) -> str:
    """``docs/specs.md``: every spec test module's tables, module by module."""
    head = ["# Spec tables", "",
            "The record-plane rows each spec test gives and the output it expects, taken from "
            "the tests themselves (every spec runs on DuckDB and on Spark). Generated by "
            f"`{RENDER_COMMAND}` (`tests/spec_docs.py`); do not edit by hand: "
            "`tests/test_spec_docs.py` fails when this file differs from the tests. "
            "An empty cell is a missing value; `{name}` stands for a value the test computes.",
            ""]
    sections = [render_file(path) for path in (spec_files() if files is None else files)]
    return "\n".join(head) + "\n" + "\n\n".join(sections).rstrip() + "\n"
