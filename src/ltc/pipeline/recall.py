"""Register, recall, review: the status of every protocol item for every person on a
register, as of a date (DM-2), as one Ibis expression (DuckDB and Spark alike).

For a person on a disease register (:func:`ltc.records.registers.members`) and each item
of the register's protocol (:mod:`ltc.protocols`), as of the date ``D``, with the due-soon
window ``W`` days (default 30):

- **Recorded**: an ``observation`` row of the person, dated on or before ``D``, whose
  SNOMED CT code is one of the item's codes. ``last_done_on`` is the latest such date.
  ``last_value`` (and ``last_value_2``, e.g. diastolic) is the latest value of the item's
  value codes, the lowest when there are several that day (as QOF takes the lowest blood
  pressure of the latest day), when it was recorded on ``last_done_on``; empty otherwise.
- **Due date** (``due_on``), for an item due every ``N`` months: ``last_done_on`` plus ``N``
  calendar months (the same day of the month, or the month's last day when it is shorter:
  31 January plus 1 month is 28 or 29 February). Never recorded: the day the person joined
  the register, their earliest register code after their latest resolved code (SNOMED CT,
  as QOF dates a register entry; ICD-10 in secondary care for a person known to the
  register from hospital diagnoses alone), so a person never reviewed is due from joining.
  For a seasonal item (flu vaccination: counts from 1 August, due from 1 September, ends
  31 March) the season is the one whose first counting day is the latest on or before
  ``D``; the item counts as recorded only when recorded on or after that day; ``due_on``
  is the season's due day, or the next season's when it was recorded this season or the
  season has ended.
- **Overdue date**: ``due_on`` plus the item's grace, ``overdue_after_months`` calendar
  months (default 3).
- **Excepted**: an exception code of the item or of its protocol (a personalised care
  adjustment) recorded in the ``exception_months`` months up to ``D`` (default 12,
  inclusive at both ends, :mod:`ltc.windows`).

The status, checked in this order:

==========  =====================================================================
``done``      recorded and ``due_on`` is more than ``W`` days after ``D``
``not_due``   not recorded (this season) and ``due_on`` more than ``W`` days after ``D``
``excepted``  otherwise, when excepted
``due_soon``  ``D + 1 <= due_on <= D + W`` (due within the next ``W`` days)
``due``       ``due_on <= D`` and ``D`` before the overdue date
``overdue``   ``D`` on or after the overdue date
==========  =====================================================================

So with a 12-month item last done on 2024-04-15 and ``W = 30``: ``done`` up to 2025-03-15,
``due_soon`` from 2025-03-16 (30 days before 2025-04-15), ``due`` from 2025-04-15 and
``overdue`` from 2025-07-15. ``target_met`` compares the last value with the item's target
for the person's age on ``D`` (each value at most its limit); empty when the item has no
target or no value. ``tests/pipeline/test_recall_spec.py`` holds the edges as spec tables.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa
import pyarrow.compute as pc

from ltc.pipeline.recall_inputs import (
    STATUSES,
    codes_table,
    items_table,
    joined,
    plus_months,
    targets_table,
)
from ltc.pipeline.runs import RECALL_COLUMNS
from ltc.protocols import Protocol
from ltc.records import registers

__all__ = ["COLUMNS", "DUE_SOON_DAYS", "STATUSES", "counts", "manifest", "statuses"]

#: Days before the due date from which an item is due soon (configurable per run).
DUE_SOON_DAYS = 30
#: The columns of the result, in order: those of a run's ``recall.parquet``.
COLUMNS = RECALL_COLUMNS
_KEYS = ["nhs_number", "condition", "item"]


def _recorded(con: ibis.BaseBackend, as_of: date, protocols: Mapping[str, Protocol],
              members: ir.Table) -> ir.Table:
    """Per (person, condition, item) with a recording: the last recorded date, the last
    exception date and the value components recorded on the last recorded date (the
    lowest of that day). Only the observations of people on the condition's register
    are matched, each against its condition's codes."""
    day = ibis.literal(as_of, type="date")
    codes = codes_table(protocols)
    obs = con.table("observation")
    wanted = sorted(set(codes.column("code").to_pylist()))
    obs = obs.filter((obs.date <= day) & (obs.code_system == "snomed")
                     & obs.code.isin(wanted)).select("nhs_number", "code", "date", "value")
    obs = obs.join(members, "nhs_number")
    # one key of condition and code: a code is looked up only for the conditions of the
    # person's registers (a blood pressure code is on the list of six conditions)
    obs = obs.mutate(_key=obs.condition.concat(":", obs.code))
    lookup = ibis.memtable(codes)
    lookup = lookup.select("item", "done", "excepted", "slot",
                           _key=lookup.condition.concat(":", lookup.code))
    m = obs.join(lookup, "_key")
    # latest day first, then the lowest value of that day
    rank = m.date.epoch_days().cast("float64") * 1e7 - m.value
    found = m.group_by(_KEYS).aggregate(
        last_done_on=m.date.max(where=m.done), last_except=m.date.max(where=m.excepted),
        _day_1=m.date.max(where=(m.slot == 1) & m.value.notnull()),
        _value_1=m.value.argmax(rank, where=(m.slot == 1) & m.value.notnull()),
        _day_2=m.date.max(where=(m.slot == 2) & m.value.notnull()),
        _value_2=m.value.argmax(rank, where=(m.slot == 2) & m.value.notnull()))
    none = ibis.null("float64")
    return found.select(
        *_KEYS, "last_done_on", "last_except",
        last_value=ibis.ifelse(found._day_1 == found.last_done_on, found._value_1, none),
        last_value_2=ibis.ifelse(found._day_2 == found.last_done_on, found._value_2, none))


