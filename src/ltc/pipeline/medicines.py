"""Medicines: adherence as the proportion of days covered, medication reviews due and
polypharmacy, per person as of a date (SC-3), as Ibis expressions (DuckDB and Spark alike).

As of the date ``D`` (``docs/medicines.md`` has the method in words, with its sources):

* **Long-term medicine**: the long-term medicines feature's definition
  (:mod:`ltc.pipeline.features`): a medicine (ingredient, :func:`ltc.pipeline.scores.
  polypharmacy.ingredient`) issued in the last 12 months whose first issue there is on or
  before the first day of the last 6 months and which was issued in the last 3 months
  (windows inclusive at both ends, :mod:`ltc.windows`): "four or more medicines,
  prescribed for six months or more" (DH, Supporting people with long term conditions,
  2005, the Castlefields criteria). Its ``name`` is the drug name of its latest issue.
* **Days' supply** of each dispensing, from the issue it fulfils:
  :mod:`ltc.pipeline.medicines_supply`.
* **Proportion of days covered (PDC)**, after the Pharmacy Quality Alliance's PDC (Nau DP,
  "Proportion of Days Covered (PDC) as a preferred method of measuring medication
  adherence", PQA; the PQA adherence measures' technical specifications): the interval
  runs from the first dispensing of the medicine in the 12-month window up to ``D``
  (``D - first + 1`` days; when the medicine was not dispensed in the window, from its
  first issue there, and nothing is covered). The dispensings of the medicine in the
  window, in date order, cover days one after another: a dispensing starts on its date
  or, when the supply before it has not run out, on the day after it runs out (a refill
  before the previous supply ends is carried forward), and covers ``supply`` days from
  there. Covered days are counted up to ``D`` (capped at the interval's end).
  ``pdc = covered / interval days``.
* **Adherent**: ``pdc >= 0.8`` (PQA's threshold), compared in whole days
  (``5 x covered >= 4 x interval days``) so the edge is exact on every engine.
* **Medication review**: an ``observation`` with a SNOMED CT code of the NHS England
  Primary Care Domain cluster MEDRVW_COD ("medication review", the code list
  ``medrvw_cod``, QOF's cluster for medication reviews). ``last_review_on``: the latest
  on or before ``D``, at any time.
* **Review due**: four or more long-term medicines (:data:`REVIEW_MEDICINES`) and no
  medication review in the last :data:`REVIEW_MONTHS` months (inclusive at both ends: a
  review exactly 12 months before ``D`` still counts). Sources: issue 14 (SC-3); NICE NG5
  (Medicines optimisation, 2015) recommends structured medication reviews for people
  taking multiple medicines; the DH National Service Framework for Older People (2001,
  Medicines and Older People) asked for a yearly review at 75 and over, six-monthly with
  four or more medicines.
* **Polypharmacy**: 10 or more medicines issued in the last 12 months
  (:func:`ltc.pipeline.scores.polypharmacy.polypharmacy`, ``polypharmacy_10plus``).

The carrying forward is exact in a single pass: with fills ``i`` in date order (day ``d_i``,
supply ``s_i``, ``S_i`` the running total of supplies), the day after fill ``i`` runs out
is ``e_i = S_i + max over j <= i of (d_j - S_j + s_j)``; fill ``i`` covers the days from
``e_i - s_i`` to ``e_i - 1``.
"""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa
import pyarrow.compute as pc

from ltc.codes import codelists
from ltc.pipeline.features import people
from ltc.pipeline.medicines_supply import WINDOW_MONTHS, day_number, fills
from ltc.pipeline.scores.polypharmacy import HIGH_THRESHOLD, ingredient, polypharmacy
from ltc.windows import start, within

__all__ = ["ADHERENT_PDC", "COLUMNS", "REVIEW_MEDICINES", "REVIEW_MONTHS", "adherence",
           "coverage", "long_term", "manifest", "medicines_table", "per_person", "reviews"]

