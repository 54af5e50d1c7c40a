"""Pages: a person's carers and family (CM-5; issue 15 item 4): the list with the form to
add one, a carer's details to change, and ending the link. On the careplans router
(:data:`ltc.web.careplans.pages.router` includes this one)."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from ltc.care.careplans import carers
from ltc.care.careplans.models import Carer
from ltc.web.deps import Db, Me, guarded_router
from ltc.web.pages import page
from ltc.web.policy import CLINICIANS, policy

router = guarded_router()
FORM_FIELDS = ("name", "relationship", "telephone", "address", "consents_to_contact",
               "main_carer", "assessment_offered_on", "assessment_done_on",
               "assessment_declined")
BLANK = dict.fromkeys(FORM_FIELDS, "")


def _values(carer: Carer) -> dict[str, str]:
    """A carer's details shaped for the form."""
    def text(value: Any) -> str:
        if isinstance(value, bool):
            return "yes" if value else "no"
        return "" if value is None else str(value)

    return {key: text(getattr(carer, key)) for key in FORM_FIELDS}


def _carers_page(request: Request, nhs_number: str, db: Db, *, status: int = 200,
                 form: dict[str, str] | None = None, error: carers.CarerError | None = None,
                 saved: str | None = None) -> Response:
    rows = carers.every(db, nhs_number)
    old = None if rows else carers.from_assessment(db, nhs_number)
    return page(request, "careplans/carers.html.j2", status=status, title="Carers and family",
                nhs_number=nhs_number, rows=rows, lines={c.id: carers.contact(c) for c in rows},
                old=old, form=form or dict(BLANK), error=error, saved=saved,
                today=date.today().isoformat())


@router.get("/people/{nhs_number}/carers")
@policy("person", roles=CLINICIANS)
def carers_list(request: Request, nhs_number: str, db: Db, saved: str | None = None
                ) -> Response:
    return _carers_page(request, nhs_number, db,
                        saved=saved if saved in ("added", "changed", "ended") else None)


@router.post("/people/{nhs_number}/carers")
@policy("person", roles=CLINICIANS)
async def carer_add(request: Request, nhs_number: str, db: Db, me: Me) -> Response:
    form = {key: str(value) for key, value in (await request.form()).items()}
    return await run_in_threadpool(_add, request, nhs_number, db, me, form)


def _add(request: Request, nhs_number: str, db: Db, me: Me, form: dict[str, str]
         ) -> Response:
    try:
        carers.add(db, nhs_number, form, me)
    except carers.CarerError as e:
        return _carers_page(request, nhs_number, db, status=422,
                            form={**BLANK, **form}, error=e)
    return RedirectResponse(f"/people/{nhs_number}/carers?saved=added", status_code=303)


def _carer(db: Db, nhs_number: str, carer_id: int) -> Carer:
    carer = carers.get(db, nhs_number, carer_id)
    if carer is None:
        raise HTTPException(404, "This person has no such carer.")
    return carer


@router.get("/people/{nhs_number}/carers/{carer_id}")
@policy("person", roles=CLINICIANS)
def carer_edit(request: Request, nhs_number: str, carer_id: int, db: Db) -> Response:
    carer = _carer(db, nhs_number, carer_id)
    return page(request, "careplans/carer_edit.html.j2", title="Change a carer's details",
                nhs_number=nhs_number, carer=carer, form=_values(carer), error=None,
                today=date.today().isoformat())


@router.post("/people/{nhs_number}/carers/{carer_id}")
@policy("person", roles=CLINICIANS)
async def carer_change(request: Request, nhs_number: str, carer_id: int, db: Db) -> Response:
    form = {key: str(value) for key, value in (await request.form()).items()}
    return await run_in_threadpool(_change, request, nhs_number, carer_id, db, form)


def _change(request: Request, nhs_number: str, carer_id: int, db: Db,
            form: dict[str, str]) -> Response:
    carer = _carer(db, nhs_number, carer_id)
    try:
        carers.change(db, carer, form)
    except carers.CarerError as e:
        return page(request, "careplans/carer_edit.html.j2", status=422,
                    title="Change a carer's details", nhs_number=nhs_number, carer=carer,
                    form={**BLANK, **form}, error=e, today=date.today().isoformat())
    return RedirectResponse(f"/people/{nhs_number}/carers?saved=changed", status_code=303)


@router.post("/people/{nhs_number}/carers/{carer_id}/end")
@policy("person", roles=CLINICIANS)
async def carer_end(request: Request, nhs_number: str, carer_id: int, db: Db) -> Response:
    form = await request.form()
    on = str(form.get("on", ""))
    return await run_in_threadpool(_end, request, nhs_number, carer_id, db, on)


def _end(request: Request, nhs_number: str, carer_id: int, db: Db, on: str) -> Response:
    carer = _carer(db, nhs_number, carer_id)
    try:
        carers.end(db, carer, on)
    except carers.CarerError as e:
        return page(request, "careplans/carer_edit.html.j2", status=422,
                    title="Change a carer's details", nhs_number=nhs_number, carer=carer,
                    form=_values(carer), error=e, today=date.today().isoformat())
    return RedirectResponse(f"/people/{nhs_number}/carers?saved=ended", status_code=303)
