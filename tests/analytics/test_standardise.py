"""Age-standardised rates, their Dobson intervals and the slope index of inequality
(COM-4), checked against sums done by hand.

A two-band standard (60,000 young, 40,000 old) keeps the arithmetic short:

- young: 20 events in 10,000; old: 80 events in 2,000; O = 100.
- DSR = (0.6 x 20/10,000 + 0.4 x 80/2,000) x 100,000 = (0.0012 + 0.016) x 100,000 = 1,720.
- var = 0.6^2 x 20/10,000^2 + 0.4^2 x 80/2,000^2 = 7.2e-8 + 3.2e-6 = 3.272e-6, which per
  100,000 is 32,720; sqrt(var / O) = sqrt(327.2) = 18.0887.
- Byar: O_L = 100 (1 - 1/900 - 1.96/30)^3 = 81.362; O_U = 101 (1 - 1/909 + 1.96/(3
  sqrt(101)))^3 = 121.628.
- limits: 1,720 - 18.0887 x 18.638 = 1,382.87 and 1,720 + 18.0887 x 21.628 = 2,111.22.
"""

from __future__ import annotations

import pytest

from ltc.analytics.bands import band_of, esp2013
from ltc.analytics.standardise import byar_limits, dsr, slope_index

TWO_BANDS = {"young": 60_000, "old": 40_000}


def test_esp2013_is_carried_whole() -> None:
    bands = esp2013()
    assert len(bands) == 19
    assert sum(b.weight for b in bands) == 100_000
    assert (bands[0].label, bands[0].weight, bands[-1].label, bands[-1].weight) == (
        "0-4", 5000, "90+", 1000)
    assert [band_of(a) for a in (0, 4, 5, 64, 89, 90, 104)] == [
        "0-4", "0-4", "5-9", "60-64", "85-89", "90+", "90+"]


def test_dsr_and_its_dobson_interval_by_hand() -> None:
    got = dsr({"young": (20, 10_000), "old": (80, 2_000)}, standard=TWO_BANDS)
    assert got.rate == pytest.approx(1720.0)
    assert got.lower == pytest.approx(1382.87, abs=0.01)
    assert got.upper == pytest.approx(2111.22, abs=0.01)
    assert (got.events, got.population, got.withheld) == (100, 12_000, None)


def test_byar_limits_of_a_count() -> None:
    assert byar_limits(100) == pytest.approx((81.362, 121.628), abs=0.001)
    assert byar_limits(0)[0] == 0.0


def test_a_constant_rate_standardises_to_itself_on_esp2013() -> None:
    """Ten events in every band of 1,000: 1,000 per 100,000 whatever the weights."""
    got = dsr({b.label: (10, 1000) for b in esp2013()})
    assert got.rate == pytest.approx(1000.0)
    assert got.lower is not None
    assert got.upper is not None
    assert got.lower < 1000.0 < got.upper


def test_fewer_than_ten_events_are_not_standardised() -> None:
    got = dsr({"young": (4, 10_000), "old": (5, 2_000)}, standard=TWO_BANDS)
    assert (got.rate, got.lower, got.upper) == (None, None, None)
    assert got.withheld == "fewer than 10 events: a standardised rate is not published"


def test_bad_strata_are_refused_naming_what_was_expected() -> None:
    with pytest.raises(ValueError, match=r"strata: expected one entry for each standard age "
                                         r"band \(young, old\); missing \['old'\]"):
        dsr({"young": (20, 10_000)}, standard=TWO_BANDS)
    with pytest.raises(ValueError, match=r"strata\['old'\]: 3 events in a population of 0"):
        dsr({"young": (20, 10_000), "old": (3, 0)}, standard=TWO_BANDS)


def test_slope_index_on_equal_fifths() -> None:
    """Quintiles of 100 people sit at 0.1, 0.3, ..., 0.9; rates falling by 10 a fifth
    fall by 50 across the whole scale: SII -50, over a mean of 30."""
    got = slope_index([(50, 100), (40, 100), (30, 100), (20, 100), (10, 100)])
    assert got.positions == pytest.approx((0.1, 0.3, 0.5, 0.7, 0.9))
    assert got.sii == pytest.approx(-50.0)
    assert got.rii == pytest.approx(-50.0 / 30.0)


def test_slope_index_weighted_by_population() -> None:
    """Populations 1, 1, 2 sit at 0.125, 0.375, 0.75; rates 3, 1, 2. Weighted means
    x = 0.5, y = 2; Sxy = -0.375 + 0.125 + 0 = -0.25; Sxx = 0.140625 + 0.015625 + 0.125
    = 0.28125; SII = -0.25 / 0.28125 = -0.8889."""
    got = slope_index([(3, 1), (1, 1), (2, 2)])
    assert got.positions == pytest.approx((0.125, 0.375, 0.75))
    assert got.sii == pytest.approx(-0.25 / 0.28125)
    with pytest.raises(ValueError, match=r"groups: 1 given; expected at least two"):
        slope_index([(3, 1)])
