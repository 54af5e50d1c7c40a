"""The recall list of a practice (DM-2): the people of the practice with review items due
in the current run, one row per person with every item they are due (a person due for
several items is invited once for all of them), filterable by condition, item and
status, earliest due date first, a page at a time.

Whatever the number of rows, a page costs a fixed number of statements: the current run;
the page's people and how many there are in all (without filters from the summary rows,
:class:`~ltc.care.recall.models.RecallPerson`, walked in the order of their index; with
filters by grouping the matching items); then the page's people, their items, their
invitations and their reviews, each in one read. Each person listed is marked when they
have had :data:`NO_RESPONSE_AFTER` invitations with no review since.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, distinct, func, select
from sqlalchemy.orm import Session

from ltc.care.people.models import Person, StratRun
from ltc.care.recall import outbox
from ltc.care.recall.models import (
    DUE,
    STATUSES,
    Invitation,
    RecallItem,
    RecallPerson,
    RecallReview,
)

#: invitations without a response after which a person is marked on the list (issue 14,
#: DM-2: "three invitations without response is shown"; QOF v46 already sets aside, at
#: year end, a person who has not responded to two invitations at least 7 days apart in
#: 12 months, e.g. DMINVITE1_DAT and DMINVITE2_DAT, but its business rules ask that
#: prompts keep showing them until then)
NO_RESPONSE_AFTER = 3
PAGE_SIZE = 50


@dataclass(frozen=True)
class Filters:
    """What the list is narrowed to: a condition, an item id (of any condition when no
    condition is chosen) and the statuses (default: the items due)."""

    condition: str = ""
    item: str = ""
    statuses: tuple[str, ...] = DUE

    @property
    def plain(self) -> bool:
        """No filter beyond the default: the summary rows answer it."""
        return not self.condition and not self.item and set(self.statuses) == set(DUE)


@dataclass
class Row:
    person: Person
    first_due_on: date | None
    #: the items shown: those due, those of the chosen statuses, those recorded since the
    #: run; earliest due first
    items: list[RecallItem]
    invitations: list[Invitation]  # every invitation of the person, newest first
    unanswered: int  # invitations since the latest review (in the run or recorded here)

    @property
    def no_response(self) -> bool:
        return self.unanswered >= NO_RESPONSE_AFTER

    @property
    def last_invited_on(self) -> date | None:
        return self.invitations[0].on if self.invitations else None


@dataclass
class Page:
    run: StratRun | None
    filters: Filters
    rows: list[Row]
    total: int  # people matching, on every page
    number: int  # this page, from 1
    size: int
    waiting: int  # letters and texts of the practice's invitations not yet sent

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))


def _matching(run_id: str, practice: str, f: Filters
              ) -> tuple[Select[str, date | None], Select[int]]:
    """(the page's people with their first due date, ordered; how many there are)."""
    if f.plain:
        where = (RecallPerson.run_id == run_id, RecallPerson.practice_code == practice)
        listed = select(RecallPerson.nhs_number, RecallPerson.first_due_on).where(
            *where).order_by(RecallPerson.first_due_on, RecallPerson.nhs_number)
        return listed, select(func.count()).select_from(RecallPerson).where(*where)
    conditions = [RecallItem.run_id == run_id, RecallItem.practice_code == practice,
                  RecallItem.status.in_(f.statuses)]
    if f.condition:
        conditions.append(RecallItem.condition == f.condition)
    if f.item:
        conditions.append(RecallItem.item == f.item)
    first = func.min(RecallItem.due_on)
    listed = select(RecallItem.nhs_number, first).where(*conditions).group_by(
        RecallItem.nhs_number).order_by(first.is_(None), first, RecallItem.nhs_number)
    total = select(func.count(distinct(RecallItem.nhs_number))).where(*conditions)
    return listed, total


def unanswered(invitations: Sequence[Invitation], last_response: date | None) -> int:
    """How many of ``invitations`` came after the latest response (none: all)."""
    return sum(1 for i in invitations if last_response is None or i.on > last_response)


def recall_list(session: Session, practice: str, filters: Filters = Filters(),
                page: int = 1, size: int = PAGE_SIZE) -> Page:
    """Page ``page`` of the recall list of ``practice`` in the current run."""
    run = session.scalar(select(StratRun).where(StratRun.current.is_(True)))
    waiting = outbox.waiting(session, practice)
    if run is None:
        return Page(None, filters, [], 0, 1, size, waiting)
    number = max(1, page)
    listed, counted = _matching(run.id, practice, filters)
    found = session.execute(listed.limit(size).offset((number - 1) * size)).all()
    total = session.scalar(counted) or 0
    numbers = [n for n, _ in found]
    if not numbers:
        return Page(run, filters, [], total, number, size, waiting)
    people = {p.nhs_number: p for p in session.scalars(
        select(Person).where(Person.nhs_number.in_(numbers), Person.practice_code == practice))}
    items: dict[str, list[RecallItem]] = {}
    for item in session.scalars(select(RecallItem).where(
            RecallItem.run_id == run.id, RecallItem.nhs_number.in_(numbers))):
        items.setdefault(item.nhs_number, []).append(item)
    invited: dict[str, list[Invitation]] = {}
    for inv in session.scalars(select(Invitation).where(Invitation.nhs_number.in_(numbers))
                               .order_by(Invitation.on.desc(), Invitation.id.desc())):
        invited.setdefault(inv.nhs_number, []).append(inv)
    reviewed = dict(session.execute(select(RecallReview.nhs_number, func.max(RecallReview.on))
                                    .where(RecallReview.nhs_number.in_(numbers))
                                    .group_by(RecallReview.nhs_number)).all())
    shown = set(filters.statuses) | set(DUE)
    rows = []
    for nhs, first in found:
        person = people.get(nhs)
        if person is None:  # moved practice since the run: not this practice's to see
            continue
        mine = items.get(nhs, [])
        done = [d for d in (*(i.last_done_on for i in mine), reviewed.get(nhs)) if d]
        rows.append(Row(person, first, sorted(
            (i for i in mine if i.status in shown or i.review_id is not None),
            key=lambda i: (i.due_on is None, i.due_on or date.max, i.condition, i.item)),
            invited.get(nhs, []), unanswered(invited.get(nhs, []), max(done, default=None))))
    return Page(run, filters, rows, total, number, size, waiting)


def item_status_words(status: str) -> str:
    return STATUSES.get(status, status)
