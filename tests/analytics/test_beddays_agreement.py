"""Bed days per month from the Ibis expression agree with a plain count of nights, on
random spells (COM-1): the night of day ``d`` of a spell admitted ``a`` and discharged
``b`` (``a <= d < b``; an open spell to the period's end) is counted in ``d``'s month."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from ltc.analytics import beddays
from ltc.pipeline.engine import from_tables

FIRST, LAST = date(2024, 11, 1), date(2025, 3, 31)
END = date(2025, 4, 1)  # the day after the period
SPELL = st.tuples(st.dates(date(2024, 9, 1), date(2025, 5, 1)),
                  st.one_of(st.none(), st.integers(0, 70)),
                  st.sampled_from(["21", "2D", "28", "11", "81"]))


def _by_hand(spells: list[tuple[date, int | None, str]]) -> dict[date, int]:
    nights: Counter[date] = Counter()
    for admitted, days, method in spells:
        if method in ("11", "81"):
            continue
        end = END if days is None else admitted + timedelta(days=days)
        day = admitted
        while day < end:
            if FIRST <= day < END:
                nights[day.replace(day=1)] += 1
            day += timedelta(days=1)
    return dict(nights)


@settings(max_examples=40, deadline=None)
@given(st.lists(SPELL, max_size=12))
def test_monthly_bed_days_are_the_nights_counted_one_by_one(
        spells: list[tuple[date, int | None, str]]) -> None:
    con = from_tables({"inpatient_spell": pa.table({
        "nhs_number": pa.array([f"p{i % 3}" for i in range(len(spells))], pa.string()),
        "record_id": pa.array([f"s{i}" for i in range(len(spells))], pa.string()),
        "admission_date": pa.array([a for a, _, _ in spells], pa.date32()),
        "discharge_date": pa.array([None if d is None else a + timedelta(days=d)
                                    for a, d, _ in spells], pa.date32()),
        "admission_method": pa.array([m for _, _, m in spells], pa.string())})})
    got = beddays.monthly(con, FIRST, LAST).to_pyarrow().to_pylist()
    assert {r["month"]: r["bed_days"] for r in got} == _by_hand(spells)
