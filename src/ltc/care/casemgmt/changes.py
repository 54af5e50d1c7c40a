"""A counter of changes that can alter a worklist, so a worklist page can be kept until
one happens (CM-2 worklist speed).

Any flush that adds, changes or deletes a caseload entry, an approach, a nomination, a
person, a person's result or a run adds one to the counter, in the same transaction
(an ORM event: no service has to remember to). Loading a run writes its rows in bulk and
adds one itself. A page computed under counter value *n* is kept with *n*; a reader who
finds a different value computes the page afresh.
"""

from __future__ import annotations

from collections import OrderedDict
from itertools import chain
from threading import Lock
from typing import Any

from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from ltc.care.casemgmt.models import Approach, CaseloadEntry, Nomination, WorklistChange
from ltc.care.people.models import Person, PersonResult, StratRun

WATCHED = (CaseloadEntry, Approach, Nomination, Person, PersonResult, StratRun)
#: worklist pages kept per server process
KEPT = 2_000


def bump(session: Session) -> None:
    session.connection().execute(update(WorklistChange).values(
        changes=WorklistChange.changes + 1))


def current(session: Session) -> int:
    return session.scalar(select(WorklistChange.changes)) or 0


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context: Any) -> None:
    if any(isinstance(o, WATCHED)
           for o in chain(session.new, session.dirty, session.deleted)):
        bump(session)


class Pages:
    """Worklist pages kept in this process, the least recently used forgotten first."""

    def __init__(self, size: int = KEPT) -> None:
        self.size = size
        self._pages: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        self._lock = Lock()

    def get(self, key: tuple[Any, ...]) -> Any:
        with self._lock:
            found = self._pages.get(key)
            if found is not None:
                self._pages.move_to_end(key)
            return found

    def put(self, key: tuple[Any, ...], value: Any) -> None:
        with self._lock:
            self._pages[key] = value
            self._pages.move_to_end(key)
            while len(self._pages) > self.size:
                self._pages.popitem(last=False)


PAGES = Pages()
