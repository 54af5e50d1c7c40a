"""The inbox over HTTP, built from ADT messages sent through the rules: who sees which
alert, the unread count in the header (one SQL count), acknowledging, snoozing and
assigning; a person's timeline, flags and the three-sector admission review that closes
its task; the review queue and the quarantine for administrators (CM-8, CM-9, STRAT-2;
privacy)."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event, exists, func, select
from sqlalchemy.orm import Session

from ltc.care.audit.models import AuditEvent
from ltc.care.auth import services as auth
from ltc.care.auth.models import User
from ltc.care.casemgmt.models import CaseloadEntry
from ltc.care.db import make_engine, now, sessions, unit_of_work
from ltc.care.events import feed, inbox, rules, services
from ltc.care.events.feed import FeedError
from ltc.care.events.models import (
    AdmissionReview,
    Alert,
    CareEvent,
    Flag,
    InboundMessage,
    Notification,
)
from ltc.care.people.models import Person
from ltc.care.work.models import Task
from ltc.interop import feeds
from ltc.interop.hl7v2 import adt

from ..care import (
    IN_AREA,
    IN_AREA_2,
    MISSING,
    OTHER_AREA,
    Community,
    api_client,
    db,
    signed_in,
)

WEB = Path(inbox.__file__).parents[2] / "web"  # each package's templates are beside it
AT = now().replace(microsecond=0) - timedelta(hours=3)
_sent = iter(range(1, 10_000))


def _send(url: str, *messages: str) -> list[services.Outcome]:
    engine = make_engine(url)
    try:
        with unit_of_work(sessions(engine)) as s:
            return [feeds.receive(s, rules.load(), "hl7v2", m) for m in messages]
    finally:
        engine.dispose()


def _a01(nhs_number: str | None, at: datetime = AT, **kwargs: Any) -> str:
    return adt.message("A01", f"T{next(_sent)}", nhs_number, at, **kwargs)


def _allocate(community: Community, nhs_number: str = IN_AREA) -> None:
    with db(community.url) as s:
        s.add(CaseloadEntry(nhs_number=nhs_number, user_id=community.users["matron"],
                            started_on=date(2025, 4, 1),
                            allocated_by=community.users["matron"]))
        s.commit()


def _user(s: Session, community: Community, name: str) -> User:
    user = s.get(User, community.users[name])
    assert user is not None
    return user


def _alert_ids(text: str) -> list[int]:
    """The alerts a page shows, in order."""
    return [int(n) for n in re.findall(r'id="alert-(\d+)"', text)]


def _section(text: str, table_id: str) -> str:
    return text.split(f'id="{table_id}"', 1)[1].split("</table>")[0] \
        if f'id="{table_id}"' in text else ""


def _unread_shown(text: str) -> int:
    found = re.search(r'id="inbox-count">(\d+)<', text)
    assert found, "no unread count in the header"
    return int(found.group(1))


def _listed(url: str, what: str) -> list[tuple[str | None, str, str]]:
    with db(url) as s:
        return [(e.nhs_number, e.action, e.username) for e in s.scalars(
            select(AuditEvent).where(AuditEvent.what == what).order_by(AuditEvent.seq))]


def _three_alerts(community: Community) -> tuple[int, int, int]:
    """A case manager's alert (IN_AREA, on the matron's caseload) and a practice alert
    at each of P1 (IN_AREA_2) and P2 (OTHER_AREA)."""
    _allocate(community)
    outcomes = _send(community.url, _a01(IN_AREA), _a01(IN_AREA_2, AT + timedelta(minutes=1)),
                     _a01(OTHER_AREA, AT + timedelta(minutes=2)))
    assert [len(o.alerts) for o in outcomes] == [1, 1, 1]
    mine, p1, p2 = (o.alerts[0] for o in outcomes)
    return mine, p1, p2


def test_each_clinician_sees_the_alerts_for_them(app: object, community: Community) -> None:
    mine, p1, p2 = _three_alerts(community)
    matron, gp, gp2 = (signed_in(app, n) for n in ("matron", "gp", "gp2"))
    for client, expected in ((matron, [mine]), (gp, [p1]), (gp2, [p2])):
        page = client.get("/inbox")
        assert page.status_code == 200
        assert _alert_ids(_section(page.text, "inbox-open")) == expected
        assert _unread_shown(page.text) == 1
    page = matron.get("/inbox").text
    assert f'href="/people/{IN_AREA}"' in page
    assert "Admitted to hospital" in page
    assert "Unplanned admission on" in page
    assert f'action="/alerts/{mine}/acknowledge"' in page
    assert f'action="/alerts/{mine}/assign"' not in page  # a case manager's own alert
    gp_page = gp.get("/inbox").text
    assert f'action="/alerts/{p1}/assign"' in gp_page  # a practice alert
    assert 'value="1">1 day</option>' in gp_page
    assert 'value="7">7 days</option>' in gp_page
    # the header of any page shows the count
    assert _unread_shown(gp.get(f"/people/{IN_AREA}").text) == 1
    # each page view lists one audit row per person shown
    assert _listed(community.url, "GET /inbox") == [
        (IN_AREA, "list", "matron"), (IN_AREA_2, "list", "gp"), (OTHER_AREA, "list", "gp2"),
        (IN_AREA, "list", "matron"), (IN_AREA_2, "list", "gp")]
    # the API says the same
    api = api_client(app, "gp")
    listed = api.get("/api/v1/inbox").json()
    assert [(a["id"], a["nhs_number"], a["practice_code"], a["kind_label"])
            for a in listed["alerts"]] == [(p1, IN_AREA_2, "P1", "Admitted to hospital")]
    assert (listed["snoozed"], listed["acknowledged"]) == ([], [])
    assert api.get("/api/v1/inbox/unread").json() == {"unread": 1}
    assert _listed(community.url, "GET /api/v1/inbox") == [(IN_AREA_2, "list", "gp")]
    # no one acts on an alert that is not theirs: the same 404 as for no alert at all
    for client, alert_id in ((api_client(app, "gp2"), p1), (api_client(app, "matron"), p1),
                             (api, mine), (api, 99_999)):
        r = client.post(f"/api/v1/alerts/{alert_id}/acknowledge")
        assert r.status_code == 404, r.text
        assert r.json() == {"detail": "There is no such alert in your inbox."}
    assert gp2.post(f"/alerts/{p1}/acknowledge", follow_redirects=False).status_code == 404
    assert gp2.post(f"/alerts/{p1}/snooze", data={"days": "1"},
                    follow_redirects=False).status_code == 404
    # analysts and administrators have no inbox
    for name in ("analyst", "admin"):
        assert signed_in(app, name).get("/inbox").status_code == 403
        client = api_client(app, name)
        assert client.get("/api/v1/inbox").status_code == 403
        assert client.get("/api/v1/inbox/unread").status_code == 403
        assert client.post(f"/api/v1/alerts/{p1}/acknowledge").status_code == 403
    with db(community.url) as s:
        assert s.scalar(select(func.count()).select_from(Alert).where(
            Alert.acknowledged_at.is_not(None))) == 0


def test_acknowledge_snooze_and_assign(app: object, community: Community) -> None:
    _allocate(community)
    first, second, third = (o.alerts[0] for o in _send(
        community.url, *(_a01(IN_AREA_2, AT + timedelta(minutes=i)) for i in range(3))))
    gp, matron = signed_in(app, "gp"), signed_in(app, "matron")
    assert _alert_ids(_section(gp.get("/inbox").text, "inbox-open")) == [third, second, first]

    # acknowledged: once, for the whole practice; it moves to the Acknowledged section
    r = gp.post(f"/alerts/{first}/acknowledge", follow_redirects=False)
    assert (r.status_code, r.headers["location"]) == (303, "/inbox?note=acknowledged")
    page = gp.get("/inbox?note=acknowledged").text
    assert "Alert acknowledged." in page
    assert _alert_ids(_section(page, "inbox-open")) == [third, second]
    assert _alert_ids(_section(page, "inbox-acknowledged")) == [first]
    assert _unread_shown(page) == 2
    again = gp.post(f"/alerts/{first}/acknowledge", follow_redirects=False)
    assert again.status_code == 422
    assert "already acknowledged" in again.text

    # snoozed for 3 days: listed apart and not counted
    r = gp.post(f"/alerts/{second}/snooze", data={"days": "3"}, follow_redirects=False)
    assert r.headers["location"] == "/inbox?note=snoozed"
    page = gp.get("/inbox").text
    assert _alert_ids(_section(page, "inbox-snoozed")) == [second]
    assert _alert_ids(_section(page, "inbox-open")) == [third]
    assert _unread_shown(page) == 1
    with db(community.url) as s:
        until = s.get(Alert, second).snoozed_until  # type: ignore[union-attr]
        assert until is not None
        assert abs(until - (now() + timedelta(days=3))) < timedelta(minutes=1)
    assert gp.post(f"/alerts/{third}/snooze", data={"days": "2"},
                   follow_redirects=False).status_code == 422
    api = api_client(app, "gp")
    for until_at, why in ((now() + timedelta(days=15), "more than 14 days away"),
                          (now() - timedelta(hours=1), "has passed")):
        r = api.post(f"/api/v1/alerts/{third}/snooze", json={"until": until_at.isoformat()})
        assert r.status_code == 422, r.text
        assert why in r.json()["detail"]
    r = api.post(f"/api/v1/alerts/{third}/snooze",
                 json={"until": (now() + timedelta(days=14)).isoformat()})
    assert r.status_code == 200
    assert r.json()["snoozed_until"] is not None
    assert api.get("/api/v1/inbox/unread").json() == {"unread": 0}
    assert [a["id"] for a in api.get("/api/v1/inbox").json()["snoozed"]] == [third, second]

    # assigned to the matron (who covers the practice): hers now, and no longer the GP's
    for name, why in (("gp2", "does not look after"), ("analyst", "not a clinician")):
        r = api.post(f"/api/v1/alerts/{third}/assign",
                     json={"to_user_id": community.users[name]})
        assert r.status_code == 422, r.text
        assert why in r.json()["detail"]
    r = gp.post(f"/alerts/{third}/assign", data={"to_user_id": community.users["matron"]},
                follow_redirects=False)
    assert r.headers["location"] == "/inbox?note=assigned"
    page = matron.get("/inbox").text
    assert _alert_ids(_section(page, "inbox-open")) == [third]  # no longer snoozed
    assert "Assigned to you" in page
    assert _unread_shown(page) == 1
    assert third not in _alert_ids(gp.get("/inbox").text)
    assert api.post(f"/api/v1/alerts/{third}/acknowledge").status_code == 404
    r = api_client(app, "matron").post(f"/api/v1/alerts/{third}/acknowledge")
    assert r.status_code == 200
    assert r.json()["acknowledged_at"] is not None
    with db(community.url) as s:
        alert = s.get(Alert, third)
        assert alert is not None
        assert (alert.assigned_to, alert.acknowledged_by) == (
            community.users["matron"], community.users["matron"])
        told = s.scalars(select(Notification.user_id).where(
            Notification.alert_id == third)).all()
        assert sorted(told) == sorted([community.users["gp"], community.users["matron"]])
        rows = s.scalars(select(AuditEvent).where(AuditEvent.action == "write")
                         .where(AuditEvent.what.like("POST %/alerts/%"))).all()
        assert [(e.nhs_number, e.username) for e in rows] == [
            (IN_AREA_2, "gp")] * 4 + [(IN_AREA_2, "matron")]


def test_the_unread_count_is_one_sql_count(app: object, community: Community) -> None:
    _, p1, _ = _three_alerts(community)
    cancelled = _send(community.url, _a01(IN_AREA_2, AT, spell_id="X9"))[0].alerts[0]
    engine = make_engine(community.url)
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute",
                 lambda *args: statements.append(args[2]))
    try:
        with sessions(engine)() as s:
            gp, matron = _user(s, community, "gp"), _user(s, community, "matron")
            statements.clear()
            assert inbox.unread_count(s, gp) == 2
            assert len(statements) == 1
            assert statements[0].lstrip().upper().startswith(
                "SELECT COUNT")
            assert inbox.unread_count(s, matron) == 1
            assert inbox.unread_count(s, _user(s, community, "matron2")) == 0
    finally:
        engine.dispose()
    # the hospital cancels the admission: its alert is withdrawn everywhere
    cancel = adt.message("A11", "CANCEL-1", IN_AREA_2, AT, spell_id="X9")
    assert _send(community.url, cancel)[0].status == "applied"
    api = api_client(app, "gp")
    assert api.get("/api/v1/inbox/unread").json() == {"unread": 1}
    assert [a["id"] for a in api.get("/api/v1/inbox").json()["alerts"]] == [p1]
    # an open inbox asks every few seconds whether it is out of date, and reloads if so
    gp = signed_in(app, "gp")
    poll = re.search(r'hx-get="/inbox/changed\?seen=([\d-]+)" hx-trigger="every 5s"',
                     gp.get("/inbox").text)
    assert poll is not None
    assert gp.get(f"/inbox/changed?seen={poll.group(1)}").status_code == 204
    _send(community.url, _a01(IN_AREA_2, AT + timedelta(minutes=9)))
    r = gp.get(f"/inbox/changed?seen={poll.group(1)}")
    assert (r.status_code, r.headers.get("HX-Refresh")) == (200, "true")
    assert signed_in(app, "analyst").get("/inbox/changed").status_code == 403
    r = api.post(f"/api/v1/alerts/{cancelled}/acknowledge")
    assert r.status_code == 422
    assert "withdrawn" in r.json()["detail"]


def test_alerts_on_people_no_longer_looked_after_are_left_out(app: object,
                                                              community: Community) -> None:
    # the matron's alert for a person she then stops looking after (another area)
    _allocate(community, OTHER_AREA)
    alert_id = _send(community.url, _a01(OTHER_AREA))[0].alerts[0]
    with db(community.url) as s:
        assert s.get(Alert, alert_id).user_id == community.users["matron"]  # type: ignore[union-attr]
        entry = s.scalars(select(CaseloadEntry).where(
            CaseloadEntry.nhs_number == OTHER_AREA)).one()
        entry.ended_on = date.today()
        s.commit()
    api = api_client(app, "matron")
    assert api.get("/api/v1/inbox").json()["alerts"] == []
    assert api.get("/api/v1/inbox/unread").json() == {"unread": 0}  # nor counted
    assert api.post(f"/api/v1/alerts/{alert_id}/acknowledge").status_code == 404
    assert OTHER_AREA not in signed_in(app, "matron").get("/inbox").text
    assert _listed(community.url, "GET /api/v1/inbox") == []


def test_an_admission_review_in_three_sectors_closes_its_task(app: object,
                                                              community: Community) -> None:
    _allocate(community)
    admitted = _send(community.url, _a01(IN_AREA, AT - timedelta(days=2), spell_id="S1"))[0]
    discharged = _send(community.url, adt.message("A03", "D1", IN_AREA, AT, spell_id="S1"))[0]
    with db(community.url) as s:
        event_id = s.scalars(select(CareEvent.id).where(
            CareEvent.message_id == admitted.message_id)).one()
        discharge_id = s.scalars(select(CareEvent.id).where(
            CareEvent.message_id == discharged.message_id)).one()
        task = s.scalars(select(Task).where(Task.kind == "admission_review")).one()
        assert (task.event_id, task.done_at) == (event_id, None)
    matron = signed_in(app, "matron")
    summary = matron.get(f"/people/{IN_AREA}").text
    form = f"/people/{IN_AREA}/events/{event_id}/review"
    assert f'href="{form}"' in summary
    assert 'id="events-timeline"' in summary
    assert "Discharged" in summary
    assert "no sector recorded yet" in summary
    page = matron.get(form)
    assert page.status_code == 200
    for sector in ("primary", "secondary", "social"):
        assert f'name="{sector}_avoidable"' in page.text
        assert f'name="{sector}_reasons" type="checkbox" value="carer_breakdown"' in page.text

    # refused: nothing answered, no reason, "other" without detail, a future date
    today = date.today()
    for data, why in (({}, "no sector answered"),
                      ({"primary_avoidable": "yes"}, "none chosen"),
                      ({"primary_avoidable": "yes", "primary_reasons": "other"},
                       "detail (detail): this is empty"),
                      ({"primary_avoidable": "maybe", "primary_reasons": "medicines"},
                       "not one of the choices"),
                      ({"primary_avoidable": "yes", "primary_reasons": "medicines",
                        "on": (today + timedelta(days=1)).isoformat()}, "in the future")):
        r = matron.post(form, data=data, follow_redirects=False)
        assert r.status_code == 422, data
        assert why in r.text, data
    # two sectors through the form
    r = matron.post(form, data={
        "primary_avoidable": "yes", "primary_reasons": ["no_care_plan", "out_of_hours"],
        "primary_detail": "No plan for nights", "primary_actions": "Write the plan",
        "secondary_avoidable": "unsure", "secondary_reasons": "medicines",
        "on": today.isoformat()}, follow_redirects=False)
    assert (r.status_code, r.headers["location"]) == (303, f"{form}?note=review")
    page = matron.get(f"{form}?note=review").text
    assert "Review saved." in page
    assert "2 of 3 sectors recorded" in page
    assert 'value="out_of_hours" checked' in page
    with db(community.url) as s:
        assert s.scalars(select(Task.done_at).where(Task.id == task.id)).one() is None
    # the third through the API: the review is complete and its task done
    api = api_client(app, "matron")
    url = f"/api/v1/people/{IN_AREA}/events/{event_id}/reviews"
    r = api.post(url, json={"sector": "social", "avoidable": "no", "reasons": ["nonsense"]})
    assert r.status_code == 422
    assert "not one of the choices" in r.json()["detail"]
    r = api.post(f"/api/v1/people/{IN_AREA}/events/{discharge_id}/reviews",
                 json={"sector": "social", "avoidable": "no", "reasons": ["medicines"]})
    assert r.status_code == 422
    assert "not an admission" in r.json()["detail"]
    assert api.post(f"/api/v1/people/{IN_AREA_2}/events/{event_id}/reviews",
                    json={"sector": "social", "avoidable": "no",
                          "reasons": ["medicines"]}).status_code == 404
    r = api.post(url, json={"sector": "social", "avoidable": "no",
                            "reasons": ["clinically_necessary"], "detail": "Sepsis"})
    assert r.status_code == 201, r.text
    assert (r.json()["sector"], r.json()["complete"], r.json()["reasons"]) == (
        "social", True, ["clinically_necessary"])
    with db(community.url) as s:
        found = {r.sector: (r.avoidable, r.reasons, r.detail, r.actions, r.recorded_by)
                 for r in s.scalars(select(AdmissionReview))}
        assert found == {
            "primary": ("yes", "no_care_plan,out_of_hours", "No plan for nights",
                        "Write the plan", community.users["matron"]),
            "secondary": ("unsure", "medicines", "", "", community.users["matron"]),
            "social": ("no", "clinically_necessary", "Sepsis", "", community.users["matron"])}
        assert s.scalars(select(Task.done_at).where(Task.id == task.id)).one() is not None
    timeline = api.get(f"/api/v1/people/{IN_AREA}/timeline").json()
    assert timeline["pending_reviews"] == []
    assert "Admissions to review" not in matron.get(f"/people/{IN_AREA}").text
    assert "Complete: all three sectors recorded" in matron.get(form).text


def test_timeline_flags_and_clearing_a_flag(app: object, community: Community) -> None:
    # IN_AREA's carer is IN_AREA_2, who dies in hospital; IN_AREA's admission is cancelled
    outcomes = _send(
        community.url,
        adt.message("A08", "L1", IN_AREA, AT, links=[(IN_AREA_2, "CGV")]),
        _a01(IN_AREA, AT + timedelta(minutes=5), spell_id="S7"),
        adt.message("A11", "C1", IN_AREA, AT + timedelta(minutes=10), spell_id="S7"),
        adt.message("A03", "X1", IN_AREA_2, AT + timedelta(minutes=20), died=True))
    assert [o.status for o in outcomes] == ["applied"] * 4
    [flag_id] = outcomes[3].flags
    api = api_client(app, "matron")
    timeline = api.get(f"/api/v1/people/{IN_AREA}/timeline").json()
    # alerts and flags at the time they were made (as the messages arrived, just now),
    # events at the time the hospital gives
    assert [(e["source"], e["label"], e["cancelled"]) for e in timeline["entries"]] == [
        ("alert", "Carer died or bereaved: review", False),
        ("flag", "Carer died", False),
        ("alert", "Admitted to hospital", True),
        ("event", "Admission cancelled", False),
        ("event", "Admitted", True),
        ("event", "Details updated", False)]
    assert [(f["id"], f["kind"]) for f in timeline["flags"]] == [(flag_id, "carer_died")]
    matron = signed_in(app, "matron")
    summary = matron.get(f"/people/{IN_AREA}").text
    flags = summary.split('id="events-flags"')[1].split('id="events-timeline"')[0]
    assert "Carer died: Their carer died on" in flags
    assert f'action="/people/{IN_AREA}/flags/{flag_id}/clear"' in flags
    assert "Cancelled by the hospital" in summary
    # another person's flag, or one already cleared, cannot be cleared here
    assert matron.post(f"/people/{IN_AREA_2}/flags/{flag_id}/clear",
                       follow_redirects=False).status_code == 404
    r = matron.post(f"/people/{IN_AREA}/flags/{flag_id}/clear", follow_redirects=False)
    assert (r.status_code, r.headers["location"]) == (
        303, f"/people/{IN_AREA}?note=flag-cleared")
    again = matron.post(f"/people/{IN_AREA}/flags/{flag_id}/clear", follow_redirects=False)
    assert again.status_code == 422
    assert "already cleared" in again.text
    summary = matron.get(f"/people/{IN_AREA}?note=flag-cleared").text
    assert "Flag cleared." in summary
    assert "/clear" not in summary
    with db(community.url) as s:
        flag = s.get(Flag, flag_id)
        assert flag is not None
        assert flag.cleared_by == community.users["matron"]
    assert api.get(f"/api/v1/people/{IN_AREA}/timeline").json()["flags"] == []


def _keep(url: str, raw: str, reason: str) -> int:
    """Quarantine ``raw`` as the listener does when it cannot apply a message."""
    with db(url) as s:
        outcome = feeds.quarantine(s, "hl7v2", raw, FeedError("AE", reason))
        s.commit()
    assert outcome.message_id is not None
    return outcome.message_id


def test_administrators_work_the_quarantine_and_the_review_queue(
        app: object, community: Community) -> None:
    broken = _send(community.url, "HELLO, this is not HL7")[0]
    held = _keep(community.url, _a01(IN_AREA_2), "the care store could not be written")
    unknown = _send(community.url, _a01(MISSING), _a01("1234567890"))
    assert [o.status for o in (broken, *unknown)] == ["quarantined", "unmatched",
                                                      "unmatched"]
    admin = signed_in(app, "admin")
    listing = admin.get("/admin/messages?status=quarantined").text
    assert re.findall(r'id="message-(\d+)"', listing) == [str(broken.message_id), str(held)]
    assert "not an HL7 v2 message" in listing
    assert "PAS^RXX" in listing
    assert "Quarantine (2)" in listing
    assert "Review queue (2)" in listing
    queue = admin.get("/admin/messages?status=unmatched").text
    assert re.findall(r'id="message-(\d+)"', queue) == [str(o.message_id) for o in unknown]
    assert "this NHS number is not known" in queue
    assert admin.get("/admin/messages?status=applied").status_code == 422
    # the raw message, one segment a line, and an audit row naming the person it gave
    shown = admin.get(f"/admin/messages/{unknown[0].message_id}").text
    raw = shown.split('id="message-raw">')[1].split("</pre>")[0]
    assert raw.splitlines()[0].startswith("MSH|^~\\&amp;|PAS|RXX|")
    assert [line.split("|")[0] for line in raw.splitlines()] == ["MSH", "EVN", "PID", "PV1"]
    admin.get(f"/admin/messages/{unknown[1].message_id}")
    assert _listed(community.url, f"GET /admin/messages/{unknown[0].message_id}") == [
        (MISSING, "read", "admin")]
    assert _listed(community.url, f"GET /admin/messages/{unknown[1].message_id}") == [
        (None, "read", "admin")]
    assert admin.get("/admin/messages/99999").status_code == 404

    # replayed: the one kept when the store failed now applies; the broken one stays
    r = admin.post(f"/admin/messages/{held}/replay", follow_redirects=False)
    assert r.headers["location"] == "/admin/messages?status=quarantined&note=applied"
    r = admin.post(f"/admin/messages/{broken.message_id}/replay", follow_redirects=False)
    assert r.headers["location"] == "/admin/messages?status=quarantined&note=quarantined"
    # matched by hand: a wrong number is refused with why; the right one applies
    first = unknown[0].message_id
    for typed, why in (("123", "is not valid"), (OTHER_AREA[:-1] + "9", "is not valid")):
        r = admin.post(f"/admin/messages/{first}/match", data={"nhs_number": typed})
        assert r.status_code == 422
        assert why in r.text
    r = admin.post(f"/admin/messages/{first}/match",
                   data={"nhs_number": IN_AREA[:3] + " " + IN_AREA[3:]},
                   follow_redirects=False)
    assert r.headers["location"] == "/admin/messages?status=unmatched&note=applied"
    # dismissed, with a reason
    second = unknown[1].message_id
    r = admin.post(f"/admin/messages/{second}/dismiss", data={"reason": "no"})
    assert r.status_code == 422
    assert "why the message is dismissed" in r.text
    r = admin.post(f"/admin/messages/{second}/dismiss",
                   data={"reason": "Test patient from the hospital's training ward"},
                   follow_redirects=False)
    assert r.headers["location"] == "/admin/messages?status=unmatched&note=dismissed"
    assert "The message was dismissed." in admin.get(r.headers["location"]).text
    assert admin.post(f"/admin/messages/{second}/dismiss",
                      data={"reason": "once more, please"}).status_code == 422

    with db(community.url) as s:
        assert services.counts(s) == {"applied": 2, "quarantined": 1, "dismissed": 1}
        events = s.execute(select(CareEvent.message_id, CareEvent.nhs_number)
                           .order_by(CareEvent.id)).all()
        assert events == [(held, IN_AREA_2), (first, IN_AREA)]
        resolved = s.scalars(select(InboundMessage.resolved_by).where(
            InboundMessage.id.in_([held, first, second]))).all()
        assert resolved == [community.users["admin"]] * 3
        assert s.scalar(select(func.count()).select_from(Alert)) == 2  # both at level 3
        actions = [(e.nhs_number, e.what) for e in s.scalars(
            select(AuditEvent).where(AuditEvent.action == "admin").order_by(AuditEvent.seq))]
        assert actions == [(IN_AREA_2, f"POST /admin/messages/{held}/replay"),
                           (None, f"POST /admin/messages/{broken.message_id}/replay"),
                           (IN_AREA, f"POST /admin/messages/{first}/match"),
                           (None, f"POST /admin/messages/{second}/dismiss")]
    # only administrators
    for name in ("matron", "gp", "analyst"):
        client = signed_in(app, name)
        assert client.get("/admin/messages").status_code == 403
        assert client.get(f"/admin/messages/{held}").status_code == 403


def test_the_app_uses_its_own_alert_rules(app: Any, community: Community,
                                          tmp_path: Path) -> None:
    path = tmp_path / "alerts.toml"
    path.write_text('id = "quiet"\n[admission]\npractice_alert_levels = []\n')
    app.state.alert_rules = path
    waiting = _send(community.url, _a01(MISSING))[0]
    admin = signed_in(app, "admin")
    r = admin.post(f"/admin/messages/{waiting.message_id}/match",
                   data={"nhs_number": IN_AREA_2}, follow_redirects=False)
    assert r.status_code == 303
    with db(community.url) as s:
        assert s.scalar(select(func.count()).select_from(CareEvent)) == 1
        assert s.scalar(select(func.count()).select_from(Alert)) == 0  # the packaged: 1
    path.write_text("[admission]\nno_such_setting = 1\n")
    again = _send(community.url, _a01(MISSING))[0]
    r = admin.post(f"/admin/messages/{again.message_id}/match",
                   data={"nhs_number": IN_AREA_2})
    assert r.status_code == 503
    assert "no_such_setting is not a setting" in r.text


def test_the_person_template_labels_match_the_code() -> None:
    source = (WEB / "events" / "templates" / "_person.html.j2").read_text()
    for labels in (feed.KINDS, inbox.FLAG_KINDS, inbox.SECTORS):
        for code, label in labels.items():
            assert f'"{code}": "{label}"' in source, code


def test_the_inbox_query_decides_whom_one_looks_after_as_access_does(
        community: Community) -> None:
    """The inbox's SQL form of the relationship (``inbox._LOOKS_AFTER``) agrees with
    ``auth.looks_after`` for every clinician and person, caseloads ended or not."""
    _allocate(community, OTHER_AREA)  # matron: one person outside her locality
    _allocate(community, IN_AREA_2)
    with db(community.url) as s:
        s.scalars(select(CaseloadEntry).where(
            CaseloadEntry.nhs_number == IN_AREA_2)).one().ended_on = date.today()
        s.commit()
        people = s.scalars(select(Person.nhs_number)).all()
        users = s.scalars(select(User)).all()
        for user in users:
            for nhs in people:
                in_sql = s.scalar(select(exists().where(
                    Person.nhs_number == nhs, inbox._LOOKS_AFTER)), inbox._addressee(user))
                assert bool(in_sql) == auth.looks_after(s, user, nhs), (user.username, nhs)
