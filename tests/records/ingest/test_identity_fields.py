"""Who the person is, from a CSV extract and a Synthea CSV export: the optional person
fields are read, checked, and never shown in a refusal."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from ltc.records.errors import IngestError
from ltc.records.ingest.csv_extract import load_folder
from ltc.records.ingest.synthea_csv import load_folder as load_synthea
from ltc.records.store import RecordStore

HEADER = ("nhs_number,date_of_birth,sex,practice_code,given_name,family_name,address,postcode,"
          "telephone,ethnic_category,main_language,interpreter_required,preferred_contact")


def _extract(root: Path, person_rows: list[str]) -> Path:
    folder = root / "gp" / "2024-01"
    folder.mkdir(parents=True)
    (folder / "locality.csv").write_text("locality_code,name\nL1,North\n")
    (folder / "practice.csv").write_text("practice_code,name,locality_code\nC81001,Alpha,L1\n")
    (folder / "person.csv").write_text("\n".join([HEADER, *person_rows]) + "\n")
    return folder


def test_csv_extract_reads_the_optional_person_fields(tmp_path: Path) -> None:
    folder = _extract(tmp_path, [
        '9434765919,1940-05-01,F,C81001,Mary Ann,Jones,"12 High Street, Leicester",LE1 5WW,'
        "0116 496 0000,H,pa,true,sms",
        "9434765870,1950-01-01,M,C81001,,,,,,,,,"])
    person = load_folder(folder).tables["person"].to_pylist()
    first, second = sorted(person, key=lambda p: p["nhs_number"], reverse=True)
    assert (first["given_name"], first["family_name"]) == ("Mary Ann", "Jones")
    assert (first["address"], first["postcode"]) == ("12 High Street, Leicester", "LE1 5WW")
    assert first["telephone"] == "0116 496 0000"
    assert (first["ethnic_category"], first["main_language"], first["interpreter_required"],
            first["preferred_contact"]) == ("H", "pa", True, "sms")
    assert all(second[k] is None for k in ("given_name", "address", "ethnic_category",
                                           "interpreter_required", "preferred_contact"))


def test_a_bad_code_is_refused_without_showing_the_name(tmp_path: Path) -> None:
    folder = _extract(tmp_path, [
        "9434765919,1940-05-01,F,C81001,Mary,Jones,1 Low Road,LE1 5WW,0116,white,en,maybe,"
        "pigeon"])
    with pytest.raises(IngestError) as refused:
        load_folder(folder)
    message = str(refused.value)
    assert "person.csv, line 2, field ethnic_category" in message
    assert "field interpreter_required" in message
    assert "field preferred_contact" in message
    for private in ("Mary", "Jones", "Low Road", "LE1 5WW"):
        assert private not in message


def test_synthea_csv_reads_names_and_addresses(external_data: Path, tmp_path: Path) -> None:
    folder = external_data / "synthea-ohdsi-dbt-synthea-csv"
    batch = load_synthea(folder, RecordStore(tmp_path))
    with open(folder / "patients.csv", newline="") as handle:
        patients = list(csv.DictReader(handle))
    expected = sorted((p["FIRST"], p["LAST"], f"{p['ADDRESS']}, {p['CITY']}", p["ZIP"] or None)
                      for p in patients)
    people = batch.tables["person"].to_pylist()
    assert sorted((p["given_name"], p["family_name"], p["address"], p["postcode"])
                  for p in people) == expected
    assert all(p["ethnic_category"] is None for p in people)  # US race is not mapped
    assert batch.skipped["procedures.csv"] == 249
    assert batch.skipped["claims_transactions.csv"] == 5228
