"""Case managers, the candidates worklist, allocation, approach and consent, caseloads,
discharge and workforce (CM-1, CM-2, CM-3, CM-12, STRAT-7).

* **Candidates** of a case manager: people at level 3 of the current run, living in their
  locality or registered with a practice they cover, not on any open caseload, not
  excluded by a clinician, and not declined with a review date still ahead. People a
  clinician nominated are candidates whatever their level.
* **Allocation** suggests the case manager whose locality is the person's, then who covers
  the person's practice, then the one with the most room (capacity minus open caseload);
  the allocator may choose anyone else (the suggestion is kept beside the choice).
* A case manager's **capacity** defaults to 50 (a warning above it); allocation beyond the
  hard cap (their own hard stop, else 80 people) is refused (``ltc.care.casemgmt.balance``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, bindparam, exists, func, literal_column, or_, select, true, union_all
from sqlalchemy.orm import Session

from ltc.care.auth.models import User
from ltc.care.casemgmt import balance, changes
from ltc.care.casemgmt.models import (
    WARN_ABOVE,
    Approach,
    CaseloadEntry,
    CaseManager,
    CoveredPractice,
    Nomination,
    WorklistChange,
)
from ltc.care.people.models import Person, PersonResult, StratRun, display_name
from ltc.care.people.services import current_run

OUTCOMES = ("agreed", "declined", "uncontactable")
#: Candidates per page of the worklist (each person shown is an audited read).
PAGE = 50
ACTIONS = ("nominate", "exclude")


class CaseError(ValueError):
    """A case-management step that cannot be done, with what to do instead."""


def _open_entry(who: Any = Person.nhs_number) -> Any:
    return exists().where(CaseloadEntry.nhs_number == who, CaseloadEntry.ended_on.is_(None))


def _live_nomination(action: str, who: Any = Person.nhs_number) -> Any:
    return exists().where(Nomination.nhs_number == who, Nomination.action == action,
                          Nomination.withdrawn_at.is_(None))


def _declined_until_review(today: date, who: Any = Person.nhs_number) -> Any:
    return exists().where(Approach.nhs_number == who, Approach.outcome == "declined",
                          Approach.review_on > today)


@dataclass(frozen=True)
class Candidate:
    """A person on the worklist and what it shows of them (level, risk and reasons from
    the current run, None when the run does not hold them)."""

    nhs_number: str
    practice_code: str | None
    level: int | None
    risk: float | None
    reasons: str
    nominated: bool
    name: str | None = None  # FAMILY, Given


def candidates(session: Session, *, locality: str | None = None,
               practices: Sequence[str] = (), today: date | None = None,
               limit: int = PAGE, offset: int = 0) -> list[Candidate]:
    """Level-3 (or nominated) people of an area not yet on a caseload, highest risk first."""
    today = today or date.today()
    run = current_run(session)
    if run is None:
        return []
    if not locality and not practices:
        return []
    first = offset + limit
    # risk as the index orders it (people without a risk last): see PersonResult
    priority = func.coalesce(PersonResult.risk, literal_column("-1"))
    order = (priority.desc(), PersonResult.nhs_number)

    def open_to_approach(who: Any) -> list[Any]:
        return [~_open_entry(who), ~_live_nomination("exclude", who),
                ~_declined_until_review(today, who)]

    # Each kind of candidate is walked in risk order and stops after the rows the page
    # needs: the locality's level-3 people and those of the covered practices (each one
    # range of an index that holds the order), and the nominated people of any level.
    level3 = (select(PersonResult.nhs_number, priority.label("priority"))
              .where(PersonResult.run_id == run.id, PersonResult.level == 3,
                     *open_to_approach(PersonResult.nhs_number),
                     exists().where(Person.nhs_number == PersonResult.nhs_number,
                                    Person.date_of_death.is_(None))))
    branches = []
    if locality:
        branches.append(level3.where(PersonResult.locality_code == locality)
                        .order_by(*order).limit(first))
    for practice in sorted(set(practices)):
        elsewhere = (PersonResult.locality_code.is_distinct_from(locality) if locality
                     else true())
        branches.append(level3.where(PersonResult.practice_code == practice, elsewhere)
                        .order_by(*order).limit(first))
    area = []
    if locality:
        area.append(Person.locality_code == locality)
    if practices:
        area.append(Person.practice_code.in_(list(practices)))
    nominated_people = (
        select(Person.nhs_number, priority.label("priority"))
        .outerjoin(PersonResult, and_(PersonResult.nhs_number == Person.nhs_number,
                                      PersonResult.run_id == run.id))
        .where(_live_nomination("nominate"), or_(*area),
               or_(PersonResult.level.is_(None), PersonResult.level != 3),
               Person.date_of_death.is_(None), *open_to_approach(Person.nhs_number))
        .order_by(*order).limit(first))
    branches.append(nominated_people)
    page = union_all(*(b.subquery().select() for b in branches)).subquery()
    chosen = (select(page.c.nhs_number, page.c.priority)
              .order_by(page.c.priority.desc(), page.c.nhs_number)
              .limit(limit).offset(offset)).subquery()
    nominated = _live_nomination("nominate")
    q = (select(Person.nhs_number, Person.practice_code, PersonResult.level,
                PersonResult.risk, PersonResult.reasons, nominated.label("nominated"),
                Person.given_name, Person.family_name)
         .join(chosen, chosen.c.nhs_number == Person.nhs_number)
         .outerjoin(PersonResult, and_(PersonResult.nhs_number == Person.nhs_number,
                                       PersonResult.run_id == run.id))
         .order_by(chosen.c.priority.desc(), chosen.c.nhs_number))
    return [Candidate(nhs, practice, level, risk, reasons or "", bool(n),
                      display_name(given, family))
            for nhs, practice, level, risk, reasons, n, given, family
            in session.execute(q).all()]


#: a case manager's locality, each practice they cover (or None) and the worklist change
#: counter, in one read
_AREA = (select(CaseManager.locality_code, CoveredPractice.practice_code,
                select(WorklistChange.changes).scalar_subquery())
         .select_from(CaseManager)
         .outerjoin(CoveredPractice, CoveredPractice.user_id == CaseManager.user_id)
         .where(CaseManager.user_id == bindparam("user")))


def candidates_for(session: Session, user: User, today: date | None = None,
                   limit: int = PAGE, offset: int = 0) -> list[Candidate]:
    """A page of ``user``'s candidates: a case manager's locality and covered practices, a
    practice clinician's practice. A page is kept until a change that can alter it
    (``ltc.care.casemgmt.changes``)."""
    today = today or date.today()
    area = session.execute(_AREA, {"user": user.id}).all()
    if area:
        locality = area[0][0]
        practices = [practice for _, practice, _ in area if practice is not None]
        counter = area[0][2] or 0
    elif user.practice_code:
        locality, practices, counter = None, [user.practice_code], changes.current(session)
    else:
        return []
    key = (str(session.get_bind().engine.url), locality, tuple(sorted(practices)), today, limit,
           offset, counter)
    page = changes.PAGES.get(key)
    if page is None:
        page = candidates(session, locality=locality, practices=practices, today=today,
                          limit=limit, offset=offset)
        changes.PAGES.put(key, page)
    return list(page)


def covered_practices(session: Session, user_id: int) -> list[str]:
    return list(session.scalars(select(CoveredPractice.practice_code).where(
        CoveredPractice.user_id == user_id)).all())


def caseload_size(session: Session, user_id: int) -> int:
    return session.scalar(select(func.count()).select_from(CaseloadEntry).where(
        CaseloadEntry.user_id == user_id, CaseloadEntry.ended_on.is_(None))) or 0


@dataclass(frozen=True)
class Suggestion:
    user: User
    case_manager: CaseManager
    caseload: int
    why: str


def suggest(session: Session, nhs_number: str) -> list[Suggestion]:
    """Case managers for a person, best first: locality, then practice; those at their cap
    last; then whose caseload mostly lives in the person's postcode district; then the
    lightest weighted load against capacity (``ltc.care.casemgmt.balance``)."""
    person = session.get(Person, nhs_number)
    if person is None:
        return []
    rows = session.execute(select(CaseManager, User).join(User, User.id == CaseManager.user_id)
                           .where(User.active.is_(True))).all()
    sizes: dict[int, int] = {}
    weighted: dict[int, float] = {}
    districts: dict[int, Counter[str]] = {}
    for uid, risk, district in session.execute(
            select(CaseloadEntry.user_id, PersonResult.risk, Person.postcode_district)
            .join(Person, Person.nhs_number == CaseloadEntry.nhs_number)
            .outerjoin(PersonResult, (PersonResult.nhs_number == CaseloadEntry.nhs_number)
                       & PersonResult.run_id.in_(select(StratRun.id).where(
                           StratRun.current.is_(True)).scalar_subquery()))
            .where(CaseloadEntry.ended_on.is_(None))):
        sizes[uid] = sizes.get(uid, 0) + 1
        weighted[uid] = weighted.get(uid, 0.0) + balance.weight(risk)
        if district:
            districts.setdefault(uid, Counter())[district] += 1
    covering = set(session.scalars(select(CoveredPractice.user_id).where(
        CoveredPractice.practice_code == person.practice_code)).all())
    out = []
    for cm, user in rows:
        size = sizes.get(user.id, 0)
        covers = user.id in covering
        same_area = cm.locality_code == person.locality_code
        why = ("works in the person's locality" if same_area else
               "covers the person's practice" if covers else "has room on their caseload")
        common = districts.get(user.id, Counter()).most_common(1)
        travels = not (common and common[0][0] == person.postcode_district)
        rank = (0 if same_area else 1 if covers else 2, size >= balance.cap(cm), travels,
                weighted.get(user.id, 0.0) - cm.capacity, user.id)
        out.append((rank, Suggestion(user, cm, size, why)))
    return [s for _, s in sorted(out, key=lambda x: x[0])]


def open_entry(session: Session, nhs_number: str) -> CaseloadEntry | None:
    return session.scalar(select(CaseloadEntry).where(CaseloadEntry.nhs_number == nhs_number,
                                                      CaseloadEntry.ended_on.is_(None)))


@dataclass(frozen=True)
class Allocated:
    entry: CaseloadEntry
    warning: str | None


def allocate(session: Session, nhs_number: str, to_user_id: int, by: User,
             today: date | None = None) -> Allocated:
    """Put a person on a case manager's caseload."""
    today = today or date.today()
    if open_entry(session, nhs_number) is not None:
        raise CaseError("This person is already on a caseload. Discharge them from it "
                        "before allocating them again.")
    cm = session.get(CaseManager, to_user_id)
    if cm is None:
        raise CaseError("Choose a case manager from the list.")
    size = caseload_size(session, to_user_id)
    limit = balance.cap(cm)
    if size + 1 > limit:
        raise CaseError(f"This case manager's caseload is at its limit ({limit}): "
                        "no one is allocated beyond it. Choose another case manager, or "
                        "rebalance the locality's caseloads.")
    best = suggest(session, nhs_number)
    entry = CaseloadEntry(nhs_number=nhs_number, user_id=to_user_id, started_on=today,
                          allocated_by=by.id,
                          suggested_user_id=best[0].user.id if best else None)
    session.add(entry)
    session.flush()
    warning = None
    if size + 1 > WARN_ABOVE:
        warning = (f"This caseload now has {size + 1} people: more than {WARN_ABOVE} is "
                   "not sustainable.")
    elif size + 1 > cm.capacity:
        warning = f"This caseload now has {size + 1} people, above its capacity of {cm.capacity}."
    return Allocated(entry, warning)


