"""Directly age-standardised rates with 95% confidence intervals, and the slope index of
inequality across deprivation quintiles (COM-4).

- **Directly standardised rate (DSR)**: the rate the population would have with the age
  structure of the European Standard Population 2013 (:func:`ltc.analytics.bands.esp2013`,
  carried with its source): ``DSR = sum(w_i * O_i / n_i) / sum(w_i)`` per 100,000, where
  ``O_i`` are the events and ``n_i`` the population (or person-years) of age band ``i`` and
  ``w_i`` its standard population.
- **Its 95% confidence interval** by the method of Dobson et al. (Dobson AJ, Kuulasmaa K,
  Eberle E, Scherer J. Confidence intervals for weighted sums of Poisson parameters.
  *Statistics in Medicine* 1991;10:457-462), with the limits of the total count ``O`` by
  Byar's approximation, as Public Health England's *Technical guide: confidence
  intervals* (and its ``PHEindicatormethods`` R package) sets out::

      O_L = O (1 - 1/(9 O) - z / (3 sqrt(O)))^3
      O_U = (O + 1) (1 - 1/(9 (O + 1)) + z / (3 sqrt(O + 1)))^3
      var(DSR) = sum(w_i^2 O_i / n_i^2) / sum(w_i)^2
      DSR_L = DSR + sqrt(var(DSR) / O) (O_L - O), DSR_U likewise with O_U

  with ``z`` = 1.959964 for 95%. The same guide does not publish a DSR built on fewer than
  10 events (:data:`MIN_EVENTS`): the rate is then withheld, with the reason.
- **Slope index of inequality (SII)**: the groups (IMD quintiles) ordered from most
  deprived to least, each placed at the midpoint of its cumulative share of the
  population (its ridit: the first quintile of a population of equal fifths sits at 0.1),
  and the rates regressed on that position by least squares weighted by population (as
  Public Health England's *Slope index of inequality* guidance and ``phe_sii`` do, after
  Low and Low, 2004). The SII is the slope: the modelled rate of the least deprived
  (position 1) less that of the most deprived (position 0), so a negative SII means the
  rate is higher where deprivation is greater. The relative index (RII) is the SII over
  the population's mean rate.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from statistics import NormalDist

from ltc.analytics.bands import esp2013

#: A DSR on fewer events is not published (PHE, Technical guide: confidence intervals).
MIN_EVENTS = 10
#: Rates per this many people (or person-years).
PER = 100_000


@dataclass(frozen=True)
class Rate:
    """A directly standardised rate per :data:`PER`, or why it is withheld."""

    events: int
    population: float
    rate: float | None
    lower: float | None
    upper: float | None
    withheld: str | None = None  # why the rate is not given


def _standard() -> dict[str, int]:
    return {band.label: band.weight for band in esp2013()}


def dsr(strata: Mapping[str, tuple[int, float]], standard: Mapping[str, int] | None = None,
        confidence: float = 0.95, per: int = PER) -> Rate:
    """The directly standardised rate of ``strata`` (age band to events and population),
    every band of the ``standard`` (default ESP 2013) given, with its Dobson interval."""
    weights = dict(standard or _standard())
    missing = [band for band in weights if band not in strata]
    unknown = [band for band in strata if band not in weights]
    if missing or unknown:
        raise ValueError(f"strata: expected one entry for each standard age band "
                         f"({', '.join(weights)}); missing {missing or 'none'}, unknown "
                         f"{unknown or 'none'}")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence: {confidence}; expected a level between 0 and 1 (0.95)")
    for band, (events, population) in strata.items():
        if events < 0 or population < 0 or (events > 0 and population == 0):
            raise ValueError(f"strata[{band!r}]: {events} events in a population of "
                             f"{population}; expected events 0 or more in a population "
                             "above 0 (a band with no population can have no events)")
    total_weight = sum(weights.values())
    events = sum(e for e, _ in strata.values())
    population = sum(n for _, n in strata.values())
    if events < MIN_EVENTS:
        return Rate(events, population, None, None, None,
                    f"fewer than {MIN_EVENTS} events: a standardised rate is not published")
    rate = sum(weights[b] * e / n for b, (e, n) in strata.items() if n) / total_weight
    variance = sum(weights[b] ** 2 * e / n ** 2 for b, (e, n) in strata.items() if n) / (
        total_weight ** 2)
    low_count, high_count = byar_limits(events, confidence)
    spread = math.sqrt(variance / events)
    return Rate(events, population, rate * per, (rate + spread * (low_count - events)) * per,
                (rate + spread * (high_count - events)) * per)


def byar_limits(observed: int, confidence: float = 0.95) -> tuple[float, float]:
    """Byar's approximate limits of a Poisson count (PHE, Technical guide: confidence
    intervals); the lower limit of 0 events is 0."""
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    o = observed
    lower = 0.0 if o == 0 else o * (1 - 1 / (9 * o) - z / (3 * math.sqrt(o))) ** 3
    upper = (o + 1) * (1 - 1 / (9 * (o + 1)) + z / (3 * math.sqrt(o + 1))) ** 3
    return lower, upper


@dataclass(frozen=True)
class Slope:
    """The slope and relative index of inequality, and where each group sat."""

    sii: float
    rii: float | None  # SII over the mean rate; None when the mean is 0
    positions: tuple[float, ...]  # each group's ridit, most deprived first


def slope_index(groups: Sequence[tuple[float, float]]) -> Slope:
    """The SII of ``groups``, each (rate, population), ordered from most deprived (IMD
    quintile 1) to least deprived."""
    if len(groups) < 2:
        raise ValueError(f"groups: {len(groups)} given; expected at least two ordered "
                         "groups (the five IMD quintiles)")
    if any(population <= 0 for _, population in groups):
        raise ValueError("groups: every group needs a population above 0 to have a place "
                         "on the deprivation scale")
    total = sum(population for _, population in groups)
    positions, before = [], 0.0
    for _, population in groups:
        positions.append((before + population / 2) / total)
        before += population
    weights = [population / total for _, population in groups]
    rates = [rate for rate, _ in groups]
    mean_x = sum(w * x for w, x in zip(weights, positions, strict=True))
    mean_y = sum(w * y for w, y in zip(weights, rates, strict=True))
    sxy = sum(w * (x - mean_x) * (y - mean_y)
              for w, x, y in zip(weights, positions, rates, strict=True))
    sxx = sum(w * (x - mean_x) ** 2 for w, x in zip(weights, positions, strict=True))
    sii = sxy / sxx
    return Slope(sii, sii / mean_y if mean_y else None, tuple(positions))
