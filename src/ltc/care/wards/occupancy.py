"""Occupancy and length of stay of a virtual ward (VW-1), as ``docs/virtual-wards.md``
defines them:

* a stay admitted on day A and discharged on day D occupies the **nights A to D-1**: its
  **length of stay** is D - A days (a stay admitted and discharged the same day occupies
  no night and lasts 0 days); a stay still open occupies every night from A to today;
* **occupied beds** on a day d: the stays occupying night d; **occupied bed-days** over
  a period: the sum of the occupied beds of its days;
* **current occupancy**: the open stays now, beside the ward's beds;
* **admissions** and **discharges** of a period: stays admitted (discharged) on one of its
  days; **mean** and **median length of stay**: over the stays discharged in the period.

These are operational figures for the ward's own team, about the people they care for:
nothing here is published beyond it (published figures go through
``ltc.analytics.suppression``). Two statements: the stays that touch the period, and
the open stays counted."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ltc.care.wards.models import Ward, WardStay
from ltc.care.wards.services import occupied

#: the longest period the page shows
MAX_DAYS = 366


@dataclass(frozen=True)
class Day:
    on: date
    occupied: int
    capacity: int

    @property
    def percent(self) -> int:
        return round(100 * self.occupied / self.capacity) if self.capacity else 0


@dataclass(frozen=True)
class Occupancy:
    ward: Ward
    start: date
    end: date
    days: list[Day]
    current: int
    admissions: int
    discharges: int
    lengths: list[int]  # the lengths of stay of the stays discharged in the period

    @property
    def bed_days(self) -> int:
        return sum(d.occupied for d in self.days)

    @property
    def mean_los(self) -> float | None:
        return statistics.fmean(self.lengths) if self.lengths else None

    @property
    def median_los(self) -> float | None:
        return float(statistics.median(self.lengths)) if self.lengths else None


def occupies(stay: WardStay, night: date, today: date) -> bool:
    """Whether the stay occupies ``night`` (nights A to D-1; an open stay to today)."""
    if stay.discharged_on is None:
        return stay.admitted_on <= night <= today
    return stay.admitted_on <= night < stay.discharged_on


def occupancy(session: Session, ward: Ward, start: date, end: date,
              today: date | None = None) -> Occupancy:
    """The ward's figures over the days ``start`` to ``end`` (both included; days after
    today are left out)."""
    today = today or date.today()
    end = min(end, today)
    if end < start:
        raise ValueError(f"The period ends ({end.isoformat()}) before it starts "
                         f"({start.isoformat()}).")
    if (end - start).days >= MAX_DAYS:
        raise ValueError(f"The period is longer than {MAX_DAYS} days: choose a shorter one.")
    stays = list(session.scalars(select(WardStay).where(
        WardStay.ward_id == ward.id, WardStay.admitted_on <= end,
        or_(WardStay.discharged_on.is_(None), WardStay.discharged_on >= start))))
    days = []
    day = start
    while day <= end:
        days.append(Day(day, sum(1 for s in stays if occupies(s, day, today)), ward.capacity))
        day += timedelta(days=1)
    discharged = [s for s in stays
                  if s.discharged_on is not None and start <= s.discharged_on <= end]
    return Occupancy(
        ward, start, end, days,
        current=occupied(session, ward.id),
        admissions=sum(1 for s in stays if start <= s.admitted_on <= end),
        discharges=len(discharged),
        lengths=[(s.discharged_on - s.admitted_on).days for s in discharged
                 if s.discharged_on is not None])
