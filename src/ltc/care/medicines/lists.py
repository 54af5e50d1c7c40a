"""The practice's medicines lists (SC-3): of the people of the practice in the current
run, those due a medication review (four or more long-term medicines and no review in 12
months; most long-term medicines first), those with low adherence (a long-term medicine
covered on fewer than 80% of days; lowest proportion of days covered first) and those on
10 or more medicines (polypharmacy; most medicines first), a page at a time, with how many
people each list holds.

A page costs a fixed number of statements whatever the number of rows: the current run,
the three lists' counts in one pass, the page's rows (read in the order of the list's
index) and the page's people.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Integer, case, func, select, true
from sqlalchemy.orm import Session

from ltc.care.casemgmt import changes
from ltc.care.medicines.models import LISTS, SEPARATOR, MedicinesPerson
from ltc.care.people.models import Person, StratRun, display_name

PAGE_SIZE = 50

M = MedicinesPerson
#: each list: which rows it holds and its order
_WHERE = {"review": M.review_due == true(), "adherence": M.low_adherence == true(),
          "polypharmacy": M.polypharmacy == true()}
_ORDER = {"review": (M.long_term_medicines.desc(), M.nhs_number),
          "adherence": (M.lowest_pdc, M.nhs_number),
          "polypharmacy": (M.medicines.desc(), M.nhs_number)}


@dataclass(frozen=True, slots=True)
class Row:
    """A person on a list, with their medicines figures."""

    nhs_number: str
    name: str | None
    date_of_birth: date | None
    long_term_medicines: int
    lowest_pdc: float | None
    non_adherent: tuple[str, ...]
    review_due: bool
    last_review_on: date | None
    medicines: int
    polypharmacy: bool

    @property
    def lowest_pdc_percent(self) -> int | None:
        """The lowest PDC as a whole percentage (rounded down: 79.9% is below 80%)."""
        return None if self.lowest_pdc is None else int(self.lowest_pdc * 100 + 1e-9)


@dataclass(frozen=True)
class Page:
    run_as_of: date | None
    chosen: str  # a key of LISTS
    counts: dict[str, int]  # people on each list
    rows: list[Row]
    number: int
    size: int

    @property
    def total(self) -> int:
        return self.counts.get(self.chosen, 0)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))


def medicines_list(session: Session, practice: str, chosen: str = "review", page: int = 1,
                   size: int = PAGE_SIZE) -> Page:
    """Page ``page`` of the medicines list ``chosen`` (a key of
    :data:`~ltc.care.medicines.models.LISTS`) of ``practice`` in the current run."""
    if chosen not in LISTS:
        raise ValueError(f"no medicines list {chosen!r}; expected one of {', '.join(LISTS)}")
    number = max(1, page)
    current = session.execute(select(StratRun.id, StratRun.as_of).where(
        StratRun.current.is_(True))).first()
    if current is None:
        return Page(None, chosen, dict.fromkeys(LISTS, 0), [], number, size)
    run_id, as_of = current
    mine = (M.run_id == run_id, M.practice_code == practice)
    counted = session.execute(select(*(
        func.coalesce(func.sum(case((where, 1), else_=0)), 0).cast(Integer)
        for where in _WHERE.values())).where(*mine)).one()
    counts = dict(zip(LISTS, (int(n) for n in counted), strict=True))
    found = session.execute(select(
        M.nhs_number, M.long_term_medicines, M.lowest_pdc, M.non_adherent, M.review_due,
        M.last_review_on, M.medicines, M.polypharmacy).where(*mine, _WHERE[chosen])
        .order_by(*_ORDER[chosen]).limit(size).offset((number - 1) * size)).all()
    numbers = [r[0] for r in found]
    people: dict[str, tuple[str | None, date | None]] = {}
    if numbers:
        people = {n: (display_name(given, family), born) for n, given, family, born in
                  session.execute(select(Person.nhs_number, Person.given_name,
                                         Person.family_name, Person.date_of_birth).where(
                      Person.nhs_number.in_(numbers), Person.practice_code == practice))}
    rows = []
    for nhs, long_term, pdc, names, due, reviewed, medicines, poly in found:
        if nhs not in people:  # moved practice since the run: not this practice's to see
            continue
        name, born = people[nhs]
        rows.append(Row(nhs, name, born, long_term, pdc,
                        tuple(n for n in names.split(SEPARATOR) if n), due, reviewed,
                        medicines, poly))
    return Page(as_of, chosen, counts, rows, number, size)


#: medicines list pages kept in this process, each until a change that can alter it
PAGES = changes.Pages()


def kept_list(session: Session, practice: str, chosen: str = "review", page: int = 1,
              size: int = PAGE_SIZE) -> Page:
    """:func:`medicines_list`, kept until the care store's change counter moves (loading a
    run or a change of a person moves it, :mod:`ltc.care.casemgmt.changes`)."""
    key: tuple[Any, ...] = ("medicines", str(session.get_bind().engine.url), practice,
                            chosen, page, size, changes.current(session))
    found: Page | None = PAGES.get(key)
    if found is None:
        found = medicines_list(session, practice, chosen, page, size)
        PAGES.put(key, found)
    return found
