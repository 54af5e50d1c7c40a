"""What the recall statuses are computed from (DM-2): the protocols as small tables the
engines join to the records, the day each person joined each register, and calendar-month
arithmetic on date columns. The rules themselves are in :mod:`ltc.pipeline.recall`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from ltc.protocols import Protocol
from ltc.records.registers import born_by, icd10_registers
from ltc.records.registers.matching import snomed_map
from ltc.windows import months_before

#: Every status an item can have (see :mod:`ltc.pipeline.recall`).
STATUSES = ("done", "not_due", "excepted", "due_soon", "due", "overdue")
#: Stands for "no lower limit on the date of birth" in the targets' age bands.
_EARLIEST = date(1800, 1, 1)


def items_table(protocols: Mapping[str, Protocol], as_of: date) -> pa.Table:
    """One row per protocol item: its register, interval or season dates as of ``as_of``,
    grace and the first day an exception counts from."""
    rows: list[dict[str, object]] = []
    for p in protocols.values():
        except_from = months_before(as_of, p.exception_months)
        for item in p.items:
            season = item.season.on(as_of) if item.season is not None else None
            rows.append({
                "condition": p.condition, "register": p.register, "item": item.id,
                "seasonal": season is not None, "interval_months": item.interval_months,
                "grace_months": item.overdue_after_months,
                "season_counts_from": season.counts_from if season else None,
                "season_due": season.due_on if season else None,
                "season_ends": season.ends if season else None,
                "season_next_due": season.next_due_on if season else None,
                "except_from": except_from})
    schema = pa.schema([
        ("condition", pa.string()), ("register", pa.string()), ("item", pa.string()),
        ("seasonal", pa.bool_()), ("interval_months", pa.int64()),
        ("grace_months", pa.int64()), ("season_counts_from", pa.date32()),
        ("season_due", pa.date32()), ("season_ends", pa.date32()),
        ("season_next_due", pa.date32()), ("except_from", pa.date32())])
    return pa.Table.from_pylist(rows, schema=schema)


def codes_table(protocols: Mapping[str, Protocol]) -> pa.Table:
    """(code, condition, item, done, excepted, slot) for every code an item reads: whether
    it records the item (``done``), sets it aside (``excepted``: the item's and its
    protocol's exception codes) and which value component it carries (``slot`` 1 or 2, 0
    for none; a code in both value lists is the first)."""
    found: dict[tuple[str, str, str], list[int]] = {}
    for p in protocols.values():
        for item in p.items:
            def flags(code: str, condition: str = p.condition, item_id: str = item.id
                      ) -> list[int]:
                return found.setdefault((code, condition, item_id), [0, 0, 0])
            for code in item.codes:
                flags(code)[0] = 1
            for code in item.exception_codes | p.exception_codes:
                flags(code)[1] = 1
            for n, component in reversed(list(enumerate(item.values, start=1))):
                for code in component:
                    flags(code)[2] = n
    keys = sorted(found)
    return pa.table({
        "code": pa.array([k[0] for k in keys], pa.string()),
        "condition": pa.array([k[1] for k in keys], pa.string()),
        "item": pa.array([k[2] for k in keys], pa.string()),
        "done": pa.array([bool(found[k][0]) for k in keys], pa.bool_()),
        "excepted": pa.array([bool(found[k][1]) for k in keys], pa.bool_()),
        "slot": pa.array([found[k][2] for k in keys], pa.int64())})


def targets_table(protocols: Mapping[str, Protocol], as_of: date) -> pa.Table:
    """One row per item target: its age band as dates of birth on ``as_of`` (born on or
    before ``born_by`` and after ``born_after``) and its limits."""
    rows = []
    for p in protocols.values():
        for item in p.items:
            for t in item.targets:
                rows.append({
                    "condition": p.condition, "item": item.id,
                    "born_by": born_by(as_of, t.min_age or 0),
                    "born_after": (born_by(as_of, t.max_age + 1) if t.max_age is not None
                                   else _EARLIEST),
                    "limit_1": t.at_most[0],
                    "limit_2": t.at_most[1] if len(t.at_most) > 1 else None})
    schema = pa.schema([("condition", pa.string()), ("item", pa.string()),
                        ("born_by", pa.date32()), ("born_after", pa.date32()),
                        ("limit_1", pa.float64()), ("limit_2", pa.float64())])
    return pa.Table.from_pylist(rows, schema=schema)


def plus_months(column: ir.DateValue, months: ir.IntegerValue, values: Sequence[int]
                ) -> ir.DateValue:
    """Ibis: ``column`` plus ``months`` calendar months (a column taking one of ``values``):
    the same day of the month, or the month's last day when it is shorter. DuckDB and Spark
    clamp the day alike (``tests/pipeline/test_recall_spec.py`` holds both to it)."""
    if not values:
        return ibis.null("date")
    cases = [(months == v, (column + ibis.interval(months=v)).cast("date")) for v in values]
    result: ir.DateValue = ibis.cases(*cases, else_=ibis.null("date"))
    return result


def joined(con: ibis.BaseBackend, as_of: date, members: ir.Table) -> ir.Table:
    """(nhs_number, register, joined_on) for the ``members`` (``nhs_number``, ``register``,
    ``source`` as :func:`ltc.records.registers.members` gives them): the day each joined
    the register, the earliest register code dated on or before ``as_of`` and on or after
    the latest resolved code. For a member by the GP record (``source`` primary) that is a
    SNOMED CT code, the practice's own register date as QOF takes it (``DM_DAT``: the
    earliest ``DM_COD``); for a member known only from hospital diagnoses (``hospital``) an
    ICD-10 code recorded in secondary care. Diagnoses are read as ``members`` reads them: one
    whose own resolved date has passed does not count."""
    day = ibis.literal(as_of, type="date")
    dx = con.table("diagnosis")
    dx = dx.filter(dx.date <= day).select(
        "nhs_number", "code_system", "code", "date", "resolved_date", "setting")
    keys = members.select("nhs_number", "register", "source")
    codes = ibis.memtable(snomed_map())
    snomed = dx.filter(dx.code_system == "snomed")
    snomed = snomed.join(codes, snomed.code == codes.code).select(
        "nhs_number", codes.register, codes.role, "date", "resolved_date")
    snomed = snomed.semi_join(keys, ["nhs_number", "register"])
    # ICD-10 codes are matched (a regular expression per code) only for the few people
    # known to a register from hospital diagnoses alone
    hospital = keys.filter(keys.source == "hospital").select("nhs_number", "register")
    icd = dx.filter((dx.code_system == "icd10") & (dx.setting == "secondary"))
    icd = icd.semi_join(hospital.select("nhs_number").distinct(), "nhs_number")
    icd = icd10_registers(icd, "code", ["nhs_number", "date", "resolved_date"])
    icd = icd.semi_join(hospital, ["nhs_number", "register"]).select(
        "nhs_number", "register", role=ibis.literal("hospital"), date="date",
        resolved_date="resolved_date")
    events = ibis.union(snomed, icd, distinct=False)
    events = events.filter((events.role == "resolved") | events.resolved_date.isnull()
                           | (events.resolved_date > day))
    resolved = events.group_by(["nhs_number", "register"]).aggregate(
        last_resolved=events.date.max(where=events.role == "resolved"))
    onset = events.filter(events.role != "resolved").join(
        resolved, ["nhs_number", "register"])
    onset = onset.filter(onset.last_resolved.isnull() | (onset.date >= onset.last_resolved))
    return onset.group_by(["nhs_number", "register"]).aggregate(joined_on=onset.date.min())
