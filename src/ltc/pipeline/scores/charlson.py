"""Charlson comorbidity index from hospital-style ICD-10 diagnoses (STRAT-4).

The definition follows comorbidipy 0.5.0 (vvcb/comorbidipy, MIT; a port of the R package
``comorbidity``), whose published test expectations and reference vectors the tests check:

* **Mapping** (``variant``): the Quan (2005) ICD-10 coding algorithm (``quan``) or the UK
  SHMI v1.35 variant (``shmi``), from ``data/scores/charlson_icd10_mapping.csv``. A recorded
  code belongs to a category when it starts with one of the category's code prefixes
  (codes compared without dots). No prefix of one category is a prefix of a code of another
  in either variant, so each code falls in at most one category.
* **Weights** (``weighting``): ``charlson`` (Charlson 1987), ``quan`` (Quan 2011 updated
  weights), ``shmi`` or ``shmi_modified`` (SHMI v1.35; ``shmi_modified`` scores diabetes
  with complications 4 instead of -1), from ``data/scores/charlson_weights.csv``. The Quan
  2011 weight for AIDS/HIV is 4, as published; comorbidipy uses 2 (decision 0004).
* **assign0** (default on): when both the milder and the more severe form of a condition are
  present (mild/moderate-severe liver disease, diabetes without/with complications, any
  malignancy/metastatic solid tumour), only the more severe one is weighted. The category
  flags still show both.
* **Clipping**: a total below 0 (possible with the SHMI weights) is set to 0.
* **Age adjustment** (a separate column): +1 for each full decade of age over 40 on
  ``as_of``, at most +4 (aged 50-59: +1, ..., 80 and over: +4; 49: +0), added to the
  clipped score. Null when the person has no ``person`` row.
* **10-year survival** (weighting ``charlson`` only): ``0.983 ** exp(0.9 * age-adjusted)``.

Which diagnoses count: ``diagnosis`` rows with ``code_system = 'icd10'`` in any care setting,
dated on or before ``as_of`` and, when ``lookback_months`` is given, inside the window of
that many calendar months up to ``as_of``, both ends included (:mod:`ltc.windows`;
default: all history). ``resolved_date`` is not used: the index
counts conditions ever recorded.

One row per person with at least one ICD-10 diagnosis in the window (a score of 0 when none
maps). Columns: ``nhs_number``; ``charlson_<category>`` (0/1, one per category, before
assign0); ``charlson`` (the clipped weighted sum); ``charlson_age_adjusted``;
``charlson_survival_10yr`` (null unless ``weighting='charlson'``).
"""

from __future__ import annotations

from datetime import date
from functools import cache

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from ltc.pipeline.scores.inputs import born_by, flag, icd10_diagnoses, read_rows

MAPPING_FILE = "charlson_icd10_mapping.csv"
WEIGHTS_FILE = "charlson_weights.csv"
VARIANTS = ("quan", "shmi")
WEIGHTINGS = ("charlson", "quan", "shmi", "shmi_modified")
CATEGORIES = ("ami", "chf", "pvd", "cevd", "dementia", "copd", "rheumd", "pud", "mld", "diab",
              "diabwc", "hp", "rend", "canc", "msld", "metacanc", "aids")
# assign0: (milder, more severe); comorbidipy 0.5.0 assignzero.py
MILDER_OF = (("mld", "msld"), ("diab", "diabwc"), ("canc", "metacanc"))
# age adjustment: one point per full decade over 40, at most 4 (comorbidipy _age_adjust)
AGE_POINT_THRESHOLDS = (50, 60, 70, 80)
# 10-year survival, Charlson 1987 as implemented by comorbidipy: 0.983 ** exp(0.9 * score)
SURVIVAL_BASE, SURVIVAL_FACTOR = 0.983, 0.9


@cache
def prefixes(variant: str) -> dict[int, pa.Table]:
    """(prefix, category) of ``variant``, grouped by prefix length."""
    _check(variant, VARIANTS, "variant")
    by_length: dict[int, list[tuple[str, str]]] = {}
    for row in read_rows(MAPPING_FILE):
        if row["variant"] == variant:
            prefix = row["code_prefix"].strip().upper()
            by_length.setdefault(len(prefix), []).append((prefix, row["category"]))
    return {n: pa.table({"prefix": [p for p, _ in rows], "category": [c for _, c in rows]})
            for n, rows in sorted(by_length.items())}


