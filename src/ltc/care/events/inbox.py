"""The clinician's inbox of alerts, a person's events, flags and admission reviews, and
the review queue and quarantine as administrators see them (CM-8, CM-9, DM-5, STRAT-2).

* A clinician's **inbox** holds the alerts that are theirs to deal with: alerts to them
  (a case manager's), alerts to their practice (a practice clinician's) and alerts
  assigned to them. An alert assigned to someone takes it out of everyone else's inbox.
  Alerts withdrawn by a cancellation are left out, and so are alerts on people the
  clinician no longer has a legitimate relationship with (emergency access does not
  count: it ends while the alert stays). An alert snoozed until a later time is listed
  apart until then.
* The **unread count** in every clinician's page header is one SQL count of the
  unacknowledged, unsnoozed alerts addressed to them: it checks no person's access (the
  alerts were addressed to them by the rules, and the inbox checks before it shows any).
* An alert is **acknowledged** once, for everyone it was for (a practice alert by any
  clinician of the practice); it can be **assigned** to a clinician who looks after the
  person (who is told, as of a new alert), and **snoozed** until a time in the next
  :data:`MAX_SNOOZE_DAYS` days.
* A person's **timeline** lists their hospital and ambulance events (a withdrawn one
  marked), their alerts and their open flags, newest first; a flag stays until a
  clinician clears it.
* An **admission review** (CM-9) records, for each of primary, secondary and social care,
  whether the admission was avoidable, why, and what will be done. When all three are
  recorded, the event's open review task is marked done. Recording a sector again
  replaces its finding.
* Administrators work the **review queue** (messages for a person who could not be
  matched) and the **quarantine** (messages that could not be read) with
  :func:`ltc.care.events.services.match_by_hand`, ``replay`` and ``dismiss``.

Every problem is an :class:`InboxError` whose message names the field and what is
expected; an alert, flag, event or message that is not there (or not the user's) is a
:class:`NotFoundError` (both in :mod:`ltc.care.events.errors`). Admission reviews are
:mod:`ltc.care.events.reviews`, whose names this module also offers. Services never
commit: the request owns the transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, func, or_, select
from sqlalchemy.orm import Session, defer

from ltc.care import access
from ltc.care.access import LOOKS_AFTER
from ltc.care.auth.models import CLINICAL_ROLES, PRACTICE_ROLES, User
from ltc.care.db import now as utc_now
from ltc.care.db import uk_time
from ltc.care.events.errors import InboxError as InboxError
from ltc.care.events.errors import NotFoundError as NotFoundError
from ltc.care.events.errors import choice as _choice
from ltc.care.events.feed import KINDS
from ltc.care.events.models import (
    Alert,
    CareEvent,
    Flag,
    InboundMessage,
    Notification,
)
from ltc.care.events.reviews import AVOIDABLE as AVOIDABLE
from ltc.care.events.reviews import MAX_TEXT as MAX_TEXT
from ltc.care.events.reviews import REVIEW_REASONS as REVIEW_REASONS
from ltc.care.events.reviews import SECTORS as SECTORS
from ltc.care.events.reviews import PendingReview as PendingReview
from ltc.care.events.reviews import admission as admission
from ltc.care.events.reviews import pending_reviews as pending_reviews
from ltc.care.events.reviews import record_review as record_review
from ltc.care.events.reviews import review_task as review_task
from ltc.care.events.reviews import reviews_of as reviews_of
from ltc.care.events.rules import ALERT_KINDS
from ltc.care.people.models import Person
from ltc.care.work import services as work
from ltc.codes import nhs_number as nhs

#: kinds of flag, as pages show them
FLAG_KINDS = {"frequent_caller": "Frequent ambulance caller", "carer_died": "Carer died",
              "bereaved": "Bereaved"}
#: the inbox's two queues for administrators, as pages name them
QUEUES = {"quarantined": "Quarantine", "unmatched": "Review queue"}
#: the snooze choices the inbox page offers, in days
SNOOZE_DAYS = (1, 3, 7)
MAX_SNOOZE_DAYS = 14
#: roles an alert can be assigned to
ASSIGNABLE = CLINICAL_ROLES
#: a practice's clinicians
PRACTICE_CLINICAL = tuple(r for r in CLINICAL_ROLES if r in PRACTICE_ROLES)
LIMIT = 200  # open alerts an inbox lists
DONE_LIMIT = 50  # acknowledged alerts an inbox lists


# -- the inbox -------------------------------------------------------------------------
#: an alert is the user's to deal with: assigned to them, or assigned to no one and
#: addressed to them or to their practice (``practice`` None: a user of no practice)
_THEIRS = or_(Alert.assigned_to == bindparam("user"),
              and_(Alert.assigned_to.is_(None),
                   or_(Alert.user_id == bindparam("user"),
                       Alert.practice_code == bindparam("practice"))))
#: the user still looks after the alert's person (joined as Person): the SQL form of
#: :func:`ltc.care.access.looks_after`. An alert about someone they no longer look after
#: is neither shown nor counted
_LOOKS_AFTER = LOOKS_AFTER
_OPEN = and_(Alert.acknowledged_at.is_(None), Alert.cancelled_at.is_(None))
_AWAKE = or_(Alert.snoozed_until.is_(None), Alert.snoozed_until <= bindparam("now"))
#: built once: it runs on every page a clinician opens
_UNREAD = select(func.count()).select_from(Alert).join(
    Person, Person.nhs_number == Alert.nhs_number).where(_THEIRS, _OPEN, _AWAKE, _LOOKS_AFTER)
_MARK = select(func.count(), func.max(Alert.id)).select_from(Alert).join(
    Person, Person.nhs_number == Alert.nhs_number).where(_THEIRS, _OPEN, _AWAKE, _LOOKS_AFTER)


def _addressee(user: User) -> dict[str, Any]:
    practice = user.practice_code if user.role in PRACTICE_CLINICAL else None
    return {"user": user.id, "practice": practice or None} | access.params(user)


@dataclass(frozen=True)
class InboxAlert:
    alert: Alert
    person: Person
    label: str  # the kind of alert, as pages show it
    snoozed: bool  # snoozed until a later time


@dataclass(frozen=True)
class Inbox:
    open: list[InboxAlert]  # newest first
    snoozed: list[InboxAlert]  # newest first
    acknowledged: list[InboxAlert]  # most recently acknowledged first

    def people(self) -> list[str]:
        """The NHS numbers shown, each once, in the order shown."""
        return list(dict.fromkeys(a.person.nhs_number
                                  for a in (*self.open, *self.snoozed, *self.acknowledged)))


def inbox(session: Session, user: User, *, include_done: bool = False,
          now: datetime | None = None) -> Inbox:
    """``user``'s alerts: open ones (snoozed ones apart) and, with ``include_done``, the
    most recently acknowledged."""
    at = now or utc_now()
    params = _addressee(user) | {"now": at}
    base = (select(Alert, Person).join(Person, Person.nhs_number == Alert.nhs_number)
            .where(_THEIRS, _LOOKS_AFTER, Alert.cancelled_at.is_(None)))
    waiting = session.execute(
        base.where(Alert.acknowledged_at.is_(None))
        .order_by(Alert.created_at.desc(), Alert.id.desc()).limit(LIMIT), params).all()
    done = session.execute(
        base.where(Alert.acknowledged_at.is_not(None))
        .order_by(Alert.acknowledged_at.desc(), Alert.id.desc()).limit(DONE_LIMIT),
        params).all() if include_done else []

    def shown(rows: Iterable[Any]) -> list[InboxAlert]:
        return [InboxAlert(a, p, ALERT_KINDS.get(a.kind, a.kind),
                           a.snoozed_until is not None and a.snoozed_until > at)
                for a, p in rows]

    listed = shown(waiting)
    return Inbox([a for a in listed if not a.snoozed], [a for a in listed if a.snoozed],
                 shown(done))


def unread_count(session: Session, user: User, now: datetime | None = None) -> int:
    """How many of ``user``'s alerts are unacknowledged and not snoozed: one count."""
    return session.scalar(_UNREAD, _addressee(user) | {"now": now or utc_now()}) or 0


