"""Hospital Frailty Risk Score (Gilbert et al., Lancet 2018) from hospital diagnoses (STRAT-4).

Gilbert T, Neuburger J, Kraindler J, et al. Development and validation of a Hospital Frailty
Risk Score focusing on older people in acute care settings using electronic hospital
records: an observational study. Lancet 2018;391:1775-82.

* **Points**: 109 ICD-10 3-character categories with points (``data/scores/
  hfrs_icd10_points.csv``, from comorbidipy 0.5.0; identical to the Gilbert supplementary
  table as carried by jamesvanoppen/hfrs). Sum of all points 173.2; the largest is F00, 7.1.
* **Codes**: every ICD-10 code is trimmed, upper-cased, stripped of dots and cut to its
  first 3 characters; each 3-character category counts once per person, however often it
  is recorded (comorbidipy ``hfrs``).
* **Which diagnoses**: Gilbert scored the index admission and the hospital admissions of
  the 2 years before it. Here: ``diagnosis`` rows with ``code_system = 'icd10'`` recorded in
  secondary care, dated by their ``date``, and the ``primary_diagnosis`` of
  ``inpatient_spell`` rows, dated by their ``admission_date``, inside the window
  of the last ``lookback_months`` calendar months, both ends included (:mod:`ltc.windows`;
  default 24 months, the 2 years of Gilbert 2018; ``None``: all history).
* **Bands** (Gilbert 2018): low risk below 5, intermediate risk 5 to 15, high risk above
  15. Both ends of the intermediate band are inclusive: a score of exactly 5 or exactly 15
  is intermediate, 15.1 is high. Sums are exact: points are added in tenths.

The score was developed for people aged 75 and over; it is computed here for everyone with
hospital diagnoses, and callers restrict the age where they need the validated use.

One row per person with at least one hospital diagnosis in the window. Columns:
``nhs_number``, ``hfrs`` (float, one decimal place), ``hfrs_band`` (``low``,
``intermediate``, ``high``).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import cache

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from ltc.pipeline.scores.inputs import clean_icd10, icd10_diagnoses, read_rows, within

POINTS_FILE = "hfrs_icd10_points.csv"
DEFAULT_LOOKBACK_MONTHS = 24  # Gilbert 2018: the 2 years before the index admission
# Gilbert 2018 risk bands, in tenths of a point: low < 5, intermediate 5-15, high > 15
LOW_BELOW_TENTHS = 50
HIGH_ABOVE_TENTHS = 150
BANDS = ("low", "intermediate", "high")


@cache
def points() -> dict[str, Decimal]:
    """ICD-10 3-character category -> HFRS points."""
    return {row["icd10_3char"].strip().upper(): Decimal(row["hfrs_points"])
            for row in read_rows(POINTS_FILE)}


def _points_table() -> pa.Table:
    table = points()
    return pa.table({"category": list(table),
                     "tenths": [int(p * 10) for p in table.values()]})


def band(tenths: ir.IntegerValue) -> ir.StringValue:
    """Gilbert 2018 risk band for a score given in tenths of a point."""
    return ibis.cases(
        (tenths < LOW_BELOW_TENTHS, "low"),
        (tenths <= HIGH_ABOVE_TENTHS, "intermediate"),
        else_="high")


def hospital_codes(con: ibis.BaseBackend, as_of: date,
                   lookback_months: int | None) -> ir.Table:
    """Hospital ICD-10 codes in the window: (nhs_number, code), cleaned, not deduplicated."""
    dx = icd10_diagnoses(con, as_of, lookback_months, settings=("secondary",))
    spells = con.table("inpatient_spell")
    spells = spells.filter(spells.primary_diagnosis.notnull()
                           & within(spells.admission_date, as_of, lookback_months))
    primary = spells.select("nhs_number", code=clean_icd10(spells.primary_diagnosis))
    return ibis.union(dx.select("nhs_number", "code"), primary, distinct=False)


def hfrs(con: ibis.BaseBackend, as_of: date, *,
         lookback_months: int | None = DEFAULT_LOOKBACK_MONTHS) -> ir.Table:
    """The Hospital Frailty Risk Score on ``as_of`` for everyone with hospital diagnoses."""
    codes = hospital_codes(con, as_of, lookback_months)
    people = codes.select("nhs_number").distinct()
    categories = codes.select("nhs_number", category=codes.code.substr(0, 3)).distinct()
    lookup = ibis.memtable(_points_table())
    scored = categories.join(lookup, "category").group_by("nhs_number").aggregate(
        tenths=ibis._.tenths.sum())
    joined = people.left_join(scored, "nhs_number")
    tenths = joined.tenths.fill_null(0)
    return joined.select("nhs_number", hfrs=tenths.cast("float64") / 10,
                         hfrs_band=band(tenths))
