"""An MDT meeting's agenda (DM-4), built when the meeting is made, on SQLite and
PostgreSQL: each reason a person of the practice is on it (a clinician's nomination,
taken onto one meeting only; an open avoidable-admission review; admissions and
discharges since the agenda's start, cancelled ones left out; the biggest rises in risk
between the last two runs loaded; new level-3 entrants against the run of the last
meeting), each line saying why, in their order; other practices and the dead left out;
where the agenda starts; the cap on entrants and what it left off."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from ltc.care.auth.models import User
from ltc.care.db import make_engine, now, sessions
from ltc.care.mdt import agenda, services
from ltc.care.mdt.models import AgendaItem, MdtNomination, Meeting
from ltc.care.work.models import Task

from ..care import IN_AREA, IN_AREA_2, LOW, OTHER_AREA, Community
from ..contacts.people import event, new_run, numbers, person, result
from ..contacts.team import add_team

TODAY = date.today()


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


def lines(s: Session, meeting: Meeting) -> list[tuple[str, list[str]]]:
    items = s.scalars(select(AgendaItem).where(AgendaItem.meeting_id == meeting.id)
                      .order_by(AgendaItem.position)).all()
    return [(i.nhs_number, [r["kind"] for r in i.reasons]) for i in items]


def texts(s: Session, meeting: Meeting, nhs: str) -> list[str]:
    item = s.scalar(select(AgendaItem).where(AgendaItem.meeting_id == meeting.id,
                                             AgendaItem.nhs_number == nhs))
    assert item is not None
    return [r["text"] for r in item.reasons]


def test_the_first_meeting_lists_the_level_3_people_of_the_practice_as_new(
        s: Session, community: Community) -> None:
    gp = _user(s, community, "gp")
    meeting = services.create_meeting(s, gp, TODAY)
    assert meeting.practice_code == "P1"
    assert meeting.since == agenda.months_before(TODAY, 3)
    assert meeting.run_id == "run-0001"
    # highest risk first; P2's level-3 person and P1's level-1 person are not listed
    assert lines(s, meeting) == [(IN_AREA, ["entrant"]), (IN_AREA_2, ["entrant"])]
    assert texts(s, meeting, IN_AREA) == [
        "At level 3 in run-0001 (case-finding rules met); the first run loaded"]
    assert OTHER_AREA not in {n for n, _ in lines(s, meeting)}


def test_every_reason_is_listed_with_its_words_in_order(s: Session,
                                                       community: Community) -> None:
    gp, nurse = _user(s, community, "gp"), _user(s, community, "nurse")
    s.add(MdtNomination(nhs_number=LOW, reason="Lives alone, struggling", user_id=nurse.id,
                        at=datetime(2025, 4, 2, 9)))
    s.add(MdtNomination(nhs_number=OTHER_AREA, reason="Another practice",
                        user_id=community.users["gp2"]))
    recent = now() - timedelta(days=5)
    admitted = event(s, IN_AREA_2, "admission", recent)
    s.add(Task(nhs_number=IN_AREA_2, assigned_to=gp.id, title="Review", kind="admission_review",
               event_id=admitted.id, due_on=TODAY))
    event(s, LOW, "admission", recent, unplanned=False)
    event(s, LOW, "discharge", recent + timedelta(days=2), facility=None)
    event(s, IN_AREA, "admission", recent, cancelled=True)  # cancelled: not listed
    event(s, IN_AREA, "admission", now() - timedelta(days=200))  # before the start
    event(s, OTHER_AREA, "admission", recent)  # another practice
    dead = person(s, next(numbers(10)), level=3, risk=0.99, died=date(2025, 1, 1))
    event(s, dead, "admission", recent)
    meeting = services.create_meeting(s, gp, TODAY)
    assert lines(s, meeting) == [
        (LOW, ["nomination", "admission", "discharge"]),
        (IN_AREA_2, ["admission_review", "admission", "entrant"]),
        (IN_AREA, ["entrant"])]
    day = f"{recent.day} {recent:%B %Y}"
    later = recent + timedelta(days=2)
    assert texts(s, meeting, LOW) == [
        "Nominated by Nia Nurse on 2 April 2025: Lives alone, struggling",
        f"Admitted on {day} (General Hospital), planned",
        f"Discharged on {later.day} {later:%B %Y}"]
    assert texts(s, meeting, IN_AREA_2)[:2] == [
        f"Avoidable-admission review still open (admitted on {day})",
        f"Admitted on {day} (General Hospital), unplanned"]
    # the nomination is taken onto this meeting only
    taken = s.scalar(select(MdtNomination).where(MdtNomination.nhs_number == LOW))
    assert taken is not None
    assert taken.meeting_id == meeting.id
    again = services.create_meeting(s, gp, TODAY)
    assert again.since == TODAY  # from the last meeting
    assert "nomination" not in dict(lines(s, again)).get(LOW, [])


def test_entrants_and_risers_come_from_the_runs(s: Session, community: Community) -> None:
    gp = _user(s, community, "gp")
    first = services.create_meeting(s, gp, TODAY - timedelta(days=30))
    new_run(s, "run-0002", now() + timedelta(seconds=1))
    more = numbers(20)
    newcomer = person(s, next(more), level=3, risk=0.30, run="run-0002")
    result(s, IN_AREA, level=3, risk=0.65, registers="copd", run="run-0002")
    result(s, IN_AREA_2, level=2, risk=0.40, registers="copd", run="run-0002")
    result(s, LOW, level=3, risk=0.50, registers="copd", run="run-0002")
    result(s, OTHER_AREA, "P2", level=3, risk=0.95, registers="copd", run="run-0002")
    s.flush()
    meeting = services.create_meeting(s, gp, TODAY)
    assert meeting.since == first.held_on
    assert meeting.run_id == "run-0002"
    # by their first reason, then highest risk first
    assert lines(s, meeting) == [
        (IN_AREA, ["risk_rise"]), (LOW, ["risk_rise", "entrant"]), (newcomer, ["entrant"])]
    assert texts(s, meeting, LOW) == [
        "Risk of emergency admission in 12 months rose from 3% to 50% (run-0001 to "
        "run-0002)",
        "At level 3 in run-0002 (case-finding rules met); not at level 3 in run-0001"]
    assert texts(s, meeting, IN_AREA) == [
        "Risk of emergency admission in 12 months rose from 61% to 65% (run-0001 to "
        "run-0002)"]


def test_only_the_entrants_of_highest_risk_are_listed(s: Session, community: Community,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(agenda, "ENTRANTS", 1)
    meeting = services.create_meeting(s, _user(s, community, "gp"), TODAY)
    assert lines(s, meeting) == [(IN_AREA, ["entrant"])]
    assert meeting.left_off == {"entrant": 1}


def test_a_meeting_is_made_by_the_practice_team_for_a_date_near_today(
        s: Session, community: Community) -> None:
    for who in ("matron", "analyst"):
        with pytest.raises(services.MdtError, match="belong to a practice"):
            services.create_meeting(s, _user(s, community, who), TODAY)
    with pytest.raises(services.MdtError, match="more than a year"):
        services.create_meeting(s, _user(s, community, "pm"), TODAY + timedelta(days=400))
    with pytest.raises(services.MdtError, match="this is empty"):
        services.create_meeting(s, _user(s, community, "pm"), None)
    made = services.create_meeting(s, _user(s, community, "pm"), TODAY)
    with pytest.raises(services.NotFoundError):
        services.meeting_of(s, made.id, _user(s, community, "gp2"))
    assert services.meeting_of(s, made.id, _user(s, community, "nurse")) is made
