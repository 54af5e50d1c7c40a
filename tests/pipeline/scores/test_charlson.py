"""Charlson comorbidity index (STRAT-4): spec tables and the comorbidipy 0.5.0 vectors.

Documented exception (decision 0004): the project scores AIDS/HIV 4 under the Quan (2011)
weighting, as published; comorbidipy scores it 2. Every comorbidipy vector or expectation
with the ``quan`` weighting and the ``aids`` category present is expected 2 points higher
(score and age-adjusted score); nothing else differs.
"""

from __future__ import annotations

import csv
import json
import math
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import ibis
import pytest

from ltc.pipeline.scores.charlson import (
    CATEGORIES,
    VARIANTS,
    WEIGHTINGS,
    charlson,
    prefixes,
    weights,
)
from spec_tables import check, connect, person_rows

AS_OF = date(2024, 6, 30)
AIDS_QUAN_EXTRA = 2  # Quan 2011 weight 4 (project) minus comorbidipy's 2; decision 0004
VECTORS = "scores/comorbidipy/generated_vectors_comorbidity_comorbidipy_0.5.0.csv"
EXPECTATIONS = "scores/comorbidipy/comorbidipy_repo_test_expectations.json"
PATIENTS = ("P01_mi_hf_t2dm", "P02_diab_with_and_without_complication",
            "P03_cancer_plus_metastasis", "P04_mild_plus_severe_liver",
            "P05_copd_dementia_ckd_hemiplegia", "P06_hiv", "P07_unmapped_only",
            "P08_pvd_cevd_pud_rheum", "P09_t1dm_retinopathy_ckd5", "P10_age_101_no_comorb")
COMBINATIONS = [(v, w, a) for v in VARIANTS for w in WEIGHTINGS for a in (True, False)]


def born(age: int) -> date:
    """A date of birth giving ``age`` completed years on AS_OF."""
    return date(AS_OF.year - age, 1, 1)


def dx_rows(codes: dict[str, list[str]], on: str = "2020-01-01") -> list[dict[str, str]]:
    return [{"nhs_number": who, "code_system": "icd10", "code": code, "date": on,
             "setting": "secondary"} for who, cs in codes.items() for code in cs]


# -- spec tables ----------------------------------------------------------------------------
def test_prefix_match_without_dots_any_setting_and_window(engine: str) -> None:
    con = connect(
        engine,
        person="""
        nhs_number | date_of_birth | sex | practice_code
        a          | 1950-01-01    | F   | P1
        b          | 1980-01-01    | M   | P1
        c          | 1980-01-01    | M   | P1
        """,
        diagnosis="""
        nhs_number | code_system | code  | date       | setting
        a          | icd10       | I21.9 | 2010-05-01 | secondary
        a          | icd10       | i500  | 2024-06-30 | primary
        b          | icd10       | E119  | 2024-07-01 | secondary
        b          | snomed      | 22298006 | 2020-01-01 | primary
        c          | icd10       | Z000  | 2020-01-01 | secondary
        """)
    # a: MI (dots removed) and CHF coded on as_of in primary care count; b: diabetes coded
    # after as_of is ignored and SNOMED codes are not read, so b has no row; c: unmapped -> 0
    check(charlson(con, AS_OF, weighting="charlson"), """
        nhs_number | charlson_ami | charlson_chf | charlson_diab | charlson
        a          | 1            | 1            | 0             | 2
        c          | 0            | 0            | 0             | 0
        """)


def test_lookback_edge(engine: str) -> None:
    con = connect(engine, diagnosis=dx_rows({"edge": ["I500"]}, on="2023-06-29")
                  + dx_rows({"inside": ["I500"]}, on="2023-06-30"))
    # 12 months before 2024-06-30 is 2023-06-30: the first day inside; the day before is not
    check(charlson(con, AS_OF, weighting="quan", lookback_months=12), """
        nhs_number | charlson_chf | charlson
        inside     | 1            | 2
        """)
    check(charlson(con, AS_OF, weighting="quan"), """
        nhs_number | charlson_chf | charlson
        edge       | 1            | 2
        inside     | 1            | 2
        """)


