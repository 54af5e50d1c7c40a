"""FHIR ingest: medicines as issues, settings, registration, identity, skipped resources and
batches named from their content, on the 136 shared Synthea bundles."""

from __future__ import annotations

import shutil
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import orjson
import pyarrow.compute as pc
import pytest

from ltc.interop.fhir.bundles import load_bundles
from ltc.interop.fhir.encounter_types import OUTPATIENT_TYPES
from ltc.interop.fhir.medicines import Request, issue_dates
from ltc.records.errors import IngestError
from ltc.records.replacement import check
from ltc.records.store import RecordStore, hash_files

AS_OF = date(2021, 3, 31)  # the latest date in the 136 bundles


@pytest.fixture(scope="module")
def bundles(external_data: Path) -> list[Path]:
    return sorted((external_data / "synthea-smart-on-fhir-r4" / "bundles").glob("*.json"))


@pytest.fixture(scope="module")
def stored(bundles: list[Path], tmp_path_factory: pytest.TempPathFactory) -> RecordStore:
    store = RecordStore(tmp_path_factory.mktemp("fhir_mapping"))
    store.commit(load_bundles(bundles, store))
    return store


def raw_resources(paths: list[Path]) -> list[dict[str, Any]]:
    return [e["resource"] for p in paths for e in orjson.loads(p.read_bytes())["entry"]]


# -- item 5: medicines -------------------------------------------------------------------------

def test_some_people_have_long_term_medicines(stored: RecordStore) -> None:
    from ltc.pipeline import features

    meds = features._medicines(stored.connect(), AS_OF).to_pyarrow()
    long_term = meds["long_term_medicines"]
    people = int(pc.sum(pc.greater(long_term, 0)).as_py())
    print(f"\nlong_term_medicines > 0 on {AS_OF}: {people} people "
          f"({int(pc.sum(long_term).as_py())} medicines)")
    assert people >= 50  # 65 of the 85 people alive on that date


def _request(**fields: Any) -> Request:
    values: dict[str, Any] = {"where": "x", "id": "r", "patient": "p", "authored": "2020-01-01",
                              "status": "stopped", "course": None, "repeats": None,
                              "validity_end": None, "interval": 28, "quantity": "1"}
    values.update(fields)
    return Request(**values)


END = date(2021, 3, 31)

#: (request fields, the next request for the same drug, expected issues, last issue)
ISSUE_CASES: dict[str, tuple[dict[str, Any], date | None, int, date]] = {
    "3 repeats, 28 days": ({"repeats": 3}, None, 4, date(2020, 3, 25)),
    "0 repeats": ({"repeats": 0, "status": "active"}, None, 1, date(2020, 1, 1)),
    "repeats capped by validity": ({"repeats": 12, "validity_end": "2020-02-15"}, None, 2,
                                   date(2020, 1, 29)),
    "validity period, 30-day supply": ({"validity_end": "2020-12-31", "interval": 30}, None,
                                       13, date(2020, 12, 26)),
    "acute, active": ({"course": "acute", "status": "active"}, None, 1, date(2020, 1, 1)),
    "active: to the end of the data": ({"status": "active"}, None, 17, date(2021, 3, 24)),
    "stopped, renewed within 13 months": ({}, date(2020, 12, 31), 14, date(2020, 12, 30)),
    "stopped, renewed on day 396": ({}, date(2021, 1, 31), 15, date(2021, 1, 27)),
    "stopped, renewed on day 397": ({}, date(2021, 2, 1), 1, date(2020, 1, 1)),
    "stopped, never renewed": ({}, None, 1, date(2020, 1, 1)),
    "repeats past the end of the data": ({"authored": "2021-03-01", "repeats": 5}, None, 2,
                                         date(2021, 3, 29)),
}


@pytest.mark.parametrize("case", list(ISSUE_CASES))
def test_issue_dates(case: str) -> None:
    fields, renewed, count, last = ISSUE_CASES[case]
    dates = issue_dates(_request(**fields), renewed, END)
    assert (len(dates), dates[-1]) == (count, last)
    assert dates[0] == date.fromisoformat(fields.get("authored", "2020-01-01"))


