"""Referrals to integrated care co-ordinators and the contact attempt log (VW-2, POP-5).

* A **co-ordinator** is a case manager whose job title names them ("Integrated care
  co-ordinator", "Care co-ordinator"): no role of its own (:func:`is_coordinator`).
* A **referral** goes to one co-ordinator or to the co-ordinators of the person's
  locality. A GP refers (source ``gp``); a case manager refers from the hidden populations
  page (``hidden_population``), an MDT meeting (``mdt``) or otherwise (``other``). A person
  has at most one referral open (``open`` or ``accepted``) at a time; a referral ends
  ``declined`` or ``closed``, with who ended it and when.
* A **contact attempt** is one try at reaching the person (phone, visit, letter, text) and
  its outcome. The attempts lead to the case-management *approach*
  (:func:`ltc.care.casemgmt.services.record_approach`), which stays the one record of the
  person's answer: an attempt whose outcome is ``declined`` records the declined approach
  (with its review date) in the same unit of work, and three unanswered attempts in a row
  (:data:`UNANSWERED`) with no approach recorded since suggest recording the approach as
  ``uncontactable`` (:func:`suggests_uncontactable`). Services never commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ltc.care.auth.models import Role, User
from ltc.care.casemgmt import services as cases
from ltc.care.casemgmt.models import Approach, CaseManager
from ltc.care.coordination.models import ContactAttempt, CoordinatorReferral
from ltc.care.db import now
from ltc.care.people.models import Person

SOURCES = {"gp": "Referred by a GP", "hidden_population": "Hidden populations",
           "mdt": "MDT meeting", "other": "Other referral"}
#: sources a case manager may give (a GP's referral is always ``gp``)
CASE_MANAGER_SOURCES = ("hidden_population", "mdt", "other")
STATUSES = ("open", "accepted", "declined", "closed")
#: a referral in one of these states is still being worked
LIVE = ("open", "accepted")
#: where a referral in a state may go next
NEXT = {"open": ("accepted", "declined", "closed"), "accepted": ("closed",)}
METHODS = {"phone": "Telephone", "visit": "Visit", "letter": "Letter", "text": "Text message"}
OUTCOMES = {"reached": "Reached", "no_answer": "No answer", "left_message": "Left a message",
            "wrong_number": "Wrong number", "declined": "Declined"}
#: outcomes that did not reach the person
UNANSWERED = ("no_answer", "left_message", "wrong_number")
#: unanswered attempts in a row that suggest recording the approach as uncontactable (a
#: local working rule, not a national standard: change it here)
UNCONTACTABLE_AFTER = 3
REASON_LIMIT = 2000


class CoordinationError(ValueError):
    """A referral or contact attempt that cannot be saved: ``field`` names the form field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


def is_coordinator(cm: CaseManager | None) -> bool:
    """Whether a case manager's job title names them an integrated care co-ordinator."""
    if cm is None:
        return False
    title = cm.job_title.lower()
    return "co-ordinator" in title or "coordinator" in title


def open_referral(session: Session, nhs_number: str) -> CoordinatorReferral | None:
    r = CoordinatorReferral
    return session.scalar(select(r).where(r.nhs_number == nhs_number, r.status.in_(LIVE))
                          .order_by(r.at.desc(), r.id.desc()).limit(1))


def refer(session: Session, nhs_number: str, by: User, reason: str, *,
          source: str | None = None, to_user_id: int | None = None) -> CoordinatorReferral:
    """Refer a person to a co-ordinator (``to_user_id``) or, without one, to the
    co-ordinators of the person's locality."""
    if by.role == Role.PRACTICE_CLINICIAN:
        source = "gp"
    elif source not in CASE_MANAGER_SOURCES:
        raise CoordinationError("source", f"expected one of {', '.join(CASE_MANAGER_SOURCES)}; "
                                          f"got {source!r}.")
    reason = reason.strip()
    if not reason:
        raise CoordinationError("reason", "give the reason for the referral: the co-ordinator "
                                          "reads it before contacting the person.")
    if len(reason) > REASON_LIMIT:
        raise CoordinationError("reason", f"at most {REASON_LIMIT} characters (got "
                                          f"{len(reason)}).")
    person = session.get(Person, nhs_number)
    if person is None:
        raise CoordinationError("nhs_number", "there is no such person.")
    locality = person.locality_code
    if to_user_id is not None:
        if not is_coordinator(session.get(CaseManager, to_user_id)):
            raise CoordinationError("to_user", "choose an integrated care co-ordinator.")
        locality = None
    elif not locality:
        raise CoordinationError("to_user", "the person's locality is not known: choose the "
                                           "co-ordinator to refer them to.")
    live = open_referral(session, nhs_number)
    if live is not None:
        raise CoordinationError("nhs_number", f"this person already has a referral "
                                              f"{live.status} since {live.at:%d %b %Y}; "
                                              "close it before referring them again.")
    row = CoordinatorReferral(nhs_number=nhs_number, from_user_id=by.id, to_user_id=to_user_id,
                   locality_code=locality, source=source, reason=reason, status="open")
    session.add(row)
    session.flush()
    return row


