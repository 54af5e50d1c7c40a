"""Working the caseload: contacts, tasks, referrals for more support and satisfaction
survey responses (CM-6, CM-7, CM-10, CM-11; discharge, CM-12, is in ``casemgmt``).

* A **contact** is a home visit, telephone call, clinic appointment or video call on a
  day that has happened, with its outcome (CM-6).
* A **task** has a title, a due date and one clinician it is assigned to (the person who
  adds it, unless they choose another). The assignee must be a case manager or practice
  clinician with a legitimate relationship with the person: emergency (break-glass)
  access does not count, since it ends while the task stays.
* **My tasks** lists a clinician's open tasks, overdue first, then by due date, each with
  the person's named case manager (CM-7). Tasks on people the clinician no longer has a
  relationship with are left out (they stay on the person's summary for whoever looks
  after them now), so the list never shows someone they may not see.
* A **referral** asks another service for more support, with the reason (CM-10).
* A **satisfaction survey response** scores the service from 1 (very dissatisfied) to 5
  (very satisfied), with an optional comment (CM-11).

Every problem is a :class:`WorkError` whose message names the field and what is expected.
Services never commit: the request owns the transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ltc.care import access
from ltc.care.auth.models import CLINICAL_ROLES, User
from ltc.care.casemgmt.models import CaseloadEntry
from ltc.care.db import now
from ltc.care.people.models import Person
from ltc.care.work.models import Contact, Referral, SurveyResponse, Task

#: kinds of contact, with how they read on a page
KINDS = {"home_visit": "Home visit", "telephone": "Telephone", "clinic": "Clinic",
         "video": "Video call"}
#: services a person can be referred to for more support (CM-10)
SERVICES = {"home_care": "Home care", "intermediate_care": "Intermediate care",
            "palliative_care": "Palliative care", "geriatrician": "Geriatrician",
            "voluntary_sector": "Voluntary sector", "social_care": "Social care",
            "other": "Other"}
#: the satisfaction scale (CM-11)
SATISFACTION = {1: "Very dissatisfied", 2: "Dissatisfied",
                3: "Neither satisfied nor dissatisfied", 4: "Satisfied", 5: "Very satisfied"}
#: roles a task can be assigned to
ASSIGNABLE = CLINICAL_ROLES

MAX_TITLE = 300  # the task table's column
MAX_TEXT = 2000  # outcomes, reasons and comments


class WorkError(ValueError):
    """A contact, task, referral or survey response that cannot be saved, saying which
    field is wrong and what is expected."""


class NoSuchTaskError(LookupError):
    """No task with that id belongs to that person."""


def free_text(value: str, label: str, limit: int, *, required: bool,
              error: type[ValueError] = WorkError) -> str:
    """Typed text, trimmed: otherwise ``error`` naming the field (``label``) when it is
    empty but required, longer than ``limit`` or holds control characters."""
    text = value.strip()
    if required and not text:
        raise error(f"{label}: this is empty. Type it in.")
    if len(text) > limit:
        raise error(f"{label}: this is {len(text)} characters long. Shorten it to "
                    f"{limit} characters or fewer.")
    if any(ord(ch) < 32 and ch not in "\n\r\t" for ch in text):
        raise error(f"{label}: this contains control characters. Type it again as "
                    "plain text.")
    return text


def _day(value: date | None, label: str, today: date, *, required: bool = True) -> date:
    if value is None:
        if required:
            raise WorkError(f"{label}: this is empty. Give the date.")
        return today
    if value > today:
        raise WorkError(f"{label}: {value.isoformat()} is in the future. Give today's date "
                        "or an earlier one.")
    return value


def _choice(value: str, label: str, allowed: dict[str, str]) -> str:
    if value not in allowed:
        raise WorkError(f"{label}: {value!r} is not one of the choices. Choose one of "
                        f"{', '.join(allowed)}.")
    return value


def record_contact(session: Session, nhs_number: str, by: User, on: date | None, kind: str,
                   outcome: str, today: date | None = None) -> Contact:
    """Log a contact with the person and its outcome (CM-6)."""
    today = today or date.today()
    contact = Contact(nhs_number=nhs_number, user_id=by.id,
                      kind=_choice(kind, "Kind of contact (kind)", KINDS),
                      on=_day(on, "Date of the contact (on)", today),
                      outcome=free_text(outcome, "Outcome of the contact (outcome)", MAX_TEXT,
                                    required=True))
    session.add(contact)
    session.flush()
    return contact


def assignee(session: Session, nhs_number: str, user_id: int,
             label: str = "Assigned to (assigned_to)", what: str = "Tasks",
             error: type[ValueError] = WorkError) -> User:
    """The active clinician ``user_id`` who looks after the person, to assign a task or an
    alert to; otherwise ``error`` naming the field (``label``) and what is expected."""
    user = session.get(User, user_id)
    if user is None or not user.active:
        raise error(f"{label}: there is no such active user. Choose a clinician who looks "
                    "after this person.")
    if user.role not in ASSIGNABLE:
        raise error(f"{label}: {user.display_name} is not a clinician. {what} can only be "
                    "assigned to case managers, practice clinicians and practice nurses.")
    if not access.looks_after(session, user, nhs_number):
        raise error(f"{label}: {user.display_name} does not look after this person. Choose "
                    "a clinician who does (their case manager or a clinician at their "
                    "practice).")
    return user


def add_task(session: Session, nhs_number: str, by: User, title: str, due_on: date | None,
             assigned_to: int | None = None, today: date | None = None) -> Task:
    """Add a task for the person, assigned to ``assigned_to`` (by default ``by``)."""
    today = today or date.today()
    text = free_text(title, "Task title (title)", MAX_TITLE, required=True)
    if due_on is None:
        raise WorkError("Due date (due_on): this is empty. Give the date the task is due.")
    if due_on < today:
        raise WorkError(f"Due date (due_on): {due_on.isoformat()} has passed. Give today's "
                        "date or a later one.")
    assigned = assignee(session, nhs_number, by.id if assigned_to is None else assigned_to)
    task = Task(nhs_number=nhs_number, title=text, due_on=due_on, assigned_to=assigned.id,
                created_by=by.id)
    session.add(task)
    session.flush()
    return task


def complete_task(session: Session, nhs_number: str, task_id: int) -> Task:
    """Mark one of the person's tasks done."""
    task = session.get(Task, task_id)
    if task is None or task.nhs_number != nhs_number:
        raise NoSuchTaskError("There is no such task for this person.")
    if task.done_at is not None:
        raise WorkError(f"This task was already marked done on {task.done_at:%d %B %Y}.")
    if task.cancelled_at is not None:
        raise WorkError("This task was withdrawn when the hospital cancelled the event that "
                        "made it; there is nothing to do.")
    task.done_at = now()
    session.flush()
    return task