#: PDC at or above which a medicine is taken as prescribed (PQA: 80%), as a fraction so
#: that the comparison is made in whole days.
ADHERENT_PDC = Fraction(4, 5)
#: Long-term medicines from which a medication review is due (issue 14; DH 2005 "four or
#: more medicines, prescribed for six months or more").
REVIEW_MEDICINES = 4
#: A medication review counts for this many months (issue 14: "no review in 12 months").
REVIEW_MONTHS = 12
#: The medication review code list (NHS England PCD cluster MEDRVW_COD).
REVIEW_CODELIST = "medrvw_cod"
#: Long-term: first issue on or before the first day of the last 6 months, and an issue
#: in the last 3 months (:mod:`ltc.pipeline.features`, ``long_term_medicines``).
LONG_TERM_SINCE_MONTHS = 6
LONG_TERM_RECENT_MONTHS = 3

#: The columns of :func:`medicines_table`, in order: a run's ``medicines.parquet``.
COLUMNS = ("nhs_number", "practice_code", "long_term_medicines", "lowest_pdc",
           "non_adherent", "review_due", "last_review_on", "medicines", "polypharmacy")


def _day(value: date) -> ir.DateScalar:
    return ibis.literal(value, type="date")


def _days(count: ir.IntegerValue) -> ir.IntervalValue:
    """``count`` days as an interval (a 32-bit count: DuckDB sums 64-bit integers into
    128-bit ones, which its day intervals do not take)."""
    days: ir.IntervalValue = count.cast("int32").as_interval("D")
    return days


def long_term(con: ibis.BaseBackend, as_of: date) -> ir.Table:
    """Long-term medicines: ``nhs_number``, ``ingredient``, ``name``, ``first_issued``
    (the first issue in the 12-month window)."""
    rx = con.table("prescription")
    rx = rx.filter(within(rx.date, as_of, months=WINDOW_MONTHS) & rx.drug_code.notnull())
    rx = rx.mutate(ingredient=ingredient(rx))
    latest = rx.date.cast("string") + " " + rx.drug_name.fill_null("")
    per_drug = rx.group_by(["nhs_number", "ingredient"]).aggregate(
        first_issued=rx.date.min(), last_issued=rx.date.max(), latest=latest.max())
    keep = (per_drug.first_issued <= _day(start(as_of, months=LONG_TERM_SINCE_MONTHS))) & (
        within(per_drug.last_issued, as_of, months=LONG_TERM_RECENT_MONTHS))
    per_drug = per_drug.filter(keep)
    return per_drug.select("nhs_number", "ingredient", name=per_drug.latest.substr(11),
                           first_issued=per_drug.first_issued)


def coverage(con: ibis.BaseBackend, as_of: date) -> ir.Table:
    """The days each fill covers, carried forward: ``nhs_number``, ``ingredient``,
    ``dispensed_on``, ``supply``, ``covered_from``, ``covered_until`` (both included) and
    ``counted`` (its covered days up to ``as_of``)."""
    f = fills(con, as_of)
    so_far = ibis.cumulative_window(group_by=["nhs_number", "ingredient"], order_by="day")
    # a running total of at most a few thousand days: 32 bits (DuckDB would sum into 128)
    f = f.mutate(supplied=f.supply.sum().over(so_far).cast("int32"))
    f = f.mutate(lead_in=(f.day - f.supplied + f.supply).max().over(so_far))
    f = f.mutate(runs_out=f.supplied + f.lead_in)  # the day after the supply runs out
    begins = f.runs_out - f.supply
    end = day_number(_day(as_of + timedelta(days=1)))
    return f.select(
        "nhs_number", "ingredient", "dispensed_on", "supply",
        covered_from=f.dispensed_on + _days(begins - f.day),
        covered_until=f.dispensed_on + _days(f.runs_out - 1 - f.day),
        counted=ibis.greatest(ibis.least(f.runs_out, end) - begins, 0))


def _covered(con: ibis.BaseBackend, as_of: date) -> ir.Table:
    """Days covered per person and medicine dispensed in the window: ``nhs_number``,
    ``ingredient``, ``first_dispensed``, ``covered``."""
    c = coverage(con, as_of)
    return c.group_by(["nhs_number", "ingredient"]).aggregate(
        first_dispensed=c.dispensed_on.min(), covered=c.counted.sum())


