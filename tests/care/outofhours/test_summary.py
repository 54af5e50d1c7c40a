"""The out-of-hours summary (CM-5) on SQLite and PostgreSQL: an out-of-hours clinician
reaches it only through break-glass access (404 before, 200 after, the break-glass flag on
the audit row) and never the full person page (404 even with break-glass); break-glass
takes them to the summary; the page shows the plan's contingency section, DNACPR and
where the form is, and says allergies are not held; the FHIR document Bundle validates."""

from __future__ import annotations

from fhir.resources.R4B.bundle import Bundle
from sqlalchemy import select

from ltc.care.audit.models import AuditEvent
from ltc.care.auth import services as auth
from ltc.care.auth.models import Role, User
from ltc.care.careplans import carers
from ltc.care.careplans import services as plans
from ltc.care.db import make_engine, sessions, unit_of_work
from ltc.care.people.models import PersonActivity

from ..care import IN_AREA, PASSWORD, Community, api_client, db, signed_in

REASON = "Called to the home at night: unconscious, no other record"


def _ooh(community: Community) -> None:
    engine = make_engine(community.url)
    with unit_of_work(sessions(engine)) as s:
        auth.create_user(s, "ooh", "Out Of Hours", Role.OUT_OF_HOURS, PASSWORD)
        gp = s.scalar(select(User).where(User.username == "gp"))
        assert gp is not None
        plans.save(s, IN_AREA, {
            "status": "active", "goals": ["Stay at home"], "review_date": "2030-07-01",
            "emergency_plan": "Call the daughter first; rescue pack in the kitchen",
            "end_of_life": {"dnacpr": "in_place",
                            "dnacpr_form_location": "Purple folder by the front door"}},
            0, gp)
        carers.add(s, IN_AREA, {"name": "Dee Daughter", "relationship": "daughter",
                                "telephone": "07700 900123", "main_carer": "yes"}, gp)
        s.add(PersonActivity(run_id="run-0001", nhs_number=IN_AREA,
                             medicines='[["Furosemide 40mg tablets", "2025-03-20", 4]]'))
    engine.dispose()


def _glass(client: object) -> object:
    return client.post(f"/break-glass/{IN_AREA}",  # type: ignore[attr-defined]
                       data={"reason": REASON}, follow_redirects=False)


def test_out_of_hours_reaches_the_summary_only_through_break_glass(
        app: object, community: Community) -> None:
    _ooh(community)
    client = signed_in(app, "ooh")
    assert client.get(f"/people/{IN_AREA}/out-of-hours").status_code == 404
    r = _glass(client)
    assert r.status_code == 303  # type: ignore[attr-defined]
    assert r.headers["location"] == f"/people/{IN_AREA}/out-of-hours"  # type: ignore[attr-defined]
    page = client.get(f"/people/{IN_AREA}/out-of-hours")
    assert page.status_code == 200
    assert "Call the daughter first; rescue pack in the kitchen" in page.text
    assert "DNACPR decision in place" in page.text
    assert "Purple folder by the front door" in page.text
    assert "None recorded in LTC" in page.text
    assert "Dee Daughter (daughter), 07700 900123" in page.text
    assert "Furosemide 40mg tablets (last issued 20 Mar 2025)" in page.text
    # the full person page and every other person route refuse them, break-glass or not
    assert client.get(f"/people/{IN_AREA}").status_code == 404
    assert client.get(f"/people/{IN_AREA}/careplan").status_code == 404
    with db(community.url) as s:
        rows = s.execute(select(AuditEvent.what, AuditEvent.break_glass).where(
            AuditEvent.username == "ooh", AuditEvent.nhs_number == IN_AREA)).all()
    assert (f"GET /people/{IN_AREA}/out-of-hours", True) in [tuple(r) for r in rows]


def test_the_fhir_document_validates(app: object, community: Community) -> None:
    _ooh(community)
    client = api_client(app, "ooh")
    assert client.get(f"/api/v1/people/{IN_AREA}/out-of-hours").status_code == 404
    assert _glass(signed_in(app, "ooh")).status_code == 303  # type: ignore[attr-defined]
    r = client.get(f"/api/v1/people/{IN_AREA}/out-of-hours")
    assert r.status_code == 200
    doc = Bundle.model_validate(r.json())
    assert doc.type == "document"
    kinds = [e.resource.__resource_type__ for e in doc.entry or []]
    assert kinds == ["Composition", "Patient", "CarePlan"]
    titles = [s["title"] for s in r.json()["entry"][0]["resource"]["section"]]
    assert "If things go wrong" in titles
    assert "Allergies" in titles
    medicines = r.json()["entry"][0]["resource"]["section"][titles.index("Medicines")]
    assert "Furosemide 40mg tablets" in medicines["text"]["div"]


def test_a_clinician_reads_the_summary_without_break_glass(app: object,
                                                           community: Community) -> None:
    r = signed_in(app, "gp").get(f"/people/{IN_AREA}/out-of-hours")
    assert r.status_code == 200
    assert "None recorded" in r.text
    assert signed_in(app, "analyst").get(f"/people/{IN_AREA}/out-of-hours").status_code == 404


def test_no_other_person_route_admits_out_of_hours_clinicians(app: object) -> None:
    from ltc.web.policy import policy_of, routes

    admitting = sorted(
        r.path for r in routes(app) if r.endpoint is not None
        and (p := policy_of(r.endpoint)) is not None and p.kind == "person"
        and (p.roles is None or Role.OUT_OF_HOURS.value in p.roles))
    assert admitting == ["/api/v1/people/{nhs_number}/out-of-hours",
                         "/people/{nhs_number}/out-of-hours"]
