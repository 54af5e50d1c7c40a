"""The recall list of a practice (DM-2): the people of the practice with review items due
in the current run, one row per person with every item they are due (a person due for
several items is invited once for all of them), filterable by condition, item and
status, earliest due date first, a page at a time.

Whatever the number of rows, a page costs a fixed number of statements: the current run;
the page's people and how many there are in all (without filters from the summary rows,
:class:`~ltc.care.recall.models.RecallPerson`, walked in the order of their index, and
counted; with filters by grouping the matching items, read from their index alone, with
the count in the same pass); then the page's people, their items, their invitations and
their reviews, each in one read. Each person listed is marked when they
have had :data:`NO_RESPONSE_AFTER` invitations with no review since.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from ltc.care.casemgmt import changes
from ltc.care.people.models import Person, StratRun, display_name
from ltc.care.recall import outbox
from ltc.care.recall.models import (
    DUE,
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


@dataclass(frozen=True, slots=True)
class Shown:
    """A person as the list shows them."""

    nhs_number: str
    name: str | None
    date_of_birth: date | None


@dataclass(frozen=True, slots=True)
class Item:
    """An item as the list shows it."""

    condition: str
    item: str
    status: str
    due_on: date | None
    last_done_on: date | None
    review_id: int | None


@dataclass
class Row:
    person: Shown
    first_due_on: date | None
    #: the items shown: those due, those of the chosen statuses, those recorded since the
    #: run; earliest due first
    items: list[Item]
    invited_on: list[date]  # the day of every invitation of the person, newest first
    unanswered: int  # invitations since the latest review (in the run or recorded here)

    @property
    def no_response(self) -> bool:
        return self.unanswered >= NO_RESPONSE_AFTER

    @property
    def last_invited_on(self) -> date | None:
        return self.invited_on[0] if self.invited_on else None


@dataclass(frozen=True, slots=True)
class RunShown:
    """The run a list is of."""

    id: str
    as_of: date


@dataclass
class Page:
    run: RunShown | None
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
              ) -> tuple[Select[*tuple[Any, ...]], Select[int] | None]:
    """(the page's people with their first due date, ordered, and, filtered, how many
    match in all; how many there are, when the first statement does not say)."""
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
    # one pass over the index: the people matching, with how many there are in all
    counted = select(RecallItem.nhs_number, first, func.count().over()).where(
        *conditions).group_by(RecallItem.nhs_number).order_by(
        first.is_(None), first, RecallItem.nhs_number)
    return counted, None


def unanswered(invited_on: Sequence[date], last_response: date | None) -> int:
    """How many invitations (their days) came after the latest response (none: all)."""
    return sum(1 for day in invited_on if last_response is None or day > last_response)


def recall_list(session: Session, practice: str, filters: Filters = Filters(),
                page: int = 1, size: int = PAGE_SIZE) -> Page:
    """Page ``page`` of the recall list of ``practice`` in the current run."""
    current = session.execute(select(StratRun.id, StratRun.as_of).where(
        StratRun.current.is_(True))).first()
    run = RunShown(*current) if current is not None else None
    waiting = outbox.waiting(session, practice)
    if run is None:
        return Page(None, filters, [], 0, 1, size, waiting)
    number = max(1, page)
    listed, counted = _matching(run.id, practice, filters)
    found = session.execute(listed.limit(size).offset((number - 1) * size)).all()
    if counted is not None:
        total = session.scalar(counted) or 0
    elif found:
        total = found[0][2]
    else:  # a page past the end: how many there are on the others
        total = session.scalar(select(func.count()).select_from(listed.subquery())) or 0
    numbers = [row[0] for row in found]
    if not numbers:
        return Page(run, filters, [], total, number, size, waiting)
    # plain rows, not ORM objects: a page reads some 50 people and a few hundred items
    people = {n: Shown(n, display_name(given, family), born) for n, given, family, born in
              session.execute(select(Person.nhs_number, Person.given_name, Person.family_name,
                                     Person.date_of_birth).where(
                  Person.nhs_number.in_(numbers), Person.practice_code == practice))}
    items: dict[str, list[Item]] = {}
    for nhs, condition, item, status, due_on, done_on, review_id in session.execute(select(
            RecallItem.nhs_number, RecallItem.condition, RecallItem.item, RecallItem.status,
            RecallItem.due_on, RecallItem.last_done_on, RecallItem.review_id).where(
            RecallItem.run_id == run.id, RecallItem.nhs_number.in_(numbers))):
        items.setdefault(nhs, []).append(Item(condition, item, status, due_on, done_on,
                                              review_id))
    invited: dict[str, list[date]] = {}
    for nhs, on in session.execute(select(Invitation.nhs_number, Invitation.on).where(
            Invitation.nhs_number.in_(numbers)).order_by(Invitation.on.desc(),
                                                        Invitation.id.desc())):
        invited.setdefault(nhs, []).append(on)
    reviewed = dict(session.execute(select(RecallReview.nhs_number, func.max(RecallReview.on))
                                    .where(RecallReview.nhs_number.in_(numbers))
                                    .group_by(RecallReview.nhs_number)).all())
    shown = set(filters.statuses) | set(DUE)
    rows = []
    for nhs, first, *_ in found:
        person = people.get(nhs)
        if person is None:  # moved practice since the run: not this practice's to see
            continue
        mine = items.get(nhs, [])
        done = [d for d in (*(i.last_done_on for i in mine), reviewed.get(nhs)) if d]
        days = invited.get(nhs, [])
        rows.append(Row(person, first, sorted(
            (i for i in mine if i.status in shown or i.review_id is not None),
            key=lambda i: (i.due_on is None, i.due_on or date.max, i.condition, i.item)),
            days, unanswered(days, max(done, default=None))))
    return Page(run, filters, rows, total, number, size, waiting)


#: recall list pages kept in this process, each until a change that can alter it
PAGES = changes.Pages()


def kept_list(session: Session, practice: str, filters: Filters = Filters(), page: int = 1,
              size: int = PAGE_SIZE) -> tuple[Page, tuple[Any, ...]]:
    """:func:`recall_list`, kept until the care store's change counter moves (as worklist
    pages are, :mod:`ltc.care.casemgmt.changes`): loading a run, an invitation, a review
    and sending the outbox move it; so does a change of a person. Returns the page and
    the key it is kept under (the same key, the same page)."""
    key = ("recall", str(session.get_bind().engine.url), practice, filters, page, size,
           changes.current(session))
    found: Page | None = PAGES.get(key)
    if found is None:
        found = recall_list(session, practice, filters, page, size)
        PAGES.put(key, found)
    return found, key