def adherence(con: ibis.BaseBackend, as_of: date) -> ir.Table:
    """PDC of every long-term medicine: ``nhs_number``, ``ingredient``, ``name``,
    ``first_dispensed`` (empty when not dispensed in the window), ``interval_days``,
    ``covered_days``, ``pdc``, ``adherent``."""
    meds = long_term(con, as_of)
    cov = _covered(con, as_of)
    j = meds.left_join(cov, ["nhs_number", "ingredient"])
    first = day_number(j.first_dispensed.fill_null(j.first_issued))
    interval = day_number(_day(as_of)) - first + 1
    covered = j.covered.fill_null(0).cast("int64")
    return j.select(
        "nhs_number", "ingredient", "name", first_dispensed=j.first_dispensed,
        interval_days=interval, covered_days=covered,
        pdc=covered.cast("float64") / interval.cast("float64"),
        adherent=covered * ADHERENT_PDC.denominator >= interval * ADHERENT_PDC.numerator)


def reviews(con: ibis.BaseBackend, as_of: date) -> ir.Table:
    """The latest medication review on or before ``as_of``: ``nhs_number``,
    ``last_review_on``."""
    o = con.table("observation")
    codes = sorted(codelists.load(REVIEW_CODELIST).codes)
    o = o.filter((o.code_system == "snomed") & o.code.strip().isin(codes)
                 & (o.date <= _day(as_of)))
    return o.group_by("nhs_number").aggregate(last_review_on=o.date.max())


def per_person(con: ibis.BaseBackend, as_of: date) -> ir.Table:
    """One row per person alive and registered on ``as_of`` with a long-term medicine:
    the columns of :data:`COLUMNS`."""
    a = adherence(con, as_of)
    names = a.name.collect(where=~a.adherent).sort()
    per = a.group_by("nhs_number").aggregate(
        long_term_medicines=a.ingredient.count(), lowest_pdc=a.pdc.min(), non_adherent=names)
    who = people(con, as_of).select("nhs_number", "practice_code")
    poly = polypharmacy(con, as_of).select("nhs_number", "medicines")
    j = who.join(per, "nhs_number").left_join(reviews(con, as_of), "nhs_number")
    j = j.left_join(poly, "nhs_number")
    recent = j.last_review_on.notnull() & within(j.last_review_on, as_of,
                                                 months=REVIEW_MONTHS)
    medicines = j.medicines.fill_null(0).cast("int64")
    return j.select(
        "nhs_number", "practice_code",
        long_term_medicines=j.long_term_medicines.cast("int64"),
        lowest_pdc=j.lowest_pdc,
        non_adherent=j.non_adherent.fill_null(ibis.literal([], type="array<string>")),
        review_due=(j.long_term_medicines >= REVIEW_MEDICINES) & ~recent,
        last_review_on=j.last_review_on, medicines=medicines,
        polypharmacy=medicines >= HIGH_THRESHOLD)


SCHEMA = pa.schema([
    ("nhs_number", pa.string()), ("practice_code", pa.string()),
    ("long_term_medicines", pa.int64()), ("lowest_pdc", pa.float64()),
    ("non_adherent", pa.list_(pa.string())), ("review_due", pa.bool_()),
    ("last_review_on", pa.date32()), ("medicines", pa.int64()), ("polypharmacy", pa.bool_())])


def medicines_table(con: ibis.BaseBackend, as_of: date) -> pa.Table:
    """The run's ``medicines.parquet``: :func:`per_person` as Arrow, sorted by NHS number,
    with the schema :data:`SCHEMA` on every engine."""
    table = per_person(con, as_of).order_by("nhs_number").to_pyarrow()
    return table.select(list(COLUMNS)).cast(SCHEMA)



def manifest(table: pa.Table, seconds: float) -> dict[str, Any]:
    """The ``medicines`` block of a run's ``run.json``: how many people are on each list
    (from :func:`medicines_table`'s table) and the thresholds that made them."""
    lengths = pc.list_value_length(table["non_adherent"]).fill_null(0)
    return {"people": table.num_rows,
            "review_due": pc.sum(table["review_due"].cast(pa.int64())).as_py() or 0,
            "low_adherence": pc.sum(pc.greater(lengths, 0).cast(pa.int64())).as_py() or 0,
            "polypharmacy": pc.sum(table["polypharmacy"].cast(pa.int64())).as_py() or 0,
            "adherent_pdc": float(ADHERENT_PDC), "review_medicines": REVIEW_MEDICINES,
            "review_months": REVIEW_MONTHS, "polypharmacy_medicines": HIGH_THRESHOLD,
            "seconds": round(seconds, 1)}
