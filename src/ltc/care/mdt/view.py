"""What an MDT meeting shows, read in a fixed number of statements whatever its length
(DM-4): the meeting page, its printable record and the API read the same
:class:`MeetingView`; a person's MDT history for their page (:func:`person_history`).

The meeting is read in five statements: its attendees; its agenda lines with each
person, their result in the current run and their open caseload entry; the actions with
their tasks; and the users the page names or offers (the practice's team, whoever
recorded something, the people's case managers).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from ltc.care.auth.models import PRACTICE_ROLES, Role, User
from ltc.care.casemgmt.models import CaseloadEntry
from ltc.care.mdt.agenda import KINDS
from ltc.care.mdt.models import Action, AgendaItem, Attendee, MdtNomination, Meeting
from ltc.care.people.models import Person, PersonResult, StratRun
from ltc.care.work.models import Task

#: who can own an action at the practice (a case manager is offered for their own people)
OWNERS = (Role.PRACTICE_CLINICIAN.value, Role.PRACTICE_NURSE.value)


@dataclass(frozen=True)
class ActionView:
    action: Action
    owner: User
    task: Task


@dataclass
class Line:
    """One person on the agenda and what the meeting recorded for them."""

    item: AgendaItem
    person: Person
    result: PersonResult | None
    case_manager: User | None
    recorded_by: User | None
    actions: list[ActionView] = field(default_factory=list)

    @property
    def reasons(self) -> list[tuple[str, str]]:
        """(kind as people read it, why), in agenda order."""
        return [(KINDS.get(r["kind"], r["kind"]), r["text"]) for r in self.item.reasons]


@dataclass
class MeetingView:
    meeting: Meeting
    attendees: list[Attendee]
    lines: list[Line]
    team: list[User]  # the practice's active users, by name
    owners: list[User]  # whom actions can be given to at the practice
    created_by: User | None
    closed_by: User | None

    @property
    def attending(self) -> set[int]:
        return {a.user_id for a in self.attendees if a.user_id is not None}

    @property
    def others(self) -> str:
        return "\n".join(a.name for a in self.attendees if a.user_id is None)

    def owners_for(self, line: Line) -> list[User]:
        """The practice's clinicians, and the person's case manager when they have one."""
        extra = [line.case_manager] if line.case_manager is not None else []
        return self.owners + [u for u in extra if u.id not in {o.id for o in self.owners}]


def meeting_view(session: Session, meeting: Meeting) -> MeetingView:
    """The meeting, its attendees, agenda lines and actions (see the module doc)."""
    attendees = list(session.scalars(select(Attendee).where(
        Attendee.meeting_id == meeting.id).order_by(Attendee.user_id.is_(None), Attendee.id)))
    current = select(StratRun.id).where(StratRun.current.is_(True)).scalar_subquery()
    rows = session.execute(
        select(AgendaItem, Person, PersonResult, CaseloadEntry.user_id)
        .join(Person, Person.nhs_number == AgendaItem.nhs_number)
        .outerjoin(PersonResult, and_(PersonResult.nhs_number == AgendaItem.nhs_number,
                                      PersonResult.run_id == current))
        .outerjoin(CaseloadEntry, and_(CaseloadEntry.nhs_number == AgendaItem.nhs_number,
                                       CaseloadEntry.ended_on.is_(None)))
        .where(AgendaItem.meeting_id == meeting.id)
        .order_by(AgendaItem.position, AgendaItem.id)).all()
    actions = session.execute(
        select(Action, Task).join(Task, Task.id == Action.task_id)
        .join(AgendaItem, AgendaItem.id == Action.item_id)
        .where(AgendaItem.meeting_id == meeting.id).order_by(Action.id)).all()
    wanted = {meeting.created_by, meeting.closed_by,
              *(item.recorded_by for item, *_ in rows), *(cm for *_, cm in rows),
              *(a.owner_id for a, _ in actions)} - {None}
    users = {u.id: u for u in session.scalars(select(User).where(or_(
        and_(User.practice_code == meeting.practice_code,
             User.role.in_([r.value for r in PRACTICE_ROLES])),
        User.id.in_(sorted(u for u in wanted if u is not None)))))}
    lines: dict[int, Line] = {}
    seen: set[int] = set()
    for item, person, result, cm in rows:
        if item.id in seen:  # two open caseload entries: the first is shown
            continue
        seen.add(item.id)
        lines[item.id] = Line(item, person, result, users.get(cm) if cm else None,
                              users.get(item.recorded_by) if item.recorded_by else None)
    for action, task in actions:
        lines[action.item_id].actions.append(ActionView(action, users[action.owner_id], task))
    team = sorted((u for u in users.values() if u.active and u.practice_code ==
                   meeting.practice_code and u.role in {r.value for r in PRACTICE_ROLES}),
                  key=lambda u: (u.display_name, u.id))
    return MeetingView(meeting, attendees, list(lines.values()), team,
                       [u for u in team if u.role in OWNERS],
                       users.get(meeting.created_by),
                       users.get(meeting.closed_by) if meeting.closed_by else None)


@dataclass(frozen=True)
class Discussed:
    """A person's line on one meeting's agenda, for their page and the API."""

    item: AgendaItem
    meeting: Meeting
    actions: list[Action]


def person_history(session: Session, nhs_number: str) -> tuple[list[Discussed],
                                                               list[MdtNomination]]:
    """The meetings the person was on the agenda of (newest first), with the decisions
    and actions, and their nominations not yet on an agenda."""
    rows = session.execute(
        select(AgendaItem, Meeting).join(Meeting, Meeting.id == AgendaItem.meeting_id)
        .where(AgendaItem.nhs_number == nhs_number)
        .order_by(Meeting.held_on.desc(), Meeting.id.desc())).all()
    actions: dict[int, list[Action]] = {}
    for action in session.scalars(select(Action).where(Action.nhs_number == nhs_number)
                                  .order_by(Action.id)):
        actions.setdefault(action.item_id, []).append(action)
    waiting = list(session.scalars(select(MdtNomination).where(
        MdtNomination.nhs_number == nhs_number, MdtNomination.meeting_id.is_(None))
        .order_by(MdtNomination.id)))
    return [Discussed(i, m, actions.get(i.id, [])) for i, m in rows], waiting
