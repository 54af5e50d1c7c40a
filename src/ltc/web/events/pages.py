"""Pages: the clinician's inbox of alerts; clearing a person's flag and reviewing one of
their admissions from the person summary; the review queue and the quarantine of
received messages for administrators (CM-8, CM-9, DM-5, STRAT-2)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import Form, HTTPException, Query, Request
from fastapi import Path as InPath
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from ltc.care.auth.models import Role
from ltc.care.db import now
from ltc.care.events import inbox as alerts
from ltc.care.events import services
from ltc.care.events.feed import KINDS
from ltc.care.events.models import Alert, InboundMessage
from ltc.interop import feeds
from ltc.interop.hl7v2 import parser as hl7v2_parser
from ltc.web.deps import Db, Me, alert_rules, guarded_router
from ltc.web.pages import back_to_person, not_saved, page
from ltc.web.policy import CLINICIANS, policy

router = guarded_router()
ADMIN = (Role.ADMIN,)
Id = Annotated[int, Form(ge=1, le=2**31 - 1)]
RowId = Annotated[int, InPath(ge=1, le=2**31 - 1)]
#: how often an open inbox asks whether it is out of date
POLL_SECONDS = 5
#: what a redirect after a change says (by key: the address never carries free text)
NOTES = {"acknowledged": "Alert acknowledged.", "snoozed": "Alert snoozed.",
         "assigned": "Alert assigned.", "review": "Review saved.",
         "applied": "The message was applied.",
         "duplicate": "The message was a duplicate of one already taken; nothing changed.",
         "unmatched": "The message was read but its person is not known: it is now in the "
                      "review queue.",
         "quarantined": "The message still cannot be read: it stays in the quarantine with "
                        "the new reason.",
         "dismissed": "The message was dismissed."}


# -- the inbox -------------------------------------------------------------------------
@router.get("/inbox")
@policy("signed_in", roles=CLINICIANS)
def inbox_page(request: Request, db: Db, me: Me,
               note: Annotated[str | None, Query(max_length=20)] = None) -> Response:
    found = alerts.inbox(db, me, include_done=True)
    for nhs_number in found.people():
        request.state.audit.add(nhs_number, "list", "GET /inbox")
    codes = {a.alert.practice_code for a in (*found.open, *found.snoozed)
             if a.alert.practice_code}
    return page(request, "events/inbox.html.j2", title="Inbox", inbox=found, me=me,
                clinicians=alerts.practice_clinicians(db, codes),
                snooze_days=alerts.SNOOZE_DAYS, note=NOTES.get(note or ""),
                mark=alerts.mark(db, me), every=POLL_SECONDS)


@router.get("/inbox/changed")
@policy("signed_in", roles=CLINICIANS)
def inbox_changed(db: Db, me: Me,
                  seen: Annotated[str, Query(max_length=40)] = "") -> Response:
    """Whether the open inbox is out of date: 204 if not, else an instruction to htmx to
    reload the page (which shows, and audits, the alerts again)."""
    if alerts.mark(db, me) == seen:
        return Response(status_code=204)
    return Response(status_code=200, headers={"HX-Refresh": "true"})


def _to_inbox(note: str) -> Response:
    return RedirectResponse(f"/inbox?note={note}", status_code=303)


def _not_done(request: Request, error: str) -> Response:
    return page(request, "events/problem.html.j2", status=422, title="Not done",
                error=error, back="/inbox", back_text="Back to your inbox")


def _alert_action(request: Request, note: str, action: Callable[..., Alert],
                  *args: Any) -> Response:
    try:
        alert = action(*args)
    except alerts.NotFoundError as e:
        raise HTTPException(404, str(e)) from e
    except alerts.InboxError as e:
        return _not_done(request, str(e))
    request.state.audit.add(alert.nhs_number, "write", f"POST {request.url.path}")
    return _to_inbox(note)


@router.post("/alerts/{alert_id}/acknowledge")
@policy("signed_in", roles=CLINICIANS)
def acknowledge(request: Request, alert_id: RowId, db: Db, me: Me) -> Response:
    return _alert_action(request, "acknowledged", alerts.acknowledge, db, me, alert_id)


@router.post("/alerts/{alert_id}/snooze")
@policy("signed_in", roles=CLINICIANS)
def snooze(request: Request, alert_id: RowId, db: Db, me: Me,
           days: Annotated[int, Form(ge=0, le=1000)] = 0) -> Response:
    if days not in alerts.SNOOZE_DAYS:
        return _not_done(request, f"Snooze for (days): {days} is not one of the choices. "
                         f"Choose {', '.join(map(str, alerts.SNOOZE_DAYS))} days.")
    at = now()
    return _alert_action(request, "snoozed", alerts.snooze, db, me, alert_id,
                         at + timedelta(days=days), at)


@router.post("/alerts/{alert_id}/assign")
@policy("signed_in", roles=CLINICIANS)
def assign(request: Request, alert_id: RowId, db: Db, me: Me,
           to_user_id: Id) -> Response:
    return _alert_action(request, "assigned", alerts.assign, db, me, alert_id, to_user_id)


# -- a person's flags and admission reviews --------------------------------------------
@router.post("/people/{nhs_number}/flags/{flag_id}/clear")
@policy("person", roles=CLINICIANS)
def clear_flag(request: Request, nhs_number: str, flag_id: RowId, db: Db,
               me: Me) -> Response:
    try:
        alerts.clear_flag(db, me, nhs_number, flag_id)
    except alerts.NotFoundError as e:
        raise HTTPException(404, str(e)) from e
    except alerts.InboxError as e:
        return not_saved(request, nhs_number, str(e))
    return back_to_person(nhs_number, "flag-cleared")


def _review_page(request: Request, db: Db, nhs_number: str, event_id: int, *,
                 status: int = 200, error: str | None = None,
                 typed: dict[str, dict[str, Any]] | None = None,
                 note: str | None = None) -> Response:
    try:
        event = alerts.admission(db, nhs_number, event_id)
    except alerts.NotFoundError as e:
        raise HTTPException(404, str(e)) from e
    recorded = alerts.reviews_of(db, event.id)
    if typed is None:
        typed = {s: {"avoidable": r.avoidable, "reasons": r.reasons.split(","),
                     "detail": r.detail, "actions": r.actions} for s, r in recorded.items()}
    return page(request, "events/review.html.j2", status=status,
                title="Avoidable admission review", nhs_number=nhs_number, event=event,
                event_label=KINDS.get(event.kind, event.kind),
                where=alerts.describe_event(event), recorded=recorded,
                task=alerts.review_task(db, event.id), typed=typed, error=error,
                sectors=alerts.SECTORS, avoidable=alerts.AVOIDABLE,
                reasons=alerts.REVIEW_REASONS, today=now().date(),
                note=NOTES.get(note or ""))


@router.get("/people/{nhs_number}/events/{event_id}/review")
@policy("person", roles=CLINICIANS)
def review_form(request: Request, nhs_number: str, event_id: RowId, db: Db,
                note: Annotated[str | None, Query(max_length=20)] = None) -> Response:
    return _review_page(request, db, nhs_number, event_id, note=note)


@router.post("/people/{nhs_number}/events/{event_id}/review")
@policy("person", roles=CLINICIANS)
async def review(request: Request, nhs_number: str, event_id: RowId, db: Db,
                 me: Me) -> Response:
    form = await request.form()
    # the database work runs in a worker thread, off the event loop
    return await run_in_threadpool(_review, request, nhs_number, event_id, db, me, form)


def _field(form: Any, name: str) -> str:
    value = form.get(name, "")
    return value if isinstance(value, str) else ""


def _review(request: Request, nhs_number: str, event_id: int, db: Db, me: Me,
            form: Any) -> Response:
    """Record each sector the form answers (a sector left unanswered is left as it
    was); all or none of them."""
    typed: dict[str, dict[str, Any]] = {
        s: {"avoidable": _field(form, f"{s}_avoidable"),
            "reasons": [r for r in form.getlist(f"{s}_reasons") if isinstance(r, str)],
            "detail": _field(form, f"{s}_detail"),
            "actions": _field(form, f"{s}_actions")} for s in alerts.SECTORS}
    answered = [s for s, t in typed.items() if t["avoidable"]]
    try:
        if not answered:
            raise alerts.InboxError("Avoidable (avoidable): no sector answered. Say for at "
                                    "least one sector whether the admission was avoidable.")
        on = _on(_field(form, "on"))
        for sector in answered:
            t = typed[sector]
            alerts.record_review(db, me, nhs_number, event_id, sector, t["avoidable"],
                                 t["reasons"], t["detail"], t["actions"], on)
    except alerts.NotFoundError as e:
        raise HTTPException(404, str(e)) from e
    except alerts.InboxError as e:
        return _review_page(request, db, nhs_number, event_id, status=422, error=str(e),
                            typed=typed)
    return RedirectResponse(f"/people/{nhs_number}/events/{event_id}/review?note=review",
                            status_code=303)


def _on(value: str) -> date | None:
    if not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise alerts.InboxError(f"Date of the review (on): {value.strip()[:20]!r} is not a "
                                "date. Give it as YYYY-MM-DD, e.g. 2026-03-31.") from None


# -- the review queue and the quarantine -----------------------------------------------
def _message(db: Db, message_id: int) -> InboundMessage:
    try:
        return alerts.message(db, message_id)
    except alerts.NotFoundError as e:
        raise HTTPException(404, str(e)) from e


def _message_page(request: Request, row: InboundMessage, *, status: int = 200,
                  error: str | None = None, typed_nhs_number: str = "",
                  typed_reason: str = "", note: str | None = None) -> Response:
    request.state.audit.add(alerts.audited_nhs_number(row), "read",
                            f"{request.method} {request.url.path}"[:200])
    return page(request, "events/message.html.j2", status=status,
                title=f"Message {row.id}", message=row, lines=hl7v2_parser.segments(row.raw),
                error=error, typed_nhs_number=typed_nhs_number, typed_reason=typed_reason,
                note=NOTES.get(note or ""))


@router.get("/admin/messages")
@policy("signed_in", roles=ADMIN)
def messages(request: Request, db: Db,
             status: Annotated[str, Query(max_length=20)] = "quarantined",
             note: Annotated[str | None, Query(max_length=20)] = None) -> Response:
    try:
        rows = alerts.queue(db, status)
    except alerts.InboxError as e:
        raise HTTPException(422, str(e)) from e
    return page(request, "events/messages.html.j2", title=alerts.QUEUES[status],
                rows=rows, status_shown=status, queues=alerts.QUEUES,
                counts=services.counts(db), note=NOTES.get(note or ""))


@router.get("/admin/messages/{message_id}")
@policy("signed_in", roles=ADMIN)
def show_message(request: Request, message_id: RowId, db: Db,
                 note: Annotated[str | None, Query(max_length=20)] = None) -> Response:
    return _message_page(request, _message(db, message_id), note=note)


def _handled(request: Request, row: InboundMessage, outcome: services.Outcome,
             back: str) -> Response:
    request.state.audit.add(alerts.audited_nhs_number(row), "admin",
                            f"POST {request.url.path}"[:200])
    return RedirectResponse(f"/admin/messages?status={back}&note={outcome.status}",
                            status_code=303)


@router.post("/admin/messages/{message_id}/replay")
@policy("signed_in", roles=ADMIN)
def replay(request: Request, message_id: RowId, db: Db, me: Me) -> Response:
    row = _message(db, message_id)
    try:
        outcome = feeds.replay(db, alert_rules(request), message_id, me)
    except services.EventError as e:
        return _message_page(request, row, status=422, error=str(e))
    return _handled(request, row, outcome, "quarantined")


@router.post("/admin/messages/{message_id}/match")
@policy("signed_in", roles=ADMIN)
def match(request: Request, message_id: RowId, db: Db, me: Me,
          nhs_number: Annotated[str, Form(max_length=32)] = "") -> Response:
    row = _message(db, message_id)
    try:
        outcome = feeds.match_by_hand(db, alert_rules(request), message_id, nhs_number, me)
    except services.EventError as e:
        return _message_page(request, row, status=422, error=str(e),
                             typed_nhs_number=nhs_number)
    # the audit row names the person the message was applied to
    request.state.audit.add(nhs_number.replace(" ", ""), "admin",
                            f"POST {request.url.path}"[:200])
    return RedirectResponse(f"/admin/messages?status=unmatched&note={outcome.status}",
                            status_code=303)


@router.post("/admin/messages/{message_id}/dismiss")
@policy("signed_in", roles=ADMIN)
def dismiss(request: Request, message_id: RowId, db: Db, me: Me,
            reason: Annotated[str, Form(max_length=2000)] = "") -> Response:
    row = _message(db, message_id)
    back = row.status if row.status in alerts.QUEUES else "quarantined"
    try:
        services.dismiss(db, message_id, me, reason)
    except services.EventError as e:
        return _message_page(request, row, status=422, error=str(e), typed_reason=reason)
    request.state.audit.add(alerts.audited_nhs_number(row), "admin",
                            f"POST {request.url.path}"[:200])
    return RedirectResponse(f"/admin/messages?status={back}&note=dismissed",
                            status_code=303)
