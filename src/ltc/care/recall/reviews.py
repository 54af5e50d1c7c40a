"""Recording a review item in the care store (DM-2): a clinician records that an item of a
person's condition protocol was done (the date, and the value where the item has one)
or is excepted (with the reason). The item shows as *done* or *excepted* on the recall
list and the person page at once: the current run's item is changed and remembers the
review (``RecallItem.review_id``). A later run whose index date is on or after the
review's date supersedes it (its own statuses are what the record plane holds); a later
run from before the review's date has it applied again when loaded
(:mod:`ltc.care.recall.loader`).

The next due date follows the protocol: the item's interval in calendar months (the same
day of the month, or the month's last day when it is shorter, as the pipeline computes
it), or the next season's due day for a seasonal item (flu vaccination). Services never
commit: the request owns the transaction.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from datetime import date, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from ltc.care.auth.models import User
from ltc.care.casemgmt import changes
from ltc.care.people.models import Person, PersonResult, StratRun
from ltc.care.recall.models import DUE, RecallItem, RecallPerson, RecallReview
from ltc.care.work.services import free_text
from ltc.protocols import Item, Protocol

#: what a review records, as pages show it
OUTCOMES = {"done": "Done", "excepted": "Excepted (personalised care adjustment)"}
#: days before the due date from which an item is due soon: the pipeline's default
#: (``ltc stratify --due-soon-days``), for an item recorded here
DUE_SOON_DAYS = 30
#: a value outside this range is a typing mistake whatever the item (HbA1c in mmol/mol,
#: blood pressure in mmHg, cholesterol in mmol/L, urine ACR in mg/mmol all fall inside)
PLAUSIBLE = (0.0, 10_000.0)
MAX_TEXT = 2000


class RecallError(ValueError):
    """Something that cannot be saved, naming the field and what is expected."""


def plus_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months: the same day of the month, or the month's
    last day when it is shorter (31 January plus 1 month is 28 or 29 February)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def next_due(item: Item, on: date) -> date | None:
    """When ``item`` is due again after being done on ``on``."""
    if item.interval_months is not None:
        return plus_months(on, item.interval_months)
    if item.season is not None:
        season = item.season.on(on)
        return season.next_due_on if on >= season.counts_from else season.due_on
    return None


def status_after(item: Item, next_due_on: date | None, today: date) -> str:
    """The status of an item done, on ``today``, when it is next due on ``next_due_on``:
    as the pipeline decides it (``ltc.pipeline.recall``), so a late entry of a review long
    past shows as due again."""
    if next_due_on is None or next_due_on > today + timedelta(days=DUE_SOON_DAYS):
        return "done"
    if next_due_on > today:
        return "due_soon"
    if plus_months(next_due_on, item.overdue_after_months) > today:
        return "due"
    return "overdue"


def age_on(born: date | None, day: date) -> int | None:
    if born is None:
        return None
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def target_met(item: Item, age: int | None, values: list[float]) -> bool | None:
    """Whether ``values`` meet the item's target for a person of ``age`` (None: no target
    or no values)."""
    target = item.target_for(age) if age is not None else None
    if target is None or len(values) < len(target.at_most):
        return None
    return all(v <= limit for v, limit in zip(values, target.at_most, strict=False))


def registers_of(session: Session, nhs_number: str) -> frozenset[str]:
    """The person's disease registers in the current run."""
    found = session.scalar(select(PersonResult.registers).join(
        StratRun, StratRun.id == PersonResult.run_id).where(
        StratRun.current.is_(True), PersonResult.nhs_number == nhs_number))
    return frozenset(r for r in (found or "").split(",") if r)


def protocols_of(session: Session, nhs_number: str, protocols: Mapping[str, Protocol]
                 ) -> dict[str, Protocol]:
    """The protocols of the person's registers, keyed by condition."""
    registers = registers_of(session, nhs_number)
    return {c: p for c, p in protocols.items() if p.register in registers}


def _values(item: Item, value: float | None, value_2: float | None) -> list[float]:
    wanted = len(item.values)
    given = [v for v in (value, value_2) if v is not None]
    if wanted == 0:
        if given:
            raise RecallError(f"Value (value): {item.label} has no value to record; leave it "
                              "empty.")
        return []
    names = ("Value (value)", "Second value (value_2)")
    for i in range(2):
        v = (value, value_2)[i]
        if i < wanted and v is None:
            raise RecallError(f"{names[i]}: this is empty. {item.label} is recorded with "
                              f"{wanted} value{'s' if wanted > 1 else ''}: type "
                              f"{'each' if wanted > 1 else 'it'}.")
        if i >= wanted and v is not None:
            raise RecallError(f"{names[i]}: {item.label} has one value; leave the second "
                              "empty.")
        if v is not None and not PLAUSIBLE[0] < v < PLAUSIBLE[1]:
            raise RecallError(f"{names[i]}: {v:g} is not a value {item.label} can have; "
                              f"expected a number above {PLAUSIBLE[0]:g} and below "
                              f"{PLAUSIBLE[1]:g}.")
    return [v for v in (value, value_2)[:wanted] if v is not None]