def test_ignored_requests_are_counted_not_issued(bundles: list[Path], tmp_path: Path) -> None:
    path = bundles[1]
    doc = orjson.loads(path.read_bytes())
    requests = [e["resource"] for e in doc["entry"]
                if e["resource"]["resourceType"] == "MedicationRequest"]
    assert len(requests) >= 3
    requests[0]["status"] = "cancelled"
    requests[1]["status"] = "entered-in-error"
    requests[2]["intent"] = "plan"
    edited = tmp_path / path.name
    edited.write_bytes(orjson.dumps(doc))
    batch = load_bundles([edited], RecordStore(tmp_path / "store"))
    assert batch.skipped["MedicationRequest (status cancelled)"] == 1
    assert batch.skipped["MedicationRequest (status entered-in-error)"] == 1
    assert batch.skipped["MedicationRequest (intent plan)"] == 1
    ids = {r.split("#")[0] for r in batch.tables["prescription"].column("record_id").to_pylist()}
    assert not ids & {r["id"] for r in requests[:3]}
    assert {r["id"] for r in requests[3:]} <= ids


# -- item 7: nothing skipped in silence -------------------------------------------------------

def test_skipped_resources_are_counted_by_type(bundles: list[Path], tmp_path: Path) -> None:
    store = RecordStore(tmp_path)
    batch = load_bundles(bundles, store)
    mapped = {"Patient", "Encounter", "Condition", "Observation", "MedicationRequest",
              "Organization", "Medication"}
    expected = Counter(r["resourceType"] for r in raw_resources(bundles)
                       if r["resourceType"] not in mapped)
    assert batch.skipped == dict(expected)
    assert sum(batch.skipped.values()) == 7476
    store.commit(batch)
    assert store.batches()[batch.key]["skipped"] == dict(sorted(expected.items()))


def test_an_unknown_resource_type_is_refused_naming_file_and_entry(
        bundles: list[Path], tmp_path: Path) -> None:
    store = RecordStore(tmp_path / "store")
    store.commit(load_bundles(bundles[:2], store))
    before = hash_files(store.root)
    doc = orjson.loads(bundles[3].read_bytes())
    index = next(i for i, e in enumerate(doc["entry"])
                 if e["resource"]["resourceType"] == "Observation")
    doc["entry"][index]["resource"]["resourceType"] = "Observaton"
    bad = tmp_path / "Misspelt.json"
    bad.write_bytes(orjson.dumps(doc))
    with pytest.raises(IngestError) as refused:
        load_bundles([*bundles[:2], bad], store)
    message = str(refused.value)
    assert f"Misspelt.json, entry {index}, field resourceType: 'Observaton' is not a FHIR R4 " \
        "resource type (did you mean 'Observation'?); expected one of the 146 R4 resource " \
        "types" in message
    assert hash_files(store.root) == before


# -- item 8: settings and registration ----------------------------------------------------------

def test_outpatient_attendances_come_from_hospital_outpatient_types(
        bundles: list[Path], stored: RecordStore) -> None:
    resources = raw_resources(bundles)
    encounters = {r["id"]: r for r in resources if r["resourceType"] == "Encounter"}
    orgs = {r["id"]: r for r in resources if r["resourceType"] == "Organization"}
    outpatient = stored.arrow("outpatient_attendance")
    assert outpatient.num_rows == 230
    for record_id in outpatient.column("record_id").to_pylist():
        enc = encounters[record_id]
        assert enc["class"]["code"] == "AMB"
        assert enc["type"][0]["coding"][0]["code"] in OUTPATIENT_TYPES
        name = orgs[enc["serviceProvider"]["reference"][9:]]["name"]
        assert "HOSPITAL" in name or "MEDICAL CENTER" in name, name
    gp = set(stored.arrow("gp_consultation").column("record_id").to_pylist())
    for ident, enc in encounters.items():
        code = enc["type"][0]["coding"][0]["code"]
        if code in ("185349003", "390906007", "185345009"):  # check-up, follow-up, symptom
            assert ident in gp


