"""Electronic Frailty Index (Clegg et al., Age and Ageing 2016) from the GP record (STRAT-4).

Clegg A, Bates C, Young J, et al. Development and validation of an electronic frailty index
using routine primary care electronic health record data. Age Ageing 2016;45:353-60.

The eFI is the share of 36 deficits a person has: ``efi = deficits / 36``.

* **35 coded deficits**: a deficit is present when any of its codes is recorded on or
  before ``as_of``, at any time (the original eFI puts no time limit on coded deficits).
  Codes are the SNOMED CT code sets of the Greater Manchester SDE eFI lists
  (``data/scores/efi_deficit_codes_snomed.csv``), which that project derived from the
  original Read v2 / CTV3 eFI lists through the NHS Read-to-SNOMED CT maps. They are looked
  for in ``diagnosis`` (any setting) and ``observation`` rows with ``code_system =
  'snomed'``; the value of an observation does not matter. A code in two deficit lists
  sets both.
* **Value rules** (``data/scores/efi_value_rules_snomed.csv``): observations also set
  chronic kidney disease when a reading is abnormal (an eGFR above 0 and below 60, or a
  urine albumin:creatinine ratio above 3 mg/mmol: the GM-SDE eFI rules; eGFR and ACR
  SNOMED CT code sets from GM-SDE) **in two readings at least 3 months apart** (the earlier
  on or before :func:`ltc.windows.months_before` of the later, 3 months). One low eGFR is
  not chronic kidney disease: an acute kidney injury lowers it for days, and the eFI's
  deficit is the chronic disease (Clegg 2016 lists "chronic kidney disease"); KDIGO 2012
  (Kidney Int Suppl 2013;3:1-150) and NICE NG203 (2021) define CKD as abnormalities of
  kidney function or structure present for more than 3 months. Coded CKD (the deficit's
  codes above) sets it at once. Two abnormal readings with normal ones between them still
  count: the rule does not look for recovery in between. The other 20 GM-SDE value rules
  (haemoglobin, TSH, ABPI, Barthel, 6CIT, MUST, DXA T-score, 24-hour blood pressure, CHADS
  score, falls and COPD exacerbation counts) are given only as Read v2 / CTV3 codes, which
  the project does not read, and are not applied.
* **Polypharmacy** (the 36th deficit): 5 or more distinct medicines issued in the 12 months
  up to ``as_of``, both ends included (:mod:`ltc.pipeline.scores.polypharmacy`).
* **Social facts** (``social_facts=True``, the default): the project records falls, ADL/IADL
  impairment and cognitive impairment as ``social_fact`` rows rather than codes; a ``fall``
  sets *falls*, ``adl_impairment`` or ``iadl_impairment`` sets *activity limitation* and
  ``cognitive_impairment`` sets *cognitive problems*. This extends the coded eFI; turn it off
  for the code-only index.
* **Categories** (Clegg 2016): fit 0 to 0.12, mild frailty above 0.12 to 0.24, moderate
  above 0.24 to 0.36, severe above 0.36. Upper bounds are inclusive: 0.12 is fit, 0.1201
  is mild. In deficits: 0-4 fit, 5-8 mild, 9-12 moderate, 13 or more severe (13/36 = 0.361).

The eFI was developed for people aged 65 to 95; it is computed here for everyone with
relevant records, and callers restrict the age where they need the validated use.

One row per person with any deficit code, value-rule observation, social fact of the kinds
above or prescription in the polypharmacy window. Columns: ``nhs_number``,
``efi_<deficit>`` (0/1 for each of the 36 deficits), ``efi_deficits``, ``efi`` and
``efi_category`` (``fit``, ``mild``, ``moderate``, ``severe``).
"""

from __future__ import annotations

from datetime import date
from functools import cache

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from ltc.pipeline.scores.inputs import day, flag, read_rows
from ltc.pipeline.scores.polypharmacy import DEFAULT_MONTHS, THRESHOLD, medicines
from ltc.windows import months_before_column

CODES_FILE = "efi_deficit_codes_snomed.csv"
VALUE_RULES_FILE = "efi_value_rules_snomed.csv"
TOTAL_DEFICITS = 36  # Clegg 2016
# abnormal readings must be this many months apart to set a value-rule deficit (chronic
# kidney disease: KDIGO 2012 and NICE NG203, abnormality present for more than 3 months)
PERSISTENT_MONTHS = 3
POLYPHARMACY = "polypharmacy"
# Clegg 2016 categories: upper bounds, inclusive
CATEGORY_UPPER_BOUNDS = (("fit", 0.12), ("mild", 0.24), ("moderate", 0.36))
CATEGORIES = ("fit", "mild", "moderate", "severe")
SOCIAL_FACT_DEFICITS = {
    "fall": "falls",
    "adl_impairment": "activity-limitation",
    "iadl_impairment": "activity-limitation",
    "cognitive_impairment": "cognitive-problems",
}


@cache
def deficit_codes() -> dict[str, frozenset[str]]:
    """Coded deficit -> its SNOMED CT codes (35 deficits)."""
    codes: dict[str, set[str]] = {}
    for row in read_rows(CODES_FILE):
        codes.setdefault(row["deficit"], set()).add(row["code"].strip())
    return {deficit: frozenset(c) for deficit, c in sorted(codes.items())}