def record_approach(session: Session, nhs_number: str, by: User, on: date, outcome: str,
                    review_on: date | None = None, note: str = "") -> Approach:
    if outcome not in OUTCOMES:
        raise CaseError(f"The outcome must be one of {', '.join(OUTCOMES)}.")
    if outcome == "declined" and review_on is None:
        raise CaseError("Give a review date: a person who declined is not offered case "
                        "management again before it.")
    if review_on is not None and review_on <= on:
        raise CaseError("The review date must be after the date of the approach.")
    approach = Approach(nhs_number=nhs_number, user_id=by.id, on=on, outcome=outcome,
                        review_on=review_on, note=note.strip())
    session.add(approach)
    if outcome == "declined":
        entry = open_entry(session, nhs_number)
        if entry is not None:
            entry.ended_on, entry.discharge_reason = on, "declined case management"
    session.flush()
    return approach


def discharge(session: Session, nhs_number: str, on: date, reason: str) -> CaseloadEntry:
    entry = open_entry(session, nhs_number)
    if entry is None:
        raise CaseError("This person is not on a caseload.")
    if not reason.strip():
        raise CaseError("Give the reason for discharge from the caseload.")
    if on < entry.started_on:
        raise CaseError("The discharge date cannot be before the person joined the caseload.")
    entry.ended_on, entry.discharge_reason = on, reason.strip()
    session.flush()
    return entry


