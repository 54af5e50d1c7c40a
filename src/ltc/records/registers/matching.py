"""How recorded codes are matched to registers: SNOMED CT, ICD-10 and drug codes (POP-3).

SNOMED CT codes match exactly. ICD-10 list entries: a 3-character code stands for its whole
category unless the same list also names 4-character codes in that category, in which case
only those codes (and the bare category code, e.g. ``N18`` or ``N18X``) match. Recorded
ICD-10 codes are compared without dots, in upper case, on their first 3 or 4 characters.
Drug codes: dm+d and RxNorm exactly, BNF codes by prefix, and ``name`` words anywhere in
the drug name (see :class:`ltc.codes.codelists.DrugCodelist`).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache, reduce
from typing import Any

import ibis
import pyarrow as pa

from ltc.codes import codelists
from ltc.records.registers.definitions import REGISTERS, Register


@cache
def snomed_map() -> pa.Table:
    """(code, register, role) for every SNOMED CT register and resolved code."""
    rows: set[tuple[str, str, str]] = set()
    for reg in REGISTERS.values():
        rows.update((code, reg.id, "primary") for code in reg.codes)
        rows.update((code, reg.id, "resolved") for code in reg.resolved_codes)
    ordered = sorted(rows)
    return pa.table({"code": [r[0] for r in ordered], "register": [r[1] for r in ordered],
                     "role": [r[2] for r in ordered]})


@cache
def icd10_map() -> pa.Table:
    """(kind, key, register): how each ICD-10 list entry matches a recorded code.

    ``k4``: the first four characters equal ``key``; ``k3``: the category equals ``key``
    (whole category); ``bare``: the code is the category ``key`` with no fourth character.
    """
    rows: set[tuple[str, str, str]] = set()
    for reg in REGISTERS.values():
        for entry in reg.icd10:
            if len(entry) >= 4:
                rows.add(("k4", entry[:4], reg.id))
            elif any(other != entry and other.startswith(entry) for other in reg.icd10):
                rows.add(("bare", entry, reg.id))
            else:
                rows.add(("k3", entry, reg.id))
    ordered = sorted(rows)
    return pa.table({"kind": [r[0] for r in ordered], "key": [r[1] for r in ordered],
                     "register": [r[2] for r in ordered]})


#: Spaces, tabs, line breaks, vertical tabs and form feeds at either end of a text value.
#: A regular expression rather than Ibis' ``strip``, which Spark SQL gets wrong: it reads
#: the ``\v`` and ``\f`` of the compiled ``TRIM(' \t\n\r\v\f' FROM ...)`` as the letters
#: v and f, so " f00" became "00".
_OUTER_SPACE = r"^[ \t\n\r\v\f]+|[ \t\n\r\v\f]+$"


def clean_icd10(code: ibis.Value) -> ibis.Value:
    """An ICD-10 code trimmed, in upper case and without dots (``" i50.0"`` -> ``I500``)."""
    return code.re_replace(_OUTER_SPACE, "").upper().replace(".", "")


def icd10_registers(rows: ibis.Table, code: str, keep: Sequence[str]) -> ibis.Table:
    """``rows`` matched to the registers whose ICD-10 grouping holds their ``code`` column.

    Returns the ``keep`` columns and ``register`` (one row per matching register). Codes are
    compared without dots, in upper case (see :func:`icd10_map` for the matching rules).
    """
    norm = clean_icd10(rows[code])
    icd = rows.select(*keep, _norm=norm)
    bare = (icd._norm.length() == 3) | (icd._norm.substr(3, 1) == "X")
    key3 = icd._norm.substr(0, 3)
    # two lookup keys per code: its 4-character code (or bare category) and its category
    first = ibis.ifelse(bare, "bare:" + key3, "k4:" + icd._norm.substr(0, 4))
    candidates = icd.select(*keep, _key=ibis.array([first, "k3:" + key3]).unnest())
    imap = ibis.memtable(icd10_map())
    imap = imap.select("register", _key=imap.kind + ":" + imap.key)
    return candidates.join(imap, "_key").select(*keep, "register")


def on_drug_list(rx: ibis.Table, name: str) -> Any:
    """Ibis: the ``prescription`` row is on the drug list ``name``."""
    drugs = codelists.load_drugs(name)
    system, code = rx.drug_code_system, rx.drug_code.strip()
    parts: list[Any] = []
    if drugs.dmd:
        parts.append((system == "dmd") & code.isin(sorted(drugs.dmd)))
    if drugs.rxnorm:
        parts.append((system == "rxnorm") & code.isin(sorted(drugs.rxnorm)))
    if drugs.bnf_prefixes:
        parts.append((system == "bnf") & reduce(
            lambda a, b: a | b, [code.startswith(p) for p in drugs.bnf_prefixes]))
    if drugs.names:
        words = rx.drug_name.lower()
        parts.append(words.notnull() & reduce(
            lambda a, b: a | b, [words.contains(w) for w in drugs.names]))
    return reduce(lambda a, b: a | b, parts)


def drug_registers() -> list[Register]:
    """Registers that need a recent prescription on their drug list."""
    return [r for r in REGISTERS.values() if r.drug_codelist is not None]
