"""Disease registers for each long-term condition, QOF-style, from code lists (POP-3).

A register is never stored by hand: membership is computed from the ``diagnosis`` table and
the code lists in ``ltc/data/codelists`` (see :mod:`ltc.codes.codelists`), as of a date, as
one Ibis expression over every register, so the same logic runs on DuckDB and Spark.

The rule (QOF business-rule style), for a person and a register, as of date ``D``:

1. *Alive and registered*: the person has a ``person`` row, was born on or before ``D`` and
   ``date_of_death`` is empty or after ``D``.
2. *Age*: aged at least the register's QOF minimum age on ``D`` (``min_age``, taken from the
   QOF 2019-20 reference file: diabetes 17+; CKD, depression and epilepsy 18+; rheumatoid
   arthritis 16+; osteoporosis 50+; all others any age).
3. *Diagnosed*: a register code dated on or before ``D`` (a code exactly on ``D`` counts).
   Register codes are the SNOMED CT codes of the register's QOF cluster(s) in any setting,
   and, when ``include_hospital`` is true, ICD-10 codes recorded in secondary care
   (``code_system = 'icd10'`` and ``setting = 'secondary'``).
4. *Not resolved*: for registers with a QOF resolved cluster, a resolved code takes the
   person off only when it is strictly later than the latest register code (QOF v46
   ``DMRES_DAT``: latest resolved code ``> DMLAT_DAT``); a resolved code on the same day
   as the latest diagnosis leaves the person on. Registers without a resolved cluster
   need any register code on or before ``D``.
5. A diagnosis row whose own ``resolved_date`` is on or before ``D`` does not count,
   except on the cancer register: QOF's cancer register keeps every cancer diagnosed since
   1 April 2003 whatever its later status.
6. *Since*: depression counts only diagnoses on or after 2006-04-01 (QOF 2019-20 DEP
   register); cancer only diagnoses on or after 2003-04-01 (QOF CAN register).

Each member is flagged with ``source``: ``primary`` when the SNOMED CT record alone puts
them on the register, ``hospital`` when only a secondary-care ICD-10 diagnosis does.
``include_hospital=False`` gives the strict QOF register (primary care record only).

Simplifications, against the full QOF 2019-20 rules: no drug-treatment conditions (asthma
and epilepsy registers in QOF also need a recent prescription); osteoporosis is every
person aged 50+ with an osteoporosis code (QOF: 50-74 with a fragility fracture and DXA
confirmation, or 75+ with a fragility fracture); there is no AF resolved or mental-health
remission cluster available to the project, so those registers are lifelong; SMI does not
use lithium therapy; palliative care uses the "not clinically indicated" cluster
(``PALCARENI_COD``) as its resolved cluster. Only SNOMED CT and ICD-10 codes are read:
Read v2 and CTV3 entries are ignored.

Code lists (SNOMED CT: NHS England PCD refset clusters as OpenCodelists versions; ICD-10:
OpenCodelists ``user/markdrussell`` secondary-care lists or project-defined categories; full
provenance in ``data/codelists/SOURCE.md``):

=====================  ==========================================  ===========================
register               SNOMED CT (resolved)                        ICD-10
=====================  ==========================================  ===========================
hypertension           HYP_COD 20241205 (HYPRES_COD 20250627)      I10-I15 (project)
depression             DEPR_COD 477e1261 (DEPRES_COD 1369b693)     depression-secondary-care
diabetes               DM_COD 20250627 (DMRES_COD 20250627)        type-1/type-2-diabetes-s.c.
asthma                 AST_COD 20250627 (ASTRES_COD 20250627)      asthma-secondary-care
ckd                    CKD_COD 20200812 (CKDRES_COD 305aab93)      chronic-kidney-disease-s.c.
chd                    CHD_COD 0f32f87c                            coronary-heart-disease-s.c.
af                     AFIB_COD 20200812                           I48 (project)
copd                   COPD_COD 20250627 (COPDRES_COD 20250627)    COPD_admission
stroke_tia             STRK_COD 78779ff3 + TIA_COD 1625df86        stroke-and-tia-secondary-care
heart_failure          HF_COD 70b49c5d (HFRES_COD 627991fd)        heart-failure-secondary-care
dementia               DEM_COD 21b792ed                            dementia-secondary-care
epilepsy               EPIL_COD 28ffb643 (EPILRES_COD 26b50493)    epilepsy-secondary-care
smi                    MH_COD 20210127                             F20-F31 (project)
learning_disability    LD_COD 20210127                             F70-F79 (project)
cancer                 GM-SDE cancer code set v3 (no QOF cluster)  C00-C97 except C44 (project)
osteoporosis           OSTEO_COD 1dd61122                          osteoporosis-secondary-care
rheumatoid_arthritis   RARTH_COD 20210127                          rheumatoid-arthritis-s.c.
palliative_care        PALCARE_COD, PALCARENI_COD 20200812         Z51.5 (project)
pad                    PAD_COD 20210127                            I70.2, I73.9 (project)
=====================  ==========================================  ===========================

ICD-10 list entries: a 3-character code stands for its whole category unless the same list
also names 4-character codes in that category, in which case only those codes (and the
bare category code, e.g. ``N18`` or ``N18X``) match. Recorded codes are compared without
dots, in upper case, on their first 3 or 4 characters.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

import ibis
import pyarrow as pa

from ltc.codes import codelists

REFERENCE_FILE = "qof_prevalence_england_2019_20.csv"
REFERENCE_SOURCE = ("QOF 2019-20 register prevalence, England (NHS Digital practice-level "
                    "data via House of Commons Library); Open Government Licence v3.0")
PERSON_GROUPS = ("practice_code", "sex", "postcode_district", "lsoa", "imd_decile",
                 "lives_alone", "has_carer", "is_carer")
GROUPS = (*PERSON_GROUPS, "locality_code")


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
    min_age: int
    codes: frozenset[str]  # SNOMED CT register codes
    resolved_codes: frozenset[str]  # SNOMED CT resolved codes (empty: lifelong register)
    icd10: frozenset[str]  # ICD-10 codes/categories for secondary-care diagnoses
    rule: str
    diagnosed_since: date | None = None
    codelists: tuple[str, ...] = ()
    resolved_codelists: tuple[str, ...] = ()
    icd10_codelists: tuple[str, ...] = ()


# id, name, SNOMED lists, resolved lists, ICD-10 lists, diagnosed since, rule
_DEFINITIONS: tuple[tuple[str, str, tuple[str, ...], tuple[str, ...], tuple[str, ...],
                          date | None, str], ...] = (
    ("hypertension", "Hypertension", ("hyp_cod",), ("hypres_cod",), ("hypertension_icd10",),
     None, "latest HYP_COD later than latest HYPRES_COD; any age"),
    ("depression", "Depression", ("depr_cod",), ("depres_cod",), ("depression_icd10",),
     date(2006, 4, 1),
     "latest DEPR_COD on or after 2006-04-01 and later than latest DEPRES_COD; 18+"),
    ("diabetes", "Diabetes mellitus", ("dm_cod",), ("dmres_cod",),
     ("diabetes_type1_icd10", "diabetes_type2_icd10"), None,
     "latest DM_COD later than latest DMRES_COD; 17+"),
    ("asthma", "Asthma", ("ast_cod",), ("astres_cod",), ("asthma_icd10",), None,
     "latest AST_COD later than latest ASTRES_COD; any age (no prescription condition)"),
    ("ckd", "Chronic kidney disease (stages 3-5)", ("ckd_cod",), ("ckdres_cod",),
     ("ckd_icd10",), None, "latest CKD_COD (stages 3-5) later than latest CKDRES_COD; 18+"),
    ("chd", "Coronary heart disease", ("chd_cod",), (), ("chd_icd10",), None,
     "any CHD_COD; any age"),
    ("af", "Atrial fibrillation", ("afib_cod",), (), ("af_icd10",), None,
     "any AFIB_COD (no AF resolved cluster available); any age"),
    ("copd", "Chronic obstructive pulmonary disease", ("copd_cod",), ("copdres_cod",),
     ("copd_icd10",), None, "latest COPD_COD later than latest COPDRES_COD; any age"),
    ("stroke_tia", "Stroke and transient ischaemic attack", ("strk_cod", "tia_cod"), (),
     ("stroke_tia_icd10",), None, "any STRK_COD or TIA_COD; any age"),
    ("heart_failure", "Heart failure", ("hf_cod",), ("hfres_cod",),
     ("heart_failure_icd10",), None, "latest HF_COD later than latest HFRES_COD; any age"),
    ("dementia", "Dementia", ("dem_cod",), (), ("dementia_icd10",), None,
     "any DEM_COD; any age"),
    ("epilepsy", "Epilepsy", ("epil_cod",), ("epilres_cod",), ("epilepsy_icd10",), None,
     "latest EPIL_COD later than latest EPILRES_COD; 18+ (no prescription condition)"),
    ("smi", "Severe mental illness (schizophrenia, bipolar disorder, other psychoses)",
     ("mh_cod",), (), ("smi_icd10",), None,
     "any MH_COD (no remission cluster available); any age"),
    ("learning_disability", "Learning disability", ("ld_cod",), (),
     ("learning_disability_icd10",), None, "any LD_COD; any age"),
    ("cancer", "Cancer (excluding non-melanoma skin cancer)", ("cancer_snomed",), (),
     ("cancer_icd10",), date(2003, 4, 1),
     "any cancer code (GM-SDE cancer set v3) on or after 2003-04-01; any age"),
    ("osteoporosis", "Osteoporosis", ("osteo_cod",), (), ("osteoporosis_icd10",), None,
     "any OSTEO_COD; 50+ (QOF fragility-fracture and DXA conditions not applied)"),
    ("rheumatoid_arthritis", "Rheumatoid arthritis", ("rarth_cod",), (),
     ("rheumatoid_arthritis_icd10",), None, "any RARTH_COD; 16+"),
    ("palliative_care", "Palliative care", ("palcare_cod",), ("palcareni_cod",),
     ("palliative_care_icd10",), None,
     "latest PALCARE_COD later than latest PALCARENI_COD; any age"),
    ("pad", "Peripheral arterial disease", ("pad_cod",), (), ("pad_icd10",), None,
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
    for rid, name, snomed, resolved, icd10, since, rule in _DEFINITIONS:
        figure = reference[rid]
        registers[rid] = Register(
            id=rid, name=name, qof_group=figure.qof_group, min_age=figure.min_age,
            codes=_union(snomed), resolved_codes=_union(resolved), icd10=_union(icd10),
            rule=rule, diagnosed_since=since, codelists=snomed, resolved_codelists=resolved,
            icd10_codelists=icd10)
    missing = set(reference) - set(registers)
    if missing:
        raise RuntimeError(f"reference registers without a definition: {sorted(missing)}")
    return registers


REGISTERS: dict[str, Register] = _build()

#: Registers on which a diagnosis row counts whatever its own resolved (abatement) date:
#: QOF's cancer register holds every cancer diagnosed on or after 1 April 2003.
KEEPS_RESOLVED_ROWS: tuple[str, ...] = ("cancer",)


# -- lookup tables -------------------------------------------------------------------------
@cache
def _snomed_map() -> pa.Table:
    """(code, register, role) for every SNOMED CT register and resolved code."""
    rows: set[tuple[str, str, str]] = set()
    for reg in REGISTERS.values():
        rows.update((code, reg.id, "primary") for code in reg.codes)
        rows.update((code, reg.id, "resolved") for code in reg.resolved_codes)
    ordered = sorted(rows)
    return pa.table({"code": [r[0] for r in ordered], "register": [r[1] for r in ordered],
                     "role": [r[2] for r in ordered]})


@cache
def _icd10_map() -> pa.Table:
    """(kind, key, register): how each ICD-10 list entry matches a recorded code.

    ``k4``: the first four characters equal ``key``; ``k3``: the category equals ``key``
    (whole category); ``bare``: the code is the category ``key`` with no fourth character.
    """
    rows: set[tuple[str, str, str]] = set()
    for reg in REGISTERS.values():
        for entry in reg.icd10:
            if len(entry) >= 4:
                rows.add(("k4", entry[:4], reg.id))
            elif any(other != entry and other.startswith(entry) for other in reg.icd10):
                rows.add(("bare", entry, reg.id))
            else:
                rows.add(("k3", entry, reg.id))
    ordered = sorted(rows)
    return pa.table({"kind": [r[0] for r in ordered], "key": [r[1] for r in ordered],
                     "register": [r[2] for r in ordered]})


def _born_by(as_of: date, years: int) -> date:
    """Latest date of birth for a person aged at least ``years`` on ``as_of``."""
    try:
        return as_of.replace(year=as_of.year - years)
    except ValueError:  # 29 February in a non-leap year
        return as_of.replace(year=as_of.year - years, day=28)


def _parameters(as_of: date) -> pa.Table:
    regs = list(REGISTERS.values())
    return pa.table({
        "register": pa.array([r.id for r in regs], pa.string()),
        "since": pa.array([r.diagnosed_since for r in regs], pa.date32()),
        "born_by": pa.array([_born_by(as_of, r.min_age) for r in regs], pa.date32()),
    })


# -- expressions ---------------------------------------------------------------------------
def _people(con: ibis.BaseBackend, as_of: date, groups: Sequence[str] = ()) -> ibis.Table:
    """People alive, born and registered on ``as_of`` (with ``groups`` columns)."""
    day = ibis.literal(as_of, type="date")
    person = con.table("person")
    alive = person.filter(person.date_of_birth <= day,
                          person.date_of_death.isnull() | (person.date_of_death > day))
    columns = ["nhs_number", "date_of_birth", *(g for g in groups if g in PERSON_GROUPS)]
    if "practice_code" not in columns and "locality_code" in groups:
        columns.append("practice_code")
    people = alive.select(*columns)
    if "locality_code" in groups:
        practice = con.table("practice").select("practice_code", "locality_code")
        people = people.left_join(practice, "practice_code").select(
            *columns, "locality_code")
    return people


#: Spaces, tabs, line breaks, vertical tabs and form feeds at either end of a text value.
#: A regular expression rather than Ibis' ``strip``, which Spark SQL gets wrong: it reads
#: the ``\v`` and ``\f`` of the compiled ``TRIM(' \t\n\r\v\f' FROM ...)`` as the letters
#: v and f, so " f00" became "00".
_OUTER_SPACE = r"^[ \t\n\r\v\f]+|[ \t\n\r\v\f]+$"


def clean_icd10(code: ibis.Value) -> ibis.Value:
    """An ICD-10 code trimmed, in upper case and without dots (``" i50.0"`` -> ``I500``)."""
    return code.re_replace(_OUTER_SPACE, "").upper().replace(".", "")


def icd10_registers(rows: ibis.Table, code: str, keep: Sequence[str]) -> ibis.Table:
    """``rows`` matched to the registers whose ICD-10 grouping holds their ``code`` column.

    Returns the ``keep`` columns and ``register`` (one row per matching register). Codes are
    compared without dots, in upper case (see :func:`_icd10_map` for the matching rules).
    """
    norm = clean_icd10(rows[code])
    icd = rows.select(*keep, _norm=norm)
    bare = (icd._norm.length() == 3) | (icd._norm.substr(3, 1) == "X")
    key3 = icd._norm.substr(0, 3)
    # two lookup keys per code: its 4-character code (or bare category) and its category
    first = ibis.ifelse(bare, "bare:" + key3, "k4:" + icd._norm.substr(0, 4))
    candidates = icd.select(*keep, _key=ibis.array([first, "k3:" + key3]).unnest())
    imap = ibis.memtable(_icd10_map())
    imap = imap.select("register", _key=imap.kind + ":" + imap.key)
    return candidates.join(imap, "_key").select(*keep, "register")


def _events(con: ibis.BaseBackend, as_of: date, include_hospital: bool) -> ibis.Table:
    """Register-relevant diagnosis rows: (nhs_number, register, role, date, resolved_date).

    ``role`` is ``primary`` (SNOMED CT register code), ``resolved`` (SNOMED CT resolved code)
    or ``hospital`` (secondary-care ICD-10 code).
    """
    day = ibis.literal(as_of, type="date")
    dx = con.table("diagnosis")
    dx = dx.filter(dx.date <= day).select(
        "nhs_number", "code_system", "code", "date", "resolved_date", "setting")

    snomed = dx.filter(dx.code_system == "snomed")
    smap = ibis.memtable(_snomed_map())
    parts = [snomed.join(smap, snomed.code == smap.code).select(
        "nhs_number", smap.register, smap.role, "date", "resolved_date")]

    if include_hospital:
        icd = dx.filter((dx.code_system == "icd10") & (dx.setting == "secondary"))
        matched = icd10_registers(icd, "code", ["nhs_number", "date", "resolved_date"])
        parts.append(matched.select("nhs_number", "register", role=ibis.literal("hospital"),
                                    date="date", resolved_date="resolved_date"))

    events = parts[0] if len(parts) == 1 else ibis.union(*parts, distinct=False)
    # a diagnosis whose own resolved_date has passed does not count, except a cancer
    return events.filter((events.role == "resolved") | events.resolved_date.isnull()
                         | (events.resolved_date > day)
                         | events.register.isin(KEEPS_RESOLVED_ROWS))


def members(con: ibis.BaseBackend, as_of: date, *, include_hospital: bool = True
            ) -> ibis.Table:
    """Who is on which register on ``as_of``: columns ``nhs_number``, ``register``, ``source``.

    ``source`` is ``primary`` (the SNOMED CT record alone qualifies the person) or
    ``hospital`` (only a secondary-care ICD-10 diagnosis does). With
    ``include_hospital=False`` secondary-care ICD-10 diagnoses are ignored.
    """
    return _membership(con, as_of, include_hospital).select("nhs_number", "register",
                                                            "source")


def _qualified(con: ibis.BaseBackend, as_of: date, include_hospital: bool) -> ibis.Table:
    """Rules 3-6 (codes, resolution, since): (nhs_number, register, born_by, source)."""
    events = _events(con, as_of, include_hospital)
    latest = events.group_by(["nhs_number", "register"]).aggregate(
        last_primary=events.date.max(where=events.role == "primary"),
        last_hospital=events.date.max(where=events.role == "hospital"),
        last_resolved=events.date.max(where=events.role == "resolved"),
    )
    params = ibis.memtable(_parameters(as_of))
    latest = latest.join(params, "register")

    def qualifies(last: Any) -> Any:
        return (last.notnull()
                & (latest.last_resolved.isnull() | (last >= latest.last_resolved))
                & (latest.since.isnull() | (last >= latest.since)))

    on_primary = qualifies(latest.last_primary)
    on_register = ((on_primary | qualifies(latest.last_hospital)) if include_hospital
                   else on_primary)
    return latest.filter(on_register).select(
        "nhs_number", "register", "born_by",
        source=ibis.ifelse(on_primary, "primary", "hospital"))


def _membership(con: ibis.BaseBackend, as_of: date, include_hospital: bool) -> ibis.Table:
    """Rules 1-6: qualified people who are alive, registered and old enough."""
    qualified = _qualified(con, as_of, include_hospital)
    joined = qualified.join(_people(con, as_of), "nhs_number")
    return joined.filter(joined.date_of_birth <= joined.born_by).select(
        "nhs_number", "register", "source")


def prevalence(con: ibis.BaseBackend, as_of: date, by: Sequence[str] | None = None, *,
               include_hospital: bool = True) -> pa.Table:
    """Register size and prevalence on ``as_of``, optionally per group.

    Columns: the ``by`` columns (any of ``practice_code``, ``locality_code`` and the
    ``person`` attributes in :data:`GROUPS`), then ``register``, ``count``, ``denominator``
    (people alive and registered on ``as_of`` aged at least the register's ``min_age``) and
    ``percent`` (100 * count / denominator; null when the denominator is 0).
    """
    groups = list(by or [])
    unknown = [g for g in groups if g not in GROUPS]
    if unknown:
        raise ValueError(f"cannot group prevalence by {unknown}; choose from {list(GROUPS)}")
    regs = list(REGISTERS.values())
    # one row per person with a 0/1 flag per register (rules 3-6); rules 1-2 (alive,
    # registered, age) are applied against the same people rows that give the denominators
    qualified = _qualified(con, as_of, include_hospital)
    flags = qualified.group_by("nhs_number").aggregate(**{
        f"q__{r.id}": (qualified.register == r.id).ifelse(1, 0).max() for r in regs})
    people = _people(con, as_of, groups)
    joined = people.left_join(flags, "nhs_number")
    ages = sorted({r.min_age for r in regs})
    old_enough = {age: joined.date_of_birth <= ibis.literal(_born_by(as_of, age), type="date")
                  for age in ages}
    metrics: dict[str, Any] = {
        f"d__{age}": old_enough[age].ifelse(1, 0).sum() for age in ages}
    metrics.update({
        f"n__{r.id}": (joined[f"q__{r.id}"] * old_enough[r.min_age].ifelse(1, 0)).sum()
        for r in regs})
    wide = (joined.group_by(groups).aggregate(**metrics) if groups
            else joined.aggregate(**metrics)).to_pyarrow()
    if groups:
        wide = wide.sort_by([(g, "ascending") for g in groups])

    n = wide.num_rows
    out: dict[str, list[Any]] = {g: [] for g in groups}
    out.update(register=[], count=[], denominator=[], percent=[])
    group_values = {g: wide.column(g).to_pylist() for g in groups}
    for r in regs:
        counts = wide.column(f"n__{r.id}").to_pylist()
        dens = wide.column(f"d__{r.min_age}").to_pylist()
        for i in range(n):
            for g in groups:
                out[g].append(group_values[g][i])
            count = int(counts[i] or 0)
            den = int(dens[i] or 0)
            out["register"].append(r.id)
            out["count"].append(count)
            out["denominator"].append(den)
            out["percent"].append(100.0 * count / den if den else None)
    fields = [wide.schema.field(g) for g in groups] + [
        pa.field("register", pa.string()), pa.field("count", pa.int64()),
        pa.field("denominator", pa.int64()), pa.field("percent", pa.float64())]
    result = pa.table(out, schema=pa.schema(fields))
    if groups:
        result = result.sort_by([(g, "ascending") for g in groups])
    return result
