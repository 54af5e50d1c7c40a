"""Team evaluation by difference in differences (COM-5), on fixtures counted by hand.

With 40 pairs whose pair differences alternate -2 and 0, the DiD is -1; the standard
deviation of the differences is sqrt(40 / 39) = 1.01274, the standard error 1.01274 /
sqrt(40) = 0.160128 and the 95% interval -1 +/- 1.959964 x 0.160128 = (-1.3138, -0.6862).
"""

from __future__ import annotations

from datetime import date

import pytest

from ltc.analytics.evaluation import (
    Candidate,
    Pair,
    admissions_around,
    bed_days_around,
    difference_in_differences,
    evaluate,
    match,
    windows,
)
from spec_tables import connect

DAY = date(2024, 6, 15)


def _pairs(n: int) -> list[Pair]:
    return [Pair(f"t{i}", f"c{i}", DAY, 0.0) for i in range(n)]


def test_a_known_effect_is_recovered() -> None:
    """Everyone had 4 admissions before. The case-managed fall to 2 (a change of -2);
    their matches stay at 4 or fall to 2 in turn (0 or -2: -1 on average, 4 -> 3). Pair
    differences alternate -2 and 0: the DiD is -1, the effect put in."""
    outcomes = {}
    for i in range(40):
        outcomes[(f"t{i}", DAY)] = (4, 2)  # change -2
        outcomes[(f"c{i}", DAY)] = (4, 4) if i % 2 == 0 else (4, 2)  # change 0 or -2
    got = difference_in_differences(_pairs(40), outcomes)
    assert (got.treated_before, got.treated_after) == (4.0, 2.0)
    assert (got.comparison_before, got.comparison_after) == (4.0, 3.0)
    assert got.did == pytest.approx(-1.0)
    assert got.lower == pytest.approx(-1.3138, abs=1e-4)
    assert got.upper == pytest.approx(-0.6862, abs=1e-4)


def test_pure_regression_to_the_mean_shows_no_effect() -> None:
    """Both groups were picked at a peak of 5 admissions and fall to 2 on average: the
    case-managed fell by 3, which a before-and-after count would credit to the team,
    but the DiD is 0 and its interval holds 0."""
    outcomes = {}
    for i in range(40):
        outcomes[(f"t{i}", DAY)] = (5, 2)
        outcomes[(f"c{i}", DAY)] = (5, 1) if i % 2 == 0 else (5, 3)
    got = difference_in_differences(_pairs(40), outcomes)
    assert got.treated_before - got.treated_after == 3.0
    assert got.comparison_before - got.comparison_after == 3.0
    assert got.did == pytest.approx(0.0)
    assert got.lower is not None
    assert got.upper is not None
    assert got.lower < 0 < got.upper


def test_matching_within_level_nearest_without_replacement_inside_the_caliper() -> None:
    """t1 (0.80) goes first and takes c1 (0.79); t2 (0.78) would want c1 too, but it is
    taken: c2 (0.70) is 0.08 away, outside the caliper 0.05, and c3 is at level 2, so t2
    is unmatched. t3 (0.50) ties between c4 and c5 (both 0.01 away): the lower NHS
    number, c4, wins."""
    taken = date(2025, 1, 10)
    got = match([
        Candidate("t1", 0.80, "3", taken), Candidate("t2", 0.78, "3", taken),
        Candidate("t3", 0.50, "2", taken),
        Candidate("c1", 0.79, "3"), Candidate("c2", 0.70, "3"), Candidate("c3", 0.78, "2"),
        Candidate("c5", 0.49, "2"), Candidate("c4", 0.51, "2"),
    ], caliper=0.05)
    assert [(p.treated, p.comparison) for p in got.pairs] == [("t1", "c1"), ("t3", "c4")]
    assert got.unmatched == 1
    assert all(p.index_date == taken for p in got.pairs)


