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
ICD-10 categories the project defines from the ICD-10 chapter structure. An ICD-10 list is
read without the entries ``icd10_exclusions.csv`` removes (codes that do not mean the
condition, each with its reason, e.g. F05.0 delirium on the dementia list).

Drug lists (``drugs/``: QOF drug clusters such as ``ASTTRT_COD``) hold rows of
``system,code,term``: ``dmd`` and ``rxnorm`` codes match exactly, ``bnf`` codes are BNF
prefixes (a section such as ``0301``), and ``name`` rows are words (an ingredient or brand)
matched in the drug name, for code systems whose list the project does not carry.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import cache
from importlib import resources
from importlib.abc import Traversable

SYSTEMS = ("snomed", "icd10")
DRUG_SYSTEMS = ("dmd", "bnf", "rxnorm", "name")
EXCLUSIONS_FILE = "icd10_exclusions.csv"


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
    removed = _removed(name, codes)
    return Codelist(name=name, system=system, codes=codes - removed, source=source)


def terms(name: str) -> dict[str, str]:
    """The term of each code in the list ``name`` (excluded entries left out)."""
    kept = load(name).codes
    text = (_folder() / f"{name}.csv").read_text(encoding="utf-8")
    found = {_normalise(load(name).system, row["code"]): row["term"]
             for row in csv.DictReader(io.StringIO(text)) if row["code"].strip()}
    return {code: term for code, term in found.items() if code in kept}


@cache
def exclusions() -> dict[str, dict[str, str]]:
    """Entries removed from ICD-10 lists: ``{list: {code: reason}}``.

    An excluded code removes exactly the list entry equal to it: a category and each of its
    4-character codes are excluded line by line, each with its reason.
    """
    text = (_folder() / EXCLUSIONS_FILE).read_text(encoding="utf-8")
    index = _index()
    found: dict[str, dict[str, str]] = {}
    for line, row in enumerate(csv.DictReader(io.StringIO(text)), start=2):
        name, code, reason = row["list"], row["code"].strip(), (row["reason"] or "").strip()
        where = f"{EXCLUSIONS_FILE} line {line}"
        if name not in index or index[name][0] != "icd10":
            raise ValueError(f"{where}: list {name!r} is not an ICD-10 code list")
        if not reason:
            raise ValueError(f"{where}: field reason is empty; say why {code} is excluded")
        found.setdefault(name, {})[_normalise("icd10", code)] = reason
    return found


def _removed(name: str, codes: frozenset[str]) -> frozenset[str]:
    removed = frozenset(exclusions().get(name, {}))
    for code in sorted(removed - codes):
        raise ValueError(f"{EXCLUSIONS_FILE}: {code} excluded from {name}, which has no "
                         "such entry; remove the line or correct the code")
    return removed


@dataclass(frozen=True)
class DrugCodelist:
    """A drug code list: exact dm+d and RxNorm codes, BNF prefixes and drug-name words."""

    name: str
    source: str
    dmd: frozenset[str]
    rxnorm: frozenset[str]
    bnf_prefixes: tuple[str, ...]
    names: tuple[str, ...]  # lower-case words looked for in the drug name

    def matches(self, system: str, code: str, drug_name: str = "") -> bool:
        """Whether a prescription (code system, code, name) is on the list (for tests)."""
        if system == "dmd" and code in self.dmd:
            return True
        if system == "rxnorm" and code in self.rxnorm:
            return True
        if system == "bnf" and code.startswith(self.bnf_prefixes):
            return True
        lowered = drug_name.lower()
        return any(word in lowered for word in self.names)


def _drug_folder() -> Traversable:
    return _folder() / "drugs"


@cache
def _drug_index() -> dict[str, str]:
    text = (_drug_folder() / "index.csv").read_text(encoding="utf-8")
    return {row["name"]: row["source"] for row in csv.DictReader(io.StringIO(text))}


def drug_names() -> list[str]:
    """Every drug code list the project carries."""
    return sorted(_drug_index())


@cache
def load_drugs(name: str) -> DrugCodelist:
    """The drug code list called ``name`` (for example ``asttrt_cod``)."""
    index = _drug_index()
    if name not in index:
        raise KeyError(f"no drug code list called {name!r}; lists are: "
                       f"{', '.join(sorted(index))}")
    path = f"drugs/{name}.csv"
    text = (_drug_folder() / f"{name}.csv").read_text(encoding="utf-8")
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None or reader.fieldnames[:3] != ["system", "code", "term"]:
        raise ValueError(f"drug code list {path}: expected the header system,code,term")
    by_system: dict[str, set[str]] = {s: set() for s in DRUG_SYSTEMS}
    for line, row in enumerate(reader, start=2):
        system, code = row["system"].strip(), row["code"].strip()
        if system not in DRUG_SYSTEMS:
            raise ValueError(f"drug code list {path} line {line}: field system is "
                             f"{system!r}; use one of {', '.join(DRUG_SYSTEMS)}")
        if not code:
            raise ValueError(f"drug code list {path} line {line}: field code is empty")
        by_system[system].add(code.lower() if system == "name" else code)
    if not any(by_system.values()):
        raise ValueError(f"drug code list {path} is empty")
    return DrugCodelist(name=name, source=index[name], dmd=frozenset(by_system["dmd"]),
                        rxnorm=frozenset(by_system["rxnorm"]),
                        bnf_prefixes=tuple(sorted(by_system["bnf"])),
                        names=tuple(sorted(by_system["name"])))


def _normalise(system: str, code: str) -> str:
    code = code.strip()
    if system == "icd10":
        code = code.replace(".", "").upper()
    return code
