"""People, runs and events for the named-contact and MDT tests (DM-3, DM-4): valid NHS
numbers, people of a practice with their level, risk and registers in a run, a second run
loaded later, and hospital events."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime

from sqlalchemy.orm import Session

from ltc.care.events.models import CareEvent, InboundMessage
from ltc.care.people.models import Person, PersonResult, StratRun
from ltc.codes.nhs_number import check_digit


def numbers(start: int = 0) -> Iterator[str]:
    """Valid NHS numbers from 7000000000 + 10 * start on."""
    n = 700_000_000 + start
    while True:
        digit = check_digit(str(n))
        if digit is not None:
            yield f"{n}{digit}"
        n += 1


def person(s: Session, nhs: str, practice: str = "P1", *, level: int = 1,
           risk: float | None = 0.1, registers: str = "diabetes", run: str = "run-0001",
           died: date | None = None, name: str = "Smith") -> str:
    """A person of ``practice`` (locality L1) with their result in ``run``."""
    if s.get(Person, nhs) is None:
        s.add(Person(nhs_number=nhs, date_of_birth=date(1950, 1, 1), sex="F",
                     practice_code=practice, locality_code="L1", date_of_death=died,
                     given_name="Ann", family_name=name))
    result(s, nhs, practice, level=level, risk=risk, registers=registers, run=run)
    s.flush()
    return nhs


def result(s: Session, nhs: str, practice: str = "P1", *, level: int = 1,
           risk: float | None = 0.1, registers: str = "diabetes",
           run: str = "run-0001") -> None:
    s.add(PersonResult(run_id=run, nhs_number=nhs, level=level, locality_code="L1",
                       practice_code=practice, level_basis="case-finding rules met"
                       if level == 3 else "LTC", reasons="", risk=risk, registers=registers))


def new_run(s: Session, run_id: str, loaded_at: datetime, *, current: bool = True) -> None:
    """A run loaded at ``loaded_at``; made the current one."""
    if current:
        for run in s.query(StratRun):
            run.current = False
    s.add(StratRun(id=run_id, as_of=loaded_at.date(), people=0, current=current,
                   loaded_at=loaded_at))
    s.flush()


def event(s: Session, nhs: str, kind: str, at: datetime, *, unplanned: bool | None = True,
          cancelled: bool = False, facility: str | None = "General Hospital") -> CareEvent:
    message = InboundMessage(feed="hl7v2", sender="test", status="applied", raw="-")
    s.add(message)
    s.flush()
    e = CareEvent(message_id=message.id, nhs_number=nhs, kind=kind, occurred_at=at,
                  unplanned=unplanned if kind == "admission" else None, facility=facility,
                  cancelled_at=at if cancelled else None)
    s.add(e)
    s.flush()
    return e
