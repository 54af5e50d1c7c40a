"""Concentration of hospital use (COM-2): the share of bed days used by the top 5% of
inpatients, and the Lorenz curve of bed days over inpatients.

The seed's national figure: "just 5% of inpatients ... account for 42% of all acute bed
days" (Department of Health, *Supporting People with Long Term Conditions*, 2005).

Definitions (``docs/analytics.md`` holds them for readers):

- **Bed days** of a person in a period: the nights of their spells falling in the period
  (:mod:`ltc.analytics.beddays`: discharge minus admission date, split by night), every
  admission method by default (the seed counts all acute bed days), emergency only when
  asked.
- **Inpatients**: the people with at least one night in hospital in the period.
- **The top 5%**: the ``k`` inpatients with the most bed days, ``k`` = 5% of inpatients
  rounded half up, at least 1. People tied at the edge have equal bed days, so the share
  is the same whichever of them is taken.
- **Lorenz curve**: inpatients ordered from fewest to most bed days; at each percentile
  ``p`` of inpatients (0, 1, ..., 100) the share of all bed days used by the ``p``% with
  the fewest (``p``% of inpatients rounded half up). A straight diagonal means everyone
  used the same; the further below it, the more concentrated the use.

The people in the top group are kept (``top``, never printed) only to count how many of
them are at level 3 or on a caseload (:meth:`Concentration.how_many_of_top`); every
figure leaving for a page goes through :mod:`ltc.analytics.suppression`.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date

import ibis

from ltc.analytics.beddays import spell_months

#: The top share the seed's figure is about: 5% of inpatients (DH 2005).
TOP_FRACTION = 0.05
#: Percentiles of inpatients at which the Lorenz curve is given.
LORENZ_PERCENTILES = tuple(range(101))


@dataclass(frozen=True)
class Concentration:
    """How concentrated bed days are among inpatients."""

    inpatients: int
    bed_days: int
    fraction: float  # the top share of inpatients asked about (0.05)
    top_inpatients: int  # how many inpatients that is
    top_bed_days: int  # bed days the top inpatients used
    top_share: float  # their share of all bed days (0 when there are none)
    lorenz: tuple[tuple[float, float], ...]  # (share of inpatients, share of bed days)
    top: frozenset[str] = field(repr=False, default=frozenset())

    def how_many_of_top(self, group: Collection[str]) -> int:
        """How many of the top inpatients are in ``group`` (NHS numbers: at level 3, on
        a caseload)."""
        return len(self.top & set(group))


def _half_up(x: float) -> int:
    return math.floor(x + 0.5)


def concentration(bed_days: Mapping[str, int],
                  fraction: float = TOP_FRACTION) -> Concentration:
    """The concentration of bed days given each inpatient's bed days (NHS number to bed
    days; people with none are not inpatients and are left out)."""
    if not 0 < fraction <= 1:
        raise ValueError(f"fraction: {fraction} is not a share of inpatients; expected a "
                         "number above 0 and at most 1 (0.05 for the top 5%)")
    negative = sorted(who for who, days in bed_days.items() if days < 0)
    if negative:
        raise ValueError(f"bed_days: {len(negative)} inpatient(s) with negative bed days; "
                         "expected nights in hospital, 0 or more")
    people = sorted(((days, who) for who, days in bed_days.items() if days > 0),
                    reverse=True)
    n, total = len(people), sum(days for days, _ in people)
    if n == 0:
        return Concentration(0, 0, fraction, 0, 0, 0.0, ())
    k = max(1, _half_up(n * fraction))
    top_days = sum(days for days, _ in people[:k])
    rising = [days for days, _ in reversed(people)]
    cumulative = [0]
    for days in rising:
        cumulative.append(cumulative[-1] + days)
    lorenz = tuple((p / 100, cumulative[_half_up(n * p / 100)] / total)
                   for p in LORENZ_PERCENTILES)
    return Concentration(n, total, fraction, k, top_days, top_days / total, lorenz,
                         frozenset(who for _, who in people[:k]))


def person_bed_days(con: ibis.BaseBackend, first: date, last: date,
                    emergency_only: bool = False) -> dict[str, int]:
    """Each inpatient's bed days in the months from ``first``'s to ``last``'s."""
    rows = spell_months(con, first, last, emergency_only)
    per_person = rows.group_by("nhs_number").aggregate(bed_days=rows.bed_days.sum())
    table = per_person.to_pyarrow()
    return dict(zip(table["nhs_number"].to_pylist(), table["bed_days"].to_pylist(),
                    strict=True))


def of_bed_days(con: ibis.BaseBackend, first: date, last: date,
                emergency_only: bool = False,
                fraction: float = TOP_FRACTION) -> Concentration:
    """The concentration of bed days in the months from ``first``'s to ``last``'s."""
    return concentration(person_bed_days(con, first, last, emergency_only), fraction)
