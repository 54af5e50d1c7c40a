"""Pages: one person's telephone care (DM-7): their calls (the one scheduled, and those
made with the answers as asked, the red flags and whom they went to), scheduling a call,
and making it: the scripted check built from their condition protocols, with the decision
support shown beside each red-flag question (a "yes" escalates to the named contact
today), the outcome, advice and coaching, and the next call's date."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Annotated, Any

from fastapi import Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import or_, select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from ltc.care.auth.models import Role, User
from ltc.care.casemgmt.models import CaseloadEntry
from ltc.care.people.models import Person
from ltc.care.phone import escalation, script, services
from ltc.care.phone.models import PhoneCall
from ltc.care.recall.reviews import plus_months, protocols_of
from ltc.protocols import Protocol
from ltc.web.deps import Db, Me, guarded_router
from ltc.web.pages import page
from ltc.web.phone.config import calls
from ltc.web.policy import CLINICIANS, policy
from ltc.web.recall.config import protocols

router = guarded_router()
Protocols = Annotated[dict[str, Protocol], Depends(protocols)]
Calls = Annotated[script.Config, Depends(calls)]

#: what each saved form says on the page it returns to
NOTES = {"scheduled": "Call scheduled.", "made": "Call recorded.",
         "escalated": "Call recorded. A red flag was escalated today: see the call."}


def _person(db: Session, nhs_number: str) -> Person:
    person = db.get(Person, nhs_number)
    assert person is not None  # the guard found them
    return person


def clinicians(db: Session, person: Person, me: User) -> list[User]:
    """Whom a call may be scheduled with: the user, the person's practice's GPs and
    nurses, and their case manager (each still active)."""
    managers = select(CaseloadEntry.user_id).where(
        CaseloadEntry.nhs_number == person.nhs_number, CaseloadEntry.ended_on.is_(None))
    found = db.scalars(select(User).where(User.active.is_(True), or_(
        User.id == me.id, User.id.in_(managers),
        (User.role.in_([Role.PRACTICE_CLINICIAN.value, Role.PRACTICE_NURSE.value])
         & (User.practice_code == person.practice_code)))).order_by(User.display_name))
    return sorted(found, key=lambda u: u.id != me.id)


def script_for(db: Session, nhs_number: str, config: script.Config,
               found: Mapping[str, Protocol]) -> script.Script:
    return script.build(config, protocols_of(db, nhs_number, found))


@router.get("/people/{nhs_number}/phone")
@policy("person", roles=CLINICIANS)
def phone_person(request: Request, nhs_number: str, db: Db, me: Me, note: str = ""
                 ) -> Response:
    person = _person(db, nhs_number)
    made = services.calls_of(db, nhs_number)
    named = {c.clinician_id for c in made} | {c.made_by for c in made if c.made_by}
    return page(request, "phone/person.html.j2", title="Telephone care", person=person,
                calls=made, open_call=next((c for c in reversed(made)
                                            if c.status == "scheduled"), None),
                choices=clinicians(db, person, me), outcomes=services.OUTCOMES,
                answers=services.ANSWERS, statuses=services.STATUSES, today=date.today(),
                note=NOTES.get(note), banner_for=nhs_number,
                names={u.id: u.display_name for u in db.scalars(select(User).where(
                    User.id.in_(named)))} if named else {})


@router.post("/people/{nhs_number}/phone/calls")
@policy("person", roles=CLINICIANS)
def schedule(request: Request, nhs_number: str, db: Db, me: Me,
             clinician_id: Annotated[int | None, Form()] = None,
             due_on: Annotated[date | None, Form()] = None) -> Response:
    try:
        services.schedule(db, nhs_number, me, clinician_id, due_on)
    except services.PhoneError as e:
        return _problem(request, nhs_number, str(e))
    return RedirectResponse(f"/people/{nhs_number}/phone?note=scheduled", status_code=303)


def _problem(request: Request, nhs_number: str, error: str) -> Response:
    return page(request, "phone/problem.html.j2", status=422, title="Not saved", error=error,
                nhs_number=nhs_number)


def _call(db: Session, nhs_number: str, call_id: int) -> PhoneCall:
    try:
        return services.call_of(db, nhs_number, call_id)
    except services.NoSuchCallError as e:
        raise HTTPException(404, str(e)) from e


@router.get("/people/{nhs_number}/phone/calls/{call_id}")
@policy("person", roles=CLINICIANS)
def call_page(request: Request, nhs_number: str, call_id: int, db: Db, config: Calls,
              found: Protocols) -> Response:
    call = _call(db, nhs_number, call_id)
    person = _person(db, nhs_number)
    checked = script_for(db, nhs_number, config, found)
    return page(request, "phone/call.html.j2", title="Telephone check", person=person,
                call=call, script=checked, outcomes=services.OUTCOMES,
                answers=services.ANSWERS, escalates_to=escalation.planned(db, person),
                next_on=plus_months(date.today(), checked.interval_months),
                today=date.today(), banner_for=nhs_number)


def _record(request: Request, nhs_number: str, call_id: int, db: Session, me: User,
            config: script.Config, found: Mapping[str, Protocol], form: Mapping[str, Any]
            ) -> Response:
    call = _call(db, nhs_number, call_id)
    raw_next = str(form.get("next_on", "") or "").strip()
    try:
        try:
            next_on = date.fromisoformat(raw_next) if raw_next else None
        except ValueError:
            raise services.PhoneError(f"Next call (next_on): {raw_next!r} is not a date; "
                                      "give it as YYYY-MM-DD.") from None
        done = services.record(
            db, call, me, script_for(db, nhs_number, config, found), form,
            outcome=str(form.get("outcome", "")), coaching=str(form.get("coaching", "")),
            note=str(form.get("note", "")), next_on=next_on)
    except services.PhoneError as e:
        return _problem(request, nhs_number, str(e))
    note = "escalated" if done.escalation is not None else "made"
    return RedirectResponse(f"/people/{nhs_number}/phone?note={note}#call-{call.id}",
                            status_code=303)


@router.post("/people/{nhs_number}/phone/calls/{call_id}")
@policy("person", roles=CLINICIANS)
async def record(request: Request, nhs_number: str, call_id: int, db: Db, me: Me,
                 config: Calls, found: Protocols) -> Response:
    form = await request.form()
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    return await run_in_threadpool(_record, request, nhs_number, call_id, db, me, config,
                                   found, fields)