def nominate(session: Session, nhs_number: str, by: User, action: str,
             reason: str) -> Nomination:
    if action not in ACTIONS:
        raise CaseError(f"The action must be one of {', '.join(ACTIONS)}.")
    if not reason.strip():
        raise CaseError("Give the reason: it is shown to the case managers.")
    row = Nomination(nhs_number=nhs_number, action=action, reason=reason.strip(), user_id=by.id)
    session.add(row)
    session.flush()
    return row


def caseload(session: Session, user_id: int) -> list[tuple[CaseloadEntry, Person]]:
    rows = session.execute(select(CaseloadEntry, Person)
                           .join(Person, Person.nhs_number == CaseloadEntry.nhs_number)
                           .where(CaseloadEntry.user_id == user_id,
                                  CaseloadEntry.ended_on.is_(None))
                           .order_by(CaseloadEntry.started_on, Person.nhs_number)).all()
    return [(e, p) for e, p in rows]


def named_case_manager(session: Session, nhs_number: str) -> User | None:
    entry = open_entry(session, nhs_number)
    return session.get(User, entry.user_id) if entry else None


@dataclass(frozen=True)
class LocalityWorkforce:
    locality: str
    level3: int
    in_post: int
    capacity: int
    needed: int  # case managers needed at the default caseload size
    on_caseloads: int