def tasks_of(session: Session, nhs_number: str) -> list[Task]:
    """A person's tasks: open ones first, by due date; then done or withdrawn ones,
    newest first."""
    return list(session.scalars(
        select(Task).where(Task.nhs_number == nhs_number)
        .order_by((Task.done_at.is_not(None)) | (Task.cancelled_at.is_not(None)),
                  Task.due_on.asc().nulls_last(),
                  Task.done_at.desc(), Task.id)).all())


@dataclass(frozen=True)
class OpenTask:
    task: Task
    person: Person
    overdue: bool
    case_manager: User | None  # the person's named case manager (CM-7)


def open_tasks(session: Session, user: User, today: date | None = None,
               limit: int = 500) -> list[OpenTask]:
    """``user``'s open tasks across people they look after, overdue first, then by due
    date."""
    today = today or date.today()
    rows = session.execute(
        select(Task, Person).join(Person, Person.nhs_number == Task.nhs_number)
        .where(Task.assigned_to == user.id, Task.done_at.is_(None),
               Task.cancelled_at.is_(None), access.LOOKS_AFTER)
        .order_by(Task.due_on.asc().nulls_last(), Task.id).limit(limit),
        access.params(user)).all()
    managers: dict[str, User] = {}
    if rows:
        managers = dict(session.execute(
            select(CaseloadEntry.nhs_number, User).join(User, User.id == CaseloadEntry.user_id)
            .where(CaseloadEntry.nhs_number.in_(sorted({p.nhs_number for _, p in rows})),
                   CaseloadEntry.ended_on.is_(None))).all())
    return [OpenTask(t, p, t.due_on is not None and t.due_on < today,
                     managers.get(p.nhs_number))
            for t, p in rows]


def add_referral(session: Session, nhs_number: str, by: User, service: str, reason: str,
                 on: date | None = None, today: date | None = None) -> Referral:
    """Refer the person to another service for more support (CM-10)."""
    today = today or date.today()
    referral = Referral(nhs_number=nhs_number, user_id=by.id,
                        service=_choice(service, "Service (service)", SERVICES),
                        reason=free_text(reason, "Reason for the referral (reason)", MAX_TEXT,
                                     required=True),
                        on=_day(on, "Date of the referral (on)", today, required=False))
    session.add(referral)
    session.flush()
    return referral


def record_survey(session: Session, nhs_number: str, by: User, satisfaction: int | None,
                  comment: str = "", on: date | None = None,
                  today: date | None = None) -> SurveyResponse:
    """Record the person's satisfaction with the service (CM-11)."""
    today = today or date.today()
    if satisfaction is None or satisfaction not in SATISFACTION:
        given = "nothing" if satisfaction is None else str(satisfaction)
        raise WorkError(f"Satisfaction (satisfaction): {given} is not a score. Choose a "
                        "whole number from 1 (very dissatisfied) to 5 (very satisfied).")
    response = SurveyResponse(nhs_number=nhs_number, recorded_by=by.id,
                              satisfaction=satisfaction,
                              comment=free_text(comment, "Comment (comment)", MAX_TEXT,
                                            required=False),
                              on=_day(on, "Date of the response (on)", today, required=False))
    session.add(response)
    session.flush()
    return response
