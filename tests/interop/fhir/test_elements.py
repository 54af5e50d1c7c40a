"""The one FHIR element reader: what bulk ingest and the real-time Encounter feed share
(codings, references, periods, times, the encounter class), and that both read through it."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from ltc.care.events.feed import FeedError
from ltc.interop import details
from ltc.interop.fhir import elements, encounter, messages, reader
from ltc.records.ingest import synthea_codes

NHS = "9434765919"


def test_every_encounter_class_goes_where_the_record_plane_puts_it() -> None:
    # the bulk ingest's class table is the settings' table mapped onto record tables
    assert reader.ENCOUNTER_TABLES == synthea_codes.FHIR_ENCOUNTER_CLASSES
    for code, setting in elements.ENCOUNTER_SETTINGS.items():
        table = synthea_codes.FHIR_ENCOUNTER_CLASSES[code].table
        if setting == "inpatient":
            assert table == "inpatient_spell", code
        if setting == "emergency":
            assert table == "ae_attendance", code


def test_the_real_time_feed_takes_the_inpatient_and_emergency_classes() -> None:
    assert {"IMP", "ACUTE", "NONAC"} == encounter.INPATIENT_CLASSES
    assert {"EMER"} == encounter.EMERGENCY_CLASSES
    assert elements.setting_of(" IMP ") == "inpatient"
    assert elements.setting_of("OBSENC") == "observation"
    assert elements.setting_of("PRENC") is None


def test_codings() -> None:
    concept = {"coding": [{"system": "a", "code": " 1 "}, {"system": "b", "code": "2"},
                          {"system": "b"}], "text": "x"}
    assert elements.first_code(concept) == "1"
    assert elements.first_code({"coding": []}) == ""
    assert elements.first_code("not a concept") == ""
    assert elements.codes_of(concept, "b") == ["2"]
    assert [i for i, _ in elements.codings_in(concept, "b")] == [1, 2]
    assert elements.codings_in({"coding": "broken"}, "b") == []


def test_references() -> None:
    assert elements.ref_id("urn:uuid:abc") == "abc"
    assert elements.ref_id("https://x.org/fhir/Patient/p1/_history/2") == "p1"
    patient = {"resourceType": "Patient", "id": "p1"}
    org = {"resourceType": "Organization", "id": "o1"}
    entries = [{"fullUrl": "urn:uuid:p-uuid", "resource": patient},
               {"fullUrl": "https://x.org/fhir/Organization/o1", "resource": org}]
    contained = [{"resourceType": "Location", "id": "ward"}]
    assert elements.resolve({"reference": "urn:uuid:p-uuid"}, entries, []) is patient
    assert elements.resolve({"reference": "Patient/p1"}, entries, [], "Patient") is patient
    assert elements.resolve({"reference": "Organization/o1"}, entries, []) is org
    assert elements.resolve({"reference": "Patient/p1"}, entries, [], "Organization") is None
    assert elements.resolve({"reference": "#ward"}, entries, contained) is contained[0]
    assert elements.resolve({"display": "no reference"}, entries, contained) is None


def test_periods_and_times() -> None:
    assert elements.period_of({"period": {"start": "2026-03-01"}}) == {"start": "2026-03-01"}
    assert elements.period_of({}) == {}
    assert elements.date_time("2026-03-01T10:00:00+01:00") == datetime(
        2026, 3, 1, 10, tzinfo=timezone(timedelta(hours=1)))
    assert elements.date_time("2026-03-01") == datetime(2026, 3, 1)
    with pytest.raises(ValueError, match="only part of a date"):
        elements.date_time("2026-03")


def _encounter(cls: str, status: str = "in-progress", **extra: Any) -> dict[str, Any]:
    return {"resourceType": "Encounter", "id": "e1", "status": status,
            "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
                      "code": cls},
            "subject": {"identifier": {"system": encounter.NHS_NUMBER_SYSTEM,
                                       "value": NHS}},
            "period": {"start": "2026-03-01T10:00:00Z"}, **extra}


def test_the_real_time_reader_reads_the_class_through_the_settings() -> None:
    assert messages.read(json.dumps(_encounter("ACUTE"))).kind == "admission"
    emergency = json.dumps(_encounter("EMER"))
    assert messages.read(emergency).kind == "attendance"
    assert details.emergency_attendance("fhir", emergency) is True
    # an observation encounter is an attendance, but not at an emergency department
    assert details.emergency_attendance("fhir", json.dumps(_encounter("OBSENC"))) is False
    for other in ("SS", "PRENC"):
        with pytest.raises(FeedError) as refused:
            messages.read(json.dumps(_encounter(other)))
        assert refused.value.code == "AR"
        assert "inpatient (ACUTE, IMP, NONAC) and emergency (EMER)" in refused.value.reason


def test_the_real_time_reader_reads_codings_in_their_system() -> None:
    coded = _encounter("IMP", hospitalization={"admitSource": {"coding": [
        {"system": "http://other.org", "code": "x"},
        {"system": encounter.ADMISSION_METHOD_SYSTEM, "code": "21"}]},
        "dischargeDisposition": {"coding": [{"code": "exp"}]}})
    event = messages.read(json.dumps(coded))
    assert (event.admission_method, event.unplanned, event.died) == ("21", True, True)
    wrong = _encounter("IMP", hospitalization={"admitSource": {"coding": [
        {"system": "http://other.org", "code": "x"},
        {"system": encounter.ADMISSION_METHOD_SYSTEM, "code": "zz"}]}})
    with pytest.raises(FeedError) as refused:
        messages.read(json.dumps(wrong))
    assert refused.value.reason.startswith(
        "Encounter.hospitalization.admitSource.coding[1]: 'zz' is not an NHS admission")
