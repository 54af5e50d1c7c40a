"""JSON API: the signed-in clinician's inbox of alerts and what they do with an alert; a
person's timeline of hospital and ambulance events, alerts and flags, and the review of
one of their admissions (CM-8, CM-9, DM-5, STRAT-2)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import HTTPException, Path, Request
from pydantic import BaseModel, Field

from ltc.care.events import inbox as alerts
from ltc.care.events.models import AdmissionReview, Alert, Flag
from ltc.care.events.rules import ALERT_KINDS
from ltc.web.deps import Db, Me, guarded_router
from ltc.web.policy import CLINICIANS, policy

api = guarded_router()
RowId = Annotated[int, Path(ge=1, le=2**31 - 1)]


class AlertOut(BaseModel):
    id: int
    nhs_number: str
    kind: str
    kind_label: str
    title: str
    event_id: int | None
    user_id: int | None = Field(description="the user it is for (a case manager's alert)")
    practice_code: str | None = Field(description="the practice it is for (a practice "
                                                  "alert)")
    assigned_to: int | None
    created_at: datetime
    acknowledged_at: datetime | None
    snoozed_until: datetime | None


def alert_out(a: Alert) -> AlertOut:
    return AlertOut(id=a.id, nhs_number=a.nhs_number, kind=a.kind,
                    kind_label=ALERT_KINDS.get(a.kind, a.kind), title=a.title,
                    event_id=a.event_id, user_id=a.user_id, practice_code=a.practice_code,
                    assigned_to=a.assigned_to, created_at=a.created_at,
                    acknowledged_at=a.acknowledged_at, snoozed_until=a.snoozed_until)


class InboxOut(BaseModel):
    alerts: list[AlertOut] = Field(description="open, newest first")
    snoozed: list[AlertOut] = Field(description="open but snoozed until a later time")
    acknowledged: list[AlertOut] = Field(description="the most recently acknowledged "
                                                     "(with include_done only)")


@api.get("/inbox", response_model=InboxOut)
@policy("signed_in", roles=CLINICIANS)
def get_inbox(request: Request, db: Db, me: Me, include_done: bool = False) -> InboxOut:
    found = alerts.inbox(db, me, include_done=include_done)
    for nhs_number in found.people():
        request.state.audit.add(nhs_number, "list", "GET /api/v1/inbox")
    return InboxOut(alerts=[alert_out(a.alert) for a in found.open],
                    snoozed=[alert_out(a.alert) for a in found.snoozed],
                    acknowledged=[alert_out(a.alert) for a in found.acknowledged])


class UnreadOut(BaseModel):
    unread: int


@api.get("/inbox/unread", response_model=UnreadOut)
@policy("signed_in", roles=CLINICIANS)
def get_unread(db: Db, me: Me) -> UnreadOut:
    return UnreadOut(unread=alerts.unread_count(db, me))


def _act(request: Request, action: Callable[..., Alert], *args: Any) -> AlertOut:
    try:
        alert = action(*args)
    except alerts.NotFoundError as e:
        raise HTTPException(404, str(e)) from e
    except alerts.InboxError as e:
        raise HTTPException(422, str(e)) from e
    request.state.audit.add(alert.nhs_number, "write", f"POST {request.url.path}")
    return alert_out(alert)


@api.post("/alerts/{alert_id}/acknowledge", response_model=AlertOut)
@policy("signed_in", roles=CLINICIANS)
def post_acknowledge(request: Request, alert_id: RowId, db: Db, me: Me) -> AlertOut:
    return _act(request, alerts.acknowledge, db, me, alert_id)


class AssignIn(BaseModel):
    to_user_id: int = Field(ge=1, le=2**31 - 1,
                            description="a clinician who looks after the person (you, to "
                                        "take it)")


@api.post("/alerts/{alert_id}/assign", response_model=AlertOut)
@policy("signed_in", roles=CLINICIANS)
def post_assign(request: Request, alert_id: RowId, body: AssignIn, db: Db,
                me: Me) -> AlertOut:
    return _act(request, alerts.assign, db, me, alert_id, body.to_user_id)


class SnoozeIn(BaseModel):
    until: datetime = Field(description="UTC unless it gives an offset; at most "
                                        f"{alerts.MAX_SNOOZE_DAYS} days ahead")


@api.post("/alerts/{alert_id}/snooze", response_model=AlertOut)
@policy("signed_in", roles=CLINICIANS)
def post_snooze(request: Request, alert_id: RowId, body: SnoozeIn, db: Db,
                me: Me) -> AlertOut:
    return _act(request, alerts.snooze, db, me, alert_id, body.until)


class EntryOut(BaseModel):
    at: datetime
    source: str = Field(description="event, alert or flag")
    id: int
    kind: str
    label: str
    text: str
    cancelled: bool
    event_id: int | None


class FlagOut(BaseModel):
    id: int
    kind: str
    label: str
    reason: str
    event_id: int | None
    raised_at: datetime


def flag_out(f: Flag) -> FlagOut:
    return FlagOut(id=f.id, kind=f.kind, label=alerts.FLAG_KINDS.get(f.kind, f.kind),
                   reason=f.reason, event_id=f.event_id, raised_at=f.raised_at)


class PendingReviewOut(BaseModel):
    task_id: int
    event_id: int
    admitted_at: datetime
    due_on: date | None
    recorded: list[str] = Field(description="sectors recorded so far")
    missing: list[str] = Field(description="sectors still to record")


class TimelineOut(BaseModel):
    entries: list[EntryOut] = Field(description="events, alerts and open flags, newest "
                                                "first")
    flags: list[FlagOut] = Field(description="open flags")
    pending_reviews: list[PendingReviewOut]


@api.get("/people/{nhs_number}/timeline", response_model=TimelineOut)
@policy("person", roles=CLINICIANS)
def get_timeline(nhs_number: str, db: Db) -> TimelineOut:
    return TimelineOut(
        entries=[EntryOut(at=e.at, source=e.source, id=e.id, kind=e.kind, label=e.label,
                          text=e.text, cancelled=e.cancelled, event_id=e.event_id)
                 for e in alerts.timeline(db, nhs_number)],
        flags=[flag_out(f) for f in alerts.open_flags(db, nhs_number)],
        pending_reviews=[PendingReviewOut(task_id=p.task.id, event_id=p.event.id,
                                          admitted_at=p.event.occurred_at,
                                          due_on=p.task.due_on, recorded=sorted(p.recorded),
                                          missing=p.missing)
                         for p in alerts.pending_reviews(db, nhs_number)])


class ReviewIn(BaseModel):
    sector: str = Field(max_length=16, description=", ".join(alerts.SECTORS))
    avoidable: str = Field(max_length=8, description=", ".join(alerts.AVOIDABLE))
    reasons: list[str] = Field(max_length=len(alerts.REVIEW_REASONS),
                               description=", ".join(alerts.REVIEW_REASONS))
    detail: str = Field(default="", max_length=alerts.MAX_TEXT)
    actions: str = Field(default="", max_length=alerts.MAX_TEXT)
    on: date | None = Field(default=None, description="the day of the review; default "
                                                      "today")


class ReviewOut(BaseModel):
    id: int
    event_id: int
    nhs_number: str
    sector: str
    avoidable: str
    reasons: list[str]
    detail: str
    actions: str
    on: date
    complete: bool = Field(description="all three sectors are recorded")


def review_out(r: AdmissionReview, complete: bool) -> ReviewOut:
    return ReviewOut(id=r.id, event_id=r.event_id, nhs_number=r.nhs_number, sector=r.sector,
                     avoidable=r.avoidable, reasons=r.reasons.split(",") if r.reasons else [],
                     detail=r.detail, actions=r.actions, on=r.on, complete=complete)


@api.post("/people/{nhs_number}/events/{event_id}/reviews", response_model=ReviewOut,
          status_code=201)
@policy("person", roles=CLINICIANS)
def post_review(nhs_number: str, event_id: RowId, body: ReviewIn, db: Db, me: Me) -> ReviewOut:
    try:
        row = alerts.record_review(db, me, nhs_number, event_id, body.sector, body.avoidable,
                                   body.reasons, body.detail, body.actions, body.on)
    except alerts.NotFoundError as e:
        raise HTTPException(404, str(e)) from e
    except alerts.InboxError as e:
        raise HTTPException(422, str(e)) from e
    recorded = alerts.reviews_of(db, event_id)
    return review_out(row, all(s in recorded for s in alerts.SECTORS))
