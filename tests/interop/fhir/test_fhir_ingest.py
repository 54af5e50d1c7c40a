"""FHIR R4 bundle ingest: Synthea SMART-on-FHIR sample patients against their manifest."""

from __future__ import annotations

import csv
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
import pytest

from ltc.codes import nhs_number
from ltc.interop.fhir.bundles import load_bundles
from ltc.records.convert import convert_table
from ltc.records.errors import IngestError
from ltc.records.schema import TABLES
from ltc.records.store import Batch, RecordStore, hash_files

ENCOUNTER_TABLES = {"ae_attendance": "n_emer", "inpatient_spell": "n_imp"}
AMBULATORY_TABLES = ("gp_consultation", "outpatient_attendance")  # AMB by type and provider


@pytest.fixture(scope="module")
def fhir_dir(external_data: Path) -> Path:
    return external_data / "synthea-smart-on-fhir-r4"


@pytest.fixture(scope="module")
def manifest(fhir_dir: Path) -> list[dict[str, str]]:
    with open(fhir_dir / "manifest.csv", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def loaded(fhir_dir: Path, tmp_path_factory: pytest.TempPathFactory
           ) -> tuple[RecordStore, Batch, float]:
    store = RecordStore(tmp_path_factory.mktemp("fhir_store"))
    started = time.perf_counter()
    batch = load_bundles(fhir_dir / "bundles", store)
    seconds = time.perf_counter() - started
    assert store.commit(batch).status == "added"
    return store, batch, seconds



def identity(store: RecordStore) -> dict[str, str]:
    data = store.arrow("identity_map")
    return dict(zip(data.column("source_id").to_pylist(), data.column("nhs_number").to_pylist(),
                    strict=True))


def per_person(store: RecordStore, name: str) -> Counter[str]:
    return Counter(store.arrow(name, ["nhs_number"]).column(0).to_pylist())


# -- the 136 sample patients ------------------------------------------------------------------

def test_all_bundles_load_as_one_batch_named_from_its_patients(
        loaded: tuple[RecordStore, Batch, float]) -> None:
    _, batch, seconds = loaded
    assert batch.source.startswith("synthea-fhir-")  # named from its patients
    assert batch.period == "2021-03"  # encounters run to 2021-03-31
    assert batch.tables["person"].num_rows == 136
    print(f"\n136 bundles loaded in {seconds:.2f} s (benchmarks/ measures speed)")


def test_counts_match_manifest(loaded: tuple[RecordStore, Batch, float],
                               manifest: list[dict[str, str]]) -> None:
    store, _, _ = loaded
    nhs = identity(store)
    assert len(manifest) == 136
    assert set(nhs) == {row["patient_id"] for row in manifest}
    diagnoses = per_person(store, "diagnosis")
    encounters = {name: per_person(store, name) for name in [*ENCOUNTER_TABLES,
                                                              *AMBULATORY_TABLES]}
    people = {row["nhs_number"]: row for row in store.arrow("person").to_pylist()}
    for row in manifest:
        number = nhs[row["patient_id"]]
        assert diagnoses[number] == int(row["n_conditions"]), row["file"]
        for name, column in ENCOUNTER_TABLES.items():
            assert encounters[name][number] == int(row[column]), (row["file"], name)
        ambulatory = sum(encounters[n][number] for n in AMBULATORY_TABLES)
        assert ambulatory == int(row["n_amb"]), row["file"]
        assert sum(encounters[n][number] for n in encounters) == int(row["n_encounters"])
        person = people[number]
        assert str(person["date_of_birth"]) == row["birth_date"]
        assert person["sex"] == {"male": "M", "female": "F"}[row["gender"]]
        assert (person["date_of_death"] is not None) == bool(row["deceased"])


def test_nhs_numbers_valid_and_stable(loaded: tuple[RecordStore, Batch, float], fhir_dir: Path,
                                      tmp_path: Path) -> None:
    store, _, _ = loaded
    first = identity(store)
    assert all(nhs_number.is_valid(n) for n in first.values())
    assert len(set(first.values())) == len(first)
    fresh = RecordStore(tmp_path / "fresh")
    fresh.commit(load_bundles(fhir_dir / "bundles", fresh))
    assert identity(fresh) == first


def test_reingest_is_unchanged_and_byte_identical(loaded: tuple[RecordStore, Batch, float],
                                                  fhir_dir: Path) -> None:
    store, batch, _ = loaded
    before = hash_files(store.root)
    again = load_bundles(sorted((fhir_dir / "bundles").glob("*.json")), store)
    assert again.fingerprint == batch.fingerprint
    assert again.period == batch.period
    assert store.commit(again).status == "unchanged"
    assert hash_files(store.root) == before


def test_batch_is_self_consistent(loaded: tuple[RecordStore, Batch, float]) -> None:
    _, batch, _ = loaded
    practices = set(batch.tables["practice"].column("practice_code").to_pylist())
    assert set(batch.tables["person"].column("practice_code").to_pylist()) <= practices
    localities = set(batch.tables["locality"].column("locality_code").to_pylist())
    assert set(batch.tables["practice"].column("locality_code").to_pylist()) <= localities
    people = set(batch.tables["person"].column("nhs_number").to_pylist())
    for name, data in batch.tables.items():
        if "nhs_number" in data.column_names:
            assert set(data.column("nhs_number").to_pylist()) <= people, name


def test_mapping_details(loaded: tuple[RecordStore, Batch, float]) -> None:
    _, batch, _ = loaded
    obs = batch.tables["observation"]
    codes = Counter(obs.column("code").to_pylist())
    assert "55284-4" not in codes  # the blood pressure panel becomes its components
    assert codes["8480-6"] >= 1388
    assert codes["8462-4"] >= 1388
    systolic = [r for r in obs.to_pylist() if r["code"] == "8480-6"]
    assert all(r["record_id"].endswith("/8480-6") for r in systolic)
    assert {r["unit"] for r in systolic} == {"mm[Hg]"}
    assert set(obs.column("code_system").to_pylist()) == {"loinc"}
    spells = batch.tables["inpatient_spell"]
    methods = Counter(spells.column("admission_method").to_pylist())
    assert set(methods) == {"21", "99"}
    assert methods["21"] > 0
    ae = batch.tables["ae_attendance"]
    assert Counter(ae.column("disposal").to_pylist())["admitted"] == methods["21"]
    settings = Counter(batch.tables["diagnosis"].column("setting").to_pylist())
    assert set(settings) == {"primary", "secondary"}
    rx = batch.tables["prescription"]
    assert set(rx.column("drug_code_system").to_pylist()) == {"rxnorm"}
    assert rx.column("cost").null_count == rx.num_rows
    modes = Counter(batch.tables["gp_consultation"].column("mode").to_pylist())
    assert modes == {"face_to_face": 3726, "home_visit": 16, "telephone": 1}


def test_organisation_bundles_are_skipped_cleanly(fhir_dir: Path, tmp_path: Path) -> None:
    store = RecordStore(tmp_path)
    some = sorted((fhir_dir / "bundles").glob("*.json"))[:5]
    extra = sorted(fhir_dir.glob("*Information*.json"))
    assert len(extra) == 2
    with_extra = load_bundles([*some, *extra], store)
    plain = load_bundles(some, store)
    assert with_extra.tables["person"].equals(plain.tables["person"])
    assert with_extra.tables["observation"].equals(plain.tables["observation"])
    with pytest.raises(IngestError, match="holds no patients"):
        load_bundles(extra, store)


def test_existing_identity_is_reused(fhir_dir: Path, tmp_path: Path) -> None:
    store = RecordStore(tmp_path)
    path = sorted((fhir_dir / "bundles").glob("*.json"))[0]
    patient_id = orjson.loads(path.read_bytes())["entry"][0]["resource"]["id"]
    chosen = "9434765919"
    assert nhs_number.is_valid(chosen)
    raw = pa.table({"source_system": ["synthea"], "source_id": [patient_id],
                    "nhs_number": [chosen]})
    seeded = convert_table(TABLES["identity_map"], raw, lambda r: f"row {r}", "seed")
    store.commit(Batch("seed", "2020-01", "seed", {"identity_map": seeded}))
    batch = load_bundles([path], store)
    assert batch.tables["person"].column("nhs_number").to_pylist() == [chosen]


# -- refused input ------------------------------------------------------------------------------

Doc = dict[str, Any]


def _first(doc: Doc, rtype: str) -> int:
    return next(i for i, e in enumerate(doc["entry"]) if e["resource"]["resourceType"] == rtype)


def _missing_patient_id(doc: Doc) -> tuple[int, str]:
    del doc["entry"][0]["resource"]["id"]
    return 0, "id"


def _bad_birth_date(doc: Doc) -> tuple[int, str]:
    doc["entry"][0]["resource"]["birthDate"] = "1956-02-30"
    return 0, "birthDate"


def _duplicate_id(doc: Doc) -> tuple[int, str]:
    doc["entry"].append(doc["entry"][_first(doc, "Encounter")])
    return len(doc["entry"]) - 1, "id"


def _unknown_patient(doc: Doc) -> tuple[int, str]:
    i = _first(doc, "Condition")
    doc["entry"][i]["resource"]["subject"]["reference"] = "urn:uuid:nobody-here"
    return i, "subject"


def _missing_class(doc: Doc) -> tuple[int, str]:
    i = _first(doc, "Encounter")
    del doc["entry"][i]["resource"]["class"]
    return i, "class"


def _unknown_class(doc: Doc) -> tuple[int, str]:
    i = _first(doc, "Encounter")
    doc["entry"][i]["resource"]["class"]["code"] = "XYZ"
    return i, "class.code"


def _text_value(doc: Doc) -> tuple[int, str]:
    i = next(i for i, e in enumerate(doc["entry"]) if "valueQuantity" in e["resource"])
    doc["entry"][i]["resource"]["valueQuantity"]["value"] = "twelve"
    return i, "valueQuantity.value"


def _entry_without_resource(doc: Doc) -> tuple[int, str]:
    del doc["entry"][3]["resource"]
    return 3, "resource"


def _unknown_encounter(doc: Doc) -> tuple[int, str]:
    i = _first(doc, "Condition")
    doc["entry"][i]["resource"]["encounter"]["reference"] = "urn:uuid:no-such-visit"
    return i, "encounter"


def _resolved_before_onset(doc: Doc) -> tuple[int, str]:
    i = _first(doc, "Condition")
    doc["entry"][i]["resource"]["abatementDateTime"] = "1900-01-01T00:00:00+00:00"
    return i, "resolved_date"


ENTRY_CASES: dict[str, Callable[[Doc], tuple[int, str]]] = {
    "missing Patient id": _missing_patient_id,
    "bad birthDate": _bad_birth_date,
    "duplicate resource id": _duplicate_id,
    "Condition for an unknown patient": _unknown_patient,
    "Encounter without class": _missing_class,
    "unknown encounter class": _unknown_class,
    "Observation value not a number": _text_value,
    "entry without resource": _entry_without_resource,
    "Condition in an unknown encounter": _unknown_encounter,
    "resolved before onset": _resolved_before_onset,
}


@pytest.fixture
def good_store(fhir_dir: Path, tmp_path: Path) -> tuple[RecordStore, list[Path]]:
    """A store holding a good batch of ten bundles, and those bundles."""
    store = RecordStore(tmp_path / "store")
    good = sorted((fhir_dir / "bundles").glob("*.json"))[:10]
    store.commit(load_bundles(good, store))
    return store, good


def _refused(store: RecordStore, paths: list[Path], validate: bool = False) -> str:
    before = hash_files(store.root)
    with pytest.raises(IngestError) as caught:
        load_bundles(paths, store, validate=validate)
    assert hash_files(store.root) == before
    return str(caught.value)


@pytest.mark.parametrize("case", list(ENTRY_CASES))
def test_bad_entry_is_refused(case: str, good_store: tuple[RecordStore, list[Path]],
                              tmp_path: Path) -> None:
    store, good = good_store
    source = good[-1]
    doc = orjson.loads(source.read_bytes())
    index, element = ENTRY_CASES[case](doc)
    bad = tmp_path / "bad" / f"Broken_{source.name}"
    bad.parent.mkdir()
    bad.write_bytes(orjson.dumps(doc))
    message = _refused(store, [*good[:3], bad])
    assert bad.name in message
    assert f"entry {index}" in message
    assert f"field {element}" in message or f"({element})" in message, message
    assert "expected" in message


def test_truncated_json_is_refused(good_store: tuple[RecordStore, list[Path]],
                                   tmp_path: Path) -> None:
    store, good = good_store
    data = good[0].read_bytes()
    bad = tmp_path / "Truncated.json"
    bad.write_bytes(data[: len(data) // 2])
    message = _refused(store, [bad])
    assert "Truncated.json" in message
    assert "is not valid JSON" in message
    assert "expected one FHIR Bundle" in message


def test_not_a_bundle_is_refused(good_store: tuple[RecordStore, list[Path]],
                                 tmp_path: Path) -> None:
    store, good = good_store
    doc = orjson.loads(good[0].read_bytes())
    bad = tmp_path / "Lone_patient.json"
    bad.write_bytes(orjson.dumps(doc["entry"][0]["resource"]))
    message = _refused(store, [*good[1:3], bad])
    assert "Lone_patient.json, field resourceType: is 'Patient'; expected 'Bundle'" in message


def test_optional_model_validation(good_store: tuple[RecordStore, list[Path]],
                                   tmp_path: Path) -> None:
    store, good = good_store
    assert load_bundles(good[:1], store, validate=True).tables["person"].num_rows == 1
    doc = orjson.loads(good[0].read_bytes())
    doc["entry"][0]["resource"]["gender"] = 7
    bad = tmp_path / "Odd_gender.json"
    bad.write_bytes(orjson.dumps(doc))
    message = _refused(store, [bad], validate=True)
    assert "Odd_gender.json, entry 0 (Patient), field gender" in message


def test_named_practice_and_medication_reference(fhir_dir: Path, tmp_path: Path) -> None:
    path = sorted((fhir_dir / "bundles").glob("*.json"))[0]
    doc = orjson.loads(path.read_bytes())
    org = doc["entry"][_first(doc, "Organization")]["resource"]
    doc["entry"][0]["resource"]["generalPractitioner"] = [
        {"reference": f"urn:uuid:{org['id']}"}]
    i = _first(doc, "MedicationRequest")
    request = doc["entry"][i]["resource"]
    concept = request.pop("medicationCodeableConcept")
    request["medicationReference"] = {"reference": "urn:uuid:med-1"}
    request["dispenseRequest"] = {"numberOfRepeatsAllowed": 2,
                                  "quantity": {"value": 56, "unit": "tablet"}}
    doc["entry"].append({"resource": {"resourceType": "Medication", "id": "med-1",
                                      "code": concept}})
    edited = tmp_path / path.name
    edited.write_bytes(orjson.dumps(doc))
    batch = load_bundles([edited], RecordStore(tmp_path / "store"))
    assert batch.tables["person"].column("practice_code").to_pylist() == [org["id"]]
    assert batch.tables["practice"].column("name").to_pylist() == [org["name"]]
    issues = {r["record_id"]: r for r in batch.tables["prescription"].to_pylist()
              if r["record_id"].startswith(request["id"])}
    # the order and its two repeats, 28 days apart (no expectedSupplyDuration given)
    assert sorted(issues) == [request["id"], f"{request['id']}#2", f"{request['id']}#3"]
    for rx in issues.values():
        assert rx["drug_code"] == concept["coding"][0]["code"]
        assert rx["drug_name"] == concept["coding"][0]["display"]
        assert rx["quantity"] == 56
        assert rx["repeat"] is True
    first = issues[request["id"]]["date"]
    assert [(issues[k]["date"] - first).days for k in sorted(issues)] == [0, 28, 56]
