"""JSON API: the care plan with optimistic locking (ETag / If-Match, 412 on a stale
version), its versions and its FHIR R4 ``CarePlan`` export (CM-5)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import Header, HTTPException
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from ltc.care.careplans import services as plans
from ltc.care.careplans.models import CarePlanVersion
from ltc.web import documents
from ltc.web.deps import Db, Me, guarded_router
from ltc.web.policy import CLINICIANS, policy

api = guarded_router()


class ActionIn(BaseModel):
    who: str = Field(max_length=300)
    agency: str = Field(default="", max_length=300)
    what: str = Field(max_length=2000)
    by: str | None = None
    assignee: int | None = Field(default=None, description="The id of the user the action "
                                 "is assigned to: an active clinician or wider-team user")
    key: str | None = Field(default=None, max_length=32, description="The action's key in "
                            "the version edited (kept so its status survives)")


class EndOfLifeIn(BaseModel):
    """End of life and advance care planning; whether the person is on the palliative
    care register comes from the run and is not sent."""

    preferred_place_of_care: str = Field(default="", max_length=300)
    preferred_place_of_death: str = Field(default="", max_length=300)
    dnacpr: str = Field(default="none_recorded",
                        pattern="^(none_recorded|in_place|not_for_dnacpr)$",
                        description="none_recorded, in_place (do not attempt CPR) or "
                                    "not_for_dnacpr (attempt CPR)")
    dnacpr_form_location: str = Field(default="", max_length=300,
                                      description="Where the signed form is; needed when "
                                                  "dnacpr is in_place")
    lpa_health_welfare: str = Field(default="", pattern="^(yes|no|)$",
                                    description="Lasting power of attorney for health and "
                                                "welfare: yes, no or blank (not known)")
    lpa_attorney: str = Field(default="", max_length=300,
                              description="The attorney's name; needed when yes")


class CarePlanIn(BaseModel):
    status: str = Field(default="draft", pattern="^(draft|active|completed)$")
    goals: list[str] = Field(default_factory=list, max_length=50)
    needs: list[str] = Field(default_factory=list, max_length=50)
    person_contribution: str = Field(default="", max_length=5000)
    actions: list[ActionIn] = Field(default_factory=list, max_length=50)
    prevention: list[str] = Field(default_factory=list, max_length=50)
    emergency_plan: str = Field(default="", max_length=5000)
    review_date: str | None = None
    participants: list[str] = Field(default_factory=list, max_length=50)
    end_of_life: EndOfLifeIn = Field(default_factory=EndOfLifeIn)


class CarePlanOut(BaseModel):
    nhs_number: str
    version: int
    status: str
    created_at: datetime
    content: dict[str, Any]


def _out(row: CarePlanVersion) -> dict[str, Any]:
    return CarePlanOut(nhs_number=row.nhs_number, version=row.version, status=row.status,
                       created_at=row.created_at, content=row.content).model_dump(mode="json")


@api.get("/people/{nhs_number}/careplan", response_model=CarePlanOut,
         responses={404: {"description": "No care plan yet"}})
@policy("person", roles=CLINICIANS)
def get_careplan(nhs_number: str, db: Db) -> Response:
    return documents.latest_response(plans.PLANS, db, nhs_number, _out)


@api.put("/people/{nhs_number}/careplan", response_model=CarePlanOut,
         responses={412: {"description": "The plan changed since the version given"},
                    428: {"description": "If-Match is required"}})
@policy("person", roles=CLINICIANS)
def put_careplan(nhs_number: str, body: CarePlanIn, db: Db, me: Me,
                 if_match: str | None = Header(default=None)) -> Response:
    """Save a new version. Send ``If-Match`` with the ETag of the version you edited
    (``"none-0"`` for a first plan); a stale one gets 412 and the newer version."""
    try:
        return documents.put_response(
            plans.PLANS, nhs_number, if_match,
            lambda based_on: plans.save(db, nhs_number, body.model_dump(), based_on, me), _out)
    except plans.CarePlanError as e:
        raise HTTPException(422, str(e)) from e


@api.get("/people/{nhs_number}/careplan/fhir",
         responses={404: {"description": "No care plan yet"}})
@policy("person", roles=CLINICIANS, action="export")
def get_careplan_fhir(nhs_number: str, db: Db) -> Response:
    from ltc.interop.fhir.careplan import to_fhir

    row = plans.PLANS.latest(db, nhs_number)
    if row is None:
        raise HTTPException(404, "There is no care plan for this person yet.")
    return JSONResponse(to_fhir(plans.document(db, row)),
                        media_type="application/fhir+json")
