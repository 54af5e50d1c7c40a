"""MDT meetings: making one with its agenda, its attendees, a decision and actions per
person, closing it, and clinicians' nominations for the next one (DM-4).

* A meeting belongs to the practice of the practice user who makes it; only that
  practice's team sees it. Its agenda is built once, when it is made
  (:mod:`ltc.care.mdt.agenda`), and kept: later events do not change it.
* **Attendees** are users of the practice, chosen, and anyone else typed by name (a
  community matron, a social worker...), one a line.
* For each person on the agenda the meeting records **notes** and a **decision**, and
  **actions**: each action is a task (``ltc.care.work``) for its owner, a clinician who
  looks after the person (a GP or nurse of the practice, or the person's case manager),
  with a due date; it shows in the owner's tasks.
* A **closed** meeting is the record: nothing on it changes any more.

Every problem is an :class:`MdtError` saying which field is wrong and what is expected;
services never commit: the request owns the transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import case, delete, func, select
from sqlalchemy.orm import Session

from ltc.care import access
from ltc.care.auth.models import PRACTICE_ROLES, User
from ltc.care.db import now
from ltc.care.mdt import agenda
from ltc.care.mdt.models import Action, AgendaItem, Attendee, MdtNomination, Meeting
from ltc.care.people.services import current_run
from ltc.care.work.models import Task
from ltc.care.work.services import free_text

MAX_TEXT = 2000  # notes, decisions, reasons
MAX_WHAT = 300  # an action: the task table's title
MAX_NAME = 200  # an attendee's name
MAX_OTHERS = 40  # attendees typed by name
#: how far from today a meeting may be dated
FURTHEST = timedelta(days=366)
#: the kind of the tasks an action makes (``ltc.care.work.models.Task.kind``)
TASK_KIND = "mdt_action"


class MdtError(ValueError):
    """Something about a meeting that cannot be saved, saying what is expected."""


class NotFoundError(LookupError):
    """No such meeting or agenda line (for this practice or person)."""


def _practice(user: User) -> str:
    if user.role not in PRACTICE_ROLES or not user.practice_code:
        raise MdtError("MDT meetings belong to a practice: only its GPs, nurses and "
                       "manager hold them.")
    return user.practice_code


def create_meeting(session: Session, user: User, held_on: date | None,
                   today: date | None = None) -> Meeting:
    """Make a meeting of ``user``'s practice on ``held_on``, with its agenda."""
    today = today or date.today()
    practice = _practice(user)
    if held_on is None:
        raise MdtError("Date of the meeting (held_on): this is empty. Give the date.")
    if abs(held_on - today) > FURTHEST:
        raise MdtError(f"Date of the meeting (held_on): {held_on.isoformat()} is more than "
                       "a year from today. Give the date the meeting is held.")
    since, last = agenda.since_for(session, practice, held_on)
    built = agenda.build(session, practice, since, last)
    run = current_run(session)
    meeting = Meeting(practice_code=practice, held_on=held_on, since=since,
                      run_id=run.id if run else None, left_off=built.left_off,
                      created_by=user.id)
    session.add(meeting)
    session.flush()
    session.add_all(AgendaItem(meeting_id=meeting.id, nhs_number=nhs, position=i,
                               reasons=reasons)
                    for i, (nhs, reasons) in enumerate(built.lines, start=1))
    for nomination in built.nominations:
        nomination.meeting_id = meeting.id
    session.flush()
    return meeting


def meeting_of(session: Session, meeting_id: int, user: User) -> Meeting:
    """One of the meetings of ``user``'s practice, or :class:`NotFoundError`."""
    meeting = session.get(Meeting, meeting_id)
    if meeting is None or meeting.practice_code != user.practice_code \
            or user.role not in PRACTICE_ROLES:
        raise NotFoundError("There is no such MDT meeting at your practice.")
    return meeting


@dataclass(frozen=True)
class Listed:
    meeting: Meeting
    people: int
    decided: int


def meetings(session: Session, user: User) -> list[Listed]:
    """The meetings of ``user``'s practice, newest first, with how many people each
    lists and how many have a decision."""
    if user.role not in PRACTICE_ROLES or not user.practice_code:
        return []
    decided = func.sum(case((func.length(AgendaItem.decision) > 0, 1), else_=0))
    rows = session.execute(
        select(Meeting, func.count(AgendaItem.id), decided)
        .outerjoin(AgendaItem, AgendaItem.meeting_id == Meeting.id)
        .where(Meeting.practice_code == user.practice_code)
        .group_by(Meeting.id).order_by(Meeting.held_on.desc(), Meeting.id.desc())).all()
    return [Listed(m, n, int(d or 0)) for m, n, d in rows]


def _open(meeting: Meeting) -> None:
    if meeting.closed_at is not None:
        raise MdtError("This meeting is closed: its record does not change any more.")


