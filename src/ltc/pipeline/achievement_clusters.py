"""QOF code clusters: which recorded codes and drugs each cluster holds (DM-6).

``ltc/data/qof/clusters/index.csv`` lists every cluster the indicator fields read, its kind
(``coded``: SNOMED CT or LOINC codes looked for in the diagnosis and observation tables;
``drug``: prescription issues), its status and its source. A ``project`` cluster is one of
the project's own code lists (:mod:`ltc.codes.codelists`); a ``copied`` or ``subset``
cluster has its members in ``clusters/<cluster>.csv`` (``system,code,term``; drugs by
dm+d, RxNorm, BNF prefix or ingredient name, as :class:`ltc.codes.codelists.DrugCodelist`
matches them); an ``unavailable`` cluster has no members here and never matches.
``ltc/data/qof/SOURCE.md`` gives each file's provenance.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from importlib import resources
from importlib.abc import Traversable

from ltc.codes import codelists

CLUSTER_STATUSES = ("project", "copied", "subset", "unavailable")


class DefinitionError(ValueError):
    """An indicator definition file that cannot be used; says where and what was expected."""


@dataclass(frozen=True)
class Cluster:
    """A QOF code cluster: coded entries (SNOMED CT, LOINC) or drugs."""

    id: str
    kind: str  # coded | drug
    status: str  # project | copied | subset | unavailable
    source: str
    refset: str
    codes: frozenset[tuple[str, str]]  # (code_system, code) of coded entries
    drugs: codelists.DrugCodelist | None = None


def folder() -> Traversable:
    """The folder of the QOF definitions (``ltc/data/qof``)."""
    return resources.files("ltc") / "data" / "qof"


def load_clusters(base: Traversable | None = None) -> dict[str, Cluster]:
    """Every cluster of ``clusters/index.csv`` with its members."""
    base = base or folder() / "clusters"
    where = "qof/clusters/index.csv"
    out: dict[str, Cluster] = {}
    text = (base / "index.csv").read_text(encoding="utf-8")
    for line, row in enumerate(csv.DictReader(io.StringIO(text)), start=2):
        cid, kind, status = row["cluster"].strip(), row["kind"].strip(), row["status"].strip()
        if kind not in ("coded", "drug") or status not in CLUSTER_STATUSES:
            raise DefinitionError(f"{where}, line {line}: cluster {cid} has kind {kind!r} and "
                                  f"status {status!r}; expected kind coded or drug and status "
                                  f"one of {', '.join(CLUSTER_STATUSES)}")
        codes: set[tuple[str, str]] = set()
        drugs = None
        if status == "project":
            listed = codelists.load(row["list"].strip())
            codes = {(listed.system, code) for code in listed.codes}
        elif status in ("copied", "subset"):
            rows = _members(base, cid)
            if kind == "drug":
                drugs = _drug_list(cid, row["source"], rows)
            else:
                codes = {(system, code) for system, code in rows}
        out[cid] = Cluster(id=cid, kind=kind, status=status, source=row["source"],
                           refset=row["refset"], codes=frozenset(codes), drugs=drugs)
    return out


def _members(base: Traversable, cid: str) -> list[tuple[str, str]]:
    name = f"qof/clusters/{cid.lower()}.csv"
    reader = csv.DictReader(io.StringIO((base / f"{cid.lower()}.csv").read_text(
        encoding="utf-8")))
    if reader.fieldnames is None or reader.fieldnames[:3] != ["system", "code", "term"]:
        raise DefinitionError(f"{name}, line 1: expected the header system,code,term")
    rows = []
    for line, row in enumerate(reader, start=2):
        system, code = row["system"].strip(), row["code"].strip()
        if not code or system not in ("snomed", "loinc", *codelists.DRUG_SYSTEMS):
            raise DefinitionError(f"{name}, line {line}: expected a code and a system among "
                                  f"snomed, loinc, {', '.join(codelists.DRUG_SYSTEMS)}")
        rows.append((system, code.lower() if system == "name" else code))
    if not rows:
        raise DefinitionError(f"{name}: no codes; mark the cluster unavailable instead")
    return rows


def _drug_list(cid: str, source: str, rows: list[tuple[str, str]]) -> codelists.DrugCodelist:
    def of(system: str) -> set[str]:
        return {code for s, code in rows if s == system}

    return codelists.DrugCodelist(
        name=cid, source=source, dmd=frozenset(of("dmd")), rxnorm=frozenset(of("rxnorm")),
        bnf_prefixes=tuple(sorted(of("bnf"))), names=tuple(sorted(of("name"))))