@cache
def weights(weighting: str) -> dict[str, int]:
    """Category -> weight for ``weighting``."""
    _check(weighting, WEIGHTINGS, "weighting")
    table = {row["category"]: int(row["weight"]) for row in read_rows(WEIGHTS_FILE)
             if row["weighting"] == weighting}
    missing = set(CATEGORIES) - set(table)
    if missing:
        raise RuntimeError(f"{WEIGHTS_FILE}: weighting {weighting} has no weight for "
                           f"{sorted(missing)}")
    return table


def _check(value: str, allowed: tuple[str, ...], what: str) -> None:
    if value not in allowed:
        raise ValueError(f"unknown Charlson {what} {value!r}; expected one of {list(allowed)}")


def categories(dx: ir.Table, variant: str) -> ir.Table:
    """Distinct (nhs_number, category) for diagnoses ``dx`` (columns nhs_number, code)."""
    parts = []
    for length, table in prefixes(variant).items():
        lookup = ibis.memtable(table)
        keyed = dx.select("nhs_number", key=dx.code.substr(0, length))
        parts.append(keyed.join(lookup, keyed.key == lookup.prefix).select(
            "nhs_number", "category"))
    hits = parts[0] if len(parts) == 1 else ibis.union(*parts, distinct=False)
    return hits.distinct()


def age_points(date_of_birth: ir.DateValue, as_of: date) -> ir.IntegerValue:
    """Charlson age points on ``as_of``: +1 per full decade over 40, at most +4."""
    total: ir.IntegerValue = ibis.literal(0)
    for years in AGE_POINT_THRESHOLDS:
        total = total + flag(date_of_birth <= ibis.literal(born_by(as_of, years), type="date"))
    return total


def charlson(con: ibis.BaseBackend, as_of: date, *, variant: str = "quan",
             weighting: str = "charlson", assign0: bool = True,
             lookback_months: int | None = None) -> ir.Table:
    """The Charlson comorbidity index on ``as_of`` for everyone with an ICD-10 diagnosis."""
    weight = weights(weighting)
    dx = icd10_diagnoses(con, as_of, lookback_months)
    people = dx.select("nhs_number").distinct()
    hits = categories(dx, variant)
    flags = hits.group_by("nhs_number").aggregate(**{
        f"charlson_{c}": flag(hits.category == c).max() for c in CATEGORIES})
    joined = people.left_join(flags, "nhs_number").select(
        "nhs_number", *(ibis._[f"charlson_{c}"].fill_null(0).name(f"charlson_{c}")
                        for c in CATEGORIES))

    counted: dict[str, ir.IntegerValue] = {c: joined[f"charlson_{c}"] for c in CATEGORIES}
    if assign0:
        for milder, severe in MILDER_OF:
            counted[milder] = (joined[f"charlson_{severe}"] == 1).ifelse(0, counted[milder])
    total: ir.IntegerValue = ibis.literal(0)
    for c in CATEGORIES:
        if weight[c]:
            total = total + counted[c] * weight[c]
    score = (total < 0).ifelse(0, total).cast("int64")
    scored = joined.mutate(charlson=score)

    person = con.table("person").select("nhs_number", "date_of_birth")
    with_age = scored.left_join(person, "nhs_number")
    adjusted = (with_age.charlson + age_points(with_age.date_of_birth, as_of)).cast("int64")
    adjusted = with_age.date_of_birth.isnull().ifelse(ibis.null("int64"), adjusted)
    if weighting == "charlson":
        survival = ibis.literal(SURVIVAL_BASE, type="float64") ** (
            adjusted.cast("float64") * SURVIVAL_FACTOR).exp()
    else:
        survival = ibis.null("float64")
    return with_age.select(
        "nhs_number", *(f"charlson_{c}" for c in CATEGORIES), "charlson",
        charlson_age_adjusted=adjusted,
        charlson_survival_10yr=survival.cast("float64"))
