"""Admission reviews (CM-9): for each of primary, secondary and social care, whether an
admission was avoidable, why, and what will be done. When all three are recorded, the
event's open review task is marked done; recording a sector again replaces its finding.
Services never commit: the request owns the transaction."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ltc.care.auth.models import User
from ltc.care.db import now as utc_now
from ltc.care.db import uk_time
from ltc.care.events.errors import InboxError, NotFoundError
from ltc.care.events.errors import choice as _choice
from ltc.care.events.feed import KINDS
from ltc.care.events.models import (
    AdmissionReview,
    CareEvent,
)
from ltc.care.work import services as work
from ltc.care.work.models import Task

#: the sectors an admission review hears from (CM-9)
SECTORS = {"primary": "Primary care", "secondary": "Secondary care",
           "social": "Social care"}
#: whether the admission could have been avoided, in a sector's view
AVOIDABLE = {"yes": "Avoidable", "no": "Not avoidable", "unsure": "Unsure"}
#: why an admission happened, as a review records it
REVIEW_REASONS = {
    "no_care_plan": "No care plan in place",
    "care_plan_not_followed": "Care plan not followed",
    "no_community_alternative": "No community alternative (such as rapid response or "
                                "intermediate care) was available",
    "out_of_hours": "Out of hours: the usual services could not be reached",
    "medicines": "Medicines (not taken, side effects, review overdue)",
    "carer_breakdown": "Carer breakdown",
    "social_care_not_available": "Social care not available",
    "clinically_necessary": "Clinically necessary: hospital was the right place",
    "other": "Other (say what in the detail)",
}
MAX_TEXT = 2000  # review detail and actions


@dataclass(frozen=True)
class PendingReview:
    """An admission whose review task is open, with the sectors recorded so far."""

    task: Task
    event: CareEvent
    recorded: dict[str, AdmissionReview]

    @property
    def missing(self) -> list[str]:
        return [s for s in SECTORS if s not in self.recorded]


def admission(session: Session, nhs_number: str, event_id: int) -> CareEvent:
    """One of the person's events (any kind), or :class:`NotFoundError`."""
    event = session.get(CareEvent, event_id)
    if event is None or event.nhs_number != nhs_number:
        raise NotFoundError("There is no such hospital event for this person.")
    return event


def reviews_of(session: Session, event_id: int) -> dict[str, AdmissionReview]:
    """The findings recorded for one admission, by sector."""
    return {r.sector: r for r in session.scalars(
        select(AdmissionReview).where(AdmissionReview.event_id == event_id))}


def review_task(session: Session, event_id: int) -> Task | None:
    """The admission's open review task, if it has one."""
    return session.scalar(select(Task).where(
        Task.event_id == event_id, Task.kind == "admission_review", Task.done_at.is_(None),
        Task.cancelled_at.is_(None)).order_by(Task.id).limit(1))


def pending_reviews(session: Session, nhs_number: str) -> list[PendingReview]:
    """The person's admissions waiting for their review, the first due first."""
    rows = session.execute(
        select(Task, CareEvent).join(CareEvent, CareEvent.id == Task.event_id)
        .where(Task.nhs_number == nhs_number, Task.kind == "admission_review",
               Task.done_at.is_(None), Task.cancelled_at.is_(None))
        .order_by(Task.due_on.asc().nulls_last(), Task.id)).all()
    recorded: dict[int, dict[str, AdmissionReview]] = {}
    if rows:
        for r in session.scalars(select(AdmissionReview).where(
                AdmissionReview.event_id.in_(sorted({e.id for _, e in rows})))):
            recorded.setdefault(r.event_id, {})[r.sector] = r
    return [PendingReview(t, e, recorded.get(e.id, {})) for t, e in rows]


def record_review(session: Session, user: User, nhs_number: str, event_id: int,
                  sector: str, avoidable: str, reasons: Iterable[str], detail: str,
                  actions: str, on: date | None = None,
                  today: date | None = None) -> AdmissionReview:
    """Record one sector's finding on one of the person's admissions (CM-9); once all
    three sectors are recorded the admission's open review task is marked done."""
    today = today or date.today()
    event = admission(session, nhs_number, event_id)
    if event.kind != "admission":
        raise InboxError(f"Event (event_id): this is {KINDS.get(event.kind, event.kind)!r}, "
                         "not an admission. Only admissions are reviewed.")
    if event.cancelled_at is not None:
        raise InboxError("Event (event_id): the hospital cancelled this admission; there is "
                         "nothing to review.")
    name = SECTORS.get(sector, sector)
    _choice(sector, "Sector (sector)", SECTORS)
    _choice(avoidable, f"{name}: avoidable (avoidable)", AVOIDABLE)
    given = list(dict.fromkeys(r.strip() for r in reasons if r.strip()))
    if not given:
        raise InboxError(f"{name}: reasons (reasons): none chosen. Choose at least one "
                         f"of {', '.join(REVIEW_REASONS)}.")
    for reason in given:
        _choice(reason, f"{name}: reasons (reasons)", REVIEW_REASONS)
    text = work.free_text(detail, f"{name}: detail (detail)", MAX_TEXT,
                          required="other" in given, error=InboxError)
    planned = work.free_text(actions, f"{name}: actions (actions)", MAX_TEXT,
                             required=False, error=InboxError)
    if on is None:
        on = today
    if on > today:
        raise InboxError(f"Date of the review (on): {on.isoformat()} is in the future. Give "
                         "today's date or an earlier one.")
    admitted_on = uk_time(event.occurred_at).date()
    if on < admitted_on:
        raise InboxError(f"Date of the review (on): {on.isoformat()} is before the "
                         f"admission on {admitted_on.isoformat()}. Give the "
                         "date the review was done.")
    recorded = reviews_of(session, event.id)
    row = recorded.get(sector)
    if row is None:
        row = AdmissionReview(event_id=event.id, nhs_number=nhs_number, sector=sector,
                              recorded_by=user.id, on=on)
        session.add(row)
        recorded[sector] = row
    row.avoidable, row.reasons, row.detail, row.actions = (avoidable, ",".join(given), text,
                                                           planned)
    row.recorded_by, row.on, row.at = user.id, on, utc_now()
    session.flush()
    if all(s in recorded for s in SECTORS):
        stamp = utc_now()
        for task in session.scalars(select(Task).where(
                Task.event_id == event.id, Task.kind == "admission_review",
                Task.done_at.is_(None), Task.cancelled_at.is_(None))):
            task.done_at = stamp
        session.flush()
    return row
