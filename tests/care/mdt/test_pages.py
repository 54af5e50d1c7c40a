"""MDT meetings over HTTP (DM-4; privacy), on SQLite and PostgreSQL: a GP makes a meeting,
whose page shows each person with why they are on the agenda (each an audited list
read); a decision and an action (a task in the owner's tasks) through the forms; the
meeting closed, its printable record showing the decision and refusing changes; the
practice manager runs the meeting but records no decision; other practices get "not
found"; markup typed into every free-text field shows as text; the meeting page costs the
same statements whatever the length of its agenda; the JSON API."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from ltc.care.audit.models import AuditEvent
from ltc.care.db import unit_of_work
from ltc.care.mdt.models import AgendaItem, MdtNomination
from ltc.care.work.models import Task

from ..care import IN_AREA, IN_AREA_2, Community, api_client, db, signed_in
from ..contacts.people import numbers, person
from ..contacts.team import add_team, signed_in_as
from ..test_query_counts import counting

XSS = "<script>alert(1)</script><iframe src=x></iframe>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;&lt;iframe src=x&gt;&lt;/iframe&gt;"
TODAY = date.today()
DUE = (TODAY + timedelta(days=7)).isoformat()


def _make(client: Any) -> int:
    r = client.post("/mdt", data={"held_on": TODAY.isoformat()}, follow_redirects=False)
    assert r.status_code == 303, r.text[-500:]
    return int(r.headers["location"].split("/mdt/")[1].split("?")[0])


def _item(url: str, meeting_id: int, nhs: str) -> int:
    with db(url) as s:
        found = s.scalar(select(AgendaItem.id).where(AgendaItem.meeting_id == meeting_id,
                                                     AgendaItem.nhs_number == nhs))
    assert found is not None
    return found


def test_a_gp_runs_a_meeting_from_its_agenda_to_its_record(app: Any,
                                                           community: Community) -> None:
    users = add_team(community.url, community.users)
    gp = signed_in(app, "gp")
    meeting = _make(gp)
    page = gp.get(f"/mdt/{meeting}?note=made")
    assert page.status_code == 200
    assert "The meeting has been made, with its agenda." in page.text
    assert "New at level 3</strong> At level 3 in run-0001" in page.text
    with db(community.url) as s:  # each person listed is an audited read
        listed = s.scalars(select(AuditEvent.nhs_number).where(
            AuditEvent.action == "list", AuditEvent.what == f"GET /mdt/{meeting}")).all()
    assert sorted(listed) == sorted([IN_AREA, IN_AREA_2])
    item = _item(community.url, meeting, IN_AREA)
    r = gp.post(f"/mdt/{meeting}/attendees",
                data={"attendee": [users["gp"], users["nurse"]], "others": "Jo Matron"},
                follow_redirects=False)
    assert r.status_code == 303
    r = gp.post(f"/people/{IN_AREA}/mdt/items/{item}",
                data={"notes": "Two admissions", "decision": "Refer to the matron"},
                follow_redirects=False)
    assert r.headers["location"] == f"/mdt/{meeting}?note=decision#item-{item}"
    r = gp.post(f"/people/{IN_AREA}/mdt/items/{item}/actions",
                data={"what": "Medicines review", "owner": users["nurse"], "due_on": DUE},
                follow_redirects=False)
    assert r.status_code == 303
    tasks = signed_in(app, "nurse").get("/tasks").text
    assert "Medicines review" in tasks
    page = gp.get(f"/mdt/{meeting}").text
    assert "Refer to the matron" in page
    assert "Jo Matron" in page
    assert gp.post(f"/mdt/{meeting}/close", follow_redirects=False).status_code == 303
    record = gp.get(f"/mdt/{meeting}/record")
    assert record.status_code == 200
    assert "@media print" in record.text
    assert "Refer to the matron" in record.text
    assert "Medicines review" in record.text
    assert "Draft" not in record.text
    with db(community.url) as s:
        exported = s.scalars(select(AuditEvent.nhs_number).where(
            AuditEvent.action == "export")).all()
    assert sorted(exported) == sorted([IN_AREA, IN_AREA_2])
    closed = gp.post(f"/people/{IN_AREA}/mdt/items/{item}",
                     data={"decision": "Changed my mind"})
    assert closed.status_code == 422
    assert "closed" in closed.text
    assert 'action="/mdt/' + str(meeting) + '/close"' not in gp.get(f"/mdt/{meeting}").text


def test_the_manager_runs_the_meeting_but_records_no_decision(app: Any,
                                                              community: Community) -> None:
    add_team(community.url, community.users)
    pm = signed_in_as(app, "pm", "/mdt")
    meeting = _make(pm)
    page = pm.get(f"/mdt/{meeting}").text
    assert "Save the decision" not in page  # no decision form for the manager
    item = _item(community.url, meeting, IN_AREA)
    r = pm.post(f"/people/{IN_AREA}/mdt/items/{item}", data={"decision": "Anything"})
    assert r.status_code == 404  # as for anyone without the right
    r = pm.post(f"/people/{IN_AREA}/mdt/nominations", data={"reason": "Anything"})
    assert r.status_code == 404
    assert pm.post(f"/mdt/{meeting}/close", follow_redirects=False).status_code == 303


def test_other_practices_and_roles_do_not_reach_a_meeting(app: Any,
                                                         community: Community) -> None:
    add_team(community.url, community.users)
    meeting = _make(signed_in(app, "gp"))
    item = _item(community.url, meeting, IN_AREA)
    gp2 = signed_in(app, "gp2")
    for path in (f"/mdt/{meeting}", f"/mdt/{meeting}/record"):
        assert gp2.get(path).status_code == 404
    for path in (f"/mdt/{meeting}/attendees", f"/mdt/{meeting}/close"):
        assert gp2.post(path).status_code == 404
    assert gp2.post(f"/people/{IN_AREA}/mdt/items/{item}",
                    data={"decision": "x"}).status_code == 404
    assert "No meetings yet" in gp2.get("/mdt").text
    for name in ("matron", "analyst", "admin"):
        assert signed_in(app, name).get("/mdt").status_code == 403
    assert api_client(app, "gp2").get(f"/api/v1/mdt/meetings/{meeting}").status_code == 404


def test_markup_in_free_text_shows_as_text(app: Any, community: Community) -> None:
    users = add_team(community.url, community.users)
    gp = signed_in(app, "gp")
    assert gp.post(f"/people/{IN_AREA_2}/mdt/nominations", data={"reason": XSS},
                   follow_redirects=False).status_code == 303
    waiting = gp.get(f"/people/{IN_AREA_2}").text
    assert "<script>alert" not in waiting
    assert "&lt;script&gt;alert(1)" in waiting
    meeting = _make(gp)
    item = _item(community.url, meeting, IN_AREA)
    gp.post(f"/mdt/{meeting}/attendees", data={"others": XSS})
    gp.post(f"/people/{IN_AREA}/mdt/items/{item}", data={"notes": XSS, "decision": XSS})
    gp.post(f"/people/{IN_AREA}/mdt/items/{item}/actions",
            data={"what": XSS[:200], "owner": users["nurse"], "due_on": DUE})
    with db(community.url) as s:
        assert s.scalar(select(MdtNomination.reason)) == XSS  # stored as typed
        assert s.scalar(select(Task.title).where(Task.kind == "mdt_action")) is not None
    for path in (f"/mdt/{meeting}", f"/mdt/{meeting}/record", f"/people/{IN_AREA}",
                 "/tasks"):
        text = signed_in(app, "nurse").get(path).text if path == "/tasks" else gp.get(path).text
        assert "<script>alert" not in text, path
        assert "&lt;script&gt;alert(1)" in text, path
    api = api_client(app, "gp").get(f"/api/v1/mdt/meetings/{meeting}").json()
    assert api["items"][0]["decision"] == XSS or api["items"][1]["decision"] == XSS


def test_the_meeting_page_costs_the_same_statements_whatever_its_length(
        app: Any, community: Community) -> None:
    add_team(community.url, community.users)
    gp = signed_in(app, "gp")

    def grow(start: int, count: int) -> None:
        """More people of the practice, each nominated (so on the next agenda)."""
        with unit_of_work(app.state.sessions) as s:
            more = numbers(start)
            for i in range(count):
                nhs = person(s, next(more), level=3, risk=0.5 + i / 1000)
                s.add(MdtNomination(nhs_number=nhs, reason=f"reason {i}",
                                    user_id=community.users["gp"]))

    def cost(meeting: int) -> int:
        with counting(app.state.engine) as statements:
            r = gp.get(f"/mdt/{meeting}")
        assert r.status_code == 200
        return len(statements)

    grow(0, 2)
    small = _make(gp)
    grow(1000, 20)
    large = _make(gp)
    with db(community.url) as s:
        sizes = [len(s.scalars(select(AgendaItem).where(AgendaItem.meeting_id == m)).all())
                 for m in (small, large)]
    assert sizes == [4, 20]  # two entrants and two nominated; then twenty nominated
    assert cost(small) == cost(large)


def test_the_api_makes_and_reads_meetings(app: Any, community: Community) -> None:
    add_team(community.url, community.users)
    gp = api_client(app, "gp")
    made = gp.post("/api/v1/mdt/meetings", json={"held_on": TODAY.isoformat()})
    assert made.status_code == 201
    body = made.json()
    assert [i["nhs_number"] for i in body["items"]] == [IN_AREA, IN_AREA_2]
    assert body["items"][0]["reasons"][0]["kind"] == "entrant"
    assert gp.get("/api/v1/mdt/meetings").json()[0]["id"] == body["id"]
    assert gp.get(f"/api/v1/mdt/meetings/{body['id']}").json()["items"] == body["items"]
    r = gp.post(f"/api/v1/people/{IN_AREA}/mdt/nominations", json={"reason": "Frail"})
    assert r.status_code == 201
    history = gp.get(f"/api/v1/people/{IN_AREA}/mdt").json()
    assert history["nominated"] == ["Frail"]
    assert history["discussed"][0]["meeting_id"] == body["id"]
    bad = gp.post("/api/v1/mdt/meetings", json={"held_on": "2000-01-01"})
    assert bad.status_code == 422
    assert "more than a year" in bad.json()["detail"]
    assert api_client(app, "matron").get("/api/v1/mdt/meetings").status_code == 403
