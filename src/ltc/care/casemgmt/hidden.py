"""Hidden populations (POP-5): level-3 people of the current run known neither to community
nursing nor to social care, per locality.

* A case manager sees the people of their own locality and covered practices, a page at a
  time, highest risk first, with the reason they are level 3 (the run's ``level_basis`` and
  ``reasons``). Each person shown is an audited read (by the page that shows them).
* Each person can be referred to the locality's integrated care co-ordinators
  (:func:`ltc.care.coordination.services.refer`); the list says who already has a live
  referral.
* Counts per locality (all localities) go through :mod:`ltc.analytics.suppression`: 1-7
  withheld, others rounded to 5.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.orm import Session

from ltc.analytics import suppression
from ltc.care.casemgmt.models import CaseManager, CoveredPractice
from ltc.care.coordination.models import CoordinatorReferral
from ltc.care.coordination.services import LIVE
from ltc.care.people.models import PersonResult
from ltc.care.people.services import current_run

#: People per page of the hidden list.
PAGE = 50


def _hidden(run_id: str) -> list[Any]:
    return [PersonResult.run_id == run_id, PersonResult.level == 3,
            PersonResult.known_to_community_nursing.is_(False),
            PersonResult.known_to_social_care.is_(False)]


@dataclass(frozen=True)
class Hidden:
    nhs_number: str
    locality_code: str | None
    practice_code: str | None
    risk: float | None
    why: str
    referred: bool = False  # a live referral to a co-ordinator


def hidden_for(session: Session, user_id: int, limit: int = PAGE,
               offset: int = 0) -> list[Hidden]:
    """A page of the hidden people a case manager looks after (their locality or a practice
    they cover), highest risk first; empty for someone who is not a case manager."""
    run = current_run(session)
    cm = session.get(CaseManager, user_id)
    if run is None or cm is None:
        return []
    practices = list(session.scalars(select(CoveredPractice.practice_code).where(
        CoveredPractice.user_id == user_id)))
    referred = exists().where(CoordinatorReferral.nhs_number == PersonResult.nhs_number,
                              CoordinatorReferral.status.in_(LIVE))
    rows = session.execute(
        select(PersonResult, referred.label("referred")).where(*_hidden(run.id), or_(
            PersonResult.locality_code == cm.locality_code,
            PersonResult.practice_code.in_(practices)))
        .order_by(func.coalesce(PersonResult.risk, -1).desc(), PersonResult.nhs_number)
        .limit(limit).offset(offset))
    return [Hidden(r.nhs_number, r.locality_code, r.practice_code, r.risk,
                   "; ".join(x for x in (r.level_basis, r.reasons) if x), bool(live))
            for r, live in rows]


@dataclass(frozen=True)
class LocalityCount:
    locality_code: str
    level3: int | None  # suppressed
    hidden: int | None  # suppressed


def counts(session: Session) -> list[LocalityCount]:
    """Per locality: level-3 people and hidden ones, both suppressed."""
    run = current_run(session)
    if run is None:
        return []
    hidden_case = func.sum(case((and_(PersonResult.known_to_community_nursing.is_(False),
                                      PersonResult.known_to_social_care.is_(False)), 1),
                                else_=0))
    rows = session.execute(
        select(PersonResult.locality_code, func.count(), hidden_case)
        .where(PersonResult.run_id == run.id, PersonResult.level == 3)
        .group_by(PersonResult.locality_code).order_by(PersonResult.locality_code)).all()
    return [LocalityCount(loc or "unknown", suppression.count(int(n)),
                          suppression.count(int(h or 0))) for loc, n, h in rows]