def test_the_default_caliper_is_a_fifth_of_the_scores_standard_deviation() -> None:
    """Scores 0, 1, 0, 1: population standard deviation 0.5, caliper 0.1."""
    got = match([Candidate("t", 0.0, "3", DAY), Candidate("u", 1.0, "3", DAY),
                 Candidate("c", 0.0, "3"), Candidate("d", 1.0, "2")])
    assert got.caliper == pytest.approx(0.1)
    assert [(p.treated, p.comparison) for p in got.pairs] == [("t", "c")]
    assert got.unmatched == 1


def test_windows_and_admissions_around_the_index_date() -> None:
    """Index 15 June 2024: before is 15 June 2023 to 14 June 2024, after 16 June 2024 to
    15 June 2025; the index day and elective admissions count in neither."""
    assert windows(DAY) == (date(2023, 6, 15), date(2024, 6, 14), date(2024, 6, 16),
                            date(2025, 6, 15))
    con = connect("duckdb", inpatient_spell="""
        nhs_number | admission_date | admission_method
        t          | 2023-06-14     | 21
        t          | 2023-06-15     | 21
        t          | 2024-06-14     | 22
        t          | 2024-06-15     | 21
        t          | 2024-06-16     | 2A
        t          | 2025-06-15     | 28
        t          | 2025-06-16     | 21
        t          | 2024-09-01     | 11
        c          | 2024-01-01     | 21
        """)
    got = admissions_around(con, [("t", DAY), ("c", DAY), ("nobody", DAY)])
    assert got == {("t", DAY): (2, 2), ("c", DAY): (1, 0), ("nobody", DAY): (0, 0)}


def test_bed_days_around_the_index_date() -> None:
    """Index 15 June 2024. ``t``: 10-20 June 2023, 5 nights in the before window (15-19
    June); 13-17 June 2024, the nights of the 13th and 14th before, the 16th after (the
    index date's night in neither); from 14 June 2025 still in hospital, 2 nights to the
    window's end (14th, 15th); an elective stay never counts. ``c``: a same-day stay."""
    con = connect("duckdb", inpatient_spell="""
        nhs_number | admission_date | discharge_date | admission_method
        t          | 2023-06-10     | 2023-06-20     | 21
        t          | 2024-06-13     | 2024-06-17     | 22
        t          | 2025-06-14     |                | 28
        t          | 2024-09-01     | 2024-09-05     | 11
        c          | 2024-01-01     | 2024-01-01     | 21
        """)
    assert bed_days_around(con, [("t", DAY), ("c", DAY)]) == {
        ("t", DAY): (7, 3), ("c", DAY): (0, 0)}
    got = evaluate(con, [Candidate("t", 0.5, "3", DAY), Candidate("c", 0.5, "3")],
                   outcome="bed_days")
    assert (got.treated_before, got.treated_after, got.did) == (7.0, 3.0, -4.0)
    with pytest.raises(ValueError, match=r"outcome: 'stays'; expected one of admissions, "
                                         r"bed_days"):
        evaluate(con, [], outcome="stays")


def test_evaluate_end_to_end_with_too_few_pairs_for_an_interval() -> None:
    con = connect("duckdb", inpatient_spell="""
        nhs_number | admission_date | admission_method
        t          | 2024-01-01     | 21
        t          | 2024-02-01     | 21
        c          | 2024-03-01     | 21
        c          | 2024-04-01     | 21
        c          | 2024-09-01     | 21
        """)
    got = evaluate(con, [Candidate("t", 0.9, "3", DAY), Candidate("c", 0.9, "3")])
    assert (got.pairs, got.treated_before, got.treated_after) == (1, 2.0, 0.0)
    assert (got.comparison_before, got.comparison_after, got.did) == (2.0, 1.0, -1.0)
    assert (got.lower, got.upper) == (None, None)


def test_no_pairs_or_missing_outcomes_are_refused() -> None:
    with pytest.raises(ValueError, match=r"pairs: none; expected at least one"):
        difference_in_differences([], {})
    with pytest.raises(ValueError, match=r"outcomes: 1 matched person\(s\) have no before"):
        difference_in_differences(_pairs(1), {("t0", DAY): (1, 1)})
    with pytest.raises(ValueError, match=r"caliper: -1; expected a score difference"):
        match([], caliper=-1)
