"""Person routes of virtual wards (VW-1): the person's ward page (their stay now and
before, admission to a ward the user works on, discharge with an outcome) and the ward
round record of the day. Each is a person route: only someone who may see the person
reaches it, and it writes one audit row about them; the ward must be one the user works
on, and for the round the person must be on it (else "not found")."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from ltc.care.people.models import Person
from ltc.care.wards import services
from ltc.care.wards.models import Ward, WardStay
from ltc.web.deps import Db, Me, guarded_router
from ltc.web.pages import page
from ltc.web.policy import CLINICIANS, policy
from ltc.web.wards.pages import ward_or_404

router = guarded_router()
Text = Annotated[str, Form(max_length=services.MAX_TEXT)]
Code = Annotated[str, Form(max_length=16)]
NOTES = {"admitted": "Admitted to the ward.", "discharged": "Discharged from the ward."}


def _problem(request: Request, nhs_number: str, error: str) -> Response:
    return page(request, "wards/problem.html.j2", status=422, title="Not saved",
                error=error, back=f"/people/{nhs_number}/ward")


@router.get("/people/{nhs_number}/ward")
@policy("person", roles=CLINICIANS)
def person_ward(request: Request, nhs_number: str, db: Db, me: Me, note: str = "") -> Response:
    person = db.get(Person, nhs_number)
    stays = db.execute(select(WardStay, Ward).join(Ward, Ward.id == WardStay.ward_id)
                       .where(WardStay.nhs_number == nhs_number)
                       .order_by(WardStay.admitted_on.desc(), WardStay.id.desc())).all()
    current = next(((s, w) for s, w in stays if s.discharged_on is None), None)
    offered = [w for w in services.wards_run_by(db, me)
               if person is not None and person.practice_code in services.practices_of(db, w)]
    return page(request, "wards/person.html.j2", title="Virtual ward", person=person,
                stays=stays, current=current, offered=offered, today=date.today(),
                sources=services.SOURCES, outcomes=services.OUTCOMES,
                suggested=services.suggested_source(db, nhs_number),
                runs=current is not None and services.runs(db, me, current[1]),
                note=NOTES.get(note))


@router.post("/people/{nhs_number}/ward/admit")
@policy("person", roles=CLINICIANS)
def admit(request: Request, nhs_number: str, db: Db, me: Me,
          ward_id: Annotated[int | None, Form()] = None,
          admitted_on: Annotated[date | None, Form()] = None,
          source: Code = "", reason: Text = "") -> Response:
    try:
        services.admit(db, me, nhs_number, ward_id, admitted_on, source, reason)
    except services.WardError as e:
        return _problem(request, nhs_number, str(e))
    return RedirectResponse(f"/people/{nhs_number}/ward?note=admitted", status_code=303)


@router.post("/people/{nhs_number}/ward/discharge")
@policy("person", roles=CLINICIANS)
def discharge(request: Request, nhs_number: str, db: Db, me: Me,
              discharged_on: Annotated[date | None, Form()] = None,
              outcome: Code = "", note: Text = "") -> Response:
    try:
        services.discharge(db, me, nhs_number, discharged_on, outcome, note)
    except services.NotFoundError as e:
        raise HTTPException(404, str(e)) from e
    except services.WardError as e:
        return _problem(request, nhs_number, str(e))
    return RedirectResponse(f"/people/{nhs_number}/ward?note=discharged", status_code=303)


@router.get("/wards/{ward_id}/people/{nhs_number}/round")
@policy("person", roles=CLINICIANS)
def round_page(request: Request, ward_id: int, nhs_number: str, db: Db, me: Me) -> Response:
    ward = ward_or_404(db, ward_id, me)
    try:
        stay = services.stay_on(db, ward, nhs_number)
    except services.NotFoundError as e:
        raise HTTPException(404, str(e)) from e
    today = date.today()
    return page(request, "wards/round.html.j2", title="Ward round", ward=ward, stay=stay,
                person=db.get(Person, nhs_number), today=today,
                rnd=services.round_of(db, stay, today))


@router.post("/wards/{ward_id}/people/{nhs_number}/round")
@policy("person", roles=CLINICIANS)
def record_round(request: Request, ward_id: int, nhs_number: str, db: Db, me: Me,
                 notes: Text = "", observations: Text = "", plan: Text = "") -> Response:
    ward = ward_or_404(db, ward_id, me)
    try:
        services.save_round(db, me, ward, nhs_number, notes, observations, plan)
    except services.NotFoundError as e:
        raise HTTPException(404, str(e)) from e
    except services.WardError as e:
        return page(request, "wards/problem.html.j2", status=422, title="Not saved",
                    error=str(e), back=f"/wards/{ward_id}/people/{nhs_number}/round")
    return RedirectResponse(f"/wards/{ward_id}?note=round#bed-{nhs_number}", status_code=303)
