"""JSON API: the worklist, allocation, approach and the workforce (CM-2, CM-3)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import HTTPException, Query, Request
from pydantic import BaseModel, Field

from ltc.care.auth.models import Role
from ltc.care.casemgmt import services as cases
from ltc.web.deps import Db, Me, guarded_router
from ltc.web.policy import CLINICIANS, policy

api = guarded_router()


class CandidateOut(BaseModel):
    nhs_number: str
    practice_code: str | None
    level: int | None
    risk: float | None
    reasons: str
    nominated: bool


@api.get("/worklist", response_model=list[CandidateOut])
@policy("signed_in", roles=CLINICIANS)
def get_worklist(request: Request, db: Db, me: Me,
                 page: Annotated[int, Query(ge=1, le=10_000)] = 1) -> list[CandidateOut]:
    """Candidates, highest risk first, a page of 50 at a time (``?page=2``...)."""
    found = cases.candidates_for(db, me, offset=(page - 1) * cases.PAGE)
    for c in found:
        request.state.audit.add(c.nhs_number, "list", "GET /api/v1/worklist")
    return [CandidateOut(nhs_number=c.nhs_number, practice_code=c.practice_code,
                         level=c.level, risk=c.risk, reasons=c.reasons, nominated=c.nominated)
            for c in found]


class AllocationIn(BaseModel):
    case_manager: int


class AllocationOut(BaseModel):
    entry_id: int
    case_manager: int
    suggested: int | None
    warning: str | None


@api.post("/people/{nhs_number}/allocation", response_model=AllocationOut, status_code=201)
@policy("person", roles=(Role.CASE_MANAGER,))
def post_allocation(nhs_number: str, body: AllocationIn, db: Db, me: Me) -> AllocationOut:
    try:
        done = cases.allocate(db, nhs_number, body.case_manager, me)
    except cases.CaseError as e:
        raise HTTPException(409, str(e)) from e
    return AllocationOut(entry_id=done.entry.id, case_manager=done.entry.user_id,
                         suggested=done.entry.suggested_user_id, warning=done.warning)


class ApproachIn(BaseModel):
    outcome: str = Field(pattern="^(agreed|declined|uncontactable)$")
    on: date
    review_on: date | None = None
    note: str = Field(default="", max_length=2000)


@api.post("/people/{nhs_number}/approaches", status_code=201)
@policy("person", roles=(Role.CASE_MANAGER,))
def post_approach(nhs_number: str, body: ApproachIn, db: Db, me: Me) -> dict[str, int]:
    try:
        row = cases.record_approach(db, nhs_number, me, body.on, body.outcome, body.review_on,
                                    body.note)
    except cases.CaseError as e:
        raise HTTPException(422, str(e)) from e
    return {"id": row.id}


class WorkforceOut(BaseModel):
    locality: str
    level3: int
    in_post: int
    capacity: int
    needed: int
    on_caseloads: int


@api.get("/workforce", response_model=list[WorkforceOut])
@policy("signed_in", roles=(Role.CASE_MANAGER, Role.ANALYST))
def get_workforce(db: Db) -> list[WorkforceOut]:
    return [WorkforceOut(**w.__dict__) for w in cases.workforce(db)]
