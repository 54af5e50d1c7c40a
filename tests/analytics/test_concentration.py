"""Concentration of bed days (COM-2), hand-counted.

Twenty inpatients: ``heavy`` used 42 bed days, ``p01`` 4 and ``p02``..``p19`` 3 each (54),
100 in all: the top 5% (one person) used 42%, as the seed's national figure. A person
with a same-day stay only (0 nights) is not an inpatient.
"""

from __future__ import annotations

from datetime import date

import pytest

from ltc.analytics.concentration import concentration, of_bed_days
from spec_tables import connect

TWENTY = {"heavy": 42, "p01": 4, **{f"p{i:02}": 3 for i in range(2, 20)}, "none": 0}


def test_the_top_five_percent_share_and_who_they_are() -> None:
    got = concentration(TWENTY)
    assert (got.inpatients, got.bed_days, got.top_inpatients, got.top_bed_days) == (
        20, 100, 1, 42)
    assert got.top_share == pytest.approx(0.42)
    assert got.how_many_of_top({"heavy", "p05", "elsewhere"}) == 1
    assert "heavy" not in repr(got)  # the people are never printed


def test_lorenz_curve_points_counted_by_hand() -> None:
    curve = dict(concentration(TWENTY).lorenz)
    assert len(curve) == 101
    # 1% of 20 is 0.2: no one; 3% is 0.6: one person (3 bed days); half: ten people of 3
    assert curve[0.0] == 0.0
    assert curve[0.01] == 0.0
    assert curve[0.03] == pytest.approx(0.03)
    assert curve[0.5] == pytest.approx(0.30)
    assert curve[0.95] == pytest.approx(0.58)  # all but the heaviest user
    assert curve[1.0] == pytest.approx(1.0)


def test_the_top_group_is_rounded_half_up_and_at_least_one() -> None:
    thirty = {f"q{i:02}": i + 1 for i in range(30)}  # 1..30 bed days, 465 in all
    got = concentration(thirty)  # 5% of 30 is 1.5: two people, 30 + 29
    assert (got.top_inpatients, got.top_bed_days) == (2, 59)
    assert got.top_share == pytest.approx(59 / 465)
    assert concentration({"only": 3}).top_inpatients == 1
    assert concentration(TWENTY, fraction=0.1).top_share == pytest.approx(0.46)


def test_no_inpatients_and_bad_input() -> None:
    empty = concentration({})
    assert (empty.inpatients, empty.top_share, empty.lorenz) == (0, 0.0, ())
    with pytest.raises(ValueError, match=r"fraction: 0 is not a share of inpatients"):
        concentration(TWENTY, fraction=0)
    with pytest.raises(ValueError, match=r"bed_days: 1 inpatient\(s\) with negative"):
        concentration({"a": -1})


def test_from_the_record_store_all_methods_or_emergency_only() -> None:
    """``a``: emergency 10 nights and elective 5 in March 2025; ``b``: emergency 2."""
    con = connect("duckdb", inpatient_spell="""
        nhs_number | admission_date | discharge_date | admission_method
        a          | 2025-03-01     | 2025-03-11     | 21
        a          | 2025-03-20     | 2025-03-25     | 11
        b          | 2025-03-05     | 2025-03-07     | 21
        b          | 2024-03-05     | 2024-03-09     | 21
        """)
    every = of_bed_days(con, date(2025, 1, 1), date(2025, 3, 31), fraction=0.5)
    assert (every.inpatients, every.bed_days, every.top_bed_days) == (2, 17, 15)
    emergency = of_bed_days(con, date(2025, 1, 1), date(2025, 3, 31), emergency_only=True,
                            fraction=0.5)
    assert (emergency.bed_days, emergency.top_bed_days) == (12, 10)
