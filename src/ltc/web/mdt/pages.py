"""Pages: a practice's MDT meetings (DM-4): the list and a new meeting, a meeting with its
agenda (each line saying why the person is on it), its attendees, the forms that record
each person's decision and actions, closing it, and its printable record.

These are the practice team's pages, for their own practice's meetings (another
practice's meeting is "not found"). Each person a meeting page lists is an audited
``list`` read; the printable record, an ``export``. Recording a decision or an action is a
person route (:mod:`ltc.web.mdt.person`), audited as a write of that person.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ltc.care.mdt import agenda, services, view
from ltc.care.mdt.models import Meeting
from ltc.web.deps import Db, Me, guarded_router
from ltc.web.mdt.record import record_html
from ltc.web.pages import page
from ltc.web.policy import PRACTICE_TEAM, policy

router = guarded_router()
Text = Annotated[str, Form(max_length=services.MAX_NAME * services.MAX_OTHERS)]
#: what a page says after a change (by key: the address never carries free text)
NOTES = {"made": "The meeting has been made, with its agenda.",
         "attendees": "Attendees saved.", "decision": "Decision saved.",
         "action": "Action saved: it is a task for its owner.",
         "closed": "The meeting is closed: this is its record."}


def problem(request: Request, error: str, meeting_id: int | None = None,
            status: int = 422) -> Response:
    """A form that was refused: what was wrong, and the way back."""
    return page(request, "mdt/problem.html.j2", status=status, title="Not saved",
                error=error, meeting_id=meeting_id)


def to_meeting(meeting_id: int, note: str, anchor: str = "") -> Response:
    return RedirectResponse(f"/mdt/{meeting_id}?note={note}" + (f"#{anchor}" if anchor else ""),
                            status_code=303)


def meeting_or_404(db: Db, meeting_id: int, me: Me) -> Meeting:
    try:
        return services.meeting_of(db, meeting_id, me)
    except services.NotFoundError as e:
        raise HTTPException(404, str(e)) from e


@router.get("/mdt")
@policy("signed_in", roles=PRACTICE_TEAM)
def meetings(request: Request, db: Db, me: Me) -> Response:
    return page(request, "mdt/meetings.html.j2", title="MDT meetings",
                rows=services.meetings(db, me), practice=me.practice_code,
                today=date.today(), months=agenda.LOOK_BACK_MONTHS)


@router.post("/mdt")
@policy("signed_in", roles=PRACTICE_TEAM)
def make(request: Request, db: Db, me: Me,
         held_on: Annotated[date | None, Form()] = None) -> Response:
    try:
        meeting = services.create_meeting(db, me, held_on)
    except services.MdtError as e:
        return problem(request, str(e))
    return to_meeting(meeting.id, "made")


@router.get("/mdt/{meeting_id}")
@policy("signed_in", roles=PRACTICE_TEAM)
def meeting_page(request: Request, meeting_id: int, db: Db, me: Me,
                 note: str = "") -> Response:
    meeting = meeting_or_404(db, meeting_id, me)
    shown = view.meeting_view(db, meeting)
    for line in shown.lines:
        request.state.audit.add(line.person.nhs_number, "list", f"GET /mdt/{meeting_id}")
    return page(request, "mdt/meeting.html.j2", title="MDT meeting", v=shown,
                note=NOTES.get(note), today=date.today(), kinds=agenda.KINDS, me=me)


@router.post("/mdt/{meeting_id}/attendees")
@policy("signed_in", roles=PRACTICE_TEAM)
def attendees(request: Request, meeting_id: int, db: Db, me: Me,
              attendee: Annotated[list[int], Form(max_length=100)] = [],  # noqa: B006
              others: Text = "") -> Response:
    meeting = meeting_or_404(db, meeting_id, me)
    try:
        services.set_attendees(db, meeting, attendee, others)
    except services.MdtError as e:
        return problem(request, str(e), meeting_id)
    return to_meeting(meeting_id, "attendees", "attendees")


@router.post("/mdt/{meeting_id}/close")
@policy("signed_in", roles=PRACTICE_TEAM)
def close(request: Request, meeting_id: int, db: Db, me: Me) -> Response:
    meeting = meeting_or_404(db, meeting_id, me)
    try:
        services.close(db, meeting, me)
    except services.MdtError as e:
        return problem(request, str(e), meeting_id, status=409)
    return to_meeting(meeting_id, "closed")


@router.get("/mdt/{meeting_id}/record")
@policy("signed_in", roles=PRACTICE_TEAM)
def record(request: Request, meeting_id: int, db: Db, me: Me) -> Response:
    meeting = meeting_or_404(db, meeting_id, me)
    shown = view.meeting_view(db, meeting)
    for line in shown.lines:
        request.state.audit.add(line.person.nhs_number, "export",
                                f"GET /mdt/{meeting_id}/record")
    return HTMLResponse(record_html(shown))
