"""Emergency bed days per month (COM-1), hand-counted on a small fixture.

Two people, P1 (locality L1) and P2 (L2). Nights, counted by hand (the night of a day
belongs to that day's month):

- ``a`` (F, born 1940-03-15, IMD decile 1): emergency 21, 30 Jan - 2 Feb 2025: 2 nights
  in January, 1 in February, aged 84 (80-84); emergency 22 from 29 March 2025, still in
  hospital: 3 nights to 31 March, aged 85 on admission (85-89); an elective stay (11) in
  January that never counts; in the baseline year 21, 1-11 January 2024: 10 nights.
- ``b`` (M, born 1980-01-01, IMD decile 10): emergency 2D, 20 Dec 2024 - 3 Jan 2025: 2
  nights in January (aged 44 on admission); a same-day emergency stay (28) on 10 February:
  no night; emergency 2A 28 Feb - 1 Mar 2025: 1 night in February (aged 45); in the
  baseline year 21, 27 Feb - 2 Mar 2024: 3 nights in February (a leap year), 1 in March.

Totals: January 4 (2 people), February 2 (2 people), March 3 (1 person).
"""

from __future__ import annotations

from datetime import date

import ibis
import pytest

from ltc.analytics import beddays
from spec_tables import check, connect

FIRST, LAST = date(2025, 1, 1), date(2025, 3, 31)


def _fixture(engine: str) -> ibis.BaseBackend:
    return connect(engine, practice="""
        practice_code | locality_code
        P1            | L1
        P2            | L2
        """, person="""
        nhs_number | date_of_birth | sex | practice_code | imd_decile
        a          | 1940-03-15    | F   | P1            | 1
        b          | 1980-01-01    | M   | P2            | 10
        """, inpatient_spell="""
        nhs_number | admission_date | discharge_date | admission_method
        a          | 2025-01-30     | 2025-02-02     | 21
        a          | 2025-03-29     |                | 22
        a          | 2025-01-05     | 2025-01-10     | 11
        a          | 2024-01-01     | 2024-01-11     | 21
        b          | 2024-12-20     | 2025-01-03     | 2D
        b          | 2025-02-10     | 2025-02-10     | 28
        b          | 2025-02-28     | 2025-03-01     | 2A
        b          | 2024-02-27     | 2024-03-02     | 21
        """)


@pytest.fixture
def con() -> ibis.BaseBackend:
    return _fixture("duckdb")


def test_nights_are_split_across_months_and_same_day_stays_have_none(
        con: ibis.BaseBackend) -> None:
    check(beddays.monthly(con, FIRST, LAST).order_by("month"), """
        month      | bed_days | people
        2025-01-01 | 4        | 2
        2025-02-01 | 2        | 2
        2025-03-01 | 3        | 1
        """)


def test_by_practice_locality_sex_and_deprivation(con: ibis.BaseBackend) -> None:
    by = ["practice_code", "locality_code", "sex", "imd_quintile"]
    check(beddays.monthly(con, FIRST, LAST, by).order_by("month", "practice_code"), """
        month      | practice_code | locality_code | sex | imd_quintile | bed_days
        2025-01-01 | P1            | L1            | F   | 1            | 2
        2025-01-01 | P2            | L2            | M   | 5            | 2
        2025-02-01 | P1            | L1            | F   | 1            | 1
        2025-02-01 | P2            | L2            | M   | 5            | 1
        2025-03-01 | P1            | L1            | F   | 1            | 3
        """)


def test_age_band_is_the_age_on_admission(con: ibis.BaseBackend) -> None:
    check(beddays.monthly(con, FIRST, LAST, ["age_band"]).order_by("month", "age_band"), """
        month      | age_band | bed_days
        2025-01-01 | 40-44    | 2
        2025-01-01 | 80-84    | 2
        2025-02-01 | 45-49    | 1
        2025-02-01 | 80-84    | 1
        2025-03-01 | 85-89    | 3
        """)


def test_each_month_against_the_same_month_of_the_baseline_year(
        con: ibis.BaseBackend) -> None:
    """Baseline 2023/24: January 10, February 3, March 1; the target is 5% below."""
    check(beddays.against_baseline(con, FIRST, LAST, 2023).order_by("month"), """
        month      | bed_days | baseline_bed_days | target_bed_days | change
        2025-01-01 | 4        | 10                | 9.5             | -0.6
        2025-02-01 | 2        | 3                 | 2.85            | -0.3333
        2025-03-01 | 3        | 1                 | 0.95            | 2
        """)


def test_a_practice_without_bed_days_in_one_of_the_years_has_a_zero(con: ibis.BaseBackend) -> None:
    got = beddays.against_baseline(con, FIRST, LAST, 2023, ["practice_code"])
    check(got.order_by("month", "practice_code"), """
        month      | practice_code | bed_days | baseline_bed_days | target_bed_days | change
        2025-01-01 | P1            | 2        | 10                | 9.5             | -0.8
        2025-01-01 | P2            | 2        | 0                 | 0               |
        2025-02-01 | P1            | 1        | 0                 | 0               |
        2025-02-01 | P2            | 1        | 3                 | 2.85            | -0.6667
        2025-03-01 | P1            | 3        | 0                 | 0               |
        2025-03-01 | P2            | 0        | 1                 | 0.95            | -1
        """)


def test_an_unknown_dimension_or_backwards_period_is_refused(con: ibis.BaseBackend) -> None:
    with pytest.raises(ValueError, match=r"by: unknown dimension 'ward'; expected any of "):
        beddays.monthly(con, FIRST, LAST, ["ward"])
    with pytest.raises(ValueError, match=r"the last month 2024-12 is before the first 2025-01"):
        beddays.monthly(con, FIRST, date(2024, 12, 31))


def _missing_cuts(engine: str) -> ibis.BaseBackend:
    """``c`` has no IMD decile: 2 nights in January 2025, 5 in January 2024. ``z`` is not
    in the patient index: 2 nights in February 2024. Neither year has bed days in March or
    April."""
    return connect(engine, person="""
        nhs_number | date_of_birth | sex | practice_code
        c          | 1950-01-01    | F   | P1
        """, inpatient_spell="""
        nhs_number | admission_date | discharge_date | admission_method
        c          | 2025-01-10     | 2025-01-12     | 21
        c          | 2024-01-10     | 2024-01-15     | 21
        z          | 2024-02-01     | 2024-02-03     | 21
        """)


def test_every_month_is_shown_and_missing_cuts_match_each_other() -> None:
    """A month without bed days in either year has its row; a missing quintile is matched
    with a missing quintile, not dropped."""
    con = _missing_cuts("duckdb")
    last = date(2025, 4, 30)
    check(beddays.against_baseline(con, FIRST, last, 2023).order_by("month"), """
        month      | bed_days | baseline_bed_days | target_bed_days | change
        2025-01-01 | 2        | 5                 | 4.75            | -0.6
        2025-02-01 | 0        | 2                 | 1.9             | -1
        2025-03-01 | 0        | 0                 | 0               |
        2025-04-01 | 0        | 0                 | 0               |
        """)
    check(beddays.against_baseline(con, FIRST, last, 2023, ["imd_quintile"]).order_by("month"),
          """
        month      | imd_quintile | bed_days | baseline_bed_days | change
        2025-01-01 |              | 2        | 5                 | -0.6
        2025-02-01 |              | 0        | 2                 | -1
        """)
