"""What the practice achievement pages show (DM-6): a practice's figures per indicator in
the current run, beside its locality's and the community's (published figures across other
practices: their suppression is the page's, through ``ltc.analytics.suppression``); and,
for one indicator, the practice's people behind the gap (not met) and those excepted with
the reason, a page at a time. Only the practice's own people are listed: a person who has
moved practice since the run is not shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ltc.care.achievement.labels import IndicatorLabel, labels
from ltc.care.achievement.models import AchievementFigure, AchievementPerson
from ltc.care.casemgmt import changes
from ltc.care.people.models import Person, StratRun, display_name

PAGE_SIZE = 50
F = AchievementFigure
P = AchievementPerson


@dataclass(frozen=True, slots=True)
class Counts:
    numerator: int
    denominator: int
    exceptions: int
    achievement: float | None


@dataclass(frozen=True)
class Line:
    """One indicator: the practice's figures and its locality's and the community's."""

    label: IndicatorLabel
    practice: Counts | None
    locality: Counts | None
    community: Counts | None


@dataclass(frozen=True)
class Practice:
    run_as_of: date | None
    practice_code: str
    locality_code: str | None
    lines: list[Line]


def _current(session: Session) -> tuple[str, date] | None:
    found = session.execute(select(StratRun.id, StratRun.as_of).where(
        StratRun.current.is_(True))).first()
    return None if found is None else (found[0], found[1])


def practice_figures(session: Session, practice: str) -> Practice:
    """Every indicator of ``practice`` in the current run (the definitions' order), with
    its locality's and the community's figures."""
    current = _current(session)
    if current is None:
        return Practice(None, practice, None, [])
    run_id, as_of = current
    columns = (F.practice_code, F.locality_code, F.indicator, F.numerator, F.denominator,
               F.exceptions, F.achievement)
    mine = session.execute(select(*columns).where(F.run_id == run_id,
                                                  F.practice_code == practice)).all()
    locality = next((r[1] for r in mine if r[1] is not None), None)
    area = F.locality_code.is_(None) if locality is None else or_(
        F.locality_code.is_(None), F.locality_code == locality)
    around = session.execute(select(*columns).where(
        F.run_id == run_id, F.practice_code.is_(None), area)).all()
    practice_counts = {r[2]: Counts(*r[3:]) for r in mine}
    locality_counts = {r[2]: Counts(*r[3:]) for r in around if r[1] is not None}
    community_counts = {r[2]: Counts(*r[3:]) for r in around if r[1] is None}
    words = labels()
    ids = sorted(set(practice_counts) | set(locality_counts) | set(community_counts),
                 key=words.order)
    lines = [Line(words.indicator(i), practice_counts.get(i), locality_counts.get(i),
                  community_counts.get(i)) for i in ids]
    return Practice(as_of, practice, locality, lines)


@dataclass(frozen=True, slots=True)
class Shown:
    nhs_number: str
    name: str | None
    date_of_birth: date | None
    reason: str | None  # why excepted (its text)


@dataclass(frozen=True)
class People:
    """One outcome's people of an indicator, a page of them."""

    outcome: str
    rows: list[Shown]
    total: int
    number: int
    size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))


@dataclass(frozen=True)
class Indicator:
    run_as_of: date | None
    label: IndicatorLabel
    figures: Counts | None  # the practice's
    gap: People  # not met
    excepted: People


def _people(session: Session, run_id: str, practice: str, indicator: str, outcome: str,
            page: int, size: int) -> People:
    where = (P.run_id == run_id, P.practice_code == practice, P.indicator == indicator,
             P.outcome == outcome, Person.practice_code == practice)
    total = session.scalar(select(func.count()).select_from(P).join(
        Person, Person.nhs_number == P.nhs_number).where(*where)) or 0
    number = max(1, page)
    found = session.execute(
        select(P.nhs_number, Person.given_name, Person.family_name, Person.date_of_birth,
               P.reason).join(Person, Person.nhs_number == P.nhs_number).where(*where)
        .order_by(Person.family_name.is_(None), Person.family_name, Person.given_name,
                  P.nhs_number).limit(size).offset((number - 1) * size)).all()
    words = labels()
    rows = [Shown(nhs, display_name(given, family), born,
                    words.reason(reason) if outcome == "excepted" else None)
            for nhs, given, family, born, reason in found]
    return People(outcome, rows, total, number, size)


def indicator_people(session: Session, practice: str, indicator: str, gap_page: int = 1,
                     excepted_page: int = 1, size: int = PAGE_SIZE) -> Indicator | None:
    """The practice's people behind the gap of ``indicator`` and those excepted from it
    in the current run; None when the current run has no such indicator."""
    current = _current(session)
    if current is None:
        return None
    run_id, as_of = current
    counts = session.execute(select(F.numerator, F.denominator, F.exceptions,
                                    F.achievement).where(
        F.run_id == run_id, F.indicator == indicator, F.practice_code == practice)).first()
    if counts is None and session.scalar(select(F.id).where(
            F.run_id == run_id, F.indicator == indicator).limit(1)) is None:
        return None
    return Indicator(as_of, labels().indicator(indicator),
                     None if counts is None else Counts(*counts),
                     _people(session, run_id, practice, indicator, "not_met", gap_page, size),
                     _people(session, run_id, practice, indicator, "excepted",
                             excepted_page, size))


#: practice figures kept in this process, each until a change that can alter them
PAGES = changes.Pages()


def kept_figures(session: Session, practice: str) -> Practice:
    """:func:`practice_figures`, kept until the care store's change counter moves (a run
    loaded moves it)."""
    key: tuple[Any, ...] = ("achievement", str(session.get_bind().engine.url), practice,
                            changes.current(session))
    found: Practice | None = PAGES.get(key)
    if found is None:
        found = practice_figures(session, practice)
        PAGES.put(key, found)
    return found
