"""Look-back windows, defined once (STRAT-1, STRAT-2, POP-3).

Every criterion that looks back over a period ("within the last 90 days", "in the past
12 months", "last 13 months", "more than 2 falls in 2 months", "in the past 6 months",
"each three month period") uses these functions, so a window means the same thing
everywhere. A window is **inclusive at both ends**:

- *N days* before the index date ``D`` covers ``D - N days <= date <= D``: an event
  exactly 90 days before ``D`` is within the last 90 days; one 91 days before is not.
- *N months* covers ``D - N calendar months <= date <= D``, where ``D - N months`` is the
  same day of the month N months earlier, or the last day of that month when it is
  shorter (31 March minus 1 month is 28 or 29 February). On 31 March 2025 "the past
  12 months" starts on 31 March 2024 and "the last 13 months" on 29 February 2024.

Nothing after ``D`` is ever inside a window. The glossary (``GLOSSARY.md``) and
``docs/rules.md`` say the same in words.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

import ibis
import ibis.expr.types as ir


def months_before(day: date, months: int) -> date:
    """The same day ``months`` calendar months before ``day`` (the month's last day when
    that month is shorter)."""
    total = day.year * 12 + (day.month - 1) - months
    year, month = divmod(total, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def start(as_of: date, *, days: int | None = None, months: int | None = None) -> date:
    """The first day inside the window of ``days`` days or ``months`` months up to
    ``as_of`` (give exactly one)."""
    if (days is None) == (months is None):
        raise ValueError("give a window in days or in months, not both or neither")
    if days is not None:
        if days < 0:
            raise ValueError(f"a window cannot be {days} days long")
        return as_of - timedelta(days=days)
    assert months is not None
    if months < 0:
        raise ValueError(f"a window cannot be {months} months long")
    return months_before(as_of, months)


def contains(when: date, as_of: date, *, days: int | None = None,
             months: int | None = None) -> bool:
    """Whether ``when`` is inside the window (for Python callers and tests)."""
    return start(as_of, days=days, months=months) <= when <= as_of


def within(column: ir.DateValue, as_of: date, *, days: int | None = None,
           months: int | None = None) -> ir.BooleanValue:
    """Ibis: ``column`` is inside the window (``start <= column <= as_of``)."""
    first = ibis.literal(start(as_of, days=days, months=months), type="date")
    return (column >= first) & (column <= ibis.literal(as_of, type="date"))


def months_before_column(column: ir.DateValue, months: int) -> ir.DateValue:
    """Ibis: :func:`months_before` of a date column: the same day ``months`` calendar
    months earlier, or that month's last day when it is shorter (31 May minus 3 months is
    28 February). The engines' month arithmetic clamps the day this way on DuckDB and
    Spark alike; ``tests/pipeline/scores/test_inputs.py`` holds both to
    :func:`months_before`."""
    earlier: ir.DateValue = (column - ibis.interval(months=months)).cast("date")
    return earlier