def mark(session: Session, user: User, now: datetime | None = None) -> str:
    """What the unread alerts are now, in a word that changes when they do (an alert
    added, acknowledged, assigned, withdrawn or woken): for an open inbox to reload
    itself only then. One query."""
    count, newest = session.execute(_MARK, _addressee(user) | {"now": now or utc_now()}).one()
    return f"{count}-{newest or 0}"


def _theirs(session: Session, user: User, alert_id: int) -> Alert:
    alert = session.scalar(select(Alert).where(Alert.id == alert_id, _THEIRS),
                           _addressee(user))
    if alert is None or not access.looks_after(session, user, alert.nhs_number):
        raise NotFoundError("There is no such alert in your inbox.")
    if alert.cancelled_at is not None:
        raise InboxError("This alert was withdrawn when the hospital cancelled the event "
                         "that made it; there is nothing to do.")
    if alert.acknowledged_at is not None:
        raise InboxError(f"This alert was already acknowledged on "
                         f"{uk_time(alert.acknowledged_at):%d %B %Y at %H:%M}.")
    return alert


def acknowledge(session: Session, user: User, alert_id: int) -> Alert:
    """Acknowledge one of ``user``'s alerts (for everyone it was for)."""
    alert = _theirs(session, user, alert_id)
    alert.acknowledged_at, alert.acknowledged_by = utc_now(), user.id
    session.flush()
    return alert