def set_status(session: Session, nhs_number: str, status: str,
               by: User) -> CoordinatorReferral:
    """Accept, decline or close a person's live referral."""
    row = open_referral(session, nhs_number)
    if row is None:
        raise CoordinationError("status", "this person has no open or accepted referral to "
                                          "a co-ordinator.")
    allowed = NEXT.get(row.status, ())
    if status not in allowed:
        raise CoordinationError("status", f"a referral that is {row.status} may become "
                                          f"{' or '.join(allowed) or 'nothing else'}; got "
                                          f"{status!r}.")
    row.status = status
    if status in ("declined", "closed"):
        row.closed_at, row.closed_by = now(), by.id
    session.flush()
    return row


def log_attempt(session: Session, nhs_number: str, by: User, at: datetime, method: str,
                outcome: str, note: str = "", review_on: date | None = None) -> ContactAttempt:
    """Record an attempt to contact a person; a ``declined`` outcome records the declined
    approach too (``review_on``: when the person may be offered case management again)."""
    if method not in METHODS:
        raise CoordinationError("method", f"expected one of {', '.join(METHODS)}; got "
                                          f"{method!r}.")
    if outcome not in OUTCOMES:
        raise CoordinationError("outcome", f"expected one of {', '.join(OUTCOMES)}; got "
                                           f"{outcome!r}.")
    if at.date() > date.today():
        raise CoordinationError("at", f"the attempt cannot be in the future (got {at:%d %b %Y}).")
    if len(note) > REASON_LIMIT:
        raise CoordinationError("note", f"at most {REASON_LIMIT} characters (got {len(note)}).")
    row = ContactAttempt(nhs_number=nhs_number, user_id=by.id, at=at, method=method,
                         outcome=outcome, note=note.strip())
    session.add(row)
    if outcome == "declined":
        try:
            cases.record_approach(session, nhs_number, by, at.date(), "declined", review_on,
                                  note)
        except cases.CaseError as e:
            raise CoordinationError("review_on", str(e)) from e
    session.flush()
    return row


def unanswered_in_a_row(attempts: Sequence[ContactAttempt]) -> int:
    """How many of the newest attempts (``attempts`` newest first) in a row went
    unanswered."""
    n = 0
    for a in attempts:
        if a.outcome not in UNANSWERED:
            break
        n += 1
    return n


def suggests_uncontactable(attempts: Sequence[ContactAttempt],
                           approaches: Sequence[Approach]) -> bool:
    """Three (:data:`UNCONTACTABLE_AFTER`) unanswered attempts in a row, newest first, and
    no approach recorded since the newest of them."""
    if unanswered_in_a_row(attempts) < UNCONTACTABLE_AFTER:
        return False
    newest = attempts[0].at.date()
    return not any(a.on >= newest for a in approaches)


def attempts(session: Session, nhs_number: str) -> list[ContactAttempt]:
    """A person's contact attempts, newest first."""
    return list(session.scalars(select(ContactAttempt).where(
        ContactAttempt.nhs_number == nhs_number)
        .order_by(ContactAttempt.at.desc(), ContactAttempt.id.desc())))


def approaches(session: Session, nhs_number: str) -> list[Approach]:
    return list(session.scalars(select(Approach).where(Approach.nhs_number == nhs_number)
                                .order_by(Approach.at.desc())))
