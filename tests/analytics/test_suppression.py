"""Small-number suppression (COM-7): boundaries of the one rule."""

from __future__ import annotations

import pytest

from ltc.analytics import suppression


@pytest.mark.parametrize(("n", "shown"), [(0, 0), (1, None), (7, None), (8, 10), (12, 10),
                                          (13, 15), (1_002, 1_000)])
def test_counts_of_one_to_seven_are_withheld_and_others_rounded_to_five(
        n: int, shown: int | None) -> None:
    assert suppression.count(n) == shown


def test_percentages_come_from_rounded_counts() -> None:
    assert suppression.percent(13, 100) == pytest.approx(15.0)
    assert suppression.percent(7, 100) is None
    assert suppression.percent(0, 100) == 0.0
    assert suppression.show_percent(5, 1000) == "*"
    assert suppression.show_percent(20, 3) == "*"  # a tiny denominator is withheld too
    assert suppression.show_percent(0, 0) == "-"
    assert suppression.show_percent(40, 200) == "20.0"