def test_registration_rules_are_reported(bundles: list[Path], tmp_path: Path) -> None:
    batch = load_bundles(bundles, RecordStore(tmp_path))
    assert batch.details["registered_by"] == {"generalPractitioner": 0,
                                              "most GP consultations": 136, "none": 0}
    doc = orjson.loads(bundles[0].read_bytes())
    org = next(e["resource"] for e in doc["entry"]
               if e["resource"]["resourceType"] == "Organization")
    doc["entry"][0]["resource"]["generalPractitioner"] = [
        {"reference": f"urn:uuid:{org['id']}"}]
    named = tmp_path / "named" / bundles[0].name
    named.parent.mkdir()
    named.write_bytes(orjson.dumps(doc))
    batch = load_bundles([named, *bundles[1:3]], RecordStore(tmp_path / "s"))
    assert batch.details["registered_by"] == {"generalPractitioner": 1,
                                              "most GP consultations": 2, "none": 0}


# -- item 9: batches named from their content ---------------------------------------------------

def test_two_different_folders_add_up(bundles: list[Path], tmp_path: Path) -> None:
    halves = [tmp_path / "first", tmp_path / "second"]
    for half, files in zip(halves, (bundles[:68], bundles[68:]), strict=True):
        half.mkdir()
        for path in files:
            shutil.copy(path, half / path.name)
    store = RecordStore(tmp_path / "store")
    first = load_bundles(halves[0], store)
    assert check(store, first) is None
    store.commit(first)
    second = load_bundles(halves[1], store)
    assert second.key != first.key
    assert check(store, second) is None  # replaces nothing
    store.commit(second)
    assert len(store.batches()) == 2
    assert store.arrow("person").num_rows == 136
    for name in ("prescription", "diagnosis", "gp_consultation"):
        assert store.arrow(name).num_rows == sum(b.tables[name].num_rows
                                                 for b in (first, second)), name
    # the same patients again (a corrected copy) are the same batch
    assert load_bundles(halves[0], store).key == first.key


# -- item 10: who the person is -------------------------------------------------------------------

def test_identity_fields_are_read(bundles: list[Path], stored: RecordStore) -> None:
    patient = raw_resources(bundles[:1])[0]
    person = next(p for p in stored.arrow("person").to_pylist()
                  if p["given_name"] == " ".join(patient["name"][0]["given"])
                  and p["family_name"] == patient["name"][0]["family"])
    address = patient["address"][0]
    assert person["address"] == ", ".join([*address["line"], address["city"]])
    assert person["postcode"] == address["postalCode"]
    assert person["telephone"] == patient["telecom"][0]["value"]
    assert person["main_language"] == "en"
    # Synthea's US Core race and ethnicity are not NHS ethnic categories: left empty
    assert any("us-core-race" in e["url"] for e in patient["extension"])
    assert stored.arrow("person").column("ethnic_category").null_count == 136


def test_uk_core_extensions(bundles: list[Path], tmp_path: Path) -> None:
    doc = orjson.loads(bundles[0].read_bytes())
    patient = doc["entry"][0]["resource"]
    patient["extension"] = [
        {"url": "https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-EthnicCategory",
         "valueCodeableConcept": {"coding": [{
             "system": "https://fhir.hl7.org.uk/CodeSystem/UKCore-EthnicCategoryEngland",
             "code": "H", "display": "Indian"}]}},
        {"url": "https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-NHSCommunication",
         "extension": [
             {"url": "language", "valueCodeableConcept": {"coding": [{"code": "pa"}]}},
             {"url": "interpreterRequired", "valueBoolean": True}]}]
    patient["name"] = [{"use": "old", "family": "Former", "given": ["Old"]},
                       {"use": "official", "family": "Singh", "given": ["Harpreet", "Kaur"]}]
    edited = tmp_path / "uk.json"
    edited.write_bytes(orjson.dumps(doc))
    person = load_bundles([edited], RecordStore(tmp_path / "s")).tables["person"].to_pylist()[0]
    assert (person["given_name"], person["family_name"]) == ("Harpreet Kaur", "Singh")
    assert (person["ethnic_category"], person["main_language"],
            person["interpreter_required"]) == ("H", "pa", True)
    # a code outside the NHS Data Dictionary set is refused, and no name is shown
    patient["extension"][0]["valueCodeableConcept"]["coding"][0]["code"] = "white"
    edited.write_bytes(orjson.dumps(doc))
    with pytest.raises(IngestError) as refused:
        load_bundles([edited], RecordStore(tmp_path / "s"))
    message = str(refused.value)
    assert "uk.json, entry 0 (Patient), field extension(Extension-UKCore-EthnicCategory) " \
        "(ethnic_category)" in message
    assert "Singh" not in message
    assert "Harpreet" not in message
