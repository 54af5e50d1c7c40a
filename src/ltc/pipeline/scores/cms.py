"""Cambridge Multimorbidity Score (Payne et al., CMAJ 2020), general outcome (STRAT-4).

Payne RA, Mendonca SC, Elliott MN, et al. Development and validation of the Cambridge
Multimorbidity Score. CMAJ 2020;192:E107-14.

The score is the sum of the general-outcome weights of the 20 CMS conditions a person has.
The weights (``data/scores/cms_weights_payne2020_as_found.csv``) are carried *as found* in
two independent public code files that agree; they have not been checked against the paper.
The Cambridge condition definitions (CPRD@Cambridge code lists) are not available to the
project, so each condition is taken from the project's own disease register
(:mod:`ltc.records.registers`, membership on ``as_of``) where one exists:

===============================  ===================  ========================================
CMS condition (weight)           register             difference from the CMS definition
===============================  ===================  ========================================
Dementia (2.50)                  dementia
Cancer, new in 5 years (1.53)    cancer               also: first cancer code within the
                                                      last 60 months (5 years, both ends
                                                      included: ``ltc.windows``)
COPD (1.46)                      copd
Atrial fibrillation (1.34)       af
Heart failure (1.18)             heart_failure
Epilepsy (0.92)                  epilepsy             no anticonvulsant condition
Stroke/TIA (0.80)                stroke_tia
Diabetes (0.75)                  diabetes
Schizophrenia/bipolar (0.64)     smi                  no lithium condition
Chronic kidney disease (0.53)    ckd                  stages 3-5 (QOF)
Anxiety and/or depression (0.50) depression           depression only; QOF register, not the
                                                      CMS recent-code/prescription rule
Coronary heart disease (0.49)    chd
Connective tissue (0.43)         rheumatoid_arthritis rheumatoid arthritis only
Asthma (0.19)                    asthma               no recent-prescription condition
Hypertension (0.08)              hypertension
===============================  ===================  ========================================

Not mapped (no register, scored 0): alcohol problems (0.65), constipation (1.12), painful
condition (0.92), irritable bowel syndrome (0.21), hearing loss (0.09). The score is
therefore a lower bound of the full CMS: at most 13.34 of 16.33.

One row per person with at least one counted CMS condition on ``as_of``. Columns:
``nhs_number``; ``cms_<condition>`` (0/1 for each mapped condition); ``cms_conditions``
(how many); ``cms`` (the sum of their weights, exact to 2 decimal places).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import cache

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from ltc.pipeline.scores.inputs import clean_icd10, day, flag, read_rows
from ltc.records.registers import REGISTERS, members
from ltc.windows import within

WEIGHTS_FILE = "cms_weights_payne2020_as_found.csv"
KEY = "key_in_source_A_ehrql"  # short condition names used as column suffixes
CANCER_MONTHS = 60  # "new diagnosis in last 5 years" (Payne 2020)
# CMS condition (its ehrQL key) -> project register; see the module docstring
REGISTER_OF: dict[str, str] = {
    "dementia": "dementia",
    "cancer": "cancer",
    "copd": "copd",
    "af": "af",
    "hf": "heart_failure",
    "epilepsy": "epilepsy",
    "stroke": "stroke_tia",
    "diabetes": "diabetes",
    "psychosis": "smi",
    "ckd": "ckd",
    "anxiety": "depression",
    "chd": "chd",
    "tissue": "rheumatoid_arthritis",
    "asthma": "asthma",
    "hypertension": "hypertension",
}
UNMAPPED = ("alcohol", "constipation", "pain", "bowel", "hearing_loss")


@cache
def weights() -> dict[str, Decimal]:
    """CMS condition key -> general-outcome weight (all 20 conditions)."""
    return {row[KEY]: Decimal(row["general_outcome_weight"]) for row in read_rows(WEIGHTS_FILE)}


def _mapping() -> pa.Table:
    table = weights()
    missing = set(REGISTER_OF) - set(table)
    if missing or set(table) != set(REGISTER_OF) | set(UNMAPPED):
        raise RuntimeError(f"{WEIGHTS_FILE} does not match the CMS register mapping: "
                           f"{sorted(set(table) ^ (set(REGISTER_OF) | set(UNMAPPED)))}")
    unknown = set(REGISTER_OF.values()) - set(REGISTERS)
    if unknown:
        raise RuntimeError(f"CMS mapping names registers that do not exist: {sorted(unknown)}")
    keys = list(REGISTER_OF)
    return pa.table({"condition": keys, "register": [REGISTER_OF[k] for k in keys],
                     "hundredths": [int(table[k] * 100) for k in keys]})


def _first_cancer(con: ibis.BaseBackend, as_of: date, include_hospital: bool) -> ir.Table:
    """(nhs_number, first): date of each person's first cancer-register code up to as_of."""
    register = REGISTERS["cancer"]
    dx = con.table("diagnosis")
    dx = dx.filter(dx.date <= day(as_of))
    snomed = dx.filter(dx.code_system == "snomed")
    codes = ibis.memtable(pa.table({"code": sorted(register.codes)}))
    parts = [snomed.join(codes, "code").select("nhs_number", "date")]
    if include_hospital:
        icd = dx.filter((dx.code_system == "icd10") & (dx.setting == "secondary"))
        icd = icd.select("nhs_number", "date", code=clean_icd10(icd.code))
        for length in sorted({len(entry) for entry in register.icd10}):
            entries = ibis.memtable(pa.table(
                {"key": sorted(e for e in register.icd10 if len(e) == length)}))
            keyed = icd.mutate(key=icd.code.substr(0, length))
            parts.append(keyed.join(entries, "key").select("nhs_number", "date"))
    dates = ibis.union(*parts, distinct=False) if len(parts) > 1 else parts[0]
    return dates.group_by("nhs_number").aggregate(first=dates.date.min())


def cms(con: ibis.BaseBackend, as_of: date, *, include_hospital: bool = True) -> ir.Table:
    """The Cambridge Multimorbidity Score (general outcome) on ``as_of``."""
    mapping = ibis.memtable(_mapping())
    on = members(con, as_of, include_hospital=include_hospital)
    present = on.join(mapping, "register").select("nhs_number", "condition", "hundredths")
    first = _first_cancer(con, as_of, include_hospital)
    present = present.left_join(first, "nhs_number")
    recent = within(present.first, as_of, months=CANCER_MONTHS)
    present = present.filter((present.condition != "cancer") | recent.fill_null(False))
    present = present.select("nhs_number", "condition", "hundredths").distinct()
    scored = present.group_by("nhs_number").aggregate(
        cms_conditions=present.count(), hundredths=present.hundredths.sum(),
        **{f"cms_{c}": flag(present.condition == c).max() for c in REGISTER_OF})
    return scored.select(
        "nhs_number", *(f"cms_{c}" for c in REGISTER_OF),
        cms_conditions=scored.cms_conditions.cast("int64"),
        cms=scored.hundredths.cast("float64") / 100)
