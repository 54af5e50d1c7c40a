"""Named contacts over HTTP (DM-3; privacy), on SQLite and PostgreSQL: the practice
manager's allocation page, its preview (changing nothing; each person it lists audited),
saving (one audited write per person named) and refusing a stale preview, the undo; a
person's named contact on their page and in their copy of the care plan, set by the
practice team; the pages are the practice team's only, for their own practice."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from ltc.care.audit.models import AuditEvent
from ltc.care.contacts import services
from ltc.care.contacts.models import NamedContact

from ..care import IN_AREA, IN_AREA_2, LOW, OTHER_AREA, Community, db, signed_in
from ..samples import FORM_PLAN
from .team import add_team, signed_in_as


def _audit(url: str, action: str, what: str) -> list[str]:
    with db(url) as s:
        return sorted(s.scalars(select(AuditEvent.nhs_number).where(
            AuditEvent.action == action, AuditEvent.what == what)))


def _named(url: str) -> dict[str, int]:
    with db(url) as s:
        return dict(s.execute(select(NamedContact.nhs_number, NamedContact.user_id).where(
            NamedContact.ended_at.is_(None))).all())


def test_a_manager_previews_saves_and_undoes_an_allocation(app: Any,
                                                           community: Community) -> None:
    users = add_team(community.url, community.users)
    pm = signed_in_as(app, "pm", "/contacts")
    page = pm.get("/contacts")
    assert page.status_code == 200
    assert 'id="contacts-waiting"><strong>3</strong> people' in page.text
    assert "Chronic obstructive pulmonary disease: 3" in page.text
    query = {"clinician": [users["gp"], users["nurse"]],
             "condition": ["", f"heart_failure:{users['nurse']}"]}
    preview = pm.get("/contacts/allocation", params=query)
    assert preview.status_code == 200
    assert "3 people would be given a named contact" in preview.text
    assert "Heart failure: given to Nia Nurse" in preview.text
    assert _named(community.url) == {}  # nothing saved yet
    assert _audit(community.url, "list", "GET /contacts/allocation") == sorted(
        [IN_AREA, IN_AREA_2, LOW])
    fingerprint = preview.text.split('name="fingerprint" value="')[1].split('"')[0]
    form = {**query, "fingerprint": fingerprint}
    # a stale preview is refused and the new one shown
    stale = pm.post("/contacts/allocation", data={**form, "fingerprint": "0" * 16},
                    follow_redirects=False)
    assert stale.status_code == 422
    assert "changed since the preview" in stale.text
    assert _named(community.url) == {}
    saved = pm.post("/contacts/allocation", data=form, follow_redirects=False)
    assert (saved.status_code, saved.headers["location"]) == (303, "/contacts?note=allocated")
    assert _named(community.url) == {IN_AREA: users["nurse"], IN_AREA_2: users["nurse"],
                                      LOW: users["nurse"]}
    assert _audit(community.url, "write", "POST /contacts/allocation") == sorted(
        [IN_AREA, IN_AREA_2, LOW])
    page = pm.get("/contacts?note=allocated")
    assert "The named contacts have been saved" in page.text
    assert 'id="contacts-waiting"><strong>0</strong> people' in page.text
    allocation_id = page.text.split('action="/contacts/allocations/')[1].split("/")[0]
    undone = pm.post(f"/contacts/allocations/{allocation_id}/undo", follow_redirects=False)
    assert undone.status_code == 303
    assert _named(community.url) == {}
    assert len(_audit(community.url, "write",
                      f"POST /contacts/allocations/{allocation_id}/undo")) == 3
    again = pm.post(f"/contacts/allocations/{allocation_id}/undo", follow_redirects=False)
    assert again.status_code == 409
    assert "already been undone" in again.text


def test_a_person_page_shows_and_changes_the_named_contact(app: Any,
                                                           community: Community) -> None:
    users = add_team(community.url, community.users)
    gp = signed_in(app, "gp")
    page = gp.get(f"/people/{IN_AREA}").text
    assert "No named contact yet." in page
    assert f'<option value="{users["nurse"]}"' in page  # the practice's clinicians offered
    r = gp.post(f"/people/{IN_AREA}/contact", data={"user_id": users["nurse"]},
                follow_redirects=False)
    assert r.headers["location"] == f"/people/{IN_AREA}?note=named-contact"
    page = gp.get(f"/people/{IN_AREA}?note=named-contact").text
    assert "Named contact saved." in page
    assert "<strong>Nia Nurse</strong> (practice nurse)" in page
    # a case manager sees the named contact, but is not offered the form
    matron = signed_in(app, "matron").get(f"/people/{IN_AREA}").text
    assert "<strong>Nia Nurse</strong>" in matron
    assert f'action="/people/{IN_AREA}/contact"' not in matron
    # another practice's clinician cannot be named; the other practice's team gets 404
    r = gp.post(f"/people/{IN_AREA}/contact", data={"user_id": users["nurse2"]})
    assert r.status_code == 422
    assert "GP or practice nurse of practice P1" in r.text
    assert signed_in(app, "gp2").post(f"/people/{IN_AREA}/contact",
                                      data={"user_id": users["nurse2"]}).status_code == 404
    with db(community.url) as s:
        assert services.named_contact(s, IN_AREA) is not None
        assert s.scalar(select(func.count()).select_from(NamedContact)) == 1


def test_the_persons_copy_of_their_plan_names_their_contact(app: Any,
                                                            community: Community) -> None:
    users = add_team(community.url, community.users)
    gp = signed_in(app, "gp")
    assert gp.post(f"/people/{IN_AREA}/careplan", data=FORM_PLAN,
                   follow_redirects=False).status_code == 303
    copy = gp.get(f"/people/{IN_AREA}/careplan/copy").text
    assert '<dd id="named-contact">Not named yet</dd>' in copy
    gp.post(f"/people/{IN_AREA}/contact", data={"user_id": users["nurse"]})
    copy = gp.get(f"/people/{IN_AREA}/careplan/copy").text
    assert '<dd id="named-contact">Nia Nurse, practice nurse</dd>' in copy
    pdf = gp.get(f"/people/{IN_AREA}/careplan.pdf")
    assert pdf.headers["content-type"] == "application/pdf"


def test_the_allocation_pages_are_the_practice_teams_for_their_own_practice(
        app: Any, community: Community) -> None:
    users = add_team(community.url, community.users)
    for name in ("matron", "analyst", "admin"):
        assert signed_in(app, name).get("/contacts").status_code == 403
    pm2 = signed_in_as(app, "pm2", "/contacts")
    page = pm2.get("/contacts").text
    assert "Noor Nurse" in page
    assert "Nia Nurse" not in page
    r = pm2.get("/contacts/allocation", params={"clinician": [users["nurse"]]})
    assert r.status_code == 422
    assert "not an active GP or practice nurse of practice P2" in r.text
    r = pm2.get("/contacts/allocation", params={"clinician": [users["nurse2"]]})
    assert OTHER_AREA in r.text.replace(" ", "")
    assert IN_AREA not in r.text.replace(" ", "")
