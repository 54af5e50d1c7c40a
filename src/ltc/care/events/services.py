"""Receiving a message: read it, drop a duplicate, match the person, apply the alert rules.

One message is one unit of work: its row, its event and every alert, task, flag and
notification it makes are written in the caller's transaction, so a message is applied
whole or not at all. A message that cannot be read is kept raw in the quarantine with
the reason (nothing else is written); one for a person who cannot be matched waits in the
review queue. A second message with the same sender and control id changes nothing.

What the rules do (``ltc.care.events.rules``, configurable):

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
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from ltc.care.audit import services as audit
from ltc.care.auth.models import Role, User
from ltc.care.casemgmt.models import CaseloadEntry
from ltc.care.db import now, uk_time
from ltc.care.events.feed import Event, FeedError
from ltc.care.events.models import (
    Alert,
    CareEvent,
    Flag,
    InboundMessage,
    Notification,
    PersonLink,
)
from ltc.care.events.rules import Rules, RulesError
from ltc.care.people.models import Person, PersonResult, StratRun
from ltc.care.work.models import Task
from ltc.codes import nhs_number as nhs
from ltc.interop import ambulance
from ltc.interop.fhir import messages as fhir
from ltc.interop.hl7v2 import parser as hl7v2

#: how each feed reads one raw message
Reader = Callable[[str], Event]
READERS: dict[str, Reader] = {"hl7v2": hl7v2.read, "fhir": fhir.read,
                              ambulance.FEED: ambulance.read}


def register_reader(feed: str, reader: Reader) -> None:
    READERS[feed] = reader


def reader(feed: str) -> Reader:
    """The reader of ``feed`` (HL7 v2, FHIR, ambulance: :mod:`ltc.interop`)."""
    return READERS[feed]


@dataclass
class Outcome:
    """What one message did."""

    status: str  # applied, duplicate, unmatched, quarantined
    code: str  # the acknowledgement: AA, AE or AR
    message_id: int | None = None
    problem: str = ""
    condition: str = ""  # when not AA: HL7 table 0357 (see ltc.care.events.feed.CONDITIONS)
    alerts: list[int] = field(default_factory=list)
    tasks: list[int] = field(default_factory=list)
    flags: list[int] = field(default_factory=list)


def _sender(feed: str, raw: str) -> str:
    if feed == "hl7v2":
        try:
            return hl7v2.sender_of(hl7v2.parse(raw))[:200]
        except FeedError:
            pass
    return feed


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


def quarantine(session: Session, feed: str, raw: str, error: FeedError) -> Outcome:
    """Keep ``raw`` in the quarantine with the reason (in the caller's transaction)."""
    raw = storable(raw)
    row = InboundMessage(feed=feed, sender=_sender(feed, raw), control_id=None,
                         kind=None, status="quarantined",
                         problem=storable(error.reason)[:2000], raw=raw)
    session.add(row)
    session.flush()
    return Outcome("quarantined", error.code, row.id, error.reason, error.condition)


def receive(session: Session, rules: Rules, feed: str, raw: str,
            at: datetime | None = None) -> Outcome:
    """Read, check and apply one message in the caller's transaction. A message that
    cannot be read goes to the quarantine (and nothing else is written)."""
    raw = storable(raw)
    try:
        event = reader(feed)(raw)
    except FeedError as error:
        return quarantine(session, feed, raw, error)
    try:
        with session.begin_nested():
            return apply(session, rules, event, raw, at)
    except RulesError as error:  # e.g. a date past the rules' calendar: keep it, say why
        return quarantine(session, feed, raw, FeedError(
            "AE", f"the alert rules cannot be applied to it: {error}"))


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
    _Apply(session, rules, person, row, outcome).run(event)
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


def _day(value: datetime) -> str:
    """A stored time as people read it, in UK time."""
    local = uk_time(value)
    return f"{local.day} {local:%B %Y} at {local:%H:%M}"


class _Apply:
    """The alert rules for one applied event of one person."""

    def __init__(self, session: Session, rules: Rules, person: Person, event: CareEvent,
                 outcome: Outcome) -> None:
        self.session, self.rules, self.person = session, rules, person
        self.event, self.outcome = event, outcome
        self.case_manager = session.scalar(
            select(CaseloadEntry.user_id).where(CaseloadEntry.nhs_number == person.nhs_number,
                                                CaseloadEntry.ended_on.is_(None)).limit(1))
        current = select(StratRun.id).where(StratRun.current.is_(True)).scalar_subquery()
        self.result = session.scalar(  # a primary-key read, whatever the planner knows
            select(PersonResult).where(PersonResult.run_id == current,
                                       PersonResult.nhs_number == person.nhs_number))

    def run(self, event: Event) -> None:
        kind = self.event.kind
        self._links(event.links)
        if kind == "admission":
            self._admission()
        elif kind == "discharge":
            self._discharge()
        elif kind in ("cancel_admission", "cancel_discharge"):
            self._cancel("admission" if kind == "cancel_admission" else "discharge")
        elif kind == "ambulance":
            self._ambulance()
        if self.event.died and not self._death_known():
            self._death()

    # -- what the rules make -------------------------------------------------------
    def _alert(self, kind: str, title: str, *, user_id: int | None = None,
               practice: bool = False, person: Person | None = None) -> None:
        who = person or self.person
        if practice and not who.practice_code:
            return
        alert = Alert(nhs_number=who.nhs_number, kind=kind, title=title[:300],
                      event_id=self.event.id, user_id=None if practice else user_id,
                      practice_code=who.practice_code if practice else None)
        self.session.add(alert)
        self.session.flush()
        recipients = [user_id] if user_id and not practice else list(self.session.scalars(
            select(User.id).where(User.role == Role.PRACTICE_CLINICIAN.value,
                                  User.practice_code == who.practice_code,
                                  User.active.is_(True))))
        for uid in recipients:
            self.session.add(Notification(alert_id=alert.id, user_id=uid))
        self.outcome.alerts.append(alert.id)

    def _task(self, kind: str, title: str, working_days: int) -> None:
        assert self.case_manager is not None
        due = self.rules.add_working_days(uk_time(self.event.occurred_at).date(), working_days)
        task = Task(nhs_number=self.person.nhs_number, assigned_to=self.case_manager,
                    title=title[:300], due_on=due, created_by=None, kind=kind,
                    event_id=self.event.id)
        self.session.add(task)
        self.session.flush()
        self.outcome.tasks.append(task.id)

    def _flag(self, kind: str, reason: str, person: Person | None = None) -> bool:
        who = person or self.person
        open_flag = self.session.scalar(select(Flag.id).where(
            Flag.nhs_number == who.nhs_number, Flag.kind == kind, Flag.cleared_at.is_(None)))
        if open_flag is not None:
            return False
        flag = Flag(nhs_number=who.nhs_number, kind=kind, reason=reason[:300],
                    event_id=self.event.id)
        self.session.add(flag)
        self.session.flush()
        self.outcome.flags.append(flag.id)
        return True

    def _practice_level(self) -> bool:
        return (self.result is not None
                and self.result.level in self.rules.practice_alert_levels)

    def _where(self) -> str:
        parts = [p for p in (self.event.location, self.event.facility) if p]
        return f" ({', '.join(parts)})" if parts else ""

    # -- the rules -------------------------------------------------------------------
    def _admission(self) -> None:
        when = _day(self.event.occurred_at)
        how = {True: "Unplanned admission", False: "Planned admission",
               None: "Admission"}[self.event.unplanned]
        if self.case_manager is not None:
            if self.rules.alert_case_manager:
                self._alert("admission", f"{how} on {when}{self._where()}: begin discharge "
                            "planning", user_id=self.case_manager)
                self._task("discharge_planning", "Discharge planning: keep in touch while in "
                           f"hospital{self._where()}",
                           self.rules.discharge_planning_working_days)
            if self.event.unplanned and self.rules.review:
                self._task("admission_review", f"Avoidable admission review: unplanned "
                           f"admission on {when} (primary, secondary and social care)",
                           self.rules.review_working_days)
        elif self._practice_level():
            self._alert("practice_admission", f"{how} on {when}{self._where()}",
                        practice=True)

    def _discharge(self) -> None:
        when = _day(self.event.occurred_at)
        days = self.rules.follow_up_working_days
        due = self.rules.add_working_days(uk_time(self.event.occurred_at).date(), days)
        if self.case_manager is not None:
            self._task("follow_up", f"Follow-up contact after discharge on {when}{self._where()}",
                       days)
        elif self._practice_level():
            self._alert("practice_discharge", f"Discharged on {when}{self._where()}: follow "
                        f"up by {due.day} {due:%B %Y}", practice=True)

    def _cancel(self, kind: str) -> None:
        q = (select(CareEvent).where(CareEvent.nhs_number == self.person.nhs_number,
                                     CareEvent.kind == kind, CareEvent.cancelled_at.is_(None),
                                     CareEvent.id != self.event.id)
             .order_by(CareEvent.occurred_at.desc(), CareEvent.id.desc()).limit(1))
        if self.event.spell_id:
            q = q.where(CareEvent.spell_id == self.event.spell_id)
        target = self.session.scalar(q)
        if target is None:
            return
        targets = [target]
        if kind == "admission" and target.spell_id:  # no admission, so no discharge either
            targets += self.session.scalars(select(CareEvent).where(
                CareEvent.nhs_number == self.person.nhs_number,
                CareEvent.kind == "discharge", CareEvent.spell_id == target.spell_id,
                CareEvent.cancelled_at.is_(None)))
        stamp = now()
        for cancelled in targets:
            cancelled.cancelled_at = stamp
            for alert in self.session.scalars(select(Alert).where(
                    Alert.event_id == cancelled.id, Alert.cancelled_at.is_(None))):
                alert.cancelled_at = stamp
            for task in self.session.scalars(select(Task).where(
                    Task.event_id == cancelled.id, Task.done_at.is_(None),
                    Task.cancelled_at.is_(None))):
                task.cancelled_at = stamp
        self.session.flush()

    def _has_ltc(self) -> bool:
        return self.result is not None and (bool(self.result.registers)
                                            or (self.result.ltc_count or 0) > 0)

    def _ambulance(self) -> None:
        when = _day(self.event.occurred_at)
        if self.event.conveyed is False and self.rules.non_conveyance_alert and self._has_ltc():
            self._alert("ambulance_not_conveyed", f"Ambulance attended on {when}; not taken "
                        "to hospital", practice=True)
        busiest = self._busiest_window()
        if busiest is not None:
            calls, last = busiest
            reason = (f"{calls} ambulance calls in {self.rules.frequent_caller_days} days "
                      f"(to {_day(last)})")
            if self._flag("frequent_caller", reason):
                self._alert("frequent_caller", f"Frequent ambulance caller: {reason}",
                            practice=True)
                if self.case_manager is not None:
                    self._alert("frequent_caller", f"Frequent ambulance caller: {reason}",
                                user_id=self.case_manager)

    def _busiest_window(self) -> tuple[int, datetime] | None:
        """The calls, and the last of them, of a window of ``frequent_caller_days`` that
        holds this call and at least ``frequent_caller_calls`` calls; None if there is
        none. Every window holding this call is looked at, as incidents may arrive out of
        order (a late one can complete a window that ends after it)."""
        span = timedelta(days=self.rules.frequent_caller_days)
        at = self.event.occurred_at
        times = sorted(self.session.scalars(select(CareEvent.occurred_at).where(
            CareEvent.nhs_number == self.person.nhs_number, CareEvent.kind == "ambulance",
            CareEvent.cancelled_at.is_(None), CareEvent.occurred_at > at - span,
            CareEvent.occurred_at < at + span)))
        for last in (t for t in times if t >= at):  # each window (last - span, last]
            calls = sum(1 for t in times if last - span < t <= last)
            if calls >= self.rules.frequent_caller_calls:
                return calls, last
        return None

    def _links(self, links: tuple[tuple[str, str], ...]) -> None:
        for related, relationship in links:
            if related == self.person.nhs_number or not nhs.is_valid(related):
                continue
            link = self.session.get(PersonLink, (self.person.nhs_number, related))
            if link is None:
                self.session.add(PersonLink(nhs_number=self.person.nhs_number,
                                            related_nhs_number=related,
                                            relationship=relationship))
            else:
                link.relationship = relationship
        self.session.flush()

    def _death_known(self) -> bool:
        """Whether an earlier message already told of this person's death (an update or a
        discharge after it repeats it): the people it bereaved are flagged once."""
        return self.session.scalar(select(exists().where(
            CareEvent.nhs_number == self.person.nhs_number, CareEvent.died.is_(True),
            CareEvent.cancelled_at.is_(None), CareEvent.id != self.event.id))) or False

    def _death(self) -> None:
        if not self.rules.bereavement_flag:
            return
        when = _day(self.event.occurred_at)
        for link in self.session.scalars(select(PersonLink).where(
                PersonLink.related_nhs_number == self.person.nhs_number)).all():
            other = self.session.get(Person, link.nhs_number)
            if other is None or other.date_of_death is not None:
                continue
            carer = link.relationship in self.rules.carer_relationships
            kind = "carer_died" if carer else "bereaved"
            reason = (f"Their carer died on {when}: review" if carer
                      else f"Bereaved on {when} (relationship {link.relationship}): review")
            if not self._flag(kind, reason, other):
                continue
            manager = self.session.scalar(select(CaseloadEntry.user_id).where(
                CaseloadEntry.nhs_number == other.nhs_number,
                CaseloadEntry.ended_on.is_(None)).limit(1))
            if manager is not None:
                self._alert("bereavement", reason, user_id=manager, person=other)
            else:
                self._alert("bereavement", reason, practice=True, person=other)


# -- the review queue and the quarantine -------------------------------------------------
class EventError(ValueError):
    """A review-queue or quarantine action that cannot be done, saying why."""


def _held(session: Session, message_id: int, status: str) -> InboundMessage:
    row = session.get(InboundMessage, message_id)
    if row is None or row.status != status:
        label = {"unmatched": "in the review queue", "quarantined": "in the quarantine"}
        raise EventError(f"There is no message {message_id} {label[status]}.")
    return row


def match_by_hand(session: Session, rules: Rules, message_id: int, nhs_number: str,
                  by: User) -> Outcome:
    """Apply a message from the review queue to the person with ``nhs_number``."""
    row = _held(session, message_id, "unmatched")
    given = nhs_number.replace(" ", "")
    problem = nhs.problem(given)
    if problem is not None:
        raise EventError(f"NHS number (nhs_number): {given!r} is not valid ({problem}). "
                         "Type the 10 digits again.")
    if session.get(Person, given) is None:
        raise EventError(f"NHS number (nhs_number): {given} is not known in the "
                         "care store. Check the number, or dismiss the message.")
    try:
        event = reader(row.feed)(row.raw)
    except FeedError as error:  # the reader changed since: quarantine it
        row.status, row.problem = "quarantined", error.reason
        session.flush()
        return Outcome("quarantined", error.code, row.id, error.reason)
    row.resolved_by = by.id
    return _apply_to_person(session, rules, row, replace(event, nhs_number=given), None)


def replay(session: Session, rules: Rules, message_id: int, by: User) -> Outcome:
    """Read a quarantined message again (after the sender's or the rules' fix)."""
    row = _held(session, message_id, "quarantined")
    try:
        event = reader(row.feed)(row.raw)
    except FeedError as error:
        row.problem = error.reason[:2000]
        session.flush()
        return Outcome("quarantined", error.code, row.id, error.reason)
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

