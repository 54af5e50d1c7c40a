"""What each disease register is: its code lists and its QOF v46 rule (POP-3).

Every constant here is a QOF rule. The QOF business rules v46.0 (2021-22) text the project
carries (``shared/data/external/qof``, diabetes document) gives the diabetes register
(``DM_REG``: unresolved diagnosis, 17+, a resolved code counts only when later than the
latest diagnosis) and the CKD field rules (``CKD_DAT`` latest stage 3-5 code;
``CKD1AND2_DAT`` and ``CKDRES_DAT`` count only when later than it). The other registers
follow the QOF register definitions with the same latest-code-wins pattern (asthma: 6+
and an asthma-related drug in the preceding 12 months; epilepsy: 18+ and an epilepsy drug
in the last 6 months; depression: 18+, diagnosed since 1 April 2006; cancer: diagnosed
since 1 April 2003; CKD 18+; rheumatoid arthritis 16+; osteoporosis 50+); the full v46
text of those registers is not carried, so ``docs/registers.md`` says, per register, what
is taken from where and what is simplified.

``min_age`` is who may be on the register; ``denominator_min_age`` is the age band of the
list size QOF publishes prevalence against (the reference file): for asthma the register
is 6+ but NHS Digital divides by the list of all ages, so the two differ there only.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources

from ltc.codes import codelists

REFERENCE_FILE = "qof_prevalence_england_2019_20.csv"
REFERENCE_SOURCE = ("QOF 2019-20 register prevalence, England (NHS Digital practice-level "
                    "data via House of Commons Library); Open Government Licence v3.0")


@dataclass(frozen=True)
class ReferenceFigure:
    """National QOF prevalence for one register."""

    register: str
    qof_group: str
    min_age: int
    percent: float
    register_count: int
    denominator_count: int
    source: str


@cache
def reference_prevalence() -> dict[str, ReferenceFigure]:
    """QOF 2019-20 England prevalence per register id (see ``data/reference/SOURCE.md``)."""
    text = (resources.files("ltc") / "data" / "reference" / REFERENCE_FILE).read_text(
        encoding="utf-8")
    return {row["register"]: ReferenceFigure(
        register=row["register"], qof_group=row["qof_group"], min_age=int(row["min_age"]),
        percent=float(row["prevalence_percent"]), register_count=int(row["register_count"]),
        denominator_count=int(row["denominator_count"]), source=REFERENCE_SOURCE)
        for row in csv.DictReader(io.StringIO(text))}


@dataclass(frozen=True)
class Register:
    """One disease register: its code lists and the QOF rule it follows."""

    id: str
    name: str
    qof_group: str
    min_age: int  # QOF v46: aged at least this on the as-of date to be on the register
    codes: frozenset[str]  # SNOMED CT register codes
    resolved_codes: frozenset[str]  # SNOMED CT codes that end it when later (empty: lifelong)
    icd10: frozenset[str]  # ICD-10 codes/categories for secondary-care diagnoses
    rule: str
    diagnosed_since: date | None = None
    codelists: tuple[str, ...] = ()
    resolved_codelists: tuple[str, ...] = ()
    icd10_codelists: tuple[str, ...] = ()
    drug_codelist: str | None = None  # a prescription on this list is needed ...
    drug_months: int | None = None  # ... within this many months up to the as-of date
    denominator_min_age: int = 0  # age band of the published prevalence denominator
    keeps_resolved_rows: bool = False  # a row's own resolved date does not end it


@dataclass(frozen=True)
class _Rule:
    id: str
    name: str
    snomed: tuple[str, ...]
    resolved: tuple[str, ...]
    icd10: tuple[str, ...]
    min_age: int
    rule: str
    since: date | None = None
    drugs: str | None = None
    drug_months: int | None = None
    keeps_resolved_rows: bool = False


_RULES: tuple[_Rule, ...] = (
    _Rule("hypertension", "Hypertension", ("hyp_cod",), ("hypres_cod",),
          ("hypertension_icd10",), 0,
          "latest HYP_COD not followed by a later HYPRES_COD; any age"),
    _Rule("depression", "Depression", ("depr_cod",), ("depres_cod",), ("depression_icd10",),
          18, "latest DEPR_COD on or after 2006-04-01, not followed by a later DEPRES_COD; 18+",
          since=date(2006, 4, 1)),
    _Rule("diabetes", "Diabetes mellitus", ("dm_cod",), ("dmres_cod",),
          ("diabetes_type1_icd10", "diabetes_type2_icd10"), 17,
          "latest DM_COD not followed by a later DMRES_COD; 17+ (QOF v46 DM_REG)"),
    _Rule("asthma", "Asthma", ("ast_cod",), ("astres_cod",), ("asthma_icd10",), 6,
          "latest AST_COD not followed by a later ASTRES_COD, and an asthma-related drug "
          "(ASTTRT_COD) in the last 12 months; 6+", drugs="asttrt_cod", drug_months=12),
    _Rule("ckd", "Chronic kidney disease (stages 3-5)", ("ckd_cod",),
          ("ckdres_cod", "ckd1and2_cod"), ("ckd_icd10",), 18,
          "latest CKD_COD (stages 3-5) not followed by a later CKDRES_COD or CKD1AND2_COD "
          "(stages 1-2); 18+"),
    _Rule("chd", "Coronary heart disease", ("chd_cod",), (), ("chd_icd10",), 0,
          "any CHD_COD; any age"),
    _Rule("af", "Atrial fibrillation", ("afib_cod",), (), ("af_icd10",), 0,
          "any AFIB_COD (no AF resolved cluster available); any age"),
    _Rule("copd", "Chronic obstructive pulmonary disease", ("copd_cod",), ("copdres_cod",),
          ("copd_icd10",), 0, "latest COPD_COD not followed by a later COPDRES_COD; any age"),
    _Rule("stroke_tia", "Stroke and transient ischaemic attack", ("strk_cod", "tia_cod"), (),
          ("stroke_tia_icd10",), 0, "any STRK_COD or TIA_COD; any age"),
    _Rule("heart_failure", "Heart failure", ("hf_cod",), ("hfres_cod",),
          ("heart_failure_icd10",), 0,
          "latest HF_COD not followed by a later HFRES_COD; any age"),
    _Rule("dementia", "Dementia", ("dem_cod",), (), ("dementia_icd10",), 0,
          "any DEM_COD; any age"),
    _Rule("epilepsy", "Epilepsy", ("epil_cod",), ("epilres_cod",), ("epilepsy_icd10",), 18,
          "latest EPIL_COD not followed by a later EPILRES_COD, and an epilepsy drug "
          "(EPILDRUG_COD) in the last 6 months; 18+", drugs="epildrug_cod", drug_months=6),
    _Rule("smi", "Severe mental illness (schizophrenia, bipolar disorder, other psychoses)",
          ("mh_cod",), (), ("smi_icd10",), 0,
          "any MH_COD (no remission cluster available; lithium not used); any age"),
    _Rule("learning_disability", "Learning disability", ("ld_cod",), (),
          ("learning_disability_icd10",), 0, "any LD_COD; any age"),
    _Rule("cancer", "Cancer (excluding non-melanoma skin cancer)", ("cancer_snomed",), (),
          ("cancer_icd10",), 0,
          "any cancer code (GM-SDE cancer set v3) on or after 2003-04-01, whatever its later "
          "status; any age", since=date(2003, 4, 1), keeps_resolved_rows=True),
    _Rule("osteoporosis", "Osteoporosis", ("osteo_cod",), (), ("osteoporosis_icd10",), 50,
          "any OSTEO_COD; 50+ (QOF fragility-fracture and DXA conditions not applied)"),
    _Rule("rheumatoid_arthritis", "Rheumatoid arthritis", ("rarth_cod",), (),
          ("rheumatoid_arthritis_icd10",), 16, "any RARTH_COD; 16+"),
    _Rule("palliative_care", "Palliative care", ("palcare_cod",), ("palcareni_cod",),
          ("palliative_care_icd10",), 0,
          "latest PALCARE_COD not followed by a later PALCARENI_COD; any age"),
    _Rule("pad", "Peripheral arterial disease", ("pad_cod",), (), ("pad_icd10",), 0,
          "any PAD_COD; any age"),
)


def _union(names: Sequence[str]) -> frozenset[str]:
    codes: set[str] = set()
    for name in names:
        codes |= codelists.load(name).codes
    return frozenset(codes)


def _build() -> dict[str, Register]:
    reference = reference_prevalence()
    registers: dict[str, Register] = {}
    for r in _RULES:
        figure = reference[r.id]
        if r.drugs is not None:
            codelists.load_drugs(r.drugs)  # fail at import on a broken drug list
        registers[r.id] = Register(
            id=r.id, name=r.name, qof_group=figure.qof_group, min_age=r.min_age,
            codes=_union(r.snomed), resolved_codes=_union(r.resolved), icd10=_union(r.icd10),
            rule=r.rule, diagnosed_since=r.since, codelists=r.snomed,
            resolved_codelists=r.resolved, icd10_codelists=r.icd10, drug_codelist=r.drugs,
            drug_months=r.drug_months, denominator_min_age=figure.min_age,
            keeps_resolved_rows=r.keeps_resolved_rows)
    missing = set(reference) - set(registers)
    if missing:
        raise RuntimeError(f"reference registers without a definition: {sorted(missing)}")
    return registers


REGISTERS: dict[str, Register] = _build()


def born_by(as_of: date, years: int) -> date:
    """Latest date of birth for a person aged at least ``years`` on ``as_of``."""
    try:
        return as_of.replace(year=as_of.year - years)
    except ValueError:  # 29 February in a non-leap year
        return as_of.replace(year=as_of.year - years, day=28)