def record(session: Session, nhs_number: str, by: User, protocols: Mapping[str, Protocol],
           *, condition: str, item: str, outcome: str, on: date | None,
           value: float | None = None, value_2: float | None = None, reason: str = "",
           note: str = "", today: date | None = None) -> RecallReview:
    """Record a review item for the person and show it on the current run's list."""
    today = today or date.today()
    mine = protocols_of(session, nhs_number, protocols)
    protocol = mine.get(condition)
    if protocol is None:
        choices = ", ".join(mine) or "none: the person is on no register with a protocol"
        raise RecallError(f"Condition (condition): {condition!r} is not one of the person's "
                          f"conditions. Choose one of {choices}.")
    found = next((i for i in protocol.items if i.id == item), None)
    if found is None:
        raise RecallError(f"Item (item): {item!r} is not an item of the {protocol.label} "
                          f"protocol. Choose one of {', '.join(i.id for i in protocol.items)}.")
    if outcome not in OUTCOMES:
        raise RecallError(f"Outcome (outcome): {outcome!r} is not one of the choices. Choose "
                          f"one of {', '.join(OUTCOMES)}.")
    if on is None:
        raise RecallError("Date (on): this is empty. Give the date it was done.")
    if on > today:
        raise RecallError(f"Date (on): {on.isoformat()} is in the future. Give the date it "
                          "was done: today or earlier.")
    why = free_text(reason, "Reason (reason)", MAX_TEXT, required=outcome == "excepted",
                    error=RecallError)
    if outcome == "done":
        if why:
            raise RecallError("Reason (reason): a reason is for an exception; leave it empty "
                              "when the item was done.")
        values = _values(found, value, value_2)
    else:
        if value is not None or value_2 is not None:
            raise RecallError("Value (value): an excepted item has no value; leave it empty.")
        values = []
    person = session.get(Person, nhs_number)
    met = target_met(found, age_on(person.date_of_birth if person else None, on), values)
    due = next_due(found, on) if outcome == "done" else None
    review = RecallReview(
        nhs_number=nhs_number, condition=condition, item=item, label=found.label,
        outcome=outcome, on=on, value=values[0] if values else None,
        value_2=values[1] if len(values) > 1 else None, target_met=met,
        next_due_on=due, status=status_after(found, due, today) if outcome == "done"
        else "excepted", reason=why,
        note=free_text(note, "Note (note)", MAX_TEXT, required=False, error=RecallError),
        by=by.id)
    session.add(review)
    session.flush()
    run_id = session.scalar(select(StratRun.id).where(StratRun.current.is_(True)))
    if run_id is not None:
        apply(session, run_id, review)
    return review


def apply(session: Session, run_id: str, review: RecallReview) -> None:
    """Show ``review`` on run ``run_id``'s item (when the run has it) and sum up the
    person's items again."""
    row = session.get(RecallItem, (run_id, review.nhs_number, review.condition, review.item))
    if row is None:
        return
    changes.bump(session)  # the recall lists kept show the item as recorded
    row.review_id = review.id
    row.status = review.status
    if review.outcome == "done":
        row.last_done_on = review.on
        row.last_value, row.last_value_2 = review.value, review.value_2
        row.target_met = review.target_met
        row.due_on = review.next_due_on
    session.flush()
    refresh(session, run_id, review.nhs_number, row.practice_code)


def refresh(session: Session, run_id: str, nhs_number: str, practice_code: str | None
            ) -> None:
    """The person's summary row of the run from their items (none when nothing is due)."""
    first, count = session.execute(select(func.min(RecallItem.due_on), func.count()).where(
        RecallItem.run_id == run_id, RecallItem.nhs_number == nhs_number,
        RecallItem.status.in_(DUE))).one()
    if not count:
        session.execute(delete(RecallPerson).where(RecallPerson.run_id == run_id,
                                                   RecallPerson.nhs_number == nhs_number))
        return
    summed = session.get(RecallPerson, (run_id, nhs_number))
    if summed is None:
        session.add(RecallPerson(run_id=run_id, nhs_number=nhs_number,
                                 practice_code=practice_code, first_due_on=first,
                                 due_items=count))
    else:
        summed.first_due_on, summed.due_items = first, count
    session.flush()
