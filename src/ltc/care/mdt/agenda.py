"""An MDT meeting's agenda, built when the meeting is made (DM-4; the Leicestershire MDT
worklist: the risk list, new entrants and recent admissions).

Each line is one person of the practice (registered there now, alive) with every reason
they are on it, listed in this order:

1. **nominated**: a clinician nominated them for the practice's next meeting (each open
   nomination is taken onto this meeting's agenda and no other);
2. **admission review open**: an avoidable-admission review (CM-9) still open;
3. **admitted** and 4. **discharged**: a hospital admission or discharge of theirs since
   the agenda's start (not cancelled);
5. **risk rose**: among the practice's people whose predicted risk of emergency admission
   rose between the last two runs loaded, the :data:`RISERS` who rose most;
6. **new at level 3**: at level 3 in the current run but not in the run the practice's
   last meeting was built from (with no earlier meeting: the newest run loaded before the
   agenda's start; none: everyone at level 3 is new), the :data:`ENTRANTS` of highest
   risk.

The agenda starts on the day of the practice's last meeting before this one, or
:data:`LOOK_BACK_MONTHS` calendar months before the meeting when there was none. Lines
are ordered by their first reason in the list above, then by risk, highest first. The
caps are local choices (how long a meeting can be), not clinical constants: how many
people each left off is kept with the meeting and shown.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import and_, exists, func, literal_column, select
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import ColumnElement

from ltc.care.auth.models import User
from ltc.care.db import to_store, uk_time
from ltc.care.events.models import CareEvent
from ltc.care.mdt.models import MdtNomination, Meeting
from ltc.care.people.models import Person, PersonResult, StratRun
from ltc.care.people.services import current_run
from ltc.care.work.models import Task
from ltc.windows import months_before

#: the reasons a person is on the agenda, in the order lines are listed
KINDS = {"nomination": "Nominated", "admission_review": "Admission review open",
         "admission": "Admitted", "discharge": "Discharged", "risk_rise": "Risk rose",
         "entrant": "New at level 3"}
#: how far back the first meeting of a practice looks
LOOK_BACK_MONTHS = 3
#: at most this many new level-3 entrants are listed (highest risk first)
ENTRANTS = 25
#: the people whose risk rose most that are listed
RISERS = 10


def _long(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


@dataclass
class Built:
    """The agenda: each person's reasons (``{"kind", "text"}``), in agenda order, and how
    many people each capped kind left off."""

    lines: list[tuple[str, list[dict[str, str]]]]
    left_off: dict[str, int] = field(default_factory=dict)
    nominations: list[MdtNomination] = field(default_factory=list)


def since_for(session: Session, practice_code: str, held_on: date) -> tuple[date, Meeting | None]:
    """Where a meeting's agenda starts: the day of the practice's last meeting on or before
    ``held_on`` (and that meeting), else :data:`LOOK_BACK_MONTHS` months before."""
    last = session.scalar(select(Meeting).where(
        Meeting.practice_code == practice_code, Meeting.held_on <= held_on)
        .order_by(Meeting.held_on.desc(), Meeting.id.desc()).limit(1))
    if last is not None:
        return last.held_on, last
    return months_before(held_on, LOOK_BACK_MONTHS), None


def _in_practice(practice_code: str) -> list[ColumnElement[bool]]:
    return [Person.practice_code == practice_code, Person.date_of_death.is_(None)]


def _baseline(session: Session, current: StratRun, since: date,
              last: Meeting | None) -> str | None:
    """The run new entrants are counted from (None: nothing before the current run)."""
    if last is not None:
        return last.run_id
    return session.scalar(select(StratRun.id).where(
        StratRun.id != current.id, StratRun.loaded_at < datetime.combine(since, time()))
        .order_by(StratRun.loaded_at.desc(), StratRun.id.desc()).limit(1))


def _risk_order() -> tuple[Any, ...]:
    return (func.coalesce(PersonResult.risk, literal_column("-1")).desc(),
            PersonResult.nhs_number)


def _entrants(session: Session, practice_code: str, current: StratRun, baseline: str | None
              ) -> tuple[list[tuple[str, str]], int]:
    earlier = aliased(PersonResult)
    where = [PersonResult.run_id == current.id, PersonResult.level == 3, *_in_practice(
        practice_code)]
    if baseline is not None:
        where.append(~exists().where(earlier.run_id == baseline,
                                     earlier.nhs_number == PersonResult.nhs_number,
                                     earlier.level == 3))
    base = select(PersonResult.nhs_number, PersonResult.level_basis).join(
        Person, Person.nhs_number == PersonResult.nhs_number).where(*where)
    total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    rows = session.execute(base.order_by(*_risk_order()).limit(ENTRANTS)).all()
    since_run = f"not at level 3 in {baseline}" if baseline else "the first run loaded"
    return ([(nhs, f"At level 3 in {current.id} ({basis}); {since_run}")
             for nhs, basis in rows], max(0, total - ENTRANTS))


def _risers(session: Session, practice_code: str, current: StratRun) -> list[tuple[str, str]]:
    previous = session.scalar(select(StratRun.id).where(StratRun.id != current.id)
                              .where(StratRun.loaded_at <= current.loaded_at)
                              .order_by(StratRun.loaded_at.desc(), StratRun.id.desc()).limit(1))
    if previous is None:
        return []
    before = aliased(PersonResult)
    rise = (PersonResult.risk - before.risk).label("rise")
    rows = session.execute(
        select(PersonResult.nhs_number, before.risk, PersonResult.risk)
        .join(before, and_(before.nhs_number == PersonResult.nhs_number,
                           before.run_id == previous))
        .join(Person, Person.nhs_number == PersonResult.nhs_number)
        .where(PersonResult.run_id == current.id, PersonResult.risk > before.risk,
               *_in_practice(practice_code))
        .order_by(rise.desc(), PersonResult.nhs_number).limit(RISERS)).all()
    return [(nhs, f"Risk of emergency admission in 12 months rose from {100 * (old or 0):.0f}%"
                  f" to {100 * (new or 0):.0f}% ({previous} to {current.id})")
            for nhs, old, new in rows]


def _events(session: Session, practice_code: str, since: date) -> list[tuple[str, str, str]]:
    rows = session.execute(
        select(CareEvent).join(Person, Person.nhs_number == CareEvent.nhs_number)
        .where(CareEvent.kind.in_(("admission", "discharge")), CareEvent.cancelled_at.is_(None),
               CareEvent.occurred_at >= to_store(datetime.combine(since, time())),
               *_in_practice(practice_code))
        .order_by(CareEvent.occurred_at, CareEvent.id)).scalars().all()
    out = []
    for e in rows:
        day = _long(uk_time(e.occurred_at).date())
        where = f" ({e.facility})" if e.facility else ""
        if e.kind == "admission":
            how = "unplanned" if e.unplanned else "planned" if e.unplanned is False else ""
            out.append((e.nhs_number, "admission",
                        f"Admitted on {day}{where}" + (f", {how}" if how else "")))
        else:
            out.append((e.nhs_number, "discharge", f"Discharged on {day}{where}"
                        + (": died" if e.died else "")))
    return out


def _nominations(session: Session, practice_code: str) -> list[tuple[MdtNomination, str]]:
    rows = session.execute(
        select(MdtNomination, User.display_name)
        .join(Person, Person.nhs_number == MdtNomination.nhs_number)
        .join(User, User.id == MdtNomination.user_id)
        .where(MdtNomination.meeting_id.is_(None), *_in_practice(practice_code))
        .order_by(MdtNomination.at, MdtNomination.id)).all()
    return [(n, f"Nominated by {name} on {_long(uk_time(n.at).date())}: {n.reason}")
            for n, name in rows]


def _reviews(session: Session, practice_code: str) -> list[tuple[str, str]]:
    rows = session.execute(
        select(Task.nhs_number, CareEvent.occurred_at)
        .join(Person, Person.nhs_number == Task.nhs_number)
        .outerjoin(CareEvent, CareEvent.id == Task.event_id)
        .where(Task.kind == "admission_review", Task.done_at.is_(None),
               Task.cancelled_at.is_(None), *_in_practice(practice_code))
        .order_by(Task.id)).all()
    return [(nhs, "Avoidable-admission review still open" + (
        f" (admitted on {_long(uk_time(at).date())})" if at else "")) for nhs, at in rows]


def build(session: Session, practice_code: str, since: date, last: Meeting | None) -> Built:
    """The agenda of a practice's meeting whose agenda starts on ``since`` (see the module
    doc), ``last`` the practice's meeting before it."""
    found: dict[str, list[dict[str, str]]] = {}

    def add(nhs_number: str, kind: str, text: str) -> None:
        reasons = found.setdefault(nhs_number, [])
        if {"kind": kind, "text": text} not in reasons:
            reasons.append({"kind": kind, "text": text})

    built = Built([])
    for nomination, text in _nominations(session, practice_code):
        add(nomination.nhs_number, "nomination", text)
        built.nominations.append(nomination)
    for nhs, text in _reviews(session, practice_code):
        add(nhs, "admission_review", text)
    for nhs, kind, text in _events(session, practice_code, since):
        add(nhs, kind, text)
    current = current_run(session)
    if current is not None:
        for nhs, text in _risers(session, practice_code, current):
            add(nhs, "risk_rise", text)
        entrants, left = _entrants(session, practice_code, current,
                                   _baseline(session, current, since, last))
        for nhs, text in entrants:
            add(nhs, "entrant", text)
        if left:
            built.left_off["entrant"] = left
    built.lines = _ordered(session, current, found)
    return built


def _ordered(session: Session, current: StratRun | None,
             found: dict[str, list[dict[str, str]]]) -> list[tuple[str, list[dict[str, str]]]]:
    risk: dict[str, float] = {}
    if current is not None and found:
        risk = {nhs: r for nhs, r in session.execute(
            select(PersonResult.nhs_number, PersonResult.risk).where(
                PersonResult.run_id == current.id,
                PersonResult.nhs_number.in_(sorted(found)))).all() if r is not None}
    rank = {kind: i for i, kind in enumerate(KINDS)}

    def key(nhs: str) -> tuple[int, float, str]:
        reasons: Iterable[dict[str, str]] = found[nhs]
        return (min(rank[r["kind"]] for r in reasons), -risk.get(nhs, -1.0), nhs)

    return [(nhs, sorted(found[nhs], key=lambda r: rank[r["kind"]]))
            for nhs in sorted(found, key=key)]
