"""Synthea CSV export ingest: the OHDSI dbt-synthea seed export (27 patients)."""

from __future__ import annotations

import csv
import shutil
from collections import Counter
from pathlib import Path

import pytest

from ltc.codes import nhs_number
from ltc.interop.fhir.bundles import load_bundles
from ltc.records.errors import IngestError
from ltc.records.ingest.synthea_csv import load_folder
from ltc.records.store import Batch, RecordStore, hash_files

ENCOUNTER_TABLES = ("gp_consultation", "outpatient_attendance", "ae_attendance",
                    "inpatient_spell", "community_contact")


@pytest.fixture(scope="module")
def csv_dir(external_data: Path) -> Path:
    return external_data / "synthea-ohdsi-dbt-synthea-csv"


@pytest.fixture(scope="module")
def loaded(csv_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[RecordStore, Batch]:
    store = RecordStore(tmp_path_factory.mktemp("csv_store"))
    batch = load_folder(csv_dir, store)
    assert store.commit(batch).status == "added"
    return store, batch



def identity(store: RecordStore) -> dict[str, str]:
    data = store.arrow("identity_map")
    return dict(zip(data.column("source_id").to_pylist(), data.column("nhs_number").to_pylist(),
                    strict=True))


def read_rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def test_people_and_encounters(loaded: tuple[RecordStore, Batch], csv_dir: Path) -> None:
    store, batch = loaded
    assert batch.source.startswith("synthea-csv-")  # named from its patients
    assert batch.period == "2024-02"  # encounters run to 2024-02-02
    assert store.arrow("person").num_rows == 27
    counts = {name: store.arrow(name).num_rows for name in ENCOUNTER_TABLES}
    assert sum(counts.values()) == 604
    # wellness 348 + ambulatory 174; outpatient 52; emergency 17 + urgentcare 2; inpatient 11
    assert counts == {"gp_consultation": 522, "outpatient_attendance": 52, "ae_attendance": 19,
                      "inpatient_spell": 11, "community_contact": 0}
    patients = {r["Id"]: r for r in read_rows(csv_dir / "patients.csv")}
    assert set(identity(store)) == set(patients)


def test_per_patient_counts(loaded: tuple[RecordStore, Batch], csv_dir: Path) -> None:
    store, _ = loaded
    nhs = identity(store)
    expected = Counter(nhs[r["PATIENT"]] for r in read_rows(csv_dir / "encounters.csv"))
    stored: Counter[str] = Counter()
    for name in ENCOUNTER_TABLES:
        stored.update(store.arrow(name, ["nhs_number"]).column(0).to_pylist())
    assert stored == expected
    conditions = Counter(nhs[r["PATIENT"]] for r in read_rows(csv_dir / "conditions.csv"))
    assert Counter(store.arrow("diagnosis", ["nhs_number"]).column(0).to_pylist()) == conditions


def test_values_and_codes(loaded: tuple[RecordStore, Batch], csv_dir: Path) -> None:
    _, batch = loaded
    observations = read_rows(csv_dir / "observations.csv")
    numeric = sum(r["TYPE"] == "numeric" for r in observations)
    obs = batch.tables["observation"]
    assert obs.num_rows == len(observations)
    assert obs.num_rows - obs.column("value").null_count == numeric
    assert set(batch.tables["diagnosis"].column("code_system").to_pylist()) == {"snomed"}
    rx = batch.tables["prescription"]
    assert rx.num_rows == len(read_rows(csv_dir / "medications.csv"))
    assert set(rx.column("drug_code_system").to_pylist()) == {"rxnorm"}
    practices = set(batch.tables["practice"].column("practice_code").to_pylist())
    assert set(batch.tables["person"].column("practice_code").to_pylist()) <= practices


def test_nhs_numbers_valid_stable_and_unchanged(loaded: tuple[RecordStore, Batch], csv_dir: Path,
                                                tmp_path: Path) -> None:
    store, batch = loaded
    numbers = identity(store)
    assert all(nhs_number.is_valid(n) for n in numbers.values())
    assert len(set(numbers.values())) == 27
    fresh = RecordStore(tmp_path / "fresh")
    fresh.commit(load_folder(csv_dir, fresh))
    assert identity(fresh) == numbers
    before = hash_files(store.root)
    again = load_folder(csv_dir, store)
    assert again.fingerprint == batch.fingerprint
    assert store.commit(again).status == "unchanged"
    assert hash_files(store.root) == before


def test_fhir_and_csv_share_a_store(csv_dir: Path, external_data: Path, tmp_path: Path) -> None:
    store = RecordStore(tmp_path)
    bundles = sorted((external_data / "synthea-smart-on-fhir-r4" / "bundles").glob("*.json"))
    store.commit(load_bundles(bundles[:20], store))
    store.commit(load_folder(csv_dir, store))
    people = store.arrow("person").column("nhs_number").to_pylist()
    assert len(people) == len(set(people)) == 47
    assert len(identity(store)) == 47


# -- refused input ----------------------------------------------------------------------------

def _edit(folder: Path, name: str, row: int, column: str, value: str) -> None:
    path = folder / name
    with open(path, newline="") as handle:
        rows = list(csv.reader(handle))
    rows[row][rows[0].index(column)] = value
    with open(path, "w", newline="") as handle:
        csv.writer(handle).writerows(rows)


CASES = {
    "bad birth date": ("patients.csv", 3, "BIRTHDATE", "2001-13-01",
                       "patients.csv, line 4, field BIRTHDATE (date_of_birth)"),
    "unknown encounter class": ("encounters.csv", 10, "ENCOUNTERCLASS", "spaceflight",
                                "encounters.csv, line 11, field ENCOUNTERCLASS"),
    "unknown patient": ("conditions.csv", 5, "PATIENT", "no-such-person",
                        "conditions.csv, line 6, field PATIENT"),
    "duplicate encounter id": ("encounters.csv", 2, "Id", "",
                               "encounters.csv, line 3, field Id"),
    "value not a number": ("observations.csv", 1, "VALUE", "tall",
                           "observations.csv, line 2, field VALUE (value)"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_csv_is_refused(case: str, csv_dir: Path, tmp_path: Path) -> None:
    name, row, column, value, expected = CASES[case]
    store = RecordStore(tmp_path / "store")
    store.commit(load_folder(csv_dir, store))
    before = hash_files(store.root)
    bad = tmp_path / "export"
    shutil.copytree(csv_dir, bad)
    bad.chmod(0o755)
    for path in bad.iterdir():
        path.chmod(0o644)
    if case == "duplicate encounter id":
        first = read_rows(csv_dir / "encounters.csv")[0]["Id"]
        value = first
    _edit(bad, name, row, column, value)
    with pytest.raises(IngestError) as caught:
        load_folder(bad, store)
    assert expected in str(caught.value)
    assert hash_files(store.root) == before
