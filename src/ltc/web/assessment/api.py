"""JSON API: the comprehensive assessment with optimistic locking (ETag / If-Match, 412 on a
stale version, 428 without one) (CM-4)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import Header
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field, StrictInt

from ltc.care.assessment import scales
from ltc.care.assessment import services as assessments
from ltc.care.assessment.models import Assessment
from ltc.web import documents
from ltc.web.deps import Db, Me, guarded_router
from ltc.web.policy import CLINICIANS, policy

api = guarded_router()

Key = Annotated[str, Field(max_length=40)]
ScaleAnswers = Annotated[dict[Key, StrictInt], Field(max_length=50)]


class CarerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(default="", max_length=assessments.CARER_LIMIT)
    relationship: str = Field(default="", max_length=assessments.CARER_LIMIT)
    contact: str = Field(default="", max_length=assessments.CARER_LIMIT)
    needs_assessment: bool | None = Field(
        default=None, description="Whether the carer needs a carer's assessment (null: not "
                                  "known)")


class NotesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    physical: str = Field(default="", max_length=assessments.TEXT_LIMIT)
    social: str = Field(default="", max_length=assessments.TEXT_LIMIT)
    psychological: str = Field(default="", max_length=assessments.TEXT_LIMIT)
    carer: CarerIn = Field(default_factory=CarerIn)
    wishes: str = Field(default="", max_length=assessments.TEXT_LIMIT)


class AssessmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    answers: dict[Key, ScaleAnswers] = Field(
        default_factory=dict, max_length=20,
        description="Scale id (" + ", ".join(scales.SCALES) + ") -> item id -> option value. "
                    "Leave a scale out, or complete it.")
    notes: NotesIn = Field(default_factory=NotesIn)


class AssessmentOut(BaseModel):
    nhs_number: str
    version: int
    created_at: datetime
    answers: dict[str, dict[str, int]]
    scores: dict[str, Any]
    notes: dict[str, Any]


def _out(row: Assessment) -> dict[str, Any]:
    return AssessmentOut(nhs_number=row.nhs_number, version=row.version,
                         created_at=row.created_at, answers=row.answers, scores=row.scores,
                         notes=row.notes).model_dump(mode="json")


def _field(where: tuple[str, ...]) -> str:
    """The body field a problem points to: ``answers.barthel.stairs``, ``notes.wishes``,
    ``notes.carer.name``; empty for the whole assessment."""
    if not where:
        return ""
    if where[0] == "notes":
        return ".".join(where)
    if where[0] == "carer":
        return ".".join(("notes", *where))
    return ".".join(("answers", *where))


@api.get("/people/{nhs_number}/assessment", response_model=AssessmentOut,
         responses={404: {"description": "No assessment yet"}})
@policy("person", roles=CLINICIANS)
def get_assessment(nhs_number: str, db: Db) -> Response:
    return documents.latest_response(assessments.ASSESSMENTS, db, nhs_number, _out)


@api.put("/people/{nhs_number}/assessment", response_model=AssessmentOut,
         responses={412: {"description": "The assessment changed since the version given"},
                    422: {"description": "A started scale is incomplete, or a value is not "
                                         "allowed"},
                    428: {"description": "If-Match is required"}})
@policy("person", roles=CLINICIANS)
def put_assessment(nhs_number: str, body: AssessmentIn, db: Db, me: Me,
                   if_match: str | None = Header(default=None)) -> Response:
    """Save a new version. Send ``If-Match`` with the ETag of the version you edited
    (``"none-0"`` for a first assessment); a stale one gets 412 and the newer version."""
    try:
        return documents.put_response(
            assessments.ASSESSMENTS, nhs_number, if_match,
            lambda based_on: assessments.save(db, nhs_number, body.answers,
                                              body.notes.model_dump(), based_on, me), _out)
    except assessments.AssessmentError as e:
        return JSONResponse({"detail": [{"field": _field(p.where), "problem": p.message}
                                        for p in e.problems]}, status_code=422)