def statuses(con: ibis.BaseBackend, as_of: date, protocols: Mapping[str, Protocol], *,
             due_soon_days: int = DUE_SOON_DAYS) -> ir.Table:
    """One row per person on a register and item of its protocol, as of ``as_of``, with
    the :data:`COLUMNS` (see the module docstring for every rule)."""
    if due_soon_days < 0:
        raise ValueError(f"due_soon_days must be 0 or more, got {due_soon_days}")
    chosen = {p.register: p.condition for p in protocols.values()}
    items = ibis.memtable(items_table(protocols, as_of))
    found = registers.members(con, as_of)
    found = found.filter(found.register.isin(sorted(chosen))).select(
        "nhs_number", "register", "source", condition=found.register.cases(
            *chosen.items(), else_=ibis.null("string")))
    # computed once and held as a small table: it is read twice below (a few rows per
    # person on a register, against the millions of observations and diagnoses)
    members = ibis.memtable(found.to_pyarrow())
    base = members.drop("source").join(items, ["register", "condition"])
    person = con.table("person").select("nhs_number", "practice_code", "date_of_birth")
    base = base.join(person, "nhs_number")
    last = _recorded(con, as_of, protocols, members.select("nhs_number", "condition"))
    base = base.left_join(last, _KEYS).select(
        base, last.last_done_on, last.last_except, last.last_value, last.last_value_2)
    start = joined(con, as_of, members)
    base = base.left_join(start, ["nhs_number", "register"]).select(base, start.joined_on)
    every = [i for p in protocols.values() for i in p.items]
    intervals = sorted({i.interval_months for i in every if i.interval_months is not None})
    graces = sorted({i.overdue_after_months for i in every})
    return _status(base, as_of, due_soon_days, targets_table(protocols, as_of), intervals,
                   graces)


def _status(t: ir.Table, as_of: date, due_soon_days: int, targets: Any,
            intervals: list[int], graces: list[int]) -> ir.Table:
    day = ibis.literal(as_of, type="date")
    soon = ibis.literal(as_of + timedelta(days=due_soon_days), type="date")
    counts = ibis.ifelse(t.seasonal, (t.last_done_on >= t.season_counts_from).fill_null(False),
                         t.last_done_on.notnull())
    interval_due = ibis.ifelse(t.last_done_on.notnull(),
                               plus_months(t.last_done_on, t.interval_months, intervals),
                               t.joined_on)
    due_on = ibis.ifelse(t.seasonal,
                         ibis.ifelse(counts | (day > t.season_ends), t.season_next_due,
                                     t.season_due),
                         interval_due)
    t = t.mutate(_counts=counts, due_on=due_on)
    t = t.mutate(_overdue_from=plus_months(t.due_on, t.grace_months, graces),
                 _excepted=(t.last_except >= t.except_from).fill_null(False))
    status = ibis.cases(
        (t.due_on > soon, ibis.ifelse(t._counts, "done", "not_due")),
        (t._excepted, "excepted"),
        (t.due_on > day, "due_soon"),
        (t._overdue_from > day, "due"),
        else_="overdue")
    t = t.mutate(status=status)
    limits = ibis.memtable(targets)
    joined_t = t.left_join(limits, [t.condition == limits.condition, t.item == limits.item,
                                    t.date_of_birth <= limits.born_by,
                                    t.date_of_birth > limits.born_after])
    met = ((joined_t.last_value <= joined_t.limit_1)
           & (joined_t.limit_2.isnull() | (joined_t.last_value_2 <= joined_t.limit_2)))
    known = (joined_t.limit_1.notnull() & joined_t.last_value.notnull()
             & (joined_t.limit_2.isnull() | joined_t.last_value_2.notnull()))
    out = joined_t.mutate(target_met=ibis.ifelse(known, met, ibis.null("boolean")))
    return out.select(
        "nhs_number", "practice_code", out.condition, out.item, "status",
        due_on=out.due_on.cast("date"), last_done_on=out.last_done_on.cast("date"),
        last_value=out.last_value.cast("float64"),
        last_value_2=out.last_value_2.cast("float64"), target_met="target_met")


def counts(table: pa.Table) -> dict[str, int]:
    """How many rows of a result have each status (every status, zero included)."""
    found = pc.value_counts(table.column("status")).to_pylist() if table.num_rows else []
    by_status = {str(entry["values"]): int(entry["counts"]) for entry in found}
    return {status: by_status.get(status, 0) for status in STATUSES}


def manifest(protocols: Mapping[str, Protocol], due_soon_days: int,
             by_status: Mapping[str, int], seconds: float) -> dict[str, Any]:
    """The ``recall`` block of a run's ``run.json``: each protocol's version and files,
    the due-soon window and the counts by status."""
    return {
        "protocols": {c: {"version": p.version, "register": p.register,
                          "items": [i.id for i in p.items], "local": p.local,
                          "files": list(p.files)} for c, p in protocols.items()},
        "due_soon_days": due_soon_days, "counts": dict(by_status),
        "items": sum(by_status.values()), "seconds": round(seconds, 1)}
