"""Pages: the home page, the person summary (composed by :mod:`ltc.web.people.composer`)
and emergency access (CM-2, CM-5, STRAT-7)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from ltc.care.auth import services as auth
from ltc.care.auth.models import Role
from ltc.care.people import banner as banners
from ltc.care.people.models import Person
from ltc.web.deps import Db, Me, guarded_router
from ltc.web.pages import TEMPLATES, back_to_person, page
from ltc.web.people.composer import compose
from ltc.web.people.panels import PANELS
from ltc.web.policy import CLINICIANS, READERS, policy

router = guarded_router()


def patient_banner(request: Request, nhs_number: str) -> banners.Banner | None:
    """The patient banner for a page about one person (``people/_banner.html.j2``), read
    in the request's transaction; a page sets ``banner_for`` to show it."""
    session = getattr(request.state, "db", None)
    if session is None or not session.in_transaction() or not session.is_active:
        return None
    return banners.for_person(session, nhs_number)


TEMPLATES.globals["patient_banner"] = patient_banner


@router.get("/")
@policy("signed_in")
def home(request: Request, me: Me) -> Response:
    if me.role in CLINICIANS:
        return RedirectResponse("/worklist", status_code=303)
    if me.role == Role.PRACTICE_MANAGER:
        return RedirectResponse("/mdt", status_code=303)
    if me.role == Role.ANALYST:
        return RedirectResponse("/workforce", status_code=303)
    if me.role == Role.INTERFACE:
        raise HTTPException(403, "This account is for a system feed: it posts hospital and "
                                 "ambulance messages to /api/v1/feeds and has no pages.")
    return page(request, "home_admin.html.j2", title="Administration")


def summary(session: Session, nhs_number: str, role: str | None = None) -> dict[str, Any]:
    """What the person page shows but what only the page needs, as a user of ``role`` may
    see it: the API's person resource."""
    return compose(session, nhs_number, PANELS, page=False, role=role)


@router.get("/people/{nhs_number}")
@policy("person", roles=READERS)
def person_page(request: Request, nhs_number: str, db: Db, me: Me) -> Response:
    return page(request, "people/summary.html.j2", title="Person summary",
                today=date.today(), me=me,
                **compose(db, nhs_number, PANELS, role=me.role))


#: who may ask for break-glass access: the clinicians, and out-of-hours and ambulance
#: clinicians (whom it takes to the out-of-hours summary only)
BREAK_GLASS = (*CLINICIANS, Role.OUT_OF_HOURS)


@router.get("/break-glass/{nhs_number}")
@policy("signed_in", roles=BREAK_GLASS)
def break_glass_form(request: Request, nhs_number: str) -> Response:
    return page(request, "people/break_glass.html.j2", title="Emergency access",
                nhs_number=nhs_number, error=None)


@router.post("/break-glass/{nhs_number}")
@policy("signed_in", roles=BREAK_GLASS)
def break_glass(request: Request, nhs_number: str, db: Db, me: Me,
                reason: Annotated[str, Form(max_length=2000)] = "") -> Response:
    if db.get(Person, nhs_number) is None:
        raise HTTPException(404, "There is no such person.")
    try:
        auth.break_glass(db, me, nhs_number, reason)
    except auth.AuthError as e:
        return page(request, "people/break_glass.html.j2", status=422, title="Emergency access",
                    nhs_number=nhs_number, error=str(e))
    request.state.audit.add(nhs_number, "break_glass", f"POST {request.url.path}", True)
    if me.role == Role.OUT_OF_HOURS:  # their role reads the out-of-hours summary only
        return RedirectResponse(f"/people/{nhs_number}/out-of-hours", status_code=303)
    return back_to_person(nhs_number)
