"""QOF-style disease register membership and prevalence (POP-3)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from ltc.codes.nhs_number import from_key
from ltc.records.convert import convert_table
from ltc.records.registers import (
    REGISTERS,
    born_by,
    members,
    prevalence,
    reference_prevalence,
)
from ltc.records.schema import TABLES
from ltc.records.store import Batch, RecordStore

AS_OF = date(2020, 3, 31)

ASTHMA, ASTHMA_RES = "195967001", "162660004"
DIABETES, DIABETES_RES = "44054006", "315051004"
CHD = "22298006"
DEPRESSION = "370143000"
HYPERTENSION = "38341003"
CANCER = "424454009"  # Adenocarcinoma of lung, stage III (GM-SDE cancer set)


def nhs(key: str) -> str:
    return from_key(key)


# person key -> (date of birth, date of death, practice)
PEOPLE: dict[str, tuple[str, str, str]] = {
    "redx": ("1960-01-01", "", "P1"),  # asthma resolved then re-diagnosed: on
    "resolved": ("1960-01-01", "", "P1"),  # diabetes then resolved: off
    "future": ("1960-01-01", "", "P1"),  # CHD coded after the as-of date: off
    "dead": ("1940-01-01", "2019-06-30", "P1"),  # died before the as-of date: off
    "dies_later": ("1940-01-01", "2020-04-01", "P1"),  # died after: on
    "age16": ("2003-04-01", "", "P2"),  # diabetes, 16 on the as-of date: off
    "age17": ("2003-03-31", "", "P2"),  # diabetes, 17th birthday on the as-of date: on
    "dep_old": ("1970-01-01", "", "P2"),  # depression only before 2006-04-01: off
    "dep_new": ("1970-01-01", "", "P2"),  # depression on 2006-04-01: on
    "hospital": ("1950-01-01", "", "P3"),  # type 2 diabetes in hospital only: on (hospital)
    "both": ("1950-01-01", "", "P3"),  # diabetes in GP record and hospital: on (primary)
    "boundary": ("1950-01-01", "", "P3"),  # hypertension coded on the as-of date: on
    "row_resolved": ("1950-01-01", "", "P3"),  # asthma row resolved before as-of: off
    "row_open": ("1950-01-01", "", "P3"),  # asthma row resolved after as-of: on
    "same_day": ("1950-01-01", "", "P3"),  # diabetes and resolved the same day: on
    "cancer_abated": ("1950-01-01", "", "P3"),  # cancer in 2005, abated 2010: on
    "cancer_2003": ("1950-01-01", "", "P3"),  # cancer on 2003-03-31 only: off
    "ckd12": ("1950-01-01", "", "P4"),  # hospital N18.1 (CKD stage 1): off
    "ckd4": ("1950-01-01", "", "P4"),  # hospital N18.4: on
    "hosp_then_res": ("1950-01-01", "", "P4"),  # hospital asthma, later resolved: off
    "nobody": ("1990-01-01", "", "P4"),  # no diagnoses
    "unborn": ("2020-06-01", "", "P4"),  # born after the as-of date: not counted
}

# person key, code system, code, date, resolved date, setting
DIAGNOSES: list[tuple[str, str, str, str, str, str]] = [
    ("redx", "snomed", ASTHMA, "2010-01-01", "", "primary"),
    ("redx", "snomed", ASTHMA_RES, "2012-01-01", "", "primary"),
    ("redx", "snomed", ASTHMA, "2015-01-01", "", "primary"),
    ("resolved", "snomed", DIABETES, "2010-01-01", "", "primary"),
    ("resolved", "snomed", DIABETES_RES, "2015-01-01", "", "primary"),
    ("future", "snomed", CHD, "2020-04-01", "", "primary"),
    ("dead", "snomed", CHD, "2010-01-01", "", "primary"),
    ("dies_later", "snomed", CHD, "2010-01-01", "", "primary"),
    ("age16", "snomed", DIABETES, "2019-01-01", "", "primary"),
    ("age17", "snomed", DIABETES, "2019-01-01", "", "primary"),
    ("dep_old", "snomed", DEPRESSION, "2006-03-31", "", "primary"),
    ("dep_new", "snomed", DEPRESSION, "2006-04-01", "", "primary"),
    ("both", "snomed", DIABETES, "2012-01-01", "", "primary"),
    ("boundary", "snomed", HYPERTENSION, "2020-03-31", "", "primary"),
    ("row_resolved", "snomed", ASTHMA, "2010-01-01", "2020-03-31", "primary"),
    ("row_open", "snomed", ASTHMA, "2010-01-01", "2020-04-01", "primary"),
    ("same_day", "snomed", DIABETES, "2015-05-05", "", "primary"),
    ("same_day", "snomed", DIABETES_RES, "2015-05-05", "", "primary"),
    ("hosp_then_res", "snomed", ASTHMA_RES, "2016-01-01", "", "primary"),
    ("cancer_abated", "snomed", CANCER, "2005-06-01", "2010-01-01", "primary"),
    ("cancer_2003", "snomed", CANCER, "2003-03-31", "", "primary"),
]

HOSPITAL: list[tuple[str, str, str, str, str, str]] = [
    ("hospital", "icd10", "E11.9", "2018-02-01", "", "secondary"),
    ("both", "icd10", "E119", "2018-02-01", "", "secondary"),
    ("ckd12", "icd10", "N18.1", "2018-02-01", "", "secondary"),
    ("ckd4", "icd10", "N184", "2018-02-01", "", "secondary"),
    ("hosp_then_res", "icd10", "J45.9", "2015-01-01", "", "secondary"),
    # ICD-10 in a primary care setting is not a hospital diagnosis
    ("nobody", "icd10", "I10X", "2018-02-01", "", "primary"),
]

# person key, date, drug code system, drug code (asthma registers need a recent asthma drug)
PRESCRIPTIONS: list[tuple[str, str, str, str]] = [
    ("redx", "2019-06-01", "bnf", "0301011R0"),  # salbutamol
    ("row_open", "2020-03-31", "bnf", "0302000C0"),  # beclometasone
    ("row_resolved", "2020-03-31", "bnf", "0302000C0"),
    ("hosp_then_res", "2015-05-01", "bnf", "0301011R0"),
    ("hosp_then_res", "2020-01-01", "bnf", "0301011R0"),
]

EXPECTED = {
    ("redx", "asthma", "primary"),
    ("dies_later", "chd", "primary"),
    ("age17", "diabetes", "primary"),
    ("dep_new", "depression", "primary"),
    ("hospital", "diabetes", "hospital"),
    ("both", "diabetes", "primary"),
    ("boundary", "hypertension", "primary"),
    ("row_open", "asthma", "primary"),
    ("ckd4", "ckd", "hospital"),
    ("same_day", "diabetes", "primary"),
    ("cancer_abated", "cancer", "primary"),
}


def _typed(name: str, columns: dict[str, list[str]]) -> pa.Table:
    raw = pa.table({k: pa.array(v, pa.string()) for k, v in columns.items()})
    return convert_table(TABLES[name], raw, lambda row: f"row {row + 1}", name)


def _diagnoses(rows: list[tuple[str, str, str, str, str, str]], prefix: str) -> pa.Table:
    return _typed("diagnosis", {
        "nhs_number": [nhs(r[0]) for r in rows],
        "record_id": [f"{prefix}{i}" for i in range(len(rows))],
        "code_system": [r[1] for r in rows],
        "code": [r[2] for r in rows],
        "date": [r[3] for r in rows],
        "resolved_date": [r[4] for r in rows],
        "setting": [r[5] for r in rows],
    })


@pytest.fixture(scope="module")
def con(tmp_path_factory: pytest.TempPathFactory) -> Any:
    root: Path = tmp_path_factory.mktemp("store")
    store = RecordStore(root)
    keys = list(PEOPLE)
    gp = {
        "locality": _typed("locality", {"locality_code": ["L1", "L2"],
                                        "name": ["North", "South"]}),
        "practice": _typed("practice", {
            "practice_code": ["P1", "P2", "P3", "P4"], "name": ["a", "b", "c", "d"],
            "locality_code": ["L1", "L1", "L2", "L2"]}),
        "person": _typed("person", {
            "nhs_number": [nhs(k) for k in keys],
            "date_of_birth": [PEOPLE[k][0] for k in keys],
            "sex": ["F"] * len(keys),
            "practice_code": [PEOPLE[k][2] for k in keys],
            "date_of_death": [PEOPLE[k][1] for k in keys],
        }),
        "diagnosis": _diagnoses(DIAGNOSES, "gp"),
        "prescription": _typed("prescription", {
            "nhs_number": [nhs(r[0]) for r in PRESCRIPTIONS],
            "record_id": [f"rx{i}" for i in range(len(PRESCRIPTIONS))],
            "date": [r[1] for r in PRESCRIPTIONS],
            "drug_code_system": [r[2] for r in PRESCRIPTIONS],
            "drug_code": [r[3] for r in PRESCRIPTIONS],
            "drug_name": ["inhaler"] * len(PRESCRIPTIONS),
            "quantity": ["1"] * len(PRESCRIPTIONS),
        }),
    }
    store.commit(Batch("gp", "2020-03", "fp-gp", gp))
    store.commit(Batch("acute", "2020-03", "fp-acute",
                       {"diagnosis": _diagnoses(HOSPITAL, "acute")}))
    return store.connect()


def _members(con: Any, as_of: date = AS_OF, **kwargs: Any) -> set[tuple[str, str, str]]:
    names = {nhs(k): k for k in PEOPLE}
    rows = members(con, as_of, **kwargs).to_pyarrow().to_pylist()
    return {(names[r["nhs_number"]], r["register"], r["source"]) for r in rows}


def test_membership(con: Any) -> None:
    assert _members(con) == EXPECTED


def test_members_columns(con: Any) -> None:
    assert members(con, AS_OF).columns == ("nhs_number", "register", "source")


def test_without_hospital_diagnoses(con: Any) -> None:
    expected = {m for m in EXPECTED if m[2] == "primary"}
    assert _members(con, include_hospital=False) == expected


def test_hospital_diagnosis_before_a_resolved_code_is_resolved(con: Any) -> None:
    assert not {m for m in _members(con) if m[0] == "hosp_then_res"}
    earlier = _members(con, date(2015, 6, 1))
    assert ("hosp_then_res", "asthma", "hospital") in earlier


def test_code_after_as_of_counts_later(con: Any) -> None:
    assert ("future", "chd", "primary") in _members(con, date(2020, 4, 1))
    # died on 2020-04-01: not alive on that day
    assert ("dies_later", "chd", "primary") not in _members(con, date(2020, 4, 1))


def test_age_boundary_moves_with_as_of(con: Any) -> None:
    assert ("age16", "diabetes", "primary") in _members(con, date(2020, 4, 1))
    assert ("age17", "diabetes", "primary") not in _members(con, date(2020, 3, 30))


def test_prevalence_totals(con: Any) -> None:
    table = prevalence(con, AS_OF)
    assert table.column_names == ["register", "count", "denominator", "percent",
                                  "hospital_only"]
    rows = {r["register"]: r for r in table.to_pylist()}
    assert list(rows) == list(REGISTERS)
    alive = len(PEOPLE) - 2  # "dead" died, "unborn" not yet born
    assert rows["diabetes"]["count"] == 4
    assert rows["diabetes"]["denominator"] == alive - 1  # "age16" is under 17
    assert rows["diabetes"]["percent"] == pytest.approx(100 * 4 / (alive - 1))
    assert rows["asthma"]["denominator"] == alive
    assert rows["asthma"]["count"] == 2
    assert rows["copd"]["count"] == 0
    assert rows["copd"]["percent"] == 0.0
    # "hospital" (type 2 diabetes) and "ckd4" (N18.4) are on only through hospital codes;
    # "both" has a GP code too
    assert rows["diabetes"]["hospital_only"] == 1
    assert rows["ckd"]["hospital_only"] == 1
    assert rows["asthma"]["hospital_only"] == 0
    assert rows["depression"]["denominator"] == alive - 2  # 16- and 17-year-old excluded
    assert rows["osteoporosis"]["denominator"] == 17  # alive and born by 1970-03-31


def test_prevalence_without_hospital(con: Any) -> None:
    rows = {r["register"]: r for r in
            prevalence(con, AS_OF, include_hospital=False).to_pylist()}
    assert rows["diabetes"]["count"] == 3
    assert rows["ckd"]["count"] == 0
    assert {r["hospital_only"] for r in rows.values()} == {0}


def test_prevalence_by_practice_and_locality(con: Any) -> None:
    table = prevalence(con, AS_OF, by=["locality_code", "practice_code"])
    assert table.column_names[:3] == ["locality_code", "practice_code", "register"]
    rows = {(r["practice_code"], r["register"]): r for r in table.to_pylist()}
    assert len(rows) == 4 * len(REGISTERS)
    assert rows[("P2", "diabetes")]["count"] == 1
    assert rows[("P2", "diabetes")]["denominator"] == 3
    assert rows[("P2", "diabetes")]["locality_code"] == "L1"
    assert rows[("P1", "chd")]["denominator"] == 4  # "dead" is not counted
    by_locality = {(r["locality_code"], r["register"]): r
                   for r in prevalence(con, AS_OF, by=["locality_code"]).to_pylist()}
    assert by_locality[("L2", "diabetes")]["count"] == 3
    assert by_locality[("L1", "asthma")]["count"] == 1


def test_prevalence_rejects_unknown_groups(con: Any) -> None:
    with pytest.raises(ValueError, match="cannot group"):
        prevalence(con, AS_OF, by=["nhs_number"])


def test_empty_store(tmp_path: Path) -> None:
    con = RecordStore(tmp_path).connect()
    assert members(con, AS_OF).to_pyarrow().num_rows == 0
    table = prevalence(con, AS_OF)
    assert table.num_rows == len(REGISTERS)
    assert set(table.column("count").to_pylist()) == {0}


def test_registers_match_the_reference() -> None:
    reference = reference_prevalence()
    assert list(REGISTERS) == list(reference)
    for rid, reg in REGISTERS.items():
        assert reg.id == rid
        assert reg.denominator_min_age == reference[rid].min_age
        # QOF v46: the asthma register is 6+, its published prevalence is over all ages
        assert reg.min_age == (6 if rid == "asthma" else reference[rid].min_age)
        assert reg.qof_group == reference[rid].qof_group
        assert reg.rule
    assert REGISTERS["diabetes"].min_age == 17
    assert REGISTERS["depression"].diagnosed_since == date(2006, 4, 1)
    assert reference["diabetes"].percent == pytest.approx(7.07)


def test_born_by_handles_29_february() -> None:
    assert born_by(date(2020, 2, 29), 17) == date(2003, 2, 28)
    assert born_by(date(2020, 3, 31), 17) == date(2003, 3, 31)
