"""JSON API: a person's summary (CM-5 person summary)."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import Request
from pydantic import BaseModel

from ltc.web.deps import Db, Me, guarded_router
from ltc.web.people.pages import summary
from ltc.web.policy import CLINICIANS, policy
from ltc.web.socialcare.panel import SocialCareOut, social_care_out

api = guarded_router()


class PersonOut(BaseModel):
    nhs_number: str
    name: str | None  # FAMILY, Given
    given_name: str | None
    family_name: str | None
    date_of_birth: date | None
    age: int | None
    sex: str | None
    practice_code: str | None
    locality_code: str | None
    level: int | None
    level_basis: str | None
    reasons: list[str]
    risk: float | None
    registers: list[str]
    case_manager: str | None
    care_plan_version: int | None
    care_plan_status: str | None
    #: absent (null) for those who may not see it (ltc.care.socialcare.readers)
    social_care: SocialCareOut | None


def person_out(s: dict[str, Any]) -> PersonOut:
    p, r = s["person"], s["result"]
    return PersonOut(
        nhs_number=p.nhs_number, name=p.name, given_name=p.given_name,
        family_name=p.family_name, date_of_birth=p.date_of_birth, age=s["age"], sex=p.sex,
        practice_code=p.practice_code, locality_code=p.locality_code,
        level=r.level if r else None, level_basis=r.level_basis if r else None,
        reasons=[x.strip() for x in r.reasons.split("|")] if r and r.reasons else [],
        risk=r.risk if r else None, registers=s["registers"],
        case_manager=s["manager"].display_name if s["manager"] else None,
        care_plan_version=s["plan"].version if s["plan"] else None,
        care_plan_status=s["plan"].status if s["plan"] else None,
        social_care=social_care_out(s["social_care"]))


@api.get("/people/{nhs_number}", response_model=PersonOut)
@policy("person", roles=CLINICIANS)
def get_person(request: Request, nhs_number: str, db: Db, me: Me) -> PersonOut:
    return person_out(summary(db, nhs_number, me.role))
