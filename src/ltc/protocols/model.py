"""What a condition protocol is made of (DM-1): typed, frozen, and read by
:mod:`ltc.protocols.loader` from the TOML files.

A :class:`Protocol` names the disease register it applies to and its review items. An
:class:`Item` says how it is recorded (SNOMED CT codes from the project's code lists, looked
for in the ``observation`` table), how often it is due (every ``interval_months`` calendar
months, or once a :class:`Season`, e.g. the flu vaccination), the :class:`Target` a value
should meet where there is one, and the exception codes (personalised care adjustments)
that set the item aside. The telephone check of a condition asks its :class:`Question`\\ s.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class SeasonDates:
    """One season's dates as seen on an as-of date (see :meth:`Season.on`)."""

    #: a recording on or after this day counts for the season (QOF: 1 August for flu)
    counts_from: date
    #: the item is due from this day (the programme starts, e.g. 1 September)
    due_on: date
    #: the last day of the season (e.g. 31 March); after it, nothing is due until the next
    ends: date
    #: the due date of the next season
    next_due_on: date


@dataclass(frozen=True)
class Season:
    """A yearly item due once a season: month and day of each edge."""

    counts_from: tuple[int, int]
    due_from: tuple[int, int]
    ends: tuple[int, int]

    def on(self, as_of: date) -> SeasonDates:
        """The season ``as_of`` falls in: the one whose ``counts_from`` is the latest on or
        before ``as_of``."""
        year = as_of.year if as_of >= _day(as_of.year, self.counts_from) else as_of.year - 1
        due = _day(year, self.due_from)
        ends = _day(year, self.ends)
        if ends < due:  # the season runs into the next calendar year
            ends = _day(year + 1, self.ends)
        return SeasonDates(counts_from=_day(year, self.counts_from), due_on=due, ends=ends,
                           next_due_on=_day(year + 1, self.due_from))


def _day(year: int, month_day: tuple[int, int]) -> date:
    month, day = month_day
    if (month, day) == (2, 29):  # 29 February in a year without one: the 28th
        day = 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28
    return date(year, month, day)


@dataclass(frozen=True)
class Target:
    """Upper limits for an item's values (one per value component), for an age band."""

    at_most: tuple[float, ...]
    unit: str
    source: str
    min_age: int | None = None  # aged at least this on the as-of date
    max_age: int | None = None  # aged at most this on the as-of date

    def applies(self, age: int) -> bool:
        return ((self.min_age is None or age >= self.min_age)
                and (self.max_age is None or age <= self.max_age))


@dataclass(frozen=True)
class Item:
    """A review item of a protocol."""

    id: str
    label: str
    #: SNOMED CT codes whose recording means the item was done
    codes: frozenset[str]
    codelists: tuple[str, ...]
    source: str
    #: due this many calendar months after it was last done ...
    interval_months: int | None
    #: ... or once a season (exactly one of the two is set)
    season: Season | None
    #: overdue this many calendar months after the due date
    overdue_after_months: int
    #: the value components reported (e.g. systolic, diastolic), each a set of codes
    values: tuple[frozenset[str], ...] = ()
    value_codelists: tuple[str, ...] = ()
    targets: tuple[Target, ...] = ()
    #: codes that set this item aside (besides the protocol's own exception codes)
    exception_codes: frozenset[str] = frozenset()
    exception_codelists: tuple[str, ...] = ()

    def target_for(self, age: int) -> Target | None:
        """The target of a person of ``age`` (none when no band applies)."""
        return next((t for t in self.targets if t.applies(age)), None)


@dataclass(frozen=True)
class Question:
    """A question of the telephone check (DM-7 reads them); a red flag escalates the call
    to the named contact the same day."""

    id: str
    text: str
    red_flag: bool
    source: str


@dataclass(frozen=True)
class Protocol:
    """The review protocol of one condition."""

    condition: str
    label: str
    #: the disease register it applies to (an id of :data:`ltc.records.registers.REGISTERS`)
    register: str
    version: str
    sources: tuple[str, ...]
    items: tuple[Item, ...]
    #: codes that set every item aside (e.g. "informed dissent" for the condition's care)
    exception_codes: frozenset[str]
    exception_codelists: tuple[str, ...]
    #: an exception counts when recorded in this many months up to the as-of date
    exception_months: int
    questions: tuple[Question, ...]
    #: the files it was read from: the default and, when overridden, the local file
    files: tuple[str, ...]

    @property
    def local(self) -> bool:
        """Whether a local file changed or added this protocol."""
        return len(self.files) > 1 or not self.files[0].startswith("default:")

    def item(self, item_id: str) -> Item:
        for found in self.items:
            if found.id == item_id:
                return found
        raise KeyError(f"protocol {self.condition} has no item {item_id!r}; items are: "
                       f"{', '.join(i.id for i in self.items)}")
