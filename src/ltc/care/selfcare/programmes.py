"""Referral to self-care programmes and their progress (SC-1): a person is referred to a
programme of the configured list (:mod:`ltc.care.selfcare.catalogue`); each session
attended is recorded; the referral ends when they complete the course or drop out (with
the reason). The programmes list shows, for the people a clinician looks after (their
practice's, their area's), who was referred and how far they have got. Services never
commit: the request owns the transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ltc.care import access
from ltc.care.auth.models import User
from ltc.care.people.models import Person
from ltc.care.selfcare.catalogue import Programme
from ltc.care.selfcare.errors import NotFoundError, SelfCareError, choice, past, text
from ltc.care.selfcare.models import ProgrammeReferral

STATUSES = {"referred": "Referred", "attending": "Attending", "completed": "Completed",
            "dropped_out": "Dropped out"}
OPEN = ("referred", "attending")
#: what can happen to a referral (the page's choices)
ACTIONS = {"attended": "Attended a session", "completed": "Completed the programme",
           "dropped_out": "Dropped out"}
LIMIT = 500  # referrals a programmes list shows


def refer(session: Session, nhs_number: str, by: User, programmes: dict[str, Programme],
          programme: str, on: date | None = None, note: str = "",
          today: date | None = None) -> ProgrammeReferral:
    """Refer the person to ``programme`` (not twice while a referral to it is open)."""
    today = today or date.today()
    chosen = programmes.get(programme)
    if chosen is None:
        raise SelfCareError(f"Programme (programme): {programme!r} is not one of the "
                            f"programmes. Choose one of {', '.join(programmes)}.")
    already = session.scalar(select(ProgrammeReferral).where(
        ProgrammeReferral.nhs_number == nhs_number, ProgrammeReferral.programme == programme,
        ProgrammeReferral.status.in_(OPEN)))
    if already is not None:
        raise SelfCareError(f"Programme (programme): the person was already referred to "
                            f"{chosen.name} on {already.referred_on:%d %B %Y} and has not "
                            "finished it. Record their attendance on that referral.")
    referral = ProgrammeReferral(
        nhs_number=nhs_number, programme=chosen.id, programme_name=chosen.name,
        sessions=chosen.sessions, referred_on=past(on, "Date of the referral (on)", today),
        referred_by=by.id, status="referred", attended=0,
        note=text(note, "Note (note)", required=False))
    session.add(referral)
    session.flush()
    return referral


def update(session: Session, nhs_number: str, referral_id: int, action: str,
           on: date | None = None, reason: str = "",
           today: date | None = None) -> ProgrammeReferral:
    """Record a session attended, completion, or dropping out (with ``reason``)."""
    today = today or date.today()
    referral = session.get(ProgrammeReferral, referral_id)
    if referral is None or referral.nhs_number != nhs_number:
        raise NotFoundError("There is no such programme referral for this person.")
    choice(action, "What happened (action)", ACTIONS)
    day = past(on, "Date (on)", today)
    if referral.status not in OPEN:
        raise SelfCareError(f"This referral to {referral.programme_name} ended on "
                            f"{referral.ended_on:%d %B %Y} "
                            f"({STATUSES[referral.status].lower()}); refer the person "
                            "again to record more.")
    if day < referral.referred_on:
        raise SelfCareError(f"Date (on): {day.isoformat()} is before the referral on "
                            f"{referral.referred_on.isoformat()}. Give a later date.")
    why = text(reason, "Reason (reason)", required=action == "dropped_out")
    if action == "attended":
        referral.attended += 1
        referral.last_attended_on = max(day, referral.last_attended_on or day)
        referral.status = "attending"
    else:
        referral.status, referral.ended_on, referral.reason = action, day, why
    session.flush()
    return referral


@dataclass(frozen=True)
class Listed:
    referral: ProgrammeReferral
    person: Person


def referrals(session: Session, user: User, programme: str = "", status: str = ""
              ) -> list[Listed]:
    """Referrals of the people ``user`` looks after, by practice, open ones first, newest
    first; of one programme and status when given."""
    statement = (select(ProgrammeReferral, Person)
                 .join(Person, Person.nhs_number == ProgrammeReferral.nhs_number)
                 .where(access.LOOKS_AFTER))
    if programme:
        statement = statement.where(ProgrammeReferral.programme == programme)
    if status:
        statement = statement.where(ProgrammeReferral.status == status)
    rows = session.execute(statement.order_by(
        Person.practice_code, ProgrammeReferral.status.not_in(OPEN),
        ProgrammeReferral.referred_on.desc(), ProgrammeReferral.id.desc()).limit(LIMIT),
        access.params(user)).all()
    return [Listed(r, p) for r, p in rows]