def deficits() -> tuple[str, ...]:
    """All 36 deficits: the 35 coded ones and polypharmacy."""
    return (*deficit_codes(), POLYPHARMACY)


def column(deficit: str) -> str:
    """The output column of ``deficit``."""
    return "efi_" + deficit.replace("-", "_")


def _code_table() -> pa.Table:
    rows = [(code, deficit) for deficit, codes in deficit_codes().items()
            for code in sorted(codes)]
    return pa.table({"code": [r[0] for r in rows], "deficit": [r[1] for r in rows]})


def _rule_table() -> pa.Table:
    rows = read_rows(VALUE_RULES_FILE)

    def bound(text: str) -> float | None:
        return float(text) if text.strip() else None

    return pa.table({
        "code": pa.array([r["code"].strip() for r in rows], pa.string()),
        "deficit": pa.array([r["deficit"] for r in rows], pa.string()),
        "low": pa.array([bound(r["min_exclusive"]) for r in rows], pa.float64()),
        "high": pa.array([bound(r["max_exclusive"]) for r in rows], pa.float64()),
    })


def category(score: ir.NumericValue) -> ir.StringValue:
    """Clegg 2016 frailty category of an eFI score (upper bounds inclusive)."""
    return ibis.cases(*((score <= bound, name) for name, bound in CATEGORY_UPPER_BOUNDS),
                      else_="severe")


def _evidence(con: ibis.BaseBackend, as_of: date, social_facts: bool,
              polypharmacy_months: int | None) -> tuple[ir.Table, ir.Table]:
    """(nhs_number, deficit) rows found, and everyone with relevant records."""
    upto = day(as_of)
    dx = con.table("diagnosis")
    obs = con.table("observation")
    coded = ibis.union(
        dx.filter((dx.code_system == "snomed") & (dx.date <= upto)).select("nhs_number", "code"),
        obs.filter((obs.code_system == "snomed") & (obs.date <= upto)).select(
            "nhs_number", "code"),
        distinct=False)
    code_map = ibis.memtable(_code_table())
    found = [coded.join(code_map, "code").select("nhs_number", "deficit")]
    seen = [found[0].select("nhs_number")]

    rules = ibis.memtable(_rule_table())
    measured = obs.filter((obs.code_system == "snomed") & (obs.date <= upto)
                          & obs.value.notnull())
    measured = measured.join(rules, "code")
    seen.append(measured.select("nhs_number"))
    in_range = ((measured.low.isnull() | (measured.value > measured.low))
                & (measured.high.isnull() | (measured.value < measured.high)))
    abnormal = measured.filter(in_range)
    span = abnormal.group_by(["nhs_number", "deficit"]).aggregate(
        first=abnormal.date.min(), last=abnormal.date.max())
    persistent = span["first"] <= months_before_column(span["last"], PERSISTENT_MONTHS)
    found.append(span.filter(persistent).select("nhs_number", "deficit"))

    if social_facts:
        facts = con.table("social_fact")
        kinds = ibis.memtable(pa.table({"kind": list(SOCIAL_FACT_DEFICITS),
                                        "deficit": list(SOCIAL_FACT_DEFICITS.values())}))
        facts = facts.filter(facts.date <= upto).join(kinds, "kind")
        found.append(facts.select("nhs_number", "deficit"))
        seen.append(facts.select("nhs_number"))

    meds = medicines(con, as_of, polypharmacy_months)
    seen.append(meds.select("nhs_number"))
    found.append(meds.filter(meds.medicines >= THRESHOLD).select(
        "nhs_number", deficit=ibis.literal(POLYPHARMACY)))

    # one schema for every part (nullability differs between sources)
    found = [t.select(nhs_number=t.nhs_number.cast("string"), deficit=t.deficit.cast("string"))
             for t in found]
    seen = [t.select(nhs_number=t.nhs_number.cast("string")) for t in seen]
    return (ibis.union(*found, distinct=True), ibis.union(*seen, distinct=True))


def efi(con: ibis.BaseBackend, as_of: date, *, social_facts: bool = True,
        polypharmacy_months: int | None = DEFAULT_MONTHS) -> ir.Table:
    """The electronic Frailty Index on ``as_of`` for everyone with relevant records."""
    found, people = _evidence(con, as_of, social_facts, polypharmacy_months)
    names = deficits()
    flags = found.group_by("nhs_number").aggregate(**{
        column(d): flag(found.deficit == d).max() for d in names})
    joined = people.left_join(flags, "nhs_number")
    columns = {column(d): joined[column(d)].fill_null(0) for d in names}
    count: ir.IntegerValue = ibis.literal(0)
    for value in columns.values():
        count = count + value
    # a float literal is a DECIMAL in Spark SQL (36.0 would round the score to 6 places):
    # divide a float by an integer, which is a float on every engine
    score = count.cast("float64") / TOTAL_DEFICITS
    return joined.select("nhs_number", **columns, efi_deficits=count.cast("int64"),
                         efi=score.cast("float64"), efi_category=category(score))
