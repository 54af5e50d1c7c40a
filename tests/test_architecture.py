"""Rules about the shape of the code, checked by reading it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import architecture_rules as rules
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


# -- the layer plan (tests/architecture_rules.py), against the debt that may only shrink --

DEBT_FILE = Path(__file__).parent / "architecture_debt.txt"


def _debt() -> set[str]:
    return {line for line in DEBT_FILE.read_text().splitlines()
            if line.strip() and not line.startswith("#")}


def _found() -> set[str]:
    return {f"{kind}: {item}" for kind, items in rules.violations().items() for item in items}


def test_no_new_upward_import_cycle_or_long_module() -> None:
    new = sorted(_found() - _debt())
    assert new == [], ("against the layer plan in ../shared/ARCHITECTURE.md (interfaces over "
                       "domain over stores; the care plane never imports the pipeline; no "
                       "cycles; at most 400 lines):\n" + "\n".join(new))


def test_the_recorded_debt_is_still_real() -> None:
    stale = sorted(_debt() - _found())
    assert stale == [], ("fixed, so delete these lines from tests/architecture_debt.txt:\n"
                         + "\n".join(stale))


def test_the_rules_see_an_upward_import_and_a_cycle() -> None:
    g = {"ltc.records.store": {"ltc.pipeline.features"},
         "ltc.pipeline.features": {"ltc.records.store"},
         "ltc.care.people.services": {"ltc.pipeline.runs", "ltc.web.app"},
         "ltc.interop.event": set(), "ltc.cli.ingest": {"ltc.interop.event"},
         "ltc.pipeline.runs": set(), "ltc.web.app": set()}
    assert rules.upward(g) == [
        "ltc.care.people.services -> ltc.pipeline.runs (the care plane imports the pipeline)",
        "ltc.care.people.services -> ltc.web.app (domain imports interface)",
        "ltc.records.store -> ltc.pipeline.features (store or leaf imports domain)"]
    assert rules.cycles(g) == ["ltc.pipeline.features <-> ltc.records.store"]


def test_a_bad_import_added_to_the_source_is_caught(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    tree = tmp_path / "ltc"
    (tree / "records").mkdir(parents=True)
    (tree / "web").mkdir()
    (tree / "__init__.py").write_text('"""x"""\n')
    (tree / "records" / "__init__.py").write_text('"""x"""\n')
    (tree / "web" / "__init__.py").write_text('"""x"""\n')
    (tree / "web" / "app.py").write_text('"""x"""\nfrom ltc.records import store\n')
    (tree / "records" / "store.py").write_text('"""x"""\nfrom ltc.web import app\n'
                                               + "x = 1\n" * 400)
    monkeypatch.setattr(rules, "SRC", tree)
    found = rules.violations()
    assert "ltc.records.store -> ltc.web.app (store or leaf imports interface)" in found["upward"]
    assert all(line.startswith("ltc.records.store -> ltc.web") for line in found["upward"])
    assert found["cycle"] == ["ltc.records.store <-> ltc.web.app"]
    assert found["long"] == ["ltc/records/store.py has 402 lines"]
