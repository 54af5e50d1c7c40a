"""``docs/architecture.md`` says where each MODEL.md capability lives, and cannot drift.

The table under "Layers and where each capability lives" has one row per capability ID of
``../shared/MODEL.md``: its ``where`` cell lists module paths under ``src/`` (a path
ending in ``/`` is a package, read through its ``__init__.py``) or says ``not built``.
The table is read with the one spec-table parser (``tests/spec_tables.py``). Every module
of the care plane, the edge and the web app (``ltc/care``, ``ltc/interop``, ``ltc/web``)
names the capability IDs it serves in its docstring, or says it has no capability of its
own (shared infrastructure, as ``config.py`` does).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from spec_tables import parse

REPO = Path(__file__).resolve().parents[1]
MODEL = REPO.parent / "shared" / "MODEL.md"
DOC = REPO / "docs" / "architecture.md"
SRC = REPO / "src"
SECTION = "## Layers and where each capability lives"
#: The packages whose every module names its capabilities or says it has none.
NAMING = ("ltc/care/", "ltc/interop/", "ltc/web/")
#: Alembic's revision scripts: their docstring is the revision's message.
REVISIONS = "ltc/care/migrations/versions/"
NONE_OF_ITS_OWN = "no capability of its own"


def model_ids(text: str) -> list[str]:
    """The capability IDs MODEL.md defines (``- POP-1 A patient index...``), in order."""
    return re.findall(r"^- ([A-Z]+-\d+) ", text, flags=re.MULTILINE)


def named_ids(docstring: str, prefixes: set[str]) -> set[str]:
    """The capability IDs a docstring names, ``STRAT-1 to STRAT-7`` counting as seven."""
    ids = set()
    pattern = r"\b([A-Z]+)-(\d+)\b(?:\s+to\s+\1-(\d+)\b)?"
    for prefix, first, last in re.findall(pattern, docstring):
        if prefix in prefixes:
            ids |= {f"{prefix}-{n}" for n in range(int(first), int(last or first) + 1)}
    return ids


def capability_table(text: str) -> list[dict[str, str]]:
    """The rows of the capability table in ``docs/architecture.md``."""
    section = text.split(SECTION, 1)[1].split("\n## ", 1)[0]
    lines = [line for line in section.splitlines() if line.startswith("|")]
    return parse("\n".join(lines))


def paths(where: str) -> list[str]:
    """The module paths a ``where`` cell lists (backticked, under ``src/``); a package may
    be named by its dotted name (``ltc.care.people``), read as ``ltc/care/people/``."""
    named = re.findall(r"`([^`]+)`", where)
    return [p if p.startswith("ltc/") else p.replace(".", "/") + "/" for p in named
            if p.startswith("ltc/") or re.fullmatch(r"ltc(\.\w+)+", p)]


def docstring(path: str) -> str:
    """The module docstring of ``src/<path>`` (a package's: its ``__init__.py``)."""
    file = SRC / path / "__init__.py" if path.endswith("/") else SRC / path
    return ast.get_docstring(ast.parse(file.read_text(encoding="utf-8"))) or ""


def names_its_capabilities(docstring: str, prefixes: set[str]) -> bool:
    """Whether a module docstring names a capability ID or says it has none of its own."""
    return bool(named_ids(docstring, prefixes)) or NONE_OF_ITS_OWN in " ".join(docstring.split())


@pytest.fixture(scope="module")
def ids() -> list[str]:
    if not MODEL.is_file():
        pytest.fail(f"{MODEL} not found: clone the repository beside the shared/ folder")
    return model_ids(MODEL.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    return capability_table(DOC.read_text(encoding="utf-8"))


def test_every_capability_of_the_model_has_one_row(ids: list[str],
                                                   rows: list[dict[str, str]]) -> None:
    assert len(ids) > 40  # POP, STRAT, CM, DM, SC, VW and COM
    table = [r["ID"] for r in rows]
    assert sorted(set(table)) == sorted(table), "an ID has two rows"
    assert set(ids) - set(table) == set(), "IDs of MODEL.md missing from the table"
    assert set(table) - set(ids) == set(), "IDs in the table that MODEL.md does not define"


def test_each_row_lists_modules_that_exist_or_says_not_built(
        rows: list[dict[str, str]]) -> None:
    for row in rows:
        listed = paths(row["where"])
        if not listed:
            assert row["where"] == "not built", f"{row['ID']}: no module and not 'not built'"
        for path in listed:
            assert (SRC / path).exists(), f"{row['ID']}: {path} does not exist under src/"
            assert path.endswith(("/", ".py")), f"{row['ID']}: {path} is not a module"


def test_each_listed_module_names_its_capability(ids: list[str],
                                                 rows: list[dict[str, str]]) -> None:
    prefixes = {i.split("-")[0] for i in ids}
    missing = [f"{path} does not name {row['ID']}" for row in rows
               for path in paths(row["where"])
               if row["ID"] not in named_ids(docstring(path), prefixes)]
    assert missing == [], "module docstrings must name the capability IDs they serve"


def test_no_module_claims_a_capability_the_table_calls_not_built(
        ids: list[str], rows: list[dict[str, str]]) -> None:
    prefixes = {i.split("-")[0] for i in ids}
    not_built = {r["ID"] for r in rows if r["where"] == "not built"}
    claims = [f"{file.relative_to(SRC)} names {i}" for file in sorted(SRC.rglob("*.py"))
              for i in named_ids(docstring(str(file.relative_to(SRC))), prefixes) & not_built]
    assert claims == [], "built now? give these IDs their modules in docs/architecture.md"


def test_every_module_of_care_interop_and_web_names_its_capabilities(
        ids: list[str]) -> None:
    prefixes = {i.split("-")[0] for i in ids}
    modules = [str(file.relative_to(SRC)) for file in sorted(SRC.rglob("*.py"))]
    checked = [m for m in modules
               if m.startswith(NAMING) and not m.startswith(REVISIONS)]
    assert len(checked) > 80
    silent = [m for m in checked if not names_its_capabilities(docstring(m), prefixes)]
    assert silent == [], f"name the capability IDs, or say '{NONE_OF_ITS_OWN}'"


def test_the_readers_of_ids_and_the_table() -> None:
    assert model_ids("- POP-1 A patient index\n  - Castlefields: age\n- CM-12 Discharge") == [
        "POP-1", "CM-12"]
    assert named_ids("runs (STRAT-1 to STRAT-3, POP-5; CM-10 to\nCM-12), ICD-10, SHA-256",
                     {"STRAT", "POP", "CM"}) == {"STRAT-1", "STRAT-2", "STRAT-3", "POP-5",
                                                 "CM-10", "CM-11", "CM-12"}
    rows = capability_table(f"{SECTION}\n\ntext\n\n| ID | capability | where |\n|---|---|---|\n"
                            "| POP-1 | index | `ltc/codes/`, `ltc/x.py` (note) |\n\n## Next\n"
                            "| POP-2 | no | not built |")
    assert rows == [{"ID": "POP-1", "capability": "index",
                     "where": "`ltc/codes/`, `ltc/x.py` (note)"}]
    assert paths(rows[0]["where"]) == ["ltc/codes/", "ltc/x.py"]
    assert paths("`ltc.care.people`, `ltc/web/`, `care/x`") == ["ltc/care/people/", "ltc/web/"]
    prefixes = {"CM", "POP"}
    assert [names_its_capabilities(d, prefixes) for d in (
        "Contacts (CM-6).", "Settings (infrastructure: no\n  capability of its own).",
        "The audit trail (privacy).", "Codes (ICD-10).")] == [True, True, False, False]
