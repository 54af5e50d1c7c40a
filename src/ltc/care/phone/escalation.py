"""Decision support on a telephone call (DM-7; DM-3: the named contact): a red-flag answer
escalates the call to the person's named contact **the same day**: a task due today in
their "My tasks" and an alert in their inbox, with a notice in the notification outbox.

Whom it goes to is decided as for every prompt about a person
(:func:`ltc.care.selfcare.prompts.recipient`): their named contact while that clinician
still looks after them, else their case manager, else their practice's clinicians (an
alert each of them sees until one acknowledges it; the caller is told to speak to the
practice's duty clinician the same day).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from ltc.care.events.inbox import practice_clinicians
from ltc.care.events.models import Alert, Notification
from ltc.care.people.models import Person
from ltc.care.selfcare.prompts import ROUTES, NamedContact, recipient
from ltc.care.work.models import Task

#: the kind of the alerts and tasks a red flag makes
KIND = "red_flag"


@dataclass(frozen=True)
class Escalation:
    route: str  # a key of ltc.care.selfcare.prompts.ROUTES
    words: str  # what was done, for the page and the call's record
    task_id: int | None = None
    alert_id: int | None = None


def planned(session: Session, person: Person, named_contact: NamedContact | None = None
            ) -> str:
    """Whom a red flag on a call to ``person`` would go to, in words (the script shows
    it before the call is recorded)."""
    route, user = recipient(session, person, named_contact)
    if user is not None:
        return f"{user.display_name} ({ROUTES[route]})"
    if route == "practice":
        return f"the clinicians of practice {person.practice_code} (no named contact)"
    return "nobody: the person has no named contact, case manager or practice"


def escalate(session: Session, person: Person, title: str, today: date,
             named_contact: NamedContact | None = None) -> Escalation:
    """Escalate a call's red flags about ``person`` (``title`` says which) today."""
    route, user = recipient(session, person, named_contact)
    if route == "nobody":
        return Escalation(route, "Nobody could be told: the person has no named contact, "
                                 "case manager or practice. Speak to a clinician today.")
    alert = Alert(nhs_number=person.nhs_number, kind=KIND, title=title[:300],
                  user_id=user.id if user else None,
                  practice_code=None if user else person.practice_code)
    session.add(alert)
    session.flush()
    practice = person.practice_code or ""
    recipients = [user.id] if user else [u.id for u in practice_clinicians(
        session, [practice])[practice]]
    session.add_all(Notification(alert_id=alert.id, user_id=uid) for uid in recipients)
    if user is None:
        session.flush()
        return Escalation(route, f"Alert to the clinicians of practice {practice} (no "
                                 "named contact or case manager): speak to the practice's "
                                 "duty clinician today", alert_id=alert.id)
    task = Task(nhs_number=person.nhs_number, assigned_to=user.id, title=title[:300],
                due_on=today, created_by=None, kind=KIND)
    session.add(task)
    session.flush()
    return Escalation(route, f"Task due today and alert for {user.display_name} "
                             f"({ROUTES[route]})", task_id=task.id, alert_id=alert.id)
