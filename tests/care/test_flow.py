"""The case manager's path through the pages over HTTP: worklist, allocation, consent,
care plan (CM-2, CM-3, CM-5)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ltc.care.audit.models import AuditEvent
from ltc.care.casemgmt.models import CaseloadEntry

from .care import IN_AREA, IN_AREA_2, LOW, OTHER_AREA, Community, db, signed_in


def test_worklist_shows_level_3_people_of_the_area_only(app: object,
                                                         community: Community) -> None:
    matron = signed_in(app, "matron")
    page = matron.get("/worklist")
    assert page.status_code == 200
    assert "943 476 5919" in page.text
    assert "900 000 0009" in page.text
    assert "900 000 0017" not in page.text  # another locality
    assert "900 000 0025" not in page.text  # level 1
    assert page.text.index("943 476 5919") < page.text.index("900 000 0009")  # risk order


def test_allocate_consent_and_plan(app: object, community: Community) -> None:
    matron = signed_in(app, "matron")
    r = matron.post(f"/people/{IN_AREA}/allocate",
                    data={"case_manager": community.users["matron"]}, follow_redirects=False)
    assert r.status_code == 303
    with db(community.url) as s:
        entry = s.scalar(select(CaseloadEntry).where(CaseloadEntry.nhs_number == IN_AREA))
        assert entry is not None
        assert entry.user_id == community.users["matron"]
        assert entry.suggested_user_id == community.users["matron"]
    assert "943 476 5919" not in matron.get("/worklist").text  # now on a caseload
    assert "943 476 5919" in matron.get("/caseload").text
    summary = matron.get(f"/people/{IN_AREA}")
    assert "Matron" in summary.text  # the named case manager
    r = matron.post(f"/people/{IN_AREA}/approach",
                    data={"outcome": "agreed", "on": "2025-04-02", "note": "happy to go ahead"},
                    follow_redirects=False)
    assert r.status_code == 303
    form = matron.get(f"/people/{IN_AREA}/careplan")
    assert 'name="based_on" value="0"' in form.text
    r = matron.post(f"/people/{IN_AREA}/careplan", data={
        "based_on": "0", "status": "active", "goals": "Walk to the shops\nStay at home",
        "action_0_who": "Jo Matron", "action_0_agency": "Community nursing",
        "action_0_what": "Visit weekly", "action_0_by": "2025-05-01",
        "review_date": "2025-07-01", "emergency_plan": "Call the matron"},
        follow_redirects=False)
    assert r.status_code == 303, r.text
    versions = matron.get(f"/people/{IN_AREA}/careplan/versions")
    assert "Version 1 saved" not in versions.text  # only after a save redirect
    pdf = matron.get(f"/people/{IN_AREA}/careplan.pdf")
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    copy = matron.get(f"/people/{IN_AREA}/careplan/copy")
    assert "Walk to the shops" in copy.text


def test_declined_person_is_not_offered_again_before_review(app: object,
                                                            community: Community) -> None:
    matron = signed_in(app, "matron")
    r = matron.post(f"/people/{IN_AREA_2}/approach",
                    data={"outcome": "declined", "on": "2025-04-02"}, follow_redirects=False)
    assert r.status_code == 422
    assert "review date" in r.text
    r = matron.post(f"/people/{IN_AREA_2}/approach",
                    data={"outcome": "declined", "on": "2025-04-02", "review_on": "2999-01-01"},
                    follow_redirects=False)
    assert r.status_code == 303
    assert "900 000 0009" not in matron.get("/worklist").text


def test_practice_clinician_nominates_and_excludes(app: object, community: Community) -> None:
    gp = signed_in(app, "gp")
    r = gp.post(f"/people/{LOW}/nominate", data={"action": "nominate", "reason": "frail"},
                follow_redirects=False)
    assert r.status_code == 303
    matron = signed_in(app, "matron")
    assert "900 000 0025" in matron.get("/worklist").text  # nominated though at level 1
    gp.post(f"/people/{IN_AREA}/nominate", data={"action": "exclude", "reason": "in a hospice"})
    assert "943 476 5919" not in matron.get("/worklist").text
    # a practice clinician sees only their own practice's people
    assert gp.get(f"/people/{OTHER_AREA}").status_code == 404


def test_every_person_read_is_audited(app: object, community: Community) -> None:
    matron = signed_in(app, "matron")
    matron.get(f"/people/{IN_AREA}")
    with db(community.url) as s:
        rows = s.scalars(select(AuditEvent).where(AuditEvent.nhs_number == IN_AREA)).all()
    assert [(r.action, r.username) for r in rows] == [("list", "matron"), ("read", "matron")]


def test_the_worklist_comes_a_page_at_a_time(app: object, community: Community,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from ltc.care.casemgmt import services

    monkeypatch.setattr(services, "PAGE", 1)
    matron = signed_in(app, "matron")
    first = matron.get("/worklist")
    assert "943 476 5919" in first.text  # the higher risk first
    assert "900 000 0009" not in first.text
    assert 'href="/worklist?page=2"' in first.text
    second = matron.get("/worklist?page=2")
    assert "900 000 0009" in second.text
    assert "943 476 5919" not in second.text
    assert 'href="/worklist?page=1"' in second.text
    assert 'href="/worklist?page=3"' not in second.text
    api = matron.get("/api/v1/worklist?page=2").json()
    assert [c["nhs_number"] for c in api] == [IN_AREA_2]
    assert matron.get("/worklist?page=0").status_code == 422
