"""The bands every commissioning figure is cut by (COM-1, COM-4): the European Standard
Population 2013 age bands with their weights, and deprivation quintiles.

- **Age bands** are the 19 bands of the European Standard Population 2013 (0-4, 5-9, ...,
  85-89, 90+), read from ``ltc/data/esp2013.csv`` (source and version in
  ``ltc/data/esp2013.SOURCE.md``), so a figure cut by age band can be age-standardised
  without re-banding. :func:`age_band` is the same banding as an Ibis expression.
- **IMD quintile** 1 (most deprived) to 5 (least deprived) from the person's Index of
  Multiple Deprivation decile: deciles 1-2 are quintile 1, 3-4 quintile 2, and so on (the
  English Indices of Deprivation 2019 rank LSOAs, and deciles and quintiles are tenths and
  fifths of that one ranking, so two deciles make each quintile exactly).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources

import ibis
import ibis.expr.types as ir

#: Where the European Standard Population 2013 is carried.
ESP2013_FILE = "esp2013.csv"


@dataclass(frozen=True)
class AgeBand:
    """One age band: ages ``min_age`` to ``max_age`` inclusive (None: no upper bound)."""

    label: str
    min_age: int
    max_age: int | None
    weight: int  # the ESP 2013 standard population of the band


@cache
def esp2013() -> tuple[AgeBand, ...]:
    """The ESP 2013 bands, youngest first, checked to cover every age once and sum to
    100,000 (a damaged file is refused, naming the line and what was expected)."""
    text = (resources.files("ltc") / "data" / ESP2013_FILE).read_text(encoding="utf-8")
    bands = []
    for line, row in enumerate(csv.DictReader(text.splitlines()), start=2):
        try:
            bands.append(AgeBand(row["age_band"], int(row["min_age"]),
                                 int(row["max_age"]) if row["max_age"] else None,
                                 int(row["weight"])))
        except (KeyError, TypeError, ValueError) as error:
            raise ValueError(f"{ESP2013_FILE}, line {line}: expected age_band, whole-number "
                             f"min_age, max_age (empty for the open band) and weight: "
                             f"{error}") from None
    expected_start = 0
    for band in bands:
        if band.min_age != expected_start:
            raise ValueError(f"{ESP2013_FILE}: band {band.label} starts at {band.min_age}; "
                             f"expected {expected_start} (bands must follow on)")
        expected_start = (band.max_age or 0) + 1
    if bands[-1].max_age is not None or sum(b.weight for b in bands) != 100_000:
        raise ValueError(f"{ESP2013_FILE}: expected an open last band and weights summing "
                         "to 100,000")
    return tuple(bands)


def band_of(age: int) -> str:
    """The ESP 2013 band label of an age in completed years."""
    if age < 0:
        raise ValueError(f"age: {age} is negative; expected completed years, 0 or more")
    for band in esp2013():
        if band.max_age is None or age <= band.max_age:
            return band.label
    raise AssertionError("the last ESP 2013 band is open")  # pragma: no cover


def age_band(age: ir.IntegerValue) -> ir.StringValue:
    """The ESP 2013 band label of an age column (null for a null age)."""
    bands = esp2013()
    branches = [(age <= b.max_age, ibis.literal(b.label)) for b in bands
                if b.max_age is not None]
    return ibis.cases((age.isnull(), ibis.null("string")), *branches,
                      else_=ibis.literal(bands[-1].label))


def age_on(born: ir.DateValue, day: ir.DateValue) -> ir.IntegerValue:
    """Completed years between ``born`` and ``day`` (both date columns)."""
    before_birthday = (born.month() > day.month()) | (
        (born.month() == day.month()) & (born.day() > day.day()))
    return (day.year() - born.year() - before_birthday.ifelse(1, 0)).cast("int64")


def imd_quintile(decile: ir.IntegerValue) -> ir.IntegerValue:
    """IMD quintile (1 most deprived) of an IMD decile column (null stays null)."""
    return ((decile + 1) // 2).cast("int64")
