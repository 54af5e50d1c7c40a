"""Emergency inpatient bed days per month against a baseline year and the 5% target line
(COM-1), as Ibis expressions that run on DuckDB and on Spark alike.

Definitions (``docs/analytics.md`` holds them for readers):

- **Emergency spell**: an ``inpatient_spell`` whose admission method is an emergency one,
  21-25, 2A-2D and 28 (NHS Data Dictionary, ADMISSION METHOD, the "Emergency Admission"
  group: :data:`ltc.codes.nhs_dd.EMERGENCY_ADMISSION_METHODS`, which cites its version).
- **Bed days of a spell** are the nights it spans: discharge date minus admission date,
  as Hospital Episode Statistics count a spell's duration (HES Admitted Patient Care data
  dictionary, ``SPELDUR`` = ``DISDATE`` - ``ADMIDATE``, and bed days as the sum of
  durations), so a spell discharged the day it began (a same-day stay) has 0 bed days.
- **Bed days in a month**: the night of a day belongs to that day's month (the night of
  31 January is January's), so a spell is split across months by its nights: a spell from
  30 January to 2 February has 2 bed days in January (the nights of the 30th and 31st) and
  1 in February. A spell still open (no discharge date) counts its nights to the end of
  the last month asked for.
- **Who and where**: the person's practice and its locality, sex, IMD quintile and
  ethnic category as held now in the patient index; the age band (European Standard
  Population 2013 bands, :mod:`ltc.analytics.bands`) of the person's age on the day of
  admission, as HES's ``STARTAGE``.
- **Baseline and target**: the baseline is a financial year (April to March, as the PSA
  target's 2003/04 baseline). Each month is set against the same calendar month of the
  baseline year, and the target line is the baseline less 5%: "reduce inpatient
  emergency bed days by 5% by March 2008, using 2003/04 as the baseline" (Department of
  Health, *Supporting People with Long Term Conditions*, 2005, the PSA target).

The results carry exact counts: every figure leaves for a page or file through
:mod:`ltc.analytics.suppression`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from ltc.analytics.bands import age_band, age_on, imd_quintile
from ltc.codes.nhs_dd import EMERGENCY_ADMISSION_METHODS

#: The PSA target: emergency bed days 5% below the baseline year (DH 2005).
TARGET_REDUCTION = 0.05
#: The target line as a whole percentage of the baseline (95).
TARGET_PERCENT_OF_BASELINE = round(100 * (1 - TARGET_REDUCTION))
#: The columns a figure may be cut by, as named in the results.
DIMENSIONS = ("practice_code", "locality_code", "age_band", "sex", "imd_quintile",
              "ethnic_category")


def month_starts(first: date, last: date) -> list[date]:
    """The first day of every month from ``first``'s month to ``last``'s, inclusive."""
    if last < first:
        raise ValueError(f"months: the last month {last:%Y-%m} is before the first "
                         f"{first:%Y-%m}; expected first <= last")
    months, year, month = [], first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append(date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _next_month(day: date) -> date:
    return date(day.year + 1, 1, 1) if day.month == 12 else date(day.year, day.month + 1, 1)


def _check_dimensions(by: Sequence[str]) -> list[str]:
    unknown = [name for name in by if name not in DIMENSIONS]
    if unknown:
        raise ValueError(f"by: unknown dimension {', '.join(map(repr, unknown))}; expected "
                         f"any of {', '.join(DIMENSIONS)}")
    return list(by)


def spell_months(con: ibis.BaseBackend, first: date, last: date,
                 emergency_only: bool = True) -> ir.Table:
    """One row per emergency spell (every spell when not ``emergency_only``) and month
    from ``first``'s month to ``last``'s in which the spell has at least one night:
    ``nhs_number``, ``month`` (its first day), ``bed_days`` and every dimension of
    :data:`DIMENSIONS`."""
    starts = month_starts(first, last)
    months = ibis.memtable(pa.table({
        "month": pa.array(starts, pa.date32()),
        "month_end": pa.array([_next_month(m) for m in starts], pa.date32())}))
    period_end = ibis.literal(_next_month(starts[-1]), type="date")
    s = con.table("inpatient_spell")
    if emergency_only:
        s = s.filter(s.admission_method.isin(sorted(EMERGENCY_ADMISSION_METHODS)))
    spells = s.select(
        "nhs_number", "admission_date",
        discharged=ibis.least(s.discharge_date.fill_null(period_end), period_end))
    joined = spells.join(months, [spells.admission_date < months.month_end,
                                  spells.discharged > months.month])
    nights = (ibis.least(joined.discharged, joined.month_end)
              - ibis.greatest(joined.admission_date, joined.month)).cast("int64")
    rows = joined.select("nhs_number", "month", "admission_date", bed_days=nights)
    rows = rows.filter(rows.bed_days > 0)  # a same-day stay has no night
    person = con.table("person")
    practice = con.table("practice").select("practice_code", "locality_code")
    who = person.left_join(practice, "practice_code").select(
        "nhs_number", "date_of_birth", "sex", "practice_code", "locality_code",
        "ethnic_category", imd_quintile=imd_quintile(person.imd_decile))
    out = rows.left_join(who, "nhs_number")
    return out.select(
        "nhs_number", "month", "bed_days", "practice_code", "locality_code",
        age_band=age_band(age_on(out.date_of_birth, out.admission_date)),
        sex=out.sex, imd_quintile=out.imd_quintile, ethnic_category=out.ethnic_category)


def monthly(con: ibis.BaseBackend, first: date, last: date,
            by: Sequence[str] = ()) -> ir.Table:
    """Emergency bed days per month (and per ``by`` dimension): ``month``, the ``by``
    columns, ``bed_days`` and ``people`` (distinct people with a night that month).
    Months with no bed days have no row."""
    keys = ["month", *_check_dimensions(by)]
    return spell_months(con, first, last).group_by(keys).aggregate(
        bed_days=ibis._.bed_days.sum(), people=ibis._.nhs_number.nunique())


def _join(left: ir.Table, right: ir.Table, keys: Sequence[str]) -> ir.Table:
    """``left`` with the other columns of ``right`` whose keys are equal, a missing key
    (no IMD decile, no ethnic category) matching a missing key."""
    right = right.rename({f"{k}__r": k for k in keys})
    joined = left.left_join(right, [left[k].identical_to(right[f"{k}__r"]) for k in keys])
    return joined.drop(*(f"{k}__r" for k in keys))


def against_baseline(con: ibis.BaseBackend, first: date, last: date, baseline_year: int,
                     by: Sequence[str] = ()) -> ir.Table:
    """Each month's emergency bed days against the same calendar month of the baseline
    financial year (``baseline_year`` April to March next) and the target line:
    ``month``, the ``by`` columns, ``bed_days``, ``baseline_bed_days``,
    ``target_bed_days`` (baseline less 5%) and ``change`` (bed days over baseline less 1,
    null without a baseline). A row for every month and cut with bed days in either year
    (0 where one has none), and without ``by`` a row for every month."""
    keys = _check_dimensions(by)
    starts = month_starts(first, last)
    frame = ibis.memtable(pa.table({"month": pa.array(starts, pa.date32()),
                                    "month_of_year": [m.month for m in starts]}))
    now = monthly(con, first, last, keys).select("month", *keys, "bed_days")
    base = monthly(con, date(baseline_year, 4, 1), date(baseline_year + 1, 3, 1), keys)
    base = base.select(*keys, month_of_year=base.month.month().cast("int64"),
                       baseline_bed_days=base.bed_days)
    base_now = base.join(frame, "month_of_year").select("month", *keys, "baseline_bed_days")
    cells = now.select("month", *keys).union(base_now.select("month", *keys), distinct=True)
    if not keys:
        cells = cells.union(frame.select("month"), distinct=True)
    joined = _join(_join(cells, now, ["month", *keys]), base_now, ["month", *keys])
    bed_days = joined.bed_days.fill_null(0)
    baseline = joined.baseline_bed_days.fill_null(0)
    return joined.select(
        "month", *keys, bed_days=bed_days, baseline_bed_days=baseline,
        # whole numbers multiplied, then one division: the same double on every engine
        target_bed_days=(baseline * TARGET_PERCENT_OF_BASELINE) / 100,
        change=ibis.ifelse(baseline > 0, bed_days / baseline - 1, ibis.null("float64")))
