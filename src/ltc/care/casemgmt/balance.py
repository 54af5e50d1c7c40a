"""Balanced caseloads (CM-2): weighted load, the hard cap and rebalancing proposals.

**Weights** (one place, reasoning in docs/caseloads.md): a person on a caseload weighs
``1 + risk`` (risk is the run's predicted probability of an emergency admission, 0-1), so
the highest-risk people weigh up to 2 and the weighted load of a caseload of 50 lies between
50 and 100 weighted units. A person without a risk in the current run weighs 1.

**Hard cap**: no allocation takes a caseload beyond the case manager's hard stop, or beyond
:data:`MAX_CASELOAD` (80 people, the upper end of the LTC model's 50-80) when none is set.

**Rebalancing** (:func:`propose`): the people of a case manager who leaves must move, and a
case manager over the cap gives people until at the cap; receivers are the others of the
same locality first, then those covering the person's practice. Then people move from the
heaviest to the lightest while that narrows the gap, until weighted loads differ by at most
one weighted unit. Travel: a receiver whose caseload mostly lives in the person's postcode
district is preferred. What cannot be done is named in ``infeasible``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from ltc.care.auth.models import User
from ltc.care.casemgmt.models import CaseloadEntry, CaseManager, CoveredPractice
from ltc.care.people.models import Person, PersonResult
from ltc.care.people.services import current_run

#: No caseload goes beyond this many people unless a case manager's own hard stop says less
#: (the LTC model: 50-80 people; more than 80 is unsustainable).
MAX_CASELOAD = 80
#: Weighted loads this close are balanced.
TOLERANCE = 1.0


def weight(risk: float | None) -> float:
    """What one person adds to a caseload's weighted load."""
    return 1.0 + (min(max(risk, 0.0), 1.0) if risk is not None else 0.0)


def cap(cm: CaseManager) -> int:
    return min(cm.hard_stop, MAX_CASELOAD) if cm.hard_stop is not None else MAX_CASELOAD


@dataclass(frozen=True)
class Member:
    nhs_number: str
    weight: float
    district: str | None = None
    practice: str | None = None


@dataclass
class Load:
    user_id: int
    cap: int
    members: list[Member]
    leaving: bool = False
    #: 0 = same locality; 1 = covers (some of) the locality's practices
    tier: int = 0
    practices: frozenset[str] = frozenset()

    @property
    def weighted(self) -> float:
        return sum(m.weight for m in self.members)

    def district(self) -> str | None:
        seen = Counter(m.district for m in self.members if m.district)
        return seen.most_common(1)[0][0] if seen else None


@dataclass(frozen=True)
class Move:
    nhs_number: str
    from_user: int
    to_user: int
    weight: float


@dataclass
class Proposal:
    moves: list[Move] = field(default_factory=list)
    infeasible: list[str] = field(default_factory=list)
    loads: dict[int, tuple[int, float]] = field(default_factory=dict)  # user: (people, weighted)


def _receiver(loads: list[Load], m: Member, donor: Load) -> Load | None:
    def fits(x: Load) -> bool:
        return (not x.leaving and x is not donor and len(x.members) < x.cap
                and (x.tier == 0 or m.practice in x.practices))
    for tier in (0, 1):
        room = [x for x in loads if x.tier == tier and fits(x)]
        if room:
            return min(room, key=lambda x: (x.weighted, x.district() != m.district, x.user_id))
    return None


