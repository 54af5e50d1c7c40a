"""Clinical code lists carried as project data (POP-3).

Each list is a small CSV file (``code,term``) in ``ltc/data/codelists``; ``index.csv`` there
names every list, its terminology (``snomed`` or ``icd10``) and its source, and
``SOURCE.md`` records the provenance of every file (repository, commit, original path,
OpenCodelists identifier and version) and the licence notes. The disease registers in
:mod:`ltc.records.registers` are built from these lists and nothing else.

SNOMED CT lists are NHS England Primary Care Domain (PCD) reference set clusters as used by
QOF (for example ``DM_COD`` version 20250627), except cancer, for which no QOF cluster is
available to the project: the Greater Manchester SDE cancer SNOMED CT code set (version 3) is
used instead. ICD-10 lists are OpenCodelists secondary-care lists or, where there is none,
ICD-10 categories the project defines from the ICD-10 chapter structure.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import cache
from importlib import resources
from importlib.abc import Traversable

SYSTEMS = ("snomed", "icd10")


@dataclass(frozen=True)
class Codelist:
    """A named set of codes in one terminology, and where it came from."""

    name: str
    system: str
    codes: frozenset[str]
    source: str

    def __contains__(self, code: object) -> bool:
        return code in self.codes

    def __len__(self) -> int:
        return len(self.codes)


def _folder() -> Traversable:
    return resources.files("ltc") / "data" / "codelists"


@cache
def _index() -> dict[str, tuple[str, str]]:
    text = (_folder() / "index.csv").read_text(encoding="utf-8")
    entries: dict[str, tuple[str, str]] = {}
    for row in csv.DictReader(io.StringIO(text)):
        if row["system"] not in SYSTEMS:
            raise ValueError(f"code list {row['name']}: unknown system {row['system']!r}")
        entries[row["name"]] = (row["system"], row["source"])
    return entries


def names() -> list[str]:
    """Every code list the project carries."""
    return sorted(_index())


@cache
def load(name: str) -> Codelist:
    """The code list called ``name`` (for example ``dm_cod`` or ``asthma_icd10``)."""
    index = _index()
    if name not in index:
        raise KeyError(f"no code list called {name!r}; lists are: {', '.join(sorted(index))}")
    system, source = index[name]
    text = (_folder() / f"{name}.csv").read_text(encoding="utf-8")
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None or reader.fieldnames[:2] != ["code", "term"]:
        raise ValueError(f"code list {name}: expected the header code,term")
    codes = frozenset(_normalise(system, row["code"]) for row in reader if row["code"].strip())
    if not codes:
        raise ValueError(f"code list {name} is empty")
    return Codelist(name=name, system=system, codes=codes, source=source)


def terms(name: str) -> dict[str, str]:
    """The term of each code in the list ``name``."""
    system = load(name).system
    text = (_folder() / f"{name}.csv").read_text(encoding="utf-8")
    return {_normalise(system, row["code"]): row["term"]
            for row in csv.DictReader(io.StringIO(text)) if row["code"].strip()}


def _normalise(system: str, code: str) -> str:
    code = code.strip()
    if system == "icd10":
        code = code.replace(".", "").upper()
    return code
