"""An MDT meeting from its agenda to its record (DM-4), on SQLite and PostgreSQL: the
attendees (the practice's users and others by name); for a person, the notes and the
decision, and actions that become tasks for their owner with the due date (a clinician
who looks after the person: never one of another practice); a closed meeting changes no
more; agenda lines are found only through their own person and practice; nominations; the
meeting's view and a person's MDT history."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ltc.care.auth.models import User
from ltc.care.casemgmt import services as cases
from ltc.care.db import make_engine, sessions
from ltc.care.mdt import services, view
from ltc.care.mdt.models import AgendaItem, Meeting
from ltc.care.work import services as work
from ltc.care.work.models import Task

from ..care import IN_AREA, IN_AREA_2, LOW, Community
from ..contacts.team import add_team

TODAY = date.today()
DUE = TODAY + timedelta(days=14)


@pytest.fixture
def s(community: Community) -> Iterator[Session]:
    add_team(community.url, community.users)
    engine = make_engine(community.url)
    with sessions(engine)() as session:
        yield session
    engine.dispose()


def _user(s: Session, community: Community, name: str) -> User:
    found = s.get(User, community.users[name])
    assert found is not None
    return found


def _item(s: Session, meeting: Meeting, nhs: str) -> AgendaItem:
    item = s.scalar(select(AgendaItem).where(AgendaItem.meeting_id == meeting.id,
                                             AgendaItem.nhs_number == nhs))
    assert item is not None
    return item


def test_a_decision_and_an_action_that_becomes_the_owners_task(
        s: Session, community: Community) -> None:
    gp, nurse, pm = (_user(s, community, n) for n in ("gp", "nurse", "pm"))
    meeting = services.create_meeting(s, pm, TODAY)
    item = _item(s, meeting, IN_AREA)
    services.record_decision(s, IN_AREA, item.id, gp, "Breathless at night; carer tired",
                             "Refer to the community matron; review medicines")
    assert (item.notes, item.decision, item.recorded_by) == (
        "Breathless at night; carer tired", "Refer to the community matron; review medicines",
        gp.id)
    action = services.add_action(s, IN_AREA, item.id, gp, "Medicines review at home",
                                 nurse.id, DUE)
    task = s.get(Task, action.task_id)
    assert task is not None
    assert (task.assigned_to, task.due_on, task.kind, task.nhs_number, task.created_by) == (
        nurse.id, DUE, "mdt_action", IN_AREA, gp.id)
    assert task.title == (f"MDT {TODAY.day} {TODAY:%B %Y}: Medicines review at home")
    # in the nurse's tasks
    assert [t.task.id for t in work.open_tasks(s, nurse)] == [task.id]
    # the person's case manager may own an action too
    cases.allocate(s, IN_AREA, community.users["matron"], _user(s, community, "matron"))
    services.add_action(s, IN_AREA, item.id, nurse, "Joint visit", community.users["matron"],
                        DUE)


@pytest.mark.parametrize(("change", "problem"), [
    ({"owner_id": "nurse2"}, "does not look after this person"),
    ({"owner_id": "pm"}, "does not look after this person"),
    ({"owner_id": None}, "choose the clinician"),
    ({"due_on": TODAY - timedelta(days=1)}, "has passed"),
    ({"due_on": None}, "this is empty"),
    ({"what": "  "}, "this is empty"),
    ({"what": "x" * 301}, "Shorten it to 300"),
])
def test_an_action_needs_an_owner_who_looks_after_the_person_and_a_due_date(
        s: Session, community: Community, change: dict[str, object], problem: str) -> None:
    gp = _user(s, community, "gp")
    meeting = services.create_meeting(s, gp, TODAY)
    item = _item(s, meeting, IN_AREA)
    args: dict[str, object] = {"what": "Visit", "owner_id": "nurse", "due_on": DUE} | change
    owner = args["owner_id"]
    with pytest.raises(services.MdtError, match=problem):
        services.add_action(s, IN_AREA, item.id, gp, str(args["what"]),
                            community.users[owner] if isinstance(owner, str) else None,
                            args["due_on"] if isinstance(args["due_on"], date) else None)
    assert s.scalar(select(func.count()).select_from(Task)) == 0


def test_a_closed_meeting_changes_no_more(s: Session, community: Community) -> None:
    gp, pm = _user(s, community, "gp"), _user(s, community, "pm")
    meeting = services.create_meeting(s, pm, TODAY)
    item = _item(s, meeting, IN_AREA)
    with pytest.raises(services.MdtError, match="Decision \\(decision\\): this is empty"):
        services.record_decision(s, IN_AREA, item.id, gp, "notes", " ")
    services.close(s, meeting, pm)
    assert meeting.closed_by == pm.id
    for attempt in (lambda: services.record_decision(s, IN_AREA, item.id, gp, "", "Later"),
                    lambda: services.add_action(s, IN_AREA, item.id, gp, "Visit",
                                                community.users["nurse"], DUE),
                    lambda: services.set_attendees(s, meeting, [gp.id], ""),
                    lambda: services.close(s, meeting, pm)):
        with pytest.raises(services.MdtError, match="closed"):
            attempt()


def test_agenda_lines_are_found_only_through_their_person_and_practice(
        s: Session, community: Community) -> None:
    meeting = services.create_meeting(s, _user(s, community, "gp"), TODAY)
    item = _item(s, meeting, IN_AREA)
    with pytest.raises(services.NotFoundError):
        services.item_of(s, IN_AREA_2, item.id, _user(s, community, "gp"))  # another person
    with pytest.raises(services.NotFoundError):
        services.item_of(s, IN_AREA, item.id, _user(s, community, "gp2"))  # another practice
    with pytest.raises(services.NotFoundError):
        services.item_of(s, IN_AREA, item.id, _user(s, community, "matron"))  # no practice
    assert services.item_of(s, IN_AREA, item.id, _user(s, community, "nurse"))[0] is item


def test_attendees_are_the_practices_users_and_others_by_name(
        s: Session, community: Community) -> None:
    gp, nurse, pm = (_user(s, community, n) for n in ("gp", "nurse", "pm"))
    meeting = services.create_meeting(s, pm, TODAY)
    with pytest.raises(services.MdtError, match="not on the team of practice P1"):
        services.set_attendees(s, meeting, [community.users["gp2"]], "")
    with pytest.raises(services.MdtError, match="not on the team of practice P1"):
        services.set_attendees(s, meeting, [community.users["matron"]], "")
    services.set_attendees(s, meeting, [gp.id, nurse.id, gp.id],
                           "Jo Matron (community matron)\n\n  Sam Social Worker  \n")
    shown = view.meeting_view(s, meeting)
    assert [(a.user_id, a.name) for a in shown.attendees] == [
        (gp.id, "Gp"), (nurse.id, "Nia Nurse"), (None, "Jo Matron (community matron)"),
        (None, "Sam Social Worker")]
    assert shown.attending == {gp.id, nurse.id}
    assert shown.others == "Jo Matron (community matron)\nSam Social Worker"
    services.set_attendees(s, meeting, [], "")
    assert view.meeting_view(s, meeting).attendees == []


def test_the_meeting_view_and_a_persons_history(s: Session, community: Community) -> None:
    gp, nurse, pm = (_user(s, community, n) for n in ("gp", "nurse", "pm"))
    services.nominate(s, LOW, nurse, "Falls at home")
    with pytest.raises(services.MdtError, match="Why \\(reason\\): this is empty"):
        services.nominate(s, LOW, nurse, "")
    _, waiting = view.person_history(s, LOW)
    assert [n.reason for n in waiting] == ["Falls at home"]
    meeting = services.create_meeting(s, pm, TODAY)
    item = _item(s, meeting, LOW)
    services.record_decision(s, LOW, item.id, gp, "", "Falls clinic referral")
    services.add_action(s, LOW, item.id, gp, "Refer to the falls clinic", nurse.id, DUE)
    shown = view.meeting_view(s, meeting)
    assert [line.person.nhs_number for line in shown.lines] == [LOW, IN_AREA, IN_AREA_2]
    low = shown.lines[0]
    assert low.reasons[0][0] == "Nominated"
    assert low.recorded_by is gp
    assert [(a.action.what, a.owner.display_name, a.task.due_on) for a in low.actions] == [
        ("Refer to the falls clinic", "Nia Nurse", DUE)]
    assert [u.display_name for u in shown.team] == ["Gp", "Nia Nurse", "Pat Manager"]
    assert [u.display_name for u in shown.owners] == ["Gp", "Nia Nurse"]
    assert shown.created_by is pm
    history, waiting = view.person_history(s, LOW)
    assert waiting == []
    assert [(d.meeting.id, d.item.decision, [a.what for a in d.actions]) for d in history] == [
        (meeting.id, "Falls clinic referral", ["Refer to the falls clinic"])]
    listed = services.meetings(s, gp)
    assert [(m.meeting.id, m.people, m.decided) for m in listed] == [(meeting.id, 3, 1)]
    assert services.meetings(s, _user(s, community, "gp2")) == []
