"""Pages: the co-ordinator's worklist (``/coordination``), referring a person to a
co-ordinator (from the person page or the hidden populations page), a referral's status,
and the contact attempt log (VW-2, POP-5)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import RedirectResponse, Response

from ltc.care.auth.models import Role
from ltc.care.coordination import services as coordination
from ltc.care.coordination import worklist as work
from ltc.web.coordination.panel import now_local
from ltc.web.deps import Db, Me, guarded_router
from ltc.web.pages import back_to_person, not_saved, page
from ltc.web.policy import policy

router = guarded_router()
Text = Annotated[str, Form(max_length=coordination.REASON_LIMIT)]
Choice = Annotated[str, Form(max_length=24)]
#: who may refer: a GP, and a case manager (from the hidden populations page)
REFERRERS = (Role.PRACTICE_CLINICIAN, Role.CASE_MANAGER)


@router.get("/coordination")
@policy("signed_in", roles=(Role.CASE_MANAGER,))
def worklist(request: Request, db: Db, me: Me) -> Response:
    """The co-ordinator's worklist: each person shown is a ``list`` audit row."""
    items = work.worklist(db, me)
    for item in items or []:
        request.state.audit.add(item.nhs_number, "list", "GET /coordination")
    return page(request, "coordination/worklist.html.j2", title="Co-ordination",
                items=items, methods=coordination.METHODS, outcomes=coordination.OUTCOMES,
                now_local=now_local())


@router.post("/people/{nhs_number}/coordination/referral")
@policy("person", roles=REFERRERS)
def refer(request: Request, nhs_number: str, db: Db, me: Me, reason: Text = "",
          source: Choice = "hidden_population", to_user: Annotated[int | None, Form()] = None,
          back: Choice = "") -> Response:
    try:
        coordination.refer(db, nhs_number, me, reason, source=source, to_user_id=to_user)
    except coordination.CoordinationError as e:
        return not_saved(request, nhs_number, str(e))
    if back == "hidden":
        return RedirectResponse("/hidden?note=referred", status_code=303)
    return back_to_person(nhs_number, "referred")


@router.post("/people/{nhs_number}/coordination/referral/status")
@policy("person", roles=(Role.CASE_MANAGER,))
def referral_status(request: Request, nhs_number: str, db: Db, me: Me,
                    status: Choice) -> Response:
    """Accept, decline or close the person's live referral (a person has at most one)."""
    try:
        coordination.set_status(db, nhs_number, status, me)
    except coordination.CoordinationError as e:
        return not_saved(request, nhs_number, str(e))
    return back_to_person(nhs_number, f"referral-{status}")


@router.post("/people/{nhs_number}/coordination/attempts")
@policy("person", roles=(Role.CASE_MANAGER,))
def attempt(request: Request, nhs_number: str, db: Db, me: Me, at: Annotated[datetime, Form()],
            method: Choice, outcome: Choice, note: Text = "",
            review_on: Annotated[date | None, Form()] = None, back: Choice = "") -> Response:
    try:
        coordination.log_attempt(db, nhs_number, me, at, method, outcome, note, review_on)
    except coordination.CoordinationError as e:
        return not_saved(request, nhs_number, str(e))
    if back == "coordination":
        return RedirectResponse("/coordination", status_code=303)
    return back_to_person(nhs_number, "attempt")
