"""Receiving a message the edge has read (:mod:`ltc.interop.feeds`): drop a duplicate,
match the person, apply the alert rules.

One message is one unit of work: its row, its event and every alert, task, flag and
notification it makes are written in the caller's transaction, so a message is applied
whole or not at all. A message that cannot be read is kept raw in the quarantine with
the reason (nothing else is written); one for a person who cannot be matched waits in the
review queue. A second message with the same sender and control id changes nothing.

What the rules do (``ltc.care.events.rules``, configurable; applied by
:mod:`ltc.care.alerts.services`):

* **admission** of a case-managed person: an alert to the case manager and a
  discharge-planning task (CM-8); if it was unplanned (an emergency admission method) an
  avoidable-admission review task too (CM-9). Admission of anyone else at the practice
  alert levels (default: level 3): an alert to their practice.
* **discharge** of a case-managed person: a follow-up contact task within N working days
  (default 2); of anyone else at the practice alert levels: an alert to the practice.
* **cancellations** (A11, A13) withdraw the cancelled event's open alerts and tasks.
* **ambulance** attendance without conveyance for a person with a long term condition:
  an alert to their practice; at N calls within M days (default 3 in 90) the person is
  flagged as a frequent caller and the practice (and case manager) told (DM-5).
* a **death** of someone linked to a person (a carer or family member, from HL7 NK1): the
  person is flagged for review, "carer died" or "bereaved" (STRAT-2).
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from ltc.care.alerts.services import AlertRules
from ltc.care.audit import services as audit
from ltc.care.auth.models import User
from ltc.care.db import now
from ltc.care.events.feed import Event, FeedError
from ltc.care.events.models import (
    CareEvent,
    InboundMessage,
)
from ltc.care.events.outcome import Outcome as Outcome  # callers use services.Outcome
from ltc.care.events.rules import Rules, RulesError
from ltc.care.people.models import Person
from ltc.codes import nhs_number as nhs

#: NUL, which PostgreSQL text cannot hold, is kept as the symbol for it (U+2400); a lone
#: surrogate (a JSON "\\ud800" escape), which is not UTF-8 at all, as U+FFFD
NUL, NUL_SYMBOL = "\x00", "\u2400"
_SURROGATE = re.compile("[\ud800-\udfff]")


def _unstorable(text: str) -> bool:
    return NUL in text or _SURROGATE.search(text) is not None


def storable(text: str) -> str:
    """``text`` as the care store can keep it on either database."""
    if not _unstorable(text):
        return text
    return _SURROGATE.sub("\ufffd", text.replace(NUL, NUL_SYMBOL))


def _storable_event(event: Event) -> Event:
    changed: dict[str, Any] = {name: storable(value) for name, value in vars(event).items()
                               if isinstance(value, str) and _unstorable(value)}
    if any(_unstorable(a) or _unstorable(b) for a, b in event.links):
        changed["links"] = tuple((storable(a), storable(b)) for a, b in event.links)
    return replace(event, **changed) if changed else event


def quarantine(session: Session, feed: str, raw: str, error: FeedError,
               sender: str | None = None) -> Outcome:
    """Keep ``raw`` in the quarantine with the reason (in the caller's transaction);
    ``sender`` as the edge could read it from the message, else the feed."""
    raw = storable(raw)
    row = InboundMessage(feed=feed, sender=(sender or feed)[:200], control_id=None,
                         kind=None, status="quarantined",
                         problem=storable(error.reason)[:2000], raw=raw)
    session.add(row)
    session.flush()
    return Outcome("quarantined", error.code, row.id, error.reason, error.condition)


def receive(session: Session, rules: Rules, event: Event, raw: str,
            at: datetime | None = None) -> Outcome:
    """Check and apply one message, already read by the edge into ``event``, in the
    caller's transaction (a savepoint of it). When the alert rules cannot be applied to
    it, the message goes to the quarantine (and nothing else is written)."""
    raw = storable(raw)
    try:
        with session.begin_nested():
            return apply(session, rules, event, raw, at)
    except RulesError as error:  # e.g. a date past the rules' calendar: keep it, say why
        return quarantine(session, event.feed, raw, FeedError(
            "AE", f"the alert rules cannot be applied to it: {error}"), event.sender)


def apply(session: Session, rules: Rules, event: Event, raw: str,
          at: datetime | None = None) -> Outcome:
    """Apply a read event (in the caller's transaction)."""
    raw, event = storable(raw), _storable_event(event)
    earlier = session.scalar(select(InboundMessage).where(
        InboundMessage.sender == event.sender, InboundMessage.control_id == event.control_id))
    if earlier is not None:
        earlier.duplicates += 1
        session.flush()
        return Outcome("duplicate", "AA", earlier.id)
    message = InboundMessage(feed=event.feed, sender=event.sender,
                             control_id=event.control_id, kind=event.message_type,
                             status="unmatched", raw=raw,
                             nhs_number=(event.nhs_number or "")[:32] or None)
    session.add(message)
    session.flush()
    return _apply_to_person(session, rules, message, event, at)


def _match(session: Session, event: Event) -> tuple[Person | None, str]:
    given = event.nhs_number
    if not given:
        return None, "no NHS number in the message: match the person by hand"
    problem = nhs.problem(given)
    if problem is not None:
        return None, f"the NHS number is not valid ({problem})"  # the number is not kept
    person = session.get(Person, given)
    if person is None:
        return None, "this NHS number is not known in the care store"
    return person, ""


def _apply_to_person(session: Session, rules: Rules, message: InboundMessage, event: Event,
                     at: datetime | None) -> Outcome:
    person, problem = _match(session, event)
    if person is None:
        message.status, message.problem = "unmatched", problem
        session.flush()
        return Outcome("unmatched", "AA", message.id, problem)
    message.status, message.problem, message.applied_at = "applied", "", at or now()
    kind = "update" if _spell_told_before(session, message, event, person) else event.kind
    row = CareEvent(message_id=message.id, nhs_number=person.nhs_number, kind=kind,
                    occurred_at=event.occurred_at, spell_id=event.spell_id,
                    facility=event.facility, location=event.location,
                    admission_method=event.admission_method, unplanned=event.unplanned,
                    conveyed=event.conveyed, died=event.died)
    session.add(row)
    session.flush()
    outcome = Outcome("applied", "AA", message.id)
    AlertRules(session, rules, person, row, outcome).run(event)
    pending = audit.Pending(request_id=f"message-{message.id}",
                            actor=audit.Actor(None, f"feed:{event.feed}", "system"))
    pending.add(person.nhs_number, "write", f"{event.feed} {event.message_type}"[:200])
    audit.flush(session, pending)
    return outcome


def _spell_told_before(session: Session, message: InboundMessage, event: Event,
                       person: Person) -> bool:
    """Whether this sender already told of this admission or discharge of the spell (a
    new version of a FHIR Encounter, an ADT message sent again under a new control id):
    then it is an update, and makes no second alert or task."""
    if event.kind not in ("admission", "discharge") or not event.spell_id:
        return False
    return session.scalar(select(exists().where(
        CareEvent.nhs_number == person.nhs_number, CareEvent.kind == event.kind,
        CareEvent.spell_id == event.spell_id, CareEvent.cancelled_at.is_(None),
        CareEvent.message_id == InboundMessage.id,
        InboundMessage.sender == message.sender))) or False


class EventError(ValueError):
    """A review-queue or quarantine action that cannot be done, saying why."""


def held(session: Session, message_id: int, status: str) -> InboundMessage:
    """Message ``message_id`` waiting with ``status`` (``unmatched``: in the review queue;
    ``quarantined``), or :class:`EventError`."""
    row = session.get(InboundMessage, message_id)
    if row is None or row.status != status:
        label = {"unmatched": "in the review queue", "quarantined": "in the quarantine"}
        raise EventError(f"There is no message {message_id} {label[status]}.")
    return row


def to_match(session: Session, message_id: int, nhs_number: str) -> tuple[InboundMessage, str]:
    """The review-queue message ``message_id`` and the NHS number (spaces removed) it is to
    be applied to, once both are checked; else :class:`EventError` saying what to do."""
    row = held(session, message_id, "unmatched")
    given = nhs_number.replace(" ", "")
    problem = nhs.problem(given)
    if problem is not None:
        raise EventError(f"NHS number (nhs_number): {given!r} is not valid ({problem}). "
                         "Type the 10 digits again.")
    if session.get(Person, given) is None:
        raise EventError(f"NHS number (nhs_number): {given} is not known in the "
                         "care store. Check the number, or dismiss the message.")
    return row, given


def match_by_hand(session: Session, rules: Rules, row: InboundMessage, given: str,
                  event: Event | FeedError, by: User) -> Outcome:
    """Apply a message from the review queue (checked by :func:`to_match`) to the person
    with NHS number ``given``; ``event`` is the message read again by the edge, or why it
    now cannot be read (then it goes to the quarantine)."""
    if isinstance(event, FeedError):  # the reader changed since: quarantine it
        row.status, row.problem = "quarantined", event.reason
        session.flush()
        return Outcome("quarantined", event.code, row.id, event.reason)
    row.resolved_by = by.id
    return _apply_to_person(session, rules, row, replace(event, nhs_number=given), None)


def replay(session: Session, rules: Rules, row: InboundMessage, event: Event | FeedError,
           by: User) -> Outcome:
    """Apply a quarantined message (:func:`held`) read again by the edge (after the
    sender's or the rules' fix); when it still cannot be read, ``event`` says why."""
    if isinstance(event, FeedError):
        row.problem = event.reason[:2000]
        session.flush()
        return Outcome("quarantined", event.code, row.id, event.reason)
    row.resolved_by = by.id
    earlier = session.scalar(select(InboundMessage).where(
        InboundMessage.sender == event.sender, InboundMessage.control_id == event.control_id))
    if earlier is not None:  # the sender has sent it again since, and it was taken
        earlier.duplicates += 1
        row.status, row.problem = "dismissed", f"a duplicate of message {earlier.id}"
        session.flush()
        return Outcome("duplicate", "AA", earlier.id)
    row.sender, row.control_id, row.kind = event.sender, event.control_id, event.message_type
    row.nhs_number = (event.nhs_number or "")[:32] or None
    session.flush()
    return _apply_to_person(session, rules, row, event, None)


def dismiss(session: Session, message_id: int, by: User, reason: str) -> InboundMessage:
    """Take a message out of the review queue or the quarantine without applying it."""
    row = session.get(InboundMessage, message_id)
    if row is None or row.status not in ("unmatched", "quarantined"):
        raise EventError(f"There is no message {message_id} waiting to be dealt with.")
    text = reason.strip()
    if len(text) < 5:
        raise EventError("Reason (reason): say in a few words why the message is dismissed.")
    row.status, row.problem, row.resolved_by = "dismissed", text[:2000], by.id
    session.flush()
    return row


def counts(session: Session) -> dict[str, int]:
    """Messages by status."""
    rows = session.execute(select(InboundMessage.status, func.count())
                           .group_by(InboundMessage.status)).all()
    return {row[0]: row[1] for row in rows}

