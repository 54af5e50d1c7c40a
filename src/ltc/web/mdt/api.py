"""JSON API of MDT meetings (DM-4): a practice's meetings, making one (its agenda built
as from the page), one meeting with its agenda, decisions and actions, a person's MDT
history, and nominating a person for the next meeting. The meetings are the practice
team's, for their own practice; each person a meeting lists is an audited ``list``
read."""

from __future__ import annotations

from datetime import date, datetime

from fastapi import HTTPException, Request
from pydantic import BaseModel, Field

from ltc.care.mdt import services, view
from ltc.care.mdt.models import Meeting
from ltc.web.deps import Db, Me, guarded_router
from ltc.web.policy import CLINICIANS, PRACTICE_TEAM, READERS, policy

api = guarded_router()


class MeetingIn(BaseModel):
    held_on: date = Field(description="the day of the meeting (within a year of today)")


class Reason(BaseModel):
    kind: str = Field(description="nomination, admission_review, admission, discharge, "
                                  "risk_rise or entrant")
    text: str


class ActionOut(BaseModel):
    id: int
    what: str
    owner_id: int
    owner: str
    due_on: date
    task_id: int


class ItemOut(BaseModel):
    id: int
    nhs_number: str
    position: int
    reasons: list[Reason]
    notes: str
    decision: str
    actions: list[ActionOut]


class MeetingOut(BaseModel):
    id: int
    practice_code: str
    held_on: date
    agenda_from: date
    run_id: str | None
    closed_at: datetime | None  # UTC
    attendees: list[str]
    items: list[ItemOut]
    left_off: dict[str, int]


class MeetingSummary(BaseModel):
    id: int
    held_on: date
    people: int
    decided: int
    closed: bool


class Discussed(BaseModel):
    meeting_id: int
    held_on: date
    reasons: list[Reason]
    decision: str
    actions: list[str]


class PersonMdt(BaseModel):
    discussed: list[Discussed]
    nominated: list[str] = Field(description="reasons of nominations waiting for the next "
                                             "meeting")


class NominationIn(BaseModel):
    reason: str = Field(min_length=1, max_length=services.MAX_TEXT)


def _out(request: Request, shown: view.MeetingView) -> MeetingOut:
    m = shown.meeting
    for line in shown.lines:
        request.state.audit.add(line.person.nhs_number, "list", f"GET /api/v1/mdt/meetings/{m.id}")
    return MeetingOut(
        id=m.id, practice_code=m.practice_code, held_on=m.held_on, agenda_from=m.since,
        run_id=m.run_id, closed_at=m.closed_at, attendees=[a.name for a in shown.attendees],
        left_off={k: int(v) for k, v in (m.left_off or {}).items()},
        items=[ItemOut(id=line.item.id, nhs_number=line.person.nhs_number,
                       position=line.item.position,
                       reasons=[Reason(**r) for r in line.item.reasons],
                       notes=line.item.notes, decision=line.item.decision,
                       actions=[ActionOut(id=a.action.id, what=a.action.what,
                                          owner_id=a.owner.id, owner=a.owner.display_name,
                                          due_on=a.action.due_on, task_id=a.task.id)
                                for a in line.actions])
               for line in shown.lines])


def _meeting(db: Db, meeting_id: int, me: Me) -> Meeting:
    try:
        return services.meeting_of(db, meeting_id, me)
    except services.NotFoundError as e:
        raise HTTPException(404, str(e)) from e


@api.get("/mdt/meetings", response_model=list[MeetingSummary])
@policy("signed_in", roles=PRACTICE_TEAM)
def get_meetings(db: Db, me: Me) -> list[MeetingSummary]:
    """The meetings of your practice, newest first."""
    return [MeetingSummary(id=r.meeting.id, held_on=r.meeting.held_on, people=r.people,
                           decided=r.decided, closed=r.meeting.closed_at is not None)
            for r in services.meetings(db, me)]


@api.post("/mdt/meetings", response_model=MeetingOut, status_code=201)
@policy("signed_in", roles=PRACTICE_TEAM)
def post_meeting(request: Request, body: MeetingIn, db: Db, me: Me) -> MeetingOut:
    """Make a meeting of your practice, with its agenda."""
    try:
        meeting = services.create_meeting(db, me, body.held_on)
    except services.MdtError as e:
        raise HTTPException(422, str(e)) from e
    return _out(request, view.meeting_view(db, meeting))


@api.get("/mdt/meetings/{meeting_id}", response_model=MeetingOut)
@policy("signed_in", roles=PRACTICE_TEAM)
def get_meeting(request: Request, meeting_id: int, db: Db, me: Me) -> MeetingOut:
    """One meeting of your practice: attendees, agenda, decisions and actions."""
    return _out(request, view.meeting_view(db, _meeting(db, meeting_id, me)))


@api.get("/people/{nhs_number}/mdt", response_model=PersonMdt)
@policy("person", roles=READERS)
def get_person_mdt(nhs_number: str, db: Db) -> PersonMdt:
    """The meetings the person was discussed at, and nominations waiting."""
    discussed, waiting = view.person_history(db, nhs_number)
    return PersonMdt(
        discussed=[Discussed(meeting_id=d.meeting.id, held_on=d.meeting.held_on,
                             reasons=[Reason(**r) for r in d.item.reasons],
                             decision=d.item.decision, actions=[a.what for a in d.actions])
                   for d in discussed],
        nominated=[n.reason for n in waiting])


@api.post("/people/{nhs_number}/mdt/nominations", status_code=201)
@policy("person", roles=CLINICIANS)
def post_nomination(nhs_number: str, body: NominationIn, db: Db, me: Me) -> dict[str, int]:
    """Nominate the person for their practice's next MDT meeting."""
    try:
        row = services.nominate(db, nhs_number, me, body.reason)
    except services.MdtError as e:
        raise HTTPException(422, str(e)) from e
    return {"id": row.id}
