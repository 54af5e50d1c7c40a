"""Emergency admissions by deprivation, age-standardised, and the slope index of
inequality across IMD quintiles (COM-4), from the record plane.

- **Population**: the people of the patient index alive on ``as_of`` (born on or before
  it, no date of death on or before it) with an IMD decile, by IMD quintile
  (:func:`ltc.analytics.bands.imd_quintile`) and European Standard Population 2013 age
  band of their age on ``as_of``. People without an IMD decile have no quintile and are
  left out (``unknown_deprivation`` counts them).
- **Events**: their emergency admissions (admission method in the NHS Data Dictionary
  emergency group) admitted from ``first`` to ``last`` inclusive, in the band of the
  person's age on ``as_of``, so events and population are cut the same way.
- Each quintile's directly standardised rate per 100,000 with its Dobson interval, and the
  slope index of inequality over the quintiles' rates weighted by their populations
  (:mod:`ltc.analytics.standardise` holds the methods and their sources). A quintile with
  no one in it is left out of the slope; a quintile's rate withheld for too few events
  withholds the slope too.

The strata are one Ibis query (DuckDB or Spark); the rest is arithmetic on at most 5 x 19
rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import ibis
import ibis.expr.types as ir

from ltc.analytics.bands import age_band, age_on, esp2013, imd_quintile
from ltc.analytics.standardise import Rate, Slope, dsr, slope_index
from ltc.codes.nhs_dd import EMERGENCY_ADMISSION_METHODS

QUINTILES = (1, 2, 3, 4, 5)


def strata(con: ibis.BaseBackend, first: date, last: date, as_of: date) -> ir.Table:
    """``imd_quintile`` (null: no IMD decile), ``age_band``, ``population`` and
    ``events`` (emergency admissions from ``first`` to ``last``) of the people alive on
    ``as_of``; only the strata with someone in them."""
    if last < first:
        raise ValueError(f"last: {last} is before first {first}; expected first <= last")
    day = ibis.literal(as_of, type="date")
    p = con.table("person")
    alive = p.filter((p.date_of_birth <= day)
                     & (p.date_of_death.isnull() | (p.date_of_death > day)))
    people = alive.select("nhs_number", imd_quintile=imd_quintile(alive.imd_decile),
                          age_band=age_band(age_on(alive.date_of_birth, day)))
    s = con.table("inpatient_spell")
    admitted = s.filter(s.admission_method.isin(sorted(EMERGENCY_ADMISSION_METHODS))
                        & s.admission_date.between(ibis.literal(first, type="date"),
                                                   ibis.literal(last, type="date")))
    per_person = admitted.group_by("nhs_number").aggregate(events=ibis._.count())
    joined = people.left_join(per_person, "nhs_number")
    return joined.group_by("imd_quintile", "age_band").aggregate(
        population=joined.nhs_number.count(),
        events=joined.events.fill_null(0).sum().cast("int64"))


@dataclass(frozen=True)
class ByDeprivation:
    """Age-standardised emergency admission rates per IMD quintile and their slope."""

    rates: dict[int, Rate]  # quintile (1 most deprived) to its rate
    slope: Slope | None  # None when a quintile's rate is withheld or fewer than two
    unknown_deprivation: int  # people alive on the day with no IMD decile


def by_deprivation(con: ibis.BaseBackend, first: date, last: date,
                   as_of: date) -> ByDeprivation:
    """The DSR of each IMD quintile with people in it, and the slope index across them."""
    rows = strata(con, first, last, as_of).to_pyarrow().to_pylist()
    bands = [band.label for band in esp2013()]
    cells: dict[int, dict[str, tuple[int, float]]] = {}
    unknown = 0
    for row in rows:
        if row["imd_quintile"] is None:
            unknown += row["population"]
            continue
        cells.setdefault(row["imd_quintile"], dict.fromkeys(bands, (0, 0.0)))[
            row["age_band"]] = (row["events"], float(row["population"]))
    rates = {q: dsr(cells[q]) for q in QUINTILES if q in cells}
    shown = [(rate.rate, rate.population) for rate in rates.values()]
    slope = None
    if len(shown) >= 2 and all(value is not None for value, _ in shown):
        slope = slope_index([(float(value or 0.0), population) for value, population in shown])
    return ByDeprivation(rates, slope, unknown)
