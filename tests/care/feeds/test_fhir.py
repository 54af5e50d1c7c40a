"""The FHIR R4 feed: reading Encounters and message Bundles into events (the mapping, and
what is refused with which code), and ``POST /api/v1/feeds/fhir`` on both databases: an
admission of a case-managed person alerts the case manager and makes tasks, the same
message again changes nothing, a discharge makes a follow-up task, what cannot be read is
quarantined and nothing else is written, only an interface user may post and it may see
nobody's record (CM-8, CM-9)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.operationoutcome import OperationOutcome
from sqlalchemy import select

from ltc.care.events.feed import FeedError
from ltc.care.events.models import Alert, CareEvent, InboundMessage
from ltc.care.work.models import Task
from ltc.interop import feeds
from ltc.interop.fhir import encounter as fhir_codes
from ltc.interop.fhir import messages as fhir

from ..care import IN_AREA, MISSING, OTHER_AREA, Community, api_client, db
from . import counts, interface_client, on_caseload

FHIR_JSON = {"Content-Type": "application/fhir+json"}


def encounter(status: str = "in-progress", *, nhs_number: str | None = IN_AREA,
              ident: str = "enc-1", cls: str = "IMP", **extra: Any) -> dict[str, Any]:
    """An Encounter of ``nhs_number``: an emergency admission on 26 November 2026."""
    period: dict[str, str] = {"start": "2026-11-26T14:30:00+00:00"}
    if status == "finished":
        period["end"] = "2026-11-30T10:00:00Z"
    resource: dict[str, Any] = {
        "resourceType": "Encounter", "id": ident, "status": status,
        "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": cls},
        "identifier": [{"system": "https://example.nhs.uk/spell", "value": "SPELL-77"}],
        "period": period,
        "extension": [{"url": fhir_codes.ADMISSION_METHOD_EXTENSION, "valueCodeableConcept": {
            "coding": [{"system": fhir_codes.ADMISSION_METHOD_SYSTEM, "code": "21"}]}}],
        "serviceProvider": {"identifier": {"system": fhir_codes.ODS_SYSTEM, "value": "RXX01"}},
        "location": [{"location": {"display": "Ward 7"}, "status": "active"}]}
    if nhs_number is not None:
        resource["subject"] = {"identifier": {"system": fhir_codes.NHS_NUMBER_SYSTEM,
                                              "value": nhs_number}}
    return resource | extra


def message(bundle_id: str = "msg-1", *, status: str = "in-progress",
            nhs_number: str = OTHER_AREA) -> dict[str, Any]:
    """A message Bundle: header, Encounter, Patient and the hospital."""
    enc = encounter(status, nhs_number=None, ident="enc-9")
    enc.pop("extension")
    enc |= {"subject": {"reference": "urn:uuid:patient-1"}, "priority": {"coding": [
        {"system": "http://terminology.hl7.org/CodeSystem/v3-ActPriority", "code": "EL"}]},
        "serviceProvider": {"reference": "Organization/rxx"}}
    enc["location"] = [{"location": {"reference": "Location/w3"}}]
    return {"resourceType": "Bundle", "id": bundle_id, "type": "message", "entry": [
        {"fullUrl": "urn:uuid:header-1", "resource": {
            "resourceType": "MessageHeader",
            "eventCoding": {"system": "https://fhir.nhs.uk/CodeSystem/message-event",
                            "code": "admit-inpatient"},
            "source": {"endpoint": "https://pas.rxx.example/fhir"},
            "focus": [{"reference": "urn:uuid:enc-9"}]}},
        {"fullUrl": "urn:uuid:enc-9", "resource": enc},
        {"fullUrl": "urn:uuid:patient-1", "resource": {
            "resourceType": "Patient", "identifier": [
                {"system": "https://fhir.nhs.uk/Id/nhs-number", "value": nhs_number}]}},
        {"fullUrl": "https://pas.rxx.example/fhir/Organization/rxx", "resource": {
            "resourceType": "Organization", "id": "rxx", "name": "Royal Example",
            "identifier": [{"system": fhir_codes.ODS_SYSTEM, "value": "RXX"}]}},
        {"fullUrl": "https://pas.rxx.example/fhir/Location/w3", "resource": {
            "resourceType": "Location", "id": "w3", "name": "Ward 3"}}]}


def read(resource: dict[str, Any]) -> Any:
    return fhir.read(json.dumps(resource))


def refused(resource: dict[str, Any] | str) -> FeedError:
    with pytest.raises(FeedError) as caught:
        fhir.read(resource if isinstance(resource, str) else json.dumps(resource))
    return caught.value


# -- reading ----------------------------------------------------------------------------
def test_an_encounter_maps_to_an_event() -> None:
    event = read(encounter(meta={"versionId": "3", "source": "https://pas.example"},
                           period={"start": "2026-11-26T14:30:00+01:00"}))
    assert (event.feed, event.kind, event.nhs_number) == ("fhir", "admission", IN_AREA)
    assert event.occurred_at == datetime(2026, 11, 26, 13, 30)  # naive UTC
    assert (event.spell_id, event.facility, event.location) == ("SPELL-77", "RXX01", "Ward 7")
    assert (event.admission_method, event.unplanned) == ("21", True)
    assert (event.sender, event.control_id) == ("https://pas.example",
                                                "Encounter/enc-1/_history/3")
    assert event.message_type == "Encounter"


def test_the_status_and_class_give_the_kind() -> None:
    assert read(encounter("finished")).kind == "discharge"
    assert read(encounter("finished")).occurred_at == datetime(2026, 11, 30, 10, 0)
    assert read(encounter("cancelled")).kind == "cancel_admission"
    assert read(encounter("entered-in-error", cls="ACUTE")).kind == "cancel_admission"
    assert read(encounter("arrived", cls="EMER")).kind == "attendance"
    assert refused(encounter("planned")).code == "AR"
    assert refused(encounter(cls="AMB")).code == "AR"
    error = refused(encounter("admitted"))
    assert error.code == "AE"
    assert error.reason.startswith("Encounter.status:")


def test_without_a_version_the_status_keeps_an_update_apart() -> None:
    sent = read(encounter("in-progress")).control_id
    assert sent == "Encounter/enc-1/in-progress"
    assert read(encounter("finished")).control_id != sent


def test_the_admission_method_and_priority_say_whether_it_was_planned() -> None:
    plain = encounter()
    plain.pop("extension")
    assert (read(plain).admission_method, read(plain).unplanned) == (None, None)
    urgent = plain | {"priority": {"coding": [{"code": "UR"}]}}
    assert read(urgent).unplanned is True
    admitted = plain | {"hospitalization": {"admitSource": {"coding": [
        {"system": fhir_codes.ADMISSION_METHOD_SYSTEM, "code": "11"}]}}}
    assert (read(admitted).admission_method, read(admitted).unplanned) == ("11", False)
    wrong = encounter(extension=[{"url": fhir_codes.ADMISSION_METHOD_EXTENSION,
                                  "valueCodeableConcept": {"coding": [{"code": "77"}]}}])
    error = refused(wrong)
    assert error.code == "AE"
    assert error.reason.startswith("Encounter.extension[0].valueCodeableConcept: '77'")


def test_a_message_bundle_maps_to_an_event() -> None:
    event = read(message())
    assert (event.kind, event.nhs_number, event.unplanned) == ("admission", OTHER_AREA, False)
    assert (event.sender, event.control_id) == ("https://pas.rxx.example/fhir", "msg-1")
    assert (event.facility, event.location) == ("RXX", "Ward 3")
    assert event.message_type == "message admit-inpatient"


def test_a_death_is_read() -> None:
    died = encounter("finished", hospitalization={"dischargeDisposition": {"coding": [
        {"system": "http://terminology.hl7.org/CodeSystem/discharge-disposition",
         "code": "exp"}]}})
    assert read(died).died is True
    assert read(encounter("finished")).died is False


def test_what_is_refused_names_the_element() -> None:
    assert refused("{not json").code == "AE"
    assert refused(encounter(period={"start": "2026-13-01"})).reason.startswith(
        "Encounter.period.start:")
    assert refused(encounter(identifier="SPELL-77")).reason.startswith(
        "Encounter.identifier:")
    assert refused(encounter(period={"start": "2026-11"})).code == "AE"
    assert refused(encounter(id=None)).reason.startswith("Encounter.id:")
    assert refused({"resourceType": "Patient"}).code == "AR"
    assert refused("[]").code == "AR"
    bundle = message()
    bundle["entry"][1]["resource"]["period"] = {"start": "yesterday"}
    assert refused(bundle).reason.startswith("Bundle.entry[1].resource.period.start:")
    bundle = message()
    bundle["entry"].append({"resource": {"resourceType": "Nonsense"}})
    assert refused(bundle).reason.startswith("Bundle.entry[5].resource.resourceType:")
    headless = message()
    headless["entry"] = headless["entry"][1:]
    assert refused(headless).reason.startswith("Bundle.entry[0].resource:")
    unfocused = message()
    unfocused["entry"][0]["resource"]["focus"] = [{"reference": "urn:uuid:patient-1"}]
    assert refused(unfocused).reason.startswith("Bundle.entry[0].resource.focus:")
    assert refused(message() | {"type": "document"}).code == "AR"


# -- the endpoint -----------------------------------------------------------------------
def _post(client: Any, resource: dict[str, Any]) -> Any:
    return client.post("/api/v1/feeds/fhir", content=json.dumps(resource), headers=FHIR_JSON)


def _issues(r: Any) -> list[Any]:
    outcome = OperationOutcome.model_validate(r.json())
    return list(outcome.issue)


def test_an_admission_then_a_discharge_of_a_case_managed_person(
        app: object, community: Community) -> None:
    on_caseload(community, IN_AREA)
    client = interface_client(app, community)
    r = _post(client, encounter())
    assert r.status_code == 201, r.text
    assert r.headers["content-type"].startswith("application/fhir+json")
    assert [(i.severity, i.code) for i in _issues(r)] == [("information", "informational")]
    with db(community.url) as s:
        alert = s.scalars(select(Alert)).one()
        assert (alert.kind, alert.nhs_number) == ("admission", IN_AREA)
        assert alert.user_id == community.users["matron"]
        kinds = sorted(t.kind for t in s.scalars(select(Task)))
        assert kinds == ["admission_review", "discharge_planning"]
        row = s.scalars(select(CareEvent)).one()
        assert (row.kind, row.unplanned, row.spell_id) == ("admission", True, "SPELL-77")
    before = counts(community.url)

    again = _post(client, encounter())  # the same message: a duplicate
    assert again.status_code == 200, again.text
    assert [i.code for i in _issues(again)] == ["duplicate"]
    assert counts(community.url) == before
    with db(community.url) as s:
        assert s.scalars(select(InboundMessage)).one().duplicates == 1

    done = _post(client, encounter("finished"))
    assert done.status_code == 201, done.text
    with db(community.url) as s:
        follow_up = s.scalars(select(Task).where(Task.kind == "follow_up")).one()
        assert follow_up.assigned_to == community.users["matron"]
        assert s.scalars(select(CareEvent.kind).order_by(CareEvent.id)).all() == [
            "admission", "discharge"]


def test_a_new_version_of_an_encounter_updates_it(app: object, community: Community) -> None:
    """A ward move or a correction sends the Encounter again with a new versionId: it is an
    update of the same spell, not a second admission or discharge."""
    on_caseload(community, IN_AREA)
    client = interface_client(app, community)
    moved = {"location": [{"location": {"display": "Ward 9"}, "status": "active"}]}
    for version, status, extra in (("1", "in-progress", {}), ("2", "in-progress", moved),
                                   ("3", "finished", {}), ("4", "finished", moved)):
        r = _post(client, encounter(status, meta={"versionId": version}, **extra))
        assert r.status_code == 201, r.text
    with db(community.url) as s:
        assert s.scalars(select(CareEvent.kind).order_by(CareEvent.id)).all() == [
            "admission", "update", "discharge", "update"]
        assert len(s.scalars(select(Alert)).all()) == 1
        assert sorted(t.kind for t in s.scalars(select(Task))) == [
            "admission_review", "discharge_planning", "follow_up"]
    # entered in error: the spell never happened, so its discharge's task goes too
    r = _post(client, encounter("entered-in-error", meta={"versionId": "5"}))
    assert r.status_code == 201, r.text
    with db(community.url) as s:
        assert [t.cancelled_at is not None for t in s.scalars(select(Task))] == [True] * 3
        assert s.scalars(select(Alert)).one().cancelled_at is not None


def test_a_message_for_someone_else_alerts_their_practice(app: object,
                                                          community: Community) -> None:
    client = interface_client(app, community)
    r = client.post("/api/v1/feeds/fhir", json=message())  # application/json
    assert r.status_code == 201, r.text
    with db(community.url) as s:
        alert = s.scalars(select(Alert)).one()
        assert (alert.kind, alert.practice_code, alert.user_id) == (
            "practice_admission", "P2", None)
        row = s.scalars(select(InboundMessage)).one()
        assert (row.sender, row.control_id, row.status) == (
            "https://pas.rxx.example/fhir", "msg-1", "applied")


def test_an_unknown_person_waits_in_the_review_queue(app: object,
                                                     community: Community) -> None:
    client = interface_client(app, community)
    r = _post(client, encounter(nhs_number=MISSING))
    assert r.status_code == 201, r.text
    assert [(i.severity, i.code) for i in _issues(r)] == [("warning", "not-found")]
    with db(community.url) as s:
        row = s.scalars(select(InboundMessage)).one()
        assert (row.status, row.nhs_number) == ("unmatched", MISSING)
    assert counts(community.url)["events"] == 0


def test_an_invalid_resource_is_quarantined(app: object, community: Community) -> None:
    client = interface_client(app, community)
    r = _post(client, encounter(period={"start": "2026-11-31T10:00:00Z"}))
    assert r.status_code == 422, r.text
    (issue,) = _issues(r)
    assert (issue.severity, issue.code) == ("error", "invalid")
    assert issue.expression == ["Encounter.period.start"]
    with db(community.url) as s:
        row = s.scalars(select(InboundMessage)).one()
        assert row.status == "quarantined"
        assert row.problem.startswith("Encounter.period.start:")
    after = counts(community.url)
    assert after["messages"] == 1
    assert after["events"] == after["alerts"] == after["tasks"] == 0


def test_a_resource_this_feed_does_not_take_is_rejected(app: object,
                                                        community: Community) -> None:
    client = interface_client(app, community)
    r = _post(client, {"resourceType": "Patient", "identifier": [
        {"system": fhir_codes.NHS_NUMBER_SYSTEM, "value": IN_AREA}]})
    assert r.status_code == 400, r.text
    assert [(i.severity, i.code) for i in _issues(r)] == [("error", "not-supported")]
    with db(community.url) as s:
        assert s.scalars(select(InboundMessage.status)).all() == ["quarantined"]
    assert counts(community.url)["events"] == 0
    plain = client.post("/api/v1/feeds/fhir", content=json.dumps(encounter()),
                        headers={"Content-Type": "text/plain"})
    assert plain.status_code == 415


def test_a_batch_takes_each_entry_as_a_message(app: object, community: Community) -> None:
    client = interface_client(app, community)
    batch = {"resourceType": "Bundle", "type": "batch", "entry": [
        {"resource": encounter(ident="a")}, {"resource": encounter(cls="AMB", ident="b")},
        {"resource": message()}]}
    r = _post(client, batch)
    assert r.status_code == 200, r.text
    answer = Bundle.model_validate(r.json())
    assert answer.type == "batch-response"
    assert [e.response.status for e in answer.entry] == [
        "201 Created", "400 Bad Request", "201 Created"]
    with db(community.url) as s:
        assert sorted(s.scalars(select(InboundMessage.status))) == [
            "applied", "applied", "quarantined"]


def test_a_transaction_is_taken_whole_or_not_at_all(app: object,
                                                    community: Community) -> None:
    client = interface_client(app, community)
    bad = encounter(ident="b", period={"start": "soon"})
    transaction = {"resourceType": "Bundle", "type": "transaction", "entry": [
        {"resource": encounter(ident="a")}, {"resource": bad}]}
    r = _post(client, transaction)
    assert r.status_code == 422, r.text
    (issue,) = _issues(r)
    assert issue.expression == ["Bundle.entry[1].resource.period.start"]
    with db(community.url) as s:
        assert s.scalars(select(InboundMessage.status)).all() == ["quarantined"]
    assert counts(community.url)["events"] == 0
    transaction["entry"] = transaction["entry"][:1]
    done = _post(client, transaction)
    assert done.status_code == 200, done.text
    assert Bundle.model_validate(done.json()).type == "transaction-response"
    assert counts(community.url)["events"] == 1


def test_only_an_interface_user_posts_and_it_sees_no_record(app: object,
                                                            community: Community) -> None:
    matron = api_client(app, "matron")
    assert _post(matron, encounter()).status_code == 403
    client = interface_client(app, community)
    assert client.get(f"/api/v1/people/{IN_AREA}").status_code == 404
    assert client.get(f"/people/{IN_AREA}", follow_redirects=False).status_code == 404
    assert client.get("/api/v1/tasks").status_code == 403
    assert client.get("/worklist", follow_redirects=False).status_code == 403
    home = client.get("/", follow_redirects=False)
    assert home.status_code == 403
    assert "system feed" in home.text
    assert counts(community.url)["messages"] == 0


def test_a_kept_message_is_read_again_by_the_fhir_reader(community: Community) -> None:
    from ltc.care.auth.models import User
    from ltc.care.events import rules as alert_rules

    rules = alert_rules.load()
    with db(community.url) as s:
        outcome = feeds.receive(s, rules, "fhir", json.dumps(encounter(nhs_number=None)))
        assert outcome.status == "unmatched"
        assert outcome.message_id is not None
        matron = s.get(User, community.users["matron"])
        assert matron is not None
        done = feeds.match_by_hand(s, rules, outcome.message_id, IN_AREA, matron)
        assert done.status == "applied"
        s.commit()
    assert counts(community.url)["events"] == 1
