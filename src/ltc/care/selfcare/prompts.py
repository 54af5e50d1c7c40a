"""Who is prompted about an out-of-range self-monitoring reading, and the prompt (SC-2;
DM-3: the person's named contact; CM-7: the named case manager).

The prompt goes to the first of:

1. the person's **named contact** (:func:`ltc.care.contacts.services.named_contact`: a GP
   or practice nurse of their practice), while they still look after the person;
2. else their **case manager** (an open caseload entry: the named case manager, CM-7);
3. else their **practice's clinicians**: an alert to the practice, which each of them
   sees in their inbox until one acknowledges it (those the inbox addresses practice
   alerts to: :func:`ltc.care.events.inbox.practice_clinicians`).

Someone named (1 or 2) is given a task ("My tasks", due the day of the reading) and an
alert in their inbox. Every alert writes a notice per recipient to the notification
outbox (``ltc.care.events.notify``), in the same transaction: the notice names no
patient. What was done is returned in words, kept with the reading and shown on the
person's pages.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ltc.care import access
from ltc.care.auth.models import User
from ltc.care.casemgmt.models import CaseloadEntry
from ltc.care.contacts.services import named_contact as the_named_contact
from ltc.care.events.inbox import practice_clinicians
from ltc.care.events.models import Alert, Notification
from ltc.care.people.models import Person
from ltc.care.work.models import Task

#: the kind of the alerts and tasks a reading out of range makes
KIND = "self_monitoring"
#: how each way of prompting reads on a page
ROUTES = {"named_contact": "named contact", "case_manager": "case manager",
          "practice": "practice clinicians", "nobody": "nobody"}

#: finds the person's named contact: ``(session, nhs_number) -> User | None``
NamedContact = Callable[[Session, str], User | None]


@dataclass(frozen=True)
class Prompt:
    route: str  # a key of ROUTES
    words: str  # what was done, for the page
    task_id: int | None = None
    alert_id: int | None = None


def _case_manager(session: Session, nhs_number: str) -> User | None:
    return session.scalar(
        select(User).join(CaseloadEntry, CaseloadEntry.user_id == User.id)
        .where(CaseloadEntry.nhs_number == nhs_number, CaseloadEntry.ended_on.is_(None),
               User.active.is_(True)).limit(1))


def recipient(session: Session, person: Person,
              named_contact: NamedContact | None = None) -> tuple[str, User | None]:
    """Whom a prompt about ``person`` goes to: (route, user), user None for the practice
    (or nobody, for a person of no practice)."""
    found = (named_contact or the_named_contact)(session, person.nhs_number)
    if found is not None and found.active and access.looks_after(session, found,
                                                                 person.nhs_number):
        return "named_contact", found
    manager = _case_manager(session, person.nhs_number)
    if manager is not None:
        return "case_manager", manager
    if person.practice_code:
        return "practice", None
    return "nobody", None


def prompt(session: Session, person: Person, title: str, on: date,
           named_contact: NamedContact | None = None) -> Prompt:
    """Prompt whoever :func:`recipient` names about ``person``: a task (due ``on``) and an
    alert, each titled ``title``, and a notice in the outbox for each recipient."""
    route, user = recipient(session, person, named_contact)
    if route == "nobody":
        return Prompt(route, "Nobody was prompted: the person has no named contact, case "
                             "manager or practice")
    alert = Alert(nhs_number=person.nhs_number, kind=KIND, title=title[:300],
                  user_id=user.id if user else None,
                  practice_code=None if user else person.practice_code)
    session.add(alert)
    session.flush()
    recipients = [user.id] if user else [
        u.id for u in practice_clinicians(session, [person.practice_code or ""])[
            person.practice_code or ""]]
    session.add_all(Notification(alert_id=alert.id, user_id=uid) for uid in recipients)
    if user is None:
        session.flush()
        return Prompt(route, f"Alert to the clinicians of practice {person.practice_code} "
                             "(no named contact or case manager)", alert_id=alert.id)
    task = Task(nhs_number=person.nhs_number, assigned_to=user.id, title=title[:300],
                due_on=on, created_by=None, kind=KIND)
    session.add(task)
    session.flush()
    return Prompt(route, f"Task and alert for {user.display_name} ({ROUTES[route]})",
                  task_id=task.id, alert_id=alert.id)