def workforce(session: Session, caseload_size_: int = 50) -> list[LocalityWorkforce]:
    """Case managers needed for the level-3 population against those in post (CM-2)."""
    run = current_run(session)
    level3: dict[str, int] = {}
    if run is not None:
        for loc, n in session.execute(
                select(Person.locality_code, func.count()).join(
                    PersonResult, PersonResult.nhs_number == Person.nhs_number)
                .where(PersonResult.run_id == run.id, PersonResult.level == 3)
                .group_by(Person.locality_code)).all():
            level3[loc or "-"] = n
    staff: dict[str, tuple[int, int]] = {}
    for loc, n, cap in session.execute(select(CaseManager.locality_code, func.count(),
                                              func.sum(CaseManager.capacity))
                                       .group_by(CaseManager.locality_code)).all():
        staff[loc] = (n, int(cap or 0))
    carried: dict[str, int] = {}
    for loc, n in session.execute(select(CaseManager.locality_code, func.count())
                                  .join(CaseloadEntry, CaseloadEntry.user_id ==
                                        CaseManager.user_id)
                                  .where(CaseloadEntry.ended_on.is_(None))
                                  .group_by(CaseManager.locality_code)).all():
        carried[loc] = n
    out = []
    for loc in sorted(set(level3) | set(staff)):
        n3 = level3.get(loc, 0)
        in_post, cap = staff.get(loc, (0, 0))
        out.append(LocalityWorkforce(loc, n3, in_post, cap, -(-n3 // caseload_size_),
                                     carried.get(loc, 0)))
    return out
