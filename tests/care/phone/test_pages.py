"""Telephone care over HTTP (DM-7): a clinician's calls due and the practice's level-2
people with no call scheduled (each person listed audited); scheduling a call from the
person's page; the scripted check, saying whom a red flag goes to; recording the call,
with markup typed in shown as text; the person page's panel and timeline."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select, update

from ltc.care.audit.models import AuditEvent
from ltc.care.contacts import services as contacts
from ltc.care.db import make_engine, sessions, unit_of_work
from ltc.care.people.models import PersonResult

from ..care import IN_AREA, LOW, Community, db, signed_in
from ..contacts.team import add_team, signed_in_as

XSS = "<script>alert(1)</script><iframe src=x></iframe>"


def test_a_call_scheduled_made_and_escalated_through_the_pages(app: Any,
                                                               community: Community) -> None:
    add_team(community.url, community.users)
    with unit_of_work(sessions(make_engine(community.url))) as s:
        s.execute(update(PersonResult).where(PersonResult.nhs_number == LOW)
                  .values(level=2, registers="copd"))
        gp = s.get(contacts.User, community.users["gp"])
        assert gp is not None
        contacts.set_contact(s, IN_AREA, gp.id, gp)
    nurse = signed_in_as(app, "nurse", "/phone")
    due = nurse.get("/phone").text
    assert "No calls are due" in due
    waiting = due.split('id="unscheduled"')[1]
    assert "900 000 0025" in waiting
    assert "943 476 5919" not in waiting
    page = nurse.get(f"/people/{IN_AREA}/phone")
    assert 'id="schedule-form"' in page.text
    done = nurse.post(f"/people/{IN_AREA}/phone/calls",
                      data={"clinician_id": community.users["nurse"],
                            "due_on": date.today().isoformat()}, follow_redirects=True)
    assert "Call scheduled." in done.text
    assert 'id="next-call"' in done.text
    assert 'id="schedule-form"' not in done.text  # one call at a time
    listed = nurse.get("/phone").text
    href = listed.split('class="call-link"')[0].rsplit('href="', 1)[1].split('"')[0]
    assert href.startswith(f"/people/{IN_AREA}/phone/calls/")
    check = nurse.get(href).text
    assert "Gp (named contact)" in check.split('id="escalates-to"')[1][:200]
    assert "Red flag: if yes, escalate to the named contact today" in check
    assert "Are you breathless at rest" in check  # heart failure's own question
    recorded = nurse.post(href, data={"copd.severe": "yes", "medicines.taken": "yes",
                                      "outcome": "completed", "coaching": XSS},
                          follow_redirects=True)
    assert "A red flag was escalated today" in recorded.text
    assert "Task due today and alert for Gp (named contact)" in recorded.text
    assert XSS not in recorded.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in recorded.text
    summary = signed_in(app, "gp").get(f"/people/{IN_AREA}").text
    assert 'id="phone-next"' in summary
    assert "Next call" in summary
    assert "Telephone call" in summary  # the timeline
    tasks = signed_in(app, "gp").get("/tasks").text
    assert "Red flag on a telephone check" in tasks
    with db(community.url) as s:
        listed_rows = s.scalars(select(AuditEvent.nhs_number).where(
            AuditEvent.what == "GET /phone")).all()
    assert IN_AREA in listed_rows
    assert LOW in listed_rows


def test_a_mistake_on_the_check_is_named_and_saves_nothing(app: Any,
                                                            community: Community) -> None:
    gp = signed_in(app, "gp")
    gp.post(f"/people/{IN_AREA}/phone/calls", data={"due_on": date.today().isoformat()})
    page = gp.get(f"/people/{IN_AREA}/phone").text
    link = next(part.split('"')[0] for part in page.split('href="')
                if part.startswith(f"/people/{IN_AREA}/phone/calls/"))
    wrong = gp.post(link, data={"outcome": "completed", "copd.severe": "perhaps"})
    assert wrong.status_code == 422
    assert "&#39;perhaps&#39; is not an answer" in wrong.text
    assert gp.get(link).text.count('id="call-form"') == 1  # still to be made
    assert gp.post(f"/people/{IN_AREA}/phone/calls/999999",
                   data={"outcome": "completed"}).status_code == 404
