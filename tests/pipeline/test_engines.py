"""DuckDB and Spark give identical per-person results (STRAT-1 to STRAT-4, engines).

Hypothesis generates small random populations: a few people with admissions, contacts,
prescriptions, diagnoses, observations and social facts scattered around the index date,
with dates drawn often from the window edges (a day inside, on, or outside each window) and
codes written as they arrive (dots, lower case, spaces). Features, the Castlefields and
Evercare results, every score and the whole stratification run (pyramid levels, reasons,
whether services know the person) are computed on both engines and compared person by
person as Python values; floats to a relative 1e-9 (sums may be added in another order).

A record store read through :func:`ltc.pipeline.engine.connect` is checked the same way,
with a snapshot table whose rows change between batches.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import ibis
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ltc.pipeline import levels, rules, stratify
from ltc.pipeline.engine import connect, from_tables, put_table
from ltc.pipeline.features import features
from ltc.pipeline.scores import charlson, cms, efi, hfrs, polypharmacy
from ltc.pipeline.scores.efi import deficit_codes
from ltc.records.registers import REGISTERS
from ltc.records.schema import TABLES
from ltc.records.store import Batch, RecordStore

ENGINES = ("duckdb", "spark")
# index dates: an ordinary day, 29 February, and a month end after a leap day
AS_OF_DATES = (date(2025, 3, 31), date(2024, 2, 29), date(2024, 6, 30))
# days before the index date on each side of every window the pipeline uses
EDGES = (0, 1, 60, 61, 89, 90, 91, 181, 182, 183, 363, 364, 365, 366, 395, 396, 397, 729,
         730, 731, 1825, 1826, 1827, -1)
PEOPLE = ("9434765919", "9000000009", "9000000017", "9000000025", "9000000033")
PRACTICES = ("P1", "P2")

SNOMED = sorted({
    *(sorted(REGISTERS[r].codes)[0] for r in ("copd", "heart_failure", "diabetes", "dementia",
                                              "hypertension", "cancer", "depression", "chd",
                                              "ckd", "af")),
    *(sorted(REGISTERS[r].resolved_codes)[0] for r in ("copd", "diabetes", "hypertension")),
    *(sorted(codes)[0] for codes in list(deficit_codes().values())[:12]),
})
ICD10 = ("J44.1", " j441", "J441 ", "I500", "i50.0", "I21.9", "F00", " f00", "W19", "w19x",
         "C18.7", "C787", "E112", "E119", "N18", "N184", "B20", "Z000", "K703", "K766", "I10",
         "I48", "F32", "R54")
EGFR, ACR = "1011481000000105", "1023491000000104"
# (code system, code, name): products of one ingredient at other strengths, and others
DRUGS = (("bnf", "0205051R0AAAAAA", "Ramipril 2.5mg capsules"),
         ("bnf", "0205051R0AAABAB", "Ramipril 5mg capsules"),
         ("bnf", "0206020A0AAAAAA", "Amlodipine 5mg tablets"),
         ("dmd", "41946311000001106", "Ramipril 2.5mg capsules"),
         ("rxnorm", "308136", "amLODIPine 2.5 MG Oral Tablet"),
         ("rxnorm", "860975", "24 HR Metformin hydrochloride 500 MG Extended Release Oral "
          "Tablet"),
         ("dmd", "111", "Paracetamol soluble tablets"), ("bnf", "D5", "x"))
EMERGENCY_OR_NOT = ("11", "12", "21", "22", "25", "2A", "2D", "28")


@st.composite
def offsets(draw: st.DrawFn) -> int:
    """Days before the index date: often a window edge, otherwise anywhere in 8 years."""
    return draw(st.one_of(st.sampled_from(EDGES), st.integers(-60, 3000)))


@st.composite
def populations(draw: st.DrawFn) -> tuple[date, dict[str, pa.Table]]:
    as_of = draw(st.sampled_from(AS_OF_DATES))
    people = draw(st.lists(st.sampled_from(PEOPLE), min_size=1, max_size=4, unique=True))

    def day() -> date:
        return as_of - timedelta(days=draw(offsets()))

    def maybe(value: Any) -> Any:
        return value if draw(st.booleans()) else None

    def rows(make: Callable[[str], dict[str, Any]], most: int) -> list[dict[str, Any]]:
        return [make(p) for p in people for _ in range(draw(st.integers(0, most)))]

    def born(_: str) -> date:
        years = draw(st.sampled_from((17, 18, 40, 50, 64, 65, 66, 75, 80, 95)))
        try:
            birthday = as_of.replace(year=as_of.year - years)
        except ValueError:
            birthday = as_of.replace(year=as_of.year - years, day=28)
        return birthday + timedelta(days=draw(st.sampled_from((-1, 0, 1, -200))))

    person = [{"nhs_number": p, "date_of_birth": born(p),
               "sex": draw(st.sampled_from(("F", "M"))),
               "practice_code": draw(st.sampled_from(PRACTICES)),
               "lives_alone": draw(st.sampled_from((True, False, None))),
               "has_carer": maybe(True),
               "date_of_death": (as_of - timedelta(days=draw(st.integers(-5, 5))))
               if draw(st.integers(0, 4)) == 0 else None} for p in people]
    tables: dict[str, list[dict[str, Any]]] = {
        "person": person,
        "practice": [{"practice_code": "P1", "name": "One", "locality_code": "L1"},
                     {"practice_code": "P2", "name": "Two", "locality_code": "L2"}],
        "inpatient_spell": rows(lambda p: (lambda start: {
            "nhs_number": p, "admission_date": start,
            "discharge_date": maybe(start + timedelta(days=draw(st.integers(0, 40)))),
            "admission_method": draw(st.sampled_from(EMERGENCY_OR_NOT)),
            "primary_diagnosis": maybe(draw(st.sampled_from(ICD10)))})(day()), 3),
        "ae_attendance": rows(lambda p: {"nhs_number": p, "date": day()}, 3),
        "outpatient_attendance": rows(lambda p: {"nhs_number": p, "date": day(),
                                                 "attended": draw(st.booleans())}, 3),
        "gp_consultation": rows(lambda p: {"nhs_number": p, "date": day(), "staff": "gp",
                                           "mode": "telephone"}, 6),
        "ambulance_incident": rows(lambda p: (lambda outcome: {
            "nhs_number": p, "date": day(), "outcome": outcome,
            "conveyed": outcome == "conveyed"})(
                draw(st.sampled_from(("conveyed", "see_and_treat", "hear_and_treat")))), 2),
        "community_contact": rows(lambda p: {"nhs_number": p, "date": day(),
                                             "service": "district_nursing",
                                             "mode": "home_visit"}, 2),
        "social_care_contact": rows(lambda p: {
            "nhs_number": p, "date": as_of - timedelta(days=draw(st.integers(-3, 370))),
            "kind": draw(st.sampled_from(("assessment", "assessment", "review")))}, 8),
        "social_care_package": rows(lambda p: (lambda start: {
            "nhs_number": p, "start_date": start,
            "end_date": maybe(start + timedelta(days=draw(st.integers(0, 400)))),
            "hours_per_week": 5.0,
            "intensity": draw(st.sampled_from(("low", "medium", "high")))})(day()), 2),
        "prescription": rows(lambda p: (lambda rx: {
            "nhs_number": p, "date": day(), "drug_code_system": rx[0],
            "drug_code": rx[1], "drug_name": rx[2], "quantity": 28.0,
            "cost": maybe(draw(st.sampled_from((0.0, 1.1, 12.34, 99.99, 250.0))))})(
                draw(st.sampled_from(DRUGS))), 8),
        "diagnosis": rows(lambda p: (lambda system: {
            "nhs_number": p, "code_system": system,
            "code": draw(st.sampled_from(SNOMED if system == "snomed" else ICD10)),
            "date": day(), "resolved_date": maybe(day()) if draw(st.booleans()) else None,
            "setting": draw(st.sampled_from(("primary", "secondary", "community")))})(
                draw(st.sampled_from(("snomed", "icd10")))), 6),
        "observation": rows(lambda p: (lambda code: {
            "nhs_number": p, "code_system": "snomed", "code": code, "date": day(),
            "value": maybe(draw(st.sampled_from(
                (0.0, 30.0, 59.9, 60.0, 75.0) if code == EGFR else (3.0, 3.1, 10.0))))})(
                draw(st.sampled_from((EGFR, ACR)))), 2),
        "social_fact": rows(lambda p: {
            "nhs_number": p, "date": day(), "supported": draw(st.sampled_from((True, False, None))),
            "kind": draw(st.sampled_from(("fall", "bereavement", "carer_death",
                                          "cognitive_impairment", "adl_impairment",
                                          "iadl_impairment", "medically_unstable")))}, 4),
    }
    return as_of, {name: _arrow(name, data) for name, data in tables.items()}


def _arrow(name: str, data: list[dict[str, Any]]) -> pa.Table:
    """Rows as a table of the record-plane schema (numbered record ids; other columns not
    given are null)."""
    schema = TABLES[name].arrow_schema
    if "record_id" in schema.names:
        data = [{"record_id": f"{name}-{i}", **row} for i, row in enumerate(data)]
    return pa.table({f.name: pa.array([r.get(f.name) for r in data], f.type) for f in schema},
                    schema=schema)


# -- what is compared ----------------------------------------------------------------------
def _rows(table: ibis.Table) -> list[dict[str, Any]]:
    return sorted(table.to_pyarrow().to_pylist(), key=lambda r: str(r["nhs_number"]))


def results(con: ibis.BaseBackend, as_of: date) -> dict[str, list[dict[str, Any]]]:
    """Every per-person result of the pipeline on ``con``."""
    feats = _rows(features(con, as_of))
    schema = features(con, as_of).schema().to_pyarrow()
    held = put_table(con, "features_result", pa.Table.from_pylist(feats, schema=schema))
    out = {"features": feats}
    for name in rules.BUILT_IN:
        out[name] = _rows(rules.evaluate(rules.load(name), held))
    out |= {
        "charlson": _rows(charlson(con, as_of)),
        "charlson_quan": _rows(charlson(con, as_of, variant="shmi", weighting="quan",
                                        assign0=False, lookback_months=12)),
        "hfrs": _rows(hfrs(con, as_of)),
        "efi": _rows(efi(con, as_of)),
        "cms": _rows(cms(con, as_of)),
        "polypharmacy": _rows(polypharmacy(con, as_of)),
    }
    return out


def run_results(con: ibis.BaseBackend, as_of: date) -> dict[str, list[dict[str, Any]]]:
    """The whole stratification run on ``con``: every column of every person."""
    rows = stratify.people(con, as_of, levels.load()).to_pylist()
    return {"stratify": sorted(rows, key=lambda r: str(r["nhs_number"]))}


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    return type(a) is type(b) and a == b


def assert_identical(got: dict[str, dict[str, list[dict[str, Any]]]]) -> None:
    duck, spark = got["duckdb"], got["spark"]
    for part, rows in duck.items():
        other = spark[part]
        assert [r["nhs_number"] for r in rows] == [r["nhs_number"] for r in other], part
        for a, b in zip(rows, other, strict=True):
            assert list(a) == list(b), part
            differ = {k: (a[k], b[k]) for k in a if not _same(a[k], b[k])}
            assert not differ, f"{part}, person {a['nhs_number']}: duckdb vs spark {differ}"


@pytest.mark.usefixtures("spark")
@pytest.mark.spark
@pytest.mark.xdist_group("spark")
@settings(max_examples=4, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(population=populations())
def test_duckdb_and_spark_agree_on_random_populations(
        population: tuple[date, dict[str, pa.Table]]) -> None:
    as_of, tables = population
    assert_identical({engine: results(from_tables(tables, engine=engine), as_of)
                      for engine in ENGINES})


@pytest.mark.usefixtures("spark")
@pytest.mark.spark
@pytest.mark.xdist_group("spark")
@settings(max_examples=2, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(population=populations())
def test_duckdb_and_spark_agree_on_whole_runs(
        population: tuple[date, dict[str, pa.Table]]) -> None:
    # fewer examples: a whole run is one large query plan for Spark to compile
    as_of, tables = population
    assert_identical({engine: run_results(from_tables(tables, engine=engine), as_of)
                      for engine in ENGINES})


# -- a record store on both engines --------------------------------------------------------
def _batch(period: str, tables: dict[str, list[dict[str, Any]]]) -> Batch:
    return Batch("gp", period, f"fingerprint-{period}",
                 {name: _arrow(name, rows) for name, rows in tables.items()})


@pytest.mark.usefixtures("spark")
@pytest.mark.spark
@pytest.mark.xdist_group("spark")
def test_a_record_store_reads_the_same_on_both_engines(tmp_path: Path) -> None:
    store = RecordStore(tmp_path / "records")
    a, b = PEOPLE[:2]
    store.commit(_batch("2025-01", {
        "person": [{"nhs_number": a, "date_of_birth": date(1950, 1, 1), "sex": "F",
                    "practice_code": "P1", "lives_alone": False},
                   {"nhs_number": b, "date_of_birth": date(1940, 1, 1), "sex": "M",
                    "practice_code": "P1"}],
        "practice": [{"practice_code": "P1", "name": "One", "locality_code": "L1"}],
        "ae_attendance": [{"nhs_number": a, "record_id": "ae1", "date": date(2025, 1, 10)}],
    }))
    store.commit(_batch("2025-02", {  # a moved practice and now lives alone; b unchanged
        "person": [{"nhs_number": a, "date_of_birth": date(1950, 1, 1), "sex": "F",
                    "practice_code": "P2", "lives_alone": True}],
        "practice": [{"practice_code": "P2", "name": "Two", "locality_code": "L2"}],
        "ae_attendance": [{"nhs_number": a, "record_id": "ae2", "date": date(2025, 2, 10)}],
    }))
    as_of = date(2025, 3, 31)
    got = {}
    for engine in ENGINES:
        con = connect(store, engine=engine)
        got[engine] = {
            "person": _rows(con.table("person").drop("_source", "_period")),
            **results(con, as_of)}
    assert_identical(got)
    people = {r["nhs_number"]: r for r in got["spark"]["person"]}
    assert people[a]["practice_code"] == "P2"  # the latest row of the snapshot table
    assert people[a]["lives_alone"] is True
    feats = {r["nhs_number"]: r for r in got["spark"]["features"]}
    assert feats[a]["ae_12m"] == 2
    assert feats[a]["locality_code"] == "L2"


def test_an_unknown_engine_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown engine 'postgres'; expected one of: duckdb, "
                       "spark"):
        from_tables({}, engine="postgres")
