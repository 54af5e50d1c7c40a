"""JSON API: a person's self-monitoring readings, and recording one (SC-2), for a
pharmacy's or a home-monitoring system's use as much as a clinician's. A reading out of
range prompts the person's named contact exactly as from the page."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import Depends, HTTPException
from pydantic import BaseModel, Field

from ltc.care.selfcare import readings
from ltc.care.selfcare.errors import MAX_TEXT, SelfCareError
from ltc.care.selfcare.models import Reading
from ltc.care.selfcare.setup import Setup
from ltc.care.selfcare.targets import PLACES, REPORTERS
from ltc.web.deps import Db, Me, guarded_router
from ltc.web.policy import CLINICIANS, READERS, policy
from ltc.web.selfcare.config import selfcare

api = guarded_router()
Config = Annotated[Setup, Depends(selfcare)]


class ReadingIn(BaseModel):
    measure: str = Field(max_length=32, description="blood_pressure, glucose, inr, "
                         "peak_flow or weight (the configured measures)")
    value: list[float] = Field(min_length=1, max_length=4,
                               description="one number per component (blood pressure: "
                               "systolic, diastolic)")
    taken_at: datetime = Field(description="when it was taken (UK time without an offset)")
    place: str = Field(max_length=16, description=", ".join(PLACES))
    reported_by: str = Field(max_length=16, description=", ".join(REPORTERS))
    timing: str | None = Field(default=None, max_length=32,
                               description="glucose: waking, before_meal or after_meal")
    note: str = Field(default="", max_length=MAX_TEXT)


class ReadingOut(BaseModel):
    id: int
    measure: str
    value: list[float]
    unit: str
    taken_at: datetime  # UTC
    timing: str | None
    place: str
    reported_by: str
    target: str
    in_range: bool | None
    verdict: str
    prompted: str
    task_id: int | None
    alert_id: int | None


def reading_out(r: Reading) -> ReadingOut:
    return ReadingOut(id=r.id, measure=r.measure, value=r.value, unit=r.unit,
                      taken_at=r.taken_at, timing=r.timing, place=r.place,
                      reported_by=r.reported_by, target=r.target, in_range=r.in_range,
                      verdict=r.verdict, prompted=r.prompted, task_id=r.task_id,
                      alert_id=r.alert_id)


@api.get("/people/{nhs_number}/selfcare/readings", response_model=list[ReadingOut])
@policy("person", roles=READERS)
def get_readings(nhs_number: str, db: Db, measure: str | None = None,
                 since: date | None = None) -> list[ReadingOut]:
    """The person's readings, newest first."""
    found = readings.readings_of(db, nhs_number, measure)
    return [reading_out(r) for r in found if since is None or r.taken_at.date() >= since]


@api.post("/people/{nhs_number}/selfcare/readings", response_model=ReadingOut,
          status_code=201)
@policy("person", roles=CLINICIANS)
def post_reading(nhs_number: str, body: ReadingIn, db: Db, me: Me,
                 config: Config) -> ReadingOut:
    try:
        done = readings.record(db, nhs_number, me, config.targets, measure=body.measure,
                               values=list(body.value), taken_at=body.taken_at,
                               place=body.place, reported_by=body.reported_by,
                               timing=body.timing, note=body.note)
    except SelfCareError as e:
        raise HTTPException(422, str(e)) from e
    return reading_out(done.reading)