def test_age_adjustment_decades_over_40(engine: str) -> None:
    ages = {"age39": 39, "age49": 49, "age50": 50, "age59": 59, "age60": 60, "age79": 79,
            "age80": 80, "age101": 101}
    con = connect(engine, person=person_rows({who: born(age) for who, age in ages.items()}
                                     | {"day_before_50th": date(1974, 7, 1),
                                        "on_50th": date(1974, 6, 30)}),
                  diagnosis=dx_rows({who: ["I500"] for who in
                                     [*ages, "day_before_50th", "on_50th", "no_person"]}))
    check(charlson(con, AS_OF, weighting="charlson"), """
        nhs_number      | charlson | charlson_age_adjusted | charlson_survival_10yr
        age101          | 1        | 5                     | 0.2136
        age39           | 1        | 1                     | 0.9587
        age49           | 1        | 1                     | 0.9587
        age50           | 1        | 2                     | 0.9015
        age59           | 1        | 2                     | 0.9015
        age60           | 1        | 3                     | 0.7748
        age79           | 1        | 4                     | 0.5339
        age80           | 1        | 5                     | 0.2136
        day_before_50th | 1        | 1                     | 0.9587
        no_person       | 1        | |
        on_50th         | 1        | 2                     | 0.9015
        """)


def test_assign0_zeroes_the_milder_form_only_in_the_weighting(engine: str) -> None:
    con = connect(engine,
                  diagnosis=dx_rows({"liver": ["K703", "K766"], "diabetes": ["E119", "E112"],
                                     "cancer": ["C180", "C787"]}))
    check(charlson(con, AS_OF, weighting="charlson", assign0=True), """
        nhs_number | charlson_mld | charlson_msld | charlson_diab | charlson_diabwc | charlson
        cancer     | 0            | 0             | 0             | 0               | 6
        diabetes   | 0            | 0             | 1             | 1               | 2
        liver      | 1            | 1             | 0             | 0               | 3
        """)
    check(charlson(con, AS_OF, weighting="charlson", assign0=False), """
        nhs_number | charlson
        cancer     | 8
        diabetes   | 3
        liver      | 4
        """)


def test_negative_totals_are_clipped_to_zero(engine: str) -> None:
    # SHMI weights: diabetes with complications scores -1
    con = connect(engine, diagnosis=dx_rows({"d": ["E112"]}))
    check(charlson(con, AS_OF, variant="shmi", weighting="shmi"), """
        nhs_number | charlson_diabwc | charlson
        d          | 1               | 0
        """)


def test_aids_scores_4_under_quan_2011(engine: str) -> None:
    con = connect(engine, diagnosis=dx_rows({"hiv": ["B20"]}))
    check(charlson(con, AS_OF, weighting="quan"), """
        nhs_number | charlson_aids | charlson
        hiv        | 1             | 4
        """)


def test_unknown_variant_or_weighting_is_refused(engine: str) -> None:
    con = connect(engine)
    with pytest.raises(ValueError, match="unknown Charlson variant"):
        charlson(con, AS_OF, variant="se")
    with pytest.raises(ValueError, match="unknown Charlson weighting"):
        charlson(con, AS_OF, weighting="vw")


def test_no_prefix_is_shared_between_categories() -> None:
    # comorbidipy gives a code matching two categories to the last one only; with no
    # shared prefixes, matching every category (as here) gives the same result
    for variant in VARIANTS:
        pairs = [(p, c) for table in prefixes(variant).values()
                 for p, c in zip(table["prefix"].to_pylist(), table["category"].to_pylist(),
                                 strict=True)]
        clashes = [(p, c, q, d) for p, c in pairs for q, d in pairs
                   if c != d and q.startswith(p)]
        assert clashes == [], variant
        assert {c for _, c in pairs} == set(CATEGORIES)


def test_weights_have_every_category() -> None:
    assert {w: len(weights(w)) for w in WEIGHTINGS} == dict.fromkeys(WEIGHTINGS, 17)
    assert weights("quan")["aids"] == 4
    assert weights("charlson")["aids"] == 6


# -- comorbidipy 0.5.0 reference vectors ---------------------------------------------------
@cache
def _vectors(folder: Path) -> dict[tuple[str, str, str, bool], dict[str, str]]:
    with (folder / VECTORS).open(encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["score"] == "charlson"
                and r["icd"] == "icd10" and r["variant"] in VARIANTS]
    return {(r["patient"], r["variant"], r["weighting"], r["assign0"] == "True"): r
            for r in rows}