def propose(loads: list[Load]) -> Proposal:
    """Moves so that leavers hand over everyone, nobody exceeds their cap and weighted loads
    of the staying case managers of the locality differ by at most :data:`TOLERANCE` where
    feasible. ``loads`` is changed in place to the proposed result."""
    out = Proposal()

    def move(m: Member, a: Load, b: Load) -> None:
        a.members.remove(m)
        b.members.append(m)
        out.moves.append(Move(m.nhs_number, a.user_id, b.user_id, m.weight))

    for donor in loads:
        must = (list(donor.members) if donor.leaving
                else sorted(donor.members, key=lambda m: -m.weight)[:max(
                    0, len(donor.members) - donor.cap)])
        for m in sorted(must, key=lambda m: -m.weight):
            to = _receiver(loads, m, donor)
            if to is None:
                out.infeasible.append(
                    f"No case manager has room for {m.nhs_number} without going over their "
                    "cap: it stays where it is.")
                continue
            move(m, donor, to)
    staying = [x for x in loads if not x.leaving and x.tier == 0]
    for _ in range(10_000):
        if len(staying) < 2:
            break
        heavy = max(staying, key=lambda x: (x.weighted, -x.user_id))
        light = min(staying, key=lambda x: (x.weighted, x.user_id))
        gap = heavy.weighted - light.weighted
        if gap <= TOLERANCE + 1e-9 or len(light.members) >= light.cap:
            break
        # a move narrows the gap when the person weighs less than it; the best leaves the
        # two loads closest, preferring people living where the receiver's caseload lives
        options = [m for m in heavy.members if m.weight < gap - 1e-9]
        if not options:
            break
        district = light.district()
        best = min(options, key=lambda m: (abs(gap - 2 * m.weight), m.district != district,
                                           m.nhs_number))
        move(best, heavy, light)
    if len(staying) >= 2:
        spread = (max(x.weighted for x in staying) - min(x.weighted for x in staying))
        if spread > TOLERANCE + 1e-9:
            out.infeasible.append(
                f"Weighted loads still differ by {spread:.1f} units: no move of one person "
                "narrows the gap without breaking a cap.")
    out.loads = {x.user_id: (len(x.members), round(x.weighted, 2)) for x in loads}
    return out


def locality_loads(session: Session, locality: str) -> list[Load]:
    """The locality's case managers (leavers are the deactivated ones) and those covering
    its practices, each with their open caseload weighted by the current run."""
    run = current_run(session)
    local = session.execute(select(CaseManager, User).join(User, User.id == CaseManager.user_id)
                            .where(CaseManager.locality_code == locality)).all()
    practices = set(session.scalars(select(Person.practice_code).where(
        Person.locality_code == locality, Person.practice_code.is_not(None))))
    covering = session.execute(
        select(CaseManager, User, CoveredPractice.practice_code)
        .join(User, User.id == CaseManager.user_id)
        .join(CoveredPractice, CoveredPractice.user_id == CaseManager.user_id)
        .where(CaseManager.locality_code != locality, User.active.is_(True),
               CoveredPractice.practice_code.in_(practices or {""}))).all()
    out: dict[int, Load] = {}
    for cm, user in local:
        out[user.id] = Load(user.id, cap(cm), [], leaving=not user.active)
    covers: dict[int, set[str]] = {}
    for cm, user, practice in covering:
        covers.setdefault(user.id, set()).add(practice)
        out.setdefault(user.id, Load(user.id, cap(cm), [], tier=1))
    for uid, ps in covers.items():
        out[uid].practices = frozenset(ps)
    rows = session.execute(
        select(CaseloadEntry.user_id, Person.nhs_number, Person.postcode_district,
               Person.practice_code, PersonResult.risk)
        .join(Person, Person.nhs_number == CaseloadEntry.nhs_number)
        .outerjoin(PersonResult, (PersonResult.nhs_number == CaseloadEntry.nhs_number)
                   & (PersonResult.run_id == (run.id if run else "")))
        .where(CaseloadEntry.ended_on.is_(None), CaseloadEntry.user_id.in_(list(out)))
        .order_by(CaseloadEntry.user_id, Person.nhs_number)).all()
    for uid, nhs, district, registered, risk in rows:
        out[uid].members.append(Member(nhs, weight(risk), district, registered))
    return sorted(out.values(), key=lambda x: x.user_id)


def names(session: Session, user_ids: list[int]) -> dict[int, str]:
    """Display names of case managers, for a proposal's page."""
    if not user_ids:
        return {}
    rows = session.execute(select(User.id, User.display_name).where(User.id.in_(user_ids)))
    return {row[0]: row[1] for row in rows}
