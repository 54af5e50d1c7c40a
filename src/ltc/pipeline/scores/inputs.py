"""What the population scores read: their data files, date windows and coded records (STRAT-4).

Shared by every score in :mod:`ltc.pipeline.scores`. Conventions, the same as the feature
definitions of the pipeline:

* Only records dated on or before ``as_of`` count (a record dated on ``as_of`` counts).
* A look-back window is :mod:`ltc.windows`' window, inclusive at both ends, in calendar
  months: 12 months up to 30 June 2024 run from 30 June 2023 to 30 June 2024,
  both days included. ``None`` means all history up to ``as_of``.
* ICD-10 codes are compared without dots, trimmed and in upper case (``I50.0`` = ``I500``).

The constants each score uses live in ``ltc/data/scores`` as CSV files; ``SOURCE.md`` there
names the repository, commit, original path and licence of each.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from functools import cache
from importlib import resources

import ibis
import ibis.expr.types as ir

from ltc import windows
from ltc.records import registers


@cache
def read_rows(name: str) -> tuple[dict[str, str], ...]:
    """The rows of the data file ``ltc/data/scores/<name>`` as dictionaries."""
    folder = resources.files("ltc") / "data" / "scores"
    text = (folder / name).read_text(encoding="utf-8")
    return tuple(csv.DictReader(io.StringIO(text)))


def day(value: date) -> ir.DateScalar:
    """``value`` as a date literal."""
    return ibis.literal(value, type="date")


def within(column: ir.DateValue, as_of: date, months: int | None) -> ir.BooleanValue:
    """``column`` inside the ``months``-month window up to ``as_of`` (:func:`ltc.windows.
    within`, both ends included); ``months=None``: any date up to ``as_of``."""
    if months is None:
        upto: ir.BooleanValue = column <= day(as_of)
        return upto
    if months < 1:
        raise ValueError(f"a lookback must be at least 1 month, or None for all history; "
                         f"got {months}")
    return windows.within(column, as_of, months=months)


def clean_icd10(code: ir.StringValue) -> ir.StringValue:
    """An ICD-10 code trimmed, in upper case and without dots (the register rule, the same
    on every engine)."""
    cleaned: ir.StringValue = registers.clean_icd10(code)
    return cleaned


def icd10_diagnoses(con: ibis.BaseBackend, as_of: date, months: int | None,
                    settings: tuple[str, ...] | None = None) -> ir.Table:
    """ICD-10 diagnoses in the window: ``nhs_number``, ``code`` (cleaned), ``date``.

    ``settings`` limits the care settings (``None``: any setting).
    """
    dx = con.table("diagnosis")
    keep = (dx.code_system == "icd10") & within(dx.date, as_of, months) & dx.code.notnull()
    if settings is not None:
        keep = keep & dx.setting.isin(list(settings))
    dx = dx.filter(keep)
    return dx.select("nhs_number", "date", code=clean_icd10(dx.code))


def born_by(as_of: date, years: int) -> date:
    """Latest date of birth for a person aged at least ``years`` on ``as_of``."""
    try:
        return as_of.replace(year=as_of.year - years)
    except ValueError:  # 29 February in a year that has none
        return as_of.replace(year=as_of.year - years, day=28)


def flag(condition: ir.BooleanValue) -> ir.IntegerValue:
    """1 where ``condition`` holds, else 0 (portable: no boolean-to-integer cast)."""
    return condition.ifelse(1, 0)