def _assignee(session: Session, nhs_number: str, user_id: int) -> User:
    return work.assignee(session, nhs_number, user_id, "Assign to (to_user_id)", "Alerts",
                         InboxError)


def assign(session: Session, user: User, alert_id: int, to_user_id: int) -> Alert:
    """Give one of ``user``'s alerts to a clinician who looks after the person (``user``
    themselves to take it); someone else is notified as of a new alert."""
    alert = _theirs(session, user, alert_id)
    to = _assignee(session, alert.nhs_number, to_user_id)
    alert.assigned_to, alert.snoozed_until = to.id, None
    if to.id != user.id:
        session.add(Notification(alert_id=alert.id, user_id=to.id))
    session.flush()
    return alert


def snooze(session: Session, user: User, alert_id: int, until: datetime,
           now: datetime | None = None) -> Alert:
    """Put one of ``user``'s alerts aside until ``until`` (UTC), at most
    :data:`MAX_SNOOZE_DAYS` days ahead; it counts as unread again from then."""
    at = now or utc_now()
    alert = _theirs(session, user, alert_id)
    if until.tzinfo is not None:
        try:
            until = until.astimezone(UTC).replace(tzinfo=None)
        except OverflowError:
            raise InboxError(f"Snooze until (until): {until.isoformat()} is not a time "
                             f"in the next {MAX_SNOOZE_DAYS} days. Choose one that "
                             "is.") from None
    if until <= at:
        raise InboxError(f"Snooze until (until): {until:%d %B %Y %H:%M} has passed. Choose "
                         f"a time in the next {MAX_SNOOZE_DAYS} days.")
    if until > at + timedelta(days=MAX_SNOOZE_DAYS):
        raise InboxError(f"Snooze until (until): {until:%d %B %Y %H:%M} is more than "
                         f"{MAX_SNOOZE_DAYS} days away. Choose a time in the next "
                         f"{MAX_SNOOZE_DAYS} days.")
    alert.snoozed_until = until
    session.flush()
    return alert


def practice_clinicians(session: Session, codes: Iterable[str]) -> dict[str, list[User]]:
    """The active clinicians (GPs and practice nurses) of each practice in ``codes``, by
    name: whom a practice's alert is assigned to or told of."""
    wanted = sorted(set(codes))
    found: dict[str, list[User]] = {code: [] for code in wanted}
    if wanted:
        for user in session.scalars(
                select(User).where(User.role.in_([r.value for r in PRACTICE_CLINICAL]),
                                   User.practice_code.in_(wanted), User.active.is_(True))
                .order_by(User.display_name, User.id)):
            found[user.practice_code or ""].append(user)
    return found


