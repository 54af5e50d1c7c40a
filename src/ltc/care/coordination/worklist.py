"""The co-ordinator's worklist (VW-2): the people of their area identified by the tool (the
current run's level-3 candidates not on a caseload, :func:`ltc.care.casemgmt.services.
candidates`) and the people referred to them or to their locality's co-ordinators, each
with where they came from and the last attempt to contact them.

A fixed number of reads whatever the length of the list: the co-ordinator's area, the
candidates, the live referrals and the last attempts of everyone listed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ltc.care.auth.models import User
from ltc.care.casemgmt import services as cases
from ltc.care.casemgmt.models import CaseManager
from ltc.care.coordination.models import ContactAttempt, CoordinatorReferral
from ltc.care.coordination.services import LIVE, SOURCES, is_coordinator
from ltc.care.people.models import Person, display_name

#: identified people listed at most (each one shown is an audited read)
PAGE = 50
TOOL = "Identified by the tool"


@dataclass(frozen=True)
class Item:
    """A person on the worklist: why they are there and the last contact attempt."""

    nhs_number: str
    name: str | None
    practice_code: str | None
    sources: tuple[str, ...]  # in words
    referral_id: int | None
    reason: str
    last_attempt: ContactAttempt | None


def worklist(session: Session, user: User, today: date | None = None,
             limit: int = PAGE) -> list[Item] | None:
    """The co-ordinator's worklist, referrals first (oldest first), then the identified
    people by risk; None when ``user`` is not a co-ordinator."""
    cm = session.get(CaseManager, user.id)
    if not is_coordinator(cm):
        return None
    assert cm is not None
    practices = cases.covered_practices(session, user.id)
    found = cases.candidates(session, locality=cm.locality_code, practices=practices,
                             today=today, limit=limit)
    ref = CoordinatorReferral
    referred = session.execute(
        select(ref, Person.given_name, Person.family_name, Person.practice_code)
        .join(Person, Person.nhs_number == ref.nhs_number)
        .where(ref.status.in_(LIVE), or_(
            ref.to_user_id == user.id,
            ref.to_user_id.is_(None) & (ref.locality_code == cm.locality_code)))
        .order_by(ref.at, ref.id)).all()
    items: dict[str, Item] = {}
    for r, given, family, practice in referred:
        items[r.nhs_number] = Item(r.nhs_number, display_name(given, family), practice,
                                   (SOURCES.get(r.source, r.source),), r.id, r.reason, None)
    for c in found:
        if c.nhs_number in items:
            old = items[c.nhs_number]
            items[c.nhs_number] = Item(old.nhs_number, old.name, old.practice_code,
                                       (*old.sources, TOOL), old.referral_id, old.reason, None)
        else:
            items[c.nhs_number] = Item(c.nhs_number, c.name, c.practice_code, (TOOL,), None,
                                       c.reasons, None)
    last = _last_attempts(session, list(items))
    return [Item(i.nhs_number, i.name, i.practice_code, i.sources, i.referral_id, i.reason,
                 last.get(i.nhs_number)) for i in items.values()]


def _last_attempts(session: Session, people: list[str]) -> dict[str, ContactAttempt]:
    """Each person's newest contact attempt, in one read."""
    if not people:
        return {}
    newest = (select(ContactAttempt.id, func.row_number().over(
        partition_by=ContactAttempt.nhs_number,
        order_by=(ContactAttempt.at.desc(), ContactAttempt.id.desc())).label("n"))
        .where(ContactAttempt.nhs_number.in_(people))).subquery()
    rows = session.scalars(select(ContactAttempt).join(newest, newest.c.id == ContactAttempt.id)
                           .where(newest.c.n == 1))
    return {a.nhs_number: a for a in rows}
