"""Evaluation metrics (STRAT-3) on small cases worked by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from ltc.pipeline import evaluation as ev


def test_c_statistic_counts_pairs_and_half_ties() -> None:
    # positives at 0.8 and 0.4; negatives at 0.6, 0.4, 0.1. Pairs (pos, neg):
    # 0.8 beats all three (3); 0.4 beats 0.1 (1), ties 0.4 (0.5), loses to 0.6 (0)
    y = [1, 0, 1, 0, 0]
    p = [0.8, 0.6, 0.4, 0.4, 0.1]
    assert ev.c_statistic(y, p) == pytest.approx(4.5 / 6)


def test_c_statistic_perfect_reversed_and_constant() -> None:
    assert ev.c_statistic([0, 0, 1, 1], [0.1, 0.2, 0.3, 0.4]) == 1.0
    assert ev.c_statistic([1, 1, 0, 0], [0.1, 0.2, 0.3, 0.4]) == 0.0
    assert ev.c_statistic([1, 0, 1, 0], [0.5] * 4) == 0.5
    with pytest.raises(ValueError, match="both"):
        ev.c_statistic([1, 1], [0.2, 0.3])


def test_brier_score() -> None:
    # (0.9-1)^2 + (0.2-0)^2 + (0.5-1)^2 + (0-0)^2 = 0.01 + 0.04 + 0.25 + 0 = 0.30; / 4
    assert ev.brier_score([1, 0, 1, 0], [0.9, 0.2, 0.5, 0.0]) == pytest.approx(0.075)


def test_calibration_slope_and_intercept_recover_a_known_miscalibration() -> None:
    rng = np.random.default_rng(3)
    true_logit = rng.normal(-2, 1.2, 200_000)
    y = (rng.random(len(true_logit)) < 1 / (1 + np.exp(-true_logit))).astype(int)
    # predictions whose logit is twice too extreme and shifted: the recalibration must
    # recover slope 0.5 and intercept 0.5 * 1.0 = 0.5
    wrong = 2 * true_logit - 1.0
    slope, intercept = ev.calibration_slope_intercept(y, 1 / (1 + np.exp(-wrong)))
    assert slope == pytest.approx(0.5, abs=0.02)
    assert intercept == pytest.approx(0.5, abs=0.05)
    perfect = ev.calibration_slope_intercept(y, 1 / (1 + np.exp(-true_logit)))
    assert perfect == pytest.approx((1.0, 0.0), abs=0.03)


def test_top_k_sensitivity_and_ppv() -> None:
    # 200 people, 10 admitted; risks descending by index; admitted at ranks 0, 1, 5, ...
    n = 200
    p = np.linspace(1, 0, n, endpoint=False)
    y = np.zeros(n, int)
    y[[0, 1, 5, 20, 50, 80, 100, 150, 180, 199]] = 1
    half = ev.top_k(y, p, 0.005)  # ceil(1.0) = 1 person: admitted
    assert (half.flagged, half.admitted, half.ppv, half.sensitivity) == (1, 1, 1.0, 0.1)
    one = ev.top_k(y, p, 0.01)  # 2 people, both admitted
    assert (one.flagged, one.admitted, one.ppv, one.sensitivity) == (2, 2, 1.0, 0.2)
    five = ev.top_k(y, p, 0.05)  # 10 people: ranks 0, 1, 5 admitted
    assert (five.flagged, five.admitted) == (10, 3)
    assert five.ppv == pytest.approx(0.3)
    assert five.sensitivity == pytest.approx(0.3)
    assert ev.top_k(y, p, 0.003).flagged == math.ceil(0.6)


def test_calibration_bins_and_roc_points() -> None:
    y = np.array([0, 0, 1, 0, 1, 1, 0, 1, 1, 1])
    p = np.arange(10) / 10
    bins = ev.calibration_bins(y, p, bins=5)
    assert [b.people for b in bins] == [2] * 5
    assert [b.observed for b in bins] == [0.0, 0.5, 1.0, 0.5, 1.0]  # pairs 00 10 11 01 11
    assert bins[0].predicted == pytest.approx(0.05)
    fpr, tpr = ev.roc_points([1, 0, 1, 0], [0.9, 0.8, 0.7, 0.1])
    assert fpr.tolist() == [0.0, 0.0, 0.5, 0.5, 1.0]
    assert tpr.tolist() == [0.0, 0.5, 0.5, 1.0, 1.0]
    # the area under the points equals the c-statistic
    assert np.trapezoid(tpr, fpr) == pytest.approx(ev.c_statistic([1, 0, 1, 0],
                                                                 [0.9, 0.8, 0.7, 0.1]))


def test_evaluate_reports_the_oracle_ratio_and_round_trips() -> None:
    y = [1, 0, 1, 0, 0, 1, 0, 0]
    p = [0.7, 0.2, 0.4, 0.5, 0.1, 0.6, 0.3, 0.2]
    oracle = [0.9, 0.1, 0.8, 0.2, 0.1, 0.7, 0.3, 0.2]
    m = ev.evaluate(y, p, oracle=oracle)
    assert m.oracle_c_statistic == 1.0
    assert m.oracle_ratio == pytest.approx(m.c_statistic)
    assert [t.fraction for t in m.top] == [0.005, 0.01, 0.05]
    assert ev.metrics_from_dict(m.to_dict()) == m
    assert "c-statistic" in m.summary()
    with pytest.raises(ValueError, match="0 or 1"):
        ev.evaluate([2, 0], [0.1, 0.2])