def set_attendees(session: Session, meeting: Meeting, user_ids: Sequence[int],
                  others: str) -> list[Attendee]:
    """Replace the meeting's attendees: users of the practice, and others one a line."""
    _open(meeting)
    chosen = list(dict.fromkeys(user_ids))
    users = {u.id: u for u in session.scalars(select(User).where(User.id.in_(chosen)))} \
        if chosen else {}
    for user_id in chosen:
        user = users.get(user_id)
        if user is None or user.practice_code != meeting.practice_code \
                or user.role not in PRACTICE_ROLES:
            raise MdtError(f"Attendees (attendee): user {user_id} is not on the team of "
                           f"practice {meeting.practice_code}. Type others by name below.")
    text = free_text(others, "Others attending (others)", MAX_NAME * MAX_OTHERS,
                     required=False, error=MdtError)
    names = list(dict.fromkeys(line.strip() for line in text.splitlines() if line.strip()))
    if len(names) > MAX_OTHERS:
        raise MdtError(f"Others attending (others): {len(names)} names; give at most "
                       f"{MAX_OTHERS}, one a line.")
    for name in names:
        if len(name) > MAX_NAME:
            raise MdtError(f"Others attending (others): a name is {len(name)} characters "
                           f"long; shorten it to {MAX_NAME} or fewer.")
    session.execute(delete(Attendee).where(Attendee.meeting_id == meeting.id))
    rows = [Attendee(meeting_id=meeting.id, user_id=u, name=users[u].display_name)
            for u in chosen] + [Attendee(meeting_id=meeting.id, name=n) for n in names]
    session.add_all(rows)
    session.flush()
    return rows


def item_of(session: Session, nhs_number: str, item_id: int,
            user: User) -> tuple[AgendaItem, Meeting]:
    """One agenda line about the person, on a meeting of ``user``'s practice."""
    item = session.get(AgendaItem, item_id)
    if item is None or item.nhs_number != nhs_number:
        raise NotFoundError("There is no such line on an MDT agenda for this person.")
    return item, meeting_of(session, item.meeting_id, user)


def record_decision(session: Session, nhs_number: str, item_id: int, by: User, notes: str,
                    decision: str) -> AgendaItem:
    """Record what the meeting said about the person and what it decided."""
    item, meeting = item_of(session, nhs_number, item_id, by)
    _open(meeting)
    item.notes = free_text(notes, "Discussion notes (notes)", MAX_TEXT, required=False,
                           error=MdtError)
    item.decision = free_text(decision, "Decision (decision)", MAX_TEXT, required=True,
                              error=MdtError)
    item.recorded_by, item.recorded_at = by.id, now()
    session.flush()
    return item


def owner(session: Session, nhs_number: str, user_id: int | None) -> User:
    """The clinician an action is given to: active, a case manager, GP or practice nurse,
    who looks after the person."""
    user = session.get(User, user_id) if user_id is not None else None
    if user is None or not user.active:
        raise MdtError("Owner (owner): choose the clinician who will do it.")
    if user.role not in access.CLINICAL or not access.looks_after(session, user, nhs_number):
        raise MdtError(f"Owner (owner): {user.display_name} does not look after this "
                       "person. Choose a GP or nurse of their practice, or their case "
                       "manager.")
    return user


def add_action(session: Session, nhs_number: str, item_id: int, by: User, what: str,
               owner_id: int | None, due_on: date | None,
               today: date | None = None) -> Action:
    """Agree an action for the person: a task for its owner, due on ``due_on``."""
    today = today or date.today()
    item, meeting = item_of(session, nhs_number, item_id, by)
    _open(meeting)
    text = free_text(what, "Action (what)", MAX_WHAT, required=True, error=MdtError)
    if due_on is None:
        raise MdtError("Due date (due_on): this is empty. Give the date it is due.")
    if due_on < today:
        raise MdtError(f"Due date (due_on): {due_on.isoformat()} has passed. Give today's "
                       "date or a later one.")
    doer = owner(session, nhs_number, owner_id)
    task = Task(nhs_number=nhs_number, assigned_to=doer.id, due_on=due_on, created_by=by.id,
                kind=TASK_KIND,
                title=f"MDT {meeting.held_on.day} {meeting.held_on:%B %Y}: {text}"[:MAX_WHAT])
    session.add(task)
    session.flush()
    action = Action(item_id=item.id, nhs_number=nhs_number, what=text, owner_id=doer.id,
                    due_on=due_on, task_id=task.id, created_by=by.id)
    session.add(action)
    session.flush()
    return action


def close(session: Session, meeting: Meeting, by: User) -> Meeting:
    """Close the meeting: its record is final."""
    _open(meeting)
    meeting.closed_at, meeting.closed_by = now(), by.id
    session.flush()
    return meeting


def nominate(session: Session, nhs_number: str, by: User, reason: str) -> MdtNomination:
    """Nominate the person for their practice's next MDT meeting."""
    text = free_text(reason, "Why (reason)", MAX_TEXT, required=True, error=MdtError)
    row = MdtNomination(nhs_number=nhs_number, reason=text, user_id=by.id)
    session.add(row)
    session.flush()
    return row