@cache
def _patients(folder: Path, engine: str) -> ibis.BaseBackend:
    """One connection with every vector patient: their codes and ages are the same rows
    for every variant, weighting and assign0."""
    rows = {key[0]: row for key, row in _vectors(folder).items()}
    return connect(engine,
                   person=person_rows({p: born(int(r["age"])) for p, r in rows.items()}),
                   diagnosis=dx_rows({p: r["codes"].split() for p, r in rows.items()}))


@cache
def _scores(folder: Path, engine: str, variant: str, weighting: str, assign0: bool
            ) -> dict[str, dict[str, Any]]:
    table = charlson(_patients(folder, engine), AS_OF, variant=variant, weighting=weighting,
                     assign0=assign0)
    return {r["nhs_number"]: r for r in table.to_pyarrow().to_pylist()}


def test_vectors_cover_every_implemented_combination(external_data: Path) -> None:
    vectors = _vectors(external_data)
    assert set(vectors) == {(p, *c) for p in PATIENTS for c in COMBINATIONS}
    for patient in PATIENTS:  # the same codes and age in every combination
        assert len({(r["codes"], r["age"]) for k, r in vectors.items() if k[0] == patient}) == 1


def _exception(row: dict[str, str]) -> int:
    """Points added to comorbidipy's expectation: the documented AIDS/HIV exception."""
    return AIDS_QUAN_EXTRA if row["weighting"] == "quan" and "aids" in row["flags"].split() \
        else 0


def test_the_aids_exception_applies_to_four_vectors(external_data: Path) -> None:
    hit = sorted(k for k, row in _vectors(external_data).items() if _exception(row))
    assert hit == [("P06_hiv", v, "quan", a) for v in ("quan", "shmi") for a in (False, True)]


@pytest.mark.parametrize("patient", PATIENTS)
@pytest.mark.parametrize(("variant", "weighting", "assign0"), COMBINATIONS)
def test_comorbidipy_vector(engine: str, external_data: Path, patient: str, variant: str,
                            weighting: str, assign0: bool) -> None:
    row = _vectors(external_data)[(patient, variant, weighting, assign0)]
    got = _scores(external_data, engine, variant, weighting, assign0)[patient]
    extra = _exception(row)
    assert {c for c in CATEGORIES if got[f"charlson_{c}"]} == set(row["flags"].split())
    assert got["charlson"] == float(row["comorbidity_score"]) + extra
    assert got["charlson_age_adjusted"] == float(row["age_adj_comorbidity_score"]) + extra
    if row["survival_10yr"]:
        assert math.isclose(got["charlson_survival_10yr"], float(row["survival_10yr"]),
                            rel_tol=1e-6, abs_tol=1e-9)
    else:
        assert got["charlson_survival_10yr"] is None


# -- comorbidipy repository test expectations ----------------------------------------------
def _expectations(folder: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((folder / EXPECTATIONS).read_text(encoding="utf-8"))
    return data["repo_test_expectations"]  # type: ignore[no-any-return]


def test_comorbidipy_specific_cases(engine: str, external_data: Path) -> None:
    cases = _expectations(external_data)["TestSpecifics"]
    assert len(cases) == 3
    con = connect(engine,
                  person=person_rows({f"s{i}": born(c["age"]) for i, c in enumerate(cases)}),
                  diagnosis=dx_rows({f"s{i}": c["codes"] for i, c in enumerate(cases)}))
    for case in cases:
        assert (case["score"], case["icd"], case["variant"], case["weighting"],
                case["assign0"]) == ("charlson", "icd10", "shmi", "shmi", True)
    got = {r["nhs_number"]: r["charlson"] for r in charlson(
        con, AS_OF, variant="shmi", weighting="shmi").to_pyarrow().to_pylist()}
    assert got == {f"s{i}": c["expected_comorbidity_score"] for i, c in enumerate(cases)}


def test_comorbidipy_maximum_scores(engine: str, external_data: Path) -> None:
    cases = _expectations(external_data)["max_ccs_all_categories_present"]
    assert len(cases) == 3
    for case in cases:
        con = connect(engine, diagnosis=dx_rows({"all": case["codes_used"]}))
        got = charlson(con, AS_OF, variant=case["variant"], weighting=case["weighting"]
                       ).to_pyarrow().to_pylist()[0]
        assert all(got[f"charlson_{c}"] == 1 for c in CATEGORIES)
        # documented exception: quan/quan is 22 in comorbidipy, 24 with AIDS/HIV at 4
        extra = AIDS_QUAN_EXTRA if case["weighting"] == "quan" else 0
        assert got["charlson"] == case["expected_max_score"] + extra
