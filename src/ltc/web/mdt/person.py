"""Person routes of MDT meetings (DM-4): a clinician nominates a person for their
practice's next meeting from the person's page; at a meeting, a GP or practice nurse of
the practice records the person's notes and decision and agrees actions (each a task for
its owner). Each is a person route: only someone who may see the person reaches it, and
it writes one audit row about them."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Form, HTTPException, Request
from fastapi.responses import Response

from ltc.care.mdt import services
from ltc.web.deps import Db, Me, guarded_router
from ltc.web.mdt.pages import problem, to_meeting
from ltc.web.pages import back_to_person, not_saved
from ltc.web.policy import CLINICIANS, PRACTICE_CLINICIANS, policy

router = guarded_router()
Text = Annotated[str, Form(max_length=services.MAX_TEXT)]


@router.post("/people/{nhs_number}/mdt/nominations")
@policy("person", roles=CLINICIANS)
def nominate(request: Request, nhs_number: str, db: Db, me: Me, reason: Text = "") -> Response:
    try:
        services.nominate(db, nhs_number, me, reason)
    except services.MdtError as e:
        return not_saved(request, nhs_number, str(e))
    return back_to_person(nhs_number, "mdt-nominated")


@router.post("/people/{nhs_number}/mdt/items/{item_id}")
@policy("person", roles=PRACTICE_CLINICIANS)
def decide(request: Request, nhs_number: str, item_id: int, db: Db, me: Me,
           notes: Text = "", decision: Text = "") -> Response:
    try:
        item = services.record_decision(db, nhs_number, item_id, me, notes, decision)
    except services.NotFoundError as e:
        raise HTTPException(404, str(e)) from e
    except services.MdtError as e:
        return problem(request, str(e))
    return to_meeting(item.meeting_id, "decision", f"item-{item.id}")


@router.post("/people/{nhs_number}/mdt/items/{item_id}/actions")
@policy("person", roles=PRACTICE_CLINICIANS)
def act(request: Request, nhs_number: str, item_id: int, db: Db, me: Me,
        what: Annotated[str, Form(max_length=services.MAX_WHAT)] = "",
        owner: Annotated[int | None, Form()] = None,
        due_on: Annotated[date | None, Form()] = None) -> Response:
    try:
        action = services.add_action(db, nhs_number, item_id, me, what, owner, due_on)
    except services.NotFoundError as e:
        raise HTTPException(404, str(e)) from e
    except services.MdtError as e:
        return problem(request, str(e))
    item, _ = services.item_of(db, nhs_number, action.item_id, me)
    return to_meeting(item.meeting_id, "action", f"item-{item.id}")