# -- a person's events, alerts and flags -----------------------------------------------
@dataclass(frozen=True)
class Entry:
    """One line of a person's timeline."""

    at: datetime
    source: str  # event, alert or flag
    id: int
    kind: str
    label: str  # the kind, as pages show it
    text: str
    cancelled: bool  # withdrawn by a later cancellation
    event_id: int | None


def describe_event(event: CareEvent) -> str:
    """Where and how, in words: the ward and hospital, planned or not, a death."""
    parts = [p for p in (event.location, event.facility) if p]
    words = ", ".join(parts)
    if event.unplanned is not None and event.kind == "admission":
        words = ("unplanned" if event.unplanned else "planned") + (f" ({words})" if words
                                                                  else "")
    if event.conveyed is not None:
        words += ("; " if words else "") + ("taken to hospital" if event.conveyed
                                           else "not taken to hospital")
    if event.died:
        words += ("; " if words else "") + "died"
    return words


def timeline(session: Session, nhs_number: str) -> list[Entry]:
    """The person's hospital and ambulance events, alerts and open flags, newest
    first."""
    events = session.scalars(select(CareEvent).where(CareEvent.nhs_number == nhs_number))
    alerts = session.scalars(select(Alert).where(Alert.nhs_number == nhs_number))
    flags = open_flags(session, nhs_number)
    entries = (
        [Entry(e.occurred_at, "event", e.id, e.kind, KINDS.get(e.kind, e.kind),
               describe_event(e), e.cancelled_at is not None, e.id) for e in events]
        + [Entry(a.created_at, "alert", a.id, a.kind, ALERT_KINDS.get(a.kind, a.kind),
                 a.title, a.cancelled_at is not None, a.event_id) for a in alerts]
        + [Entry(f.raised_at, "flag", f.id, f.kind, FLAG_KINDS.get(f.kind, f.kind),
                 f.reason, False, f.event_id) for f in flags])
    order = {"event": 0, "alert": 1, "flag": 2}
    return sorted(entries, key=lambda e: (e.at, -order[e.source], e.id), reverse=True)


def open_flags(session: Session, nhs_number: str) -> list[Flag]:
    """The person's flags not yet cleared, newest first."""
    return list(session.scalars(
        select(Flag).where(Flag.nhs_number == nhs_number, Flag.cleared_at.is_(None))
        .order_by(Flag.raised_at.desc(), Flag.id.desc())))


def clear_flag(session: Session, user: User, nhs_number: str, flag_id: int) -> Flag:
    """Clear one of the person's flags (it has been reviewed)."""
    flag = session.get(Flag, flag_id)
    if flag is None or flag.nhs_number != nhs_number:
        raise NotFoundError("There is no such flag for this person.")
    if flag.cleared_at is not None:
        raise InboxError(f"This flag was already cleared on {flag.cleared_at:%d %B %Y}.")
    flag.cleared_at, flag.cleared_by = utc_now(), user.id
    session.flush()
    return flag


# -- the review queue and the quarantine -----------------------------------------------
def queue(session: Session, status: str, limit: int = LIMIT) -> list[InboundMessage]:
    """The messages waiting in the review queue (``unmatched``) or the quarantine
    (``quarantined``), the oldest first (without their raw text)."""
    _choice(status, "Queue (status)", QUEUES)
    return list(session.scalars(
        select(InboundMessage).options(defer(InboundMessage.raw))
        .where(InboundMessage.status == status).order_by(InboundMessage.id).limit(limit)))


def message(session: Session, message_id: int) -> InboundMessage:
    """One received message, or :class:`NotFoundError`."""
    row = session.get(InboundMessage, message_id)
    if row is None:
        raise NotFoundError("There is no such message.")
    return row


def audited_nhs_number(row: InboundMessage) -> str | None:
    """The NHS number an audit row names for a message: the one it gave, if valid."""
    given = row.nhs_number or ""
    return given if nhs.is_valid(given) else None
