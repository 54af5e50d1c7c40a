"""Hospital Frailty Risk Score (STRAT-4): spec tables, Gilbert's worked example, comorbidipy."""

from __future__ import annotations

import csv
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import ibis
import pyarrow as pa

from ltc.pipeline.engine import connection
from ltc.pipeline.scores.hfrs import band, hfrs, points
from spec_tables import check, connect

AS_OF = date(2024, 6, 30)
VECTORS = "scores/comorbidipy/generated_vectors_hfrs_comorbidipy_0.5.0.csv"
PATIENTS = ("H01_F00_and_W19", "H02_same_3char_twice", "H03_fall_uti_htn", "H04_many",
            "H05_none", "H06_lowercase_and_space")


def test_points_table() -> None:
    table = points()
    assert len(table) == 109
    assert sum(table.values()) == Decimal("173.2")
    assert max(table.values()) == table["F00"] == Decimal("7.1")


def test_gilbert_worked_example_f00_and_w19(engine: str) -> None:
    con = connect(engine, diagnosis="""
        nhs_number | code_system | code | date       | setting
        p          | icd10       | F00  | 2024-01-10 | secondary
        p          | icd10       | W19  | 2024-01-10 | secondary
        """)
    check(hfrs(con, AS_OF), """
        nhs_number | hfrs | hfrs_band
        p          | 10.3 | intermediate
        """)


def test_sources_window_and_one_count_per_category(engine: str) -> None:
    # window 24 months, both ends included: 2022-06-30 is the first day inside, 06-29 is not
    con = connect(
        engine,
        diagnosis="""
        nhs_number | code_system | code  | date       | setting
        a          | icd10       | F00.1 | 2024-06-30 | secondary
        a          | icd10       | F009  | 2023-01-01 | secondary
        b          | icd10       | F00   | 2022-06-29 | secondary
        b          | icd10       | W19   | 2022-06-30 | secondary
        c          | icd10       | F00   | 2024-07-01 | secondary
        d          | icd10       | F00   | 2024-01-01 | primary
        e          | snomed      | 26929004 | 2024-01-01 | secondary
        """,
        inpatient_spell="""
        nhs_number | admission_date | admission_method | primary_diagnosis
        a          | 2024-01-01     | 21               | W19
        f          | 2024-02-01     | 21               | I10
        g          | 2024-02-01     | 21               |
        """)
    # a: F00 counted once (two codes of the category) + W19 from a spell's primary diagnosis
    # b: F00 the day before the window is outside, W19 on its first day inside; c: coded
    # after as_of; d: primary care not read;
    # e: SNOMED not read; f: a hospital code worth no points; g: a spell with no diagnosis
    check(hfrs(con, AS_OF), """
        nhs_number | hfrs | hfrs_band
        a          | 10.3 | intermediate
        b          | 3.2  | low
        f          | 0    | low
        """)
    check(hfrs(con, AS_OF, lookback_months=None), """
        nhs_number | hfrs | hfrs_band
        a          | 10.3 | intermediate
        b          | 10.3 | intermediate
        f          | 0    | low
        """)


def test_band_boundaries(engine: str) -> None:
    tenths = ibis.memtable(pa.table({"tenths": [0, 49, 50, 150, 151, 300]}))
    expr = tenths.select("tenths", band=band(tenths.tenths)).order_by("tenths")
    got = connection(engine).to_pyarrow(expr).to_pylist()
    assert [(r["tenths"], r["band"]) for r in got] == [
        (0, "low"), (49, "low"), (50, "intermediate"), (150, "intermediate"),
        (151, "high"), (300, "high")]


def test_comorbidipy_vectors(engine: str, external_data: Path) -> None:
    with (external_data / VECTORS).open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert tuple(r["patient"] for r in rows) == PATIENTS
    # codes as given, leading spaces and lower case included (" f00", " w19x")
    codes = {r["patient"]: re.findall(r"\s*\S+", r["codes"]) for r in rows}
    assert codes["H06_lowercase_and_space"] == [" f00", " w19x"]
    con = connect(engine, diagnosis=[
        {"nhs_number": patient, "code_system": "icd10", "code": code, "date": "2024-01-01",
         "setting": "secondary"} for patient, cs in codes.items() for code in cs])
    got = {r["nhs_number"]: r for r in hfrs(con, AS_OF).to_pyarrow().to_pylist()}
    assert set(got) == set(PATIENTS)
    for r in rows:
        assert got[r["patient"]]["hfrs"] == float(r["hfrs"]), r["patient"]
        assert got[r["patient"]]["hfrs_band"] == r["risk_band"].split(" ")[0], r["patient"]
