"""Who is on which register on a date, as one Ibis expression over every register (POP-3).

The rule, for a person and a register, as of date ``D`` (the same on DuckDB and Spark):

1. *Alive and registered*: a ``person`` row, born on or before ``D``, ``date_of_death``
   empty or after ``D``.
2. *Age*: aged at least the register's ``min_age`` on ``D``.
3. *Diagnosed*: a register code dated on or before ``D`` (a code exactly on ``D`` counts):
   SNOMED CT codes of the register's QOF cluster(s) in any setting and, when
   ``include_hospital`` is true, ICD-10 codes recorded in secondary care
   (``code_system = 'icd10'`` and ``setting = 'secondary'``).
4. *Latest code wins*: a resolved code (for CKD also a stage 1-2 code) takes the person off
   only when strictly later than the latest register code; one on the same day leaves
   them on (QOF v46 ``DMRES_DAT``, ``CKD1AND2_DAT``: latest ``>`` the latest diagnosis).
5. A diagnosis row whose own ``resolved_date`` is on or before ``D`` does not count, except
   on the cancer register, which keeps every cancer whatever its later status.
6. *Since*: depression counts only a latest diagnosis on or after 2006-04-01; cancer only
   diagnoses on or after 2003-04-01.
7. *Drug treatment*: asthma needs a prescription on ``ASTTRT_COD`` in the last 12 months,
   epilepsy one on ``EPILDRUG_COD`` in the last 6 months (:mod:`ltc.windows`: inclusive
   at both ends).

Each member has a ``source``: ``primary`` when the SNOMED CT record alone puts them on the
register, ``hospital`` when only a secondary-care ICD-10 diagnosis does.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import ibis
import pyarrow as pa

from ltc.records.registers.definitions import REGISTERS, born_by
from ltc.records.registers.matching import (
    drug_registers,
    icd10_registers,
    on_drug_list,
    snomed_map,
)
from ltc.windows import within

PERSON_GROUPS = ("practice_code", "sex", "postcode_district", "lsoa", "imd_decile",
                 "lives_alone", "has_carer", "is_carer")
GROUPS = (*PERSON_GROUPS, "locality_code")


def _parameters(as_of: date) -> pa.Table:
    regs = list(REGISTERS.values())
    return pa.table({
        "register": pa.array([r.id for r in regs], pa.string()),
        "since": pa.array([r.diagnosed_since for r in regs], pa.date32()),
        "born_by": pa.array([born_by(as_of, r.min_age) for r in regs], pa.date32()),
        "needs_drug": pa.array([r.drug_codelist is not None for r in regs], pa.bool_()),
    })


def people(con: ibis.BaseBackend, as_of: date, groups: Sequence[str] = ()) -> ibis.Table:
    """People alive, born and registered on ``as_of`` (with ``groups`` columns)."""
    day = ibis.literal(as_of, type="date")
    person = con.table("person")
    alive = person.filter(person.date_of_birth <= day,
                          person.date_of_death.isnull() | (person.date_of_death > day))
    columns = ["nhs_number", "date_of_birth", *(g for g in groups if g in PERSON_GROUPS)]
    if "practice_code" not in columns and "locality_code" in groups:
        columns.append("practice_code")
    selected = alive.select(*columns)
    if "locality_code" in groups:
        practice = con.table("practice").select("practice_code", "locality_code")
        selected = selected.left_join(practice, "practice_code").select(
            *columns, "locality_code")
    return selected


def _events(con: ibis.BaseBackend, as_of: date, include_hospital: bool) -> ibis.Table:
    """Register-relevant diagnosis rows: (nhs_number, register, role, date, resolved_date).

    ``role`` is ``primary`` (SNOMED CT register code), ``resolved`` (SNOMED CT code that
    ends the register when later) or ``hospital`` (secondary-care ICD-10 code).
    """
    day = ibis.literal(as_of, type="date")
    dx = con.table("diagnosis")
    dx = dx.filter(dx.date <= day).select(
        "nhs_number", "code_system", "code", "date", "resolved_date", "setting")

    snomed = dx.filter(dx.code_system == "snomed")
    smap = ibis.memtable(snomed_map())
    parts = [snomed.join(smap, snomed.code == smap.code).select(
        "nhs_number", smap.register, smap.role, "date", "resolved_date")]

    if include_hospital:
        icd = dx.filter((dx.code_system == "icd10") & (dx.setting == "secondary"))
        matched = icd10_registers(icd, "code", ["nhs_number", "date", "resolved_date"])
        parts.append(matched.select("nhs_number", "register", role=ibis.literal("hospital"),
                                    date="date", resolved_date="resolved_date"))

    events = parts[0] if len(parts) == 1 else ibis.union(*parts, distinct=False)
    keeps = [r.id for r in REGISTERS.values() if r.keeps_resolved_rows]
    # a diagnosis whose own resolved_date has passed does not count (cancer: it does)
    return events.filter((events.role == "resolved") | events.resolved_date.isnull()
                         | (events.resolved_date > day) | events.register.isin(keeps))


def _on_list(drugs: pa.Table, codelist: str) -> pa.Table:
    """The rows of ``drugs`` (drug_code_system, drug_code, drug_name) on the drug list."""
    local = ibis.duckdb.connect()
    kinds = ibis.memtable(drugs)
    return local.to_pyarrow(kinds.filter(on_drug_list(kinds, codelist)))


def _treated(con: ibis.BaseBackend, as_of: date) -> ibis.Table:
    """(nhs_number, register) for people with a prescription on the register's drug list
    inside its window."""
    rx = con.table("prescription")
    drug = ("drug_code_system", "drug_code", "drug_name")
    parts = []
    for reg in drug_registers():
        assert reg.drug_codelist is not None
        assert reg.drug_months is not None
        recent = rx.filter(within(rx.date, as_of, months=reg.drug_months))
        # The list is matched against each distinct drug once, not against every issue (a
        # community issues a few hundred drugs in millions of rows; matching every row cost
        # 10 s at 1,000,000 people), then joined back, null-safe on every part.
        listed = ibis.memtable(_on_list(recent.select(*drug).distinct().to_pyarrow(),
                                        reg.drug_codelist))
        recent = recent.join(listed, [recent[c].identical_to(listed[c]) for c in drug])
        parts.append(recent.select("nhs_number").distinct().mutate(
            register=ibis.literal(reg.id), treated=ibis.literal(True)))
    return parts[0] if len(parts) == 1 else ibis.union(*parts, distinct=True)


def qualified(con: ibis.BaseBackend, as_of: date, include_hospital: bool) -> ibis.Table:
    """Rules 3-7 (codes, latest code, since, drugs): (nhs_number, register, born_by, source)."""
    events = _events(con, as_of, include_hospital)
    latest = events.group_by(["nhs_number", "register"]).aggregate(
        last_primary=events.date.max(where=events.role == "primary"),
        last_hospital=events.date.max(where=events.role == "hospital"),
        last_resolved=events.date.max(where=events.role == "resolved"),
    )
    params = ibis.memtable(_parameters(as_of))
    latest = latest.join(params, "register")
    treated = _treated(con, as_of)
    latest = latest.left_join(treated, ["nhs_number", "register"]).select(
        latest, treated=treated.treated.fill_null(False))

    def qualifies(last: Any) -> Any:
        return (last.notnull()
                & (latest.last_resolved.isnull() | (last >= latest.last_resolved))
                & (latest.since.isnull() | (last >= latest.since)))

    on_primary = qualifies(latest.last_primary)
    on_register = ((on_primary | qualifies(latest.last_hospital)) if include_hospital
                   else on_primary)
    on_register = on_register & (~latest.needs_drug | latest.treated)
    return latest.filter(on_register).select(
        "nhs_number", "register", "born_by",
        source=ibis.ifelse(on_primary, "primary", "hospital"))


def members(con: ibis.BaseBackend, as_of: date, *, include_hospital: bool = True
            ) -> ibis.Table:
    """Who is on which register on ``as_of``: columns ``nhs_number``, ``register``, ``source``.

    ``source`` is ``primary`` (the SNOMED CT record alone qualifies the person) or
    ``hospital`` (only a secondary-care ICD-10 diagnosis does). With
    ``include_hospital=False`` secondary-care ICD-10 diagnoses are ignored.
    """
    found = qualified(con, as_of, include_hospital)
    joined = found.join(people(con, as_of), "nhs_number")
    return joined.filter(joined.date_of_birth <= joined.born_by).select(
        "nhs_number", "register", "source")
