"""Pages: virtual wards (VW-1): the wards a user works on, making and changing a ward
(an administrator or its co-ordinator), the default wards of each locality, the daily
board and the occupancy and length-of-stay page.

A ward's pages are its team's (its co-ordinator and staff) and its locality's case
managers'; anyone else is told there is no such ward (404). Each person the board shows is
an audited ``list`` read; the occupancy page shows counts only.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

from fastapi import Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from ltc.care.auth.models import Role, User
from ltc.care.wards import board as boards
from ltc.care.wards import occupancy as figures
from ltc.care.wards import services
from ltc.care.wards.models import DEFAULT_CAPACITY, Ward
from ltc.web.deps import Db, Me, guarded_router
from ltc.web.pages import page
from ltc.web.policy import CLINICIANS, policy

router = guarded_router()
#: who sees the list of wards: the clinicians (those who run wards) and administrators
LISTERS = (*CLINICIANS, Role.ADMIN)
#: who may make and change wards: administrators and co-ordinators (case managers)
CHANGERS = (Role.CASE_MANAGER, Role.ADMIN)
NOTES = {"saved": "The ward has been saved.", "defaults": "The default wards have been made.",
         "none": "Every locality has a ward already: no ward was made.",
         "round": "Ward round saved."}
Text = Annotated[str, Form(max_length=services.MAX_TEXT)]


def problem(request: Request, error: str, back: str, status: int = 422) -> Response:
    return page(request, "wards/problem.html.j2", status=status, title="Not saved",
                error=error, back=back)


def ward_or_404(db: Db, ward_id: int, me: Me) -> Ward:
    try:
        return services.ward_run_by(db, ward_id, me)
    except services.NotFoundError as e:
        raise HTTPException(404, str(e)) from e


@router.get("/wards")
@policy("signed_in", roles=LISTERS)
def wards(request: Request, db: Db, me: Me, note: str = "") -> Response:
    rows = [(w, services.occupied(db, w.id)) for w in services.wards_run_by(db, me)]
    return page(request, "wards/wards.html.j2", title="Virtual wards", rows=rows, me=me,
                may_make=services.may_change(me, None), note=NOTES.get(note))


@router.get("/wards/admit")
@policy("signed_in", roles=CLINICIANS)
def to_person(nhs_number: str = "") -> Response:
    """From the worklist or the board's form: the person's ward page, where they are
    admitted (the person route checks who may see them)."""
    number = nhs_number.replace(" ", "")
    if len(number) != 10 or not number.isdigit():
        raise HTTPException(404, "There is no such person: give a 10-digit NHS number.")
    return RedirectResponse(f"/people/{number}/ward", status_code=303)


@router.post("/wards/defaults")
@policy("signed_in", roles=(Role.ADMIN,))
def defaults(db: Db) -> Response:
    made = services.default_wards(db)
    return RedirectResponse(f"/wards?note={'defaults' if made else 'none'}", status_code=303)


def _form(request: Request, db: Db, me: Me, ward: Ward | None) -> Response:
    managers = list(db.scalars(select(User).where(User.role == Role.CASE_MANAGER.value,
                                                  User.active.is_(True))
                               .order_by(User.display_name, User.id)))
    users = list(db.scalars(select(User).where(User.active.is_(True), User.role.in_(
        [r.value for r in CLINICIANS])).order_by(User.display_name, User.id)))
    staff = {u.id for u in services.staff_of(db, ward)} if ward else set()
    practices = services.practices_of(db, ward) if ward else []
    return page(request, "wards/edit.html.j2", title="Virtual ward", ward=ward, me=me,
                managers=managers, users=users, staff=staff, practices=practices,
                default_capacity=DEFAULT_CAPACITY)


@router.get("/wards/new")
@policy("signed_in", roles=CHANGERS)
def new(request: Request, db: Db, me: Me) -> Response:
    return _form(request, db, me, None)


def _changeable(db: Db, ward_id: int, me: Me) -> Ward:
    ward = db.get(Ward, ward_id)
    if ward is None or not services.may_change(me, ward):
        raise HTTPException(404, "There is no such virtual ward that you co-ordinate.")
    return ward


@router.get("/wards/{ward_id}/edit")
@policy("signed_in", roles=CHANGERS)
def edit(request: Request, ward_id: int, db: Db, me: Me) -> Response:
    return _form(request, db, me, _changeable(db, ward_id, me))


def _save(request: Request, db: Db, me: Me, ward: Ward | None, name: str, locality: str,
          practices: str, coordinator: int | None, staff: list[int],
          capacity: int | None) -> Response:
    data = services.WardIn(name, locality, practices.split(), coordinator, staff, capacity)
    try:
        saved = services.save_ward(db, me, data, ward)
    except services.WardError as e:
        return problem(request, str(e), f"/wards/{ward.id}/edit" if ward else "/wards/new")
    except services.NotFoundError as e:
        raise HTTPException(404, str(e)) from e
    target = f"/wards/{saved.id}" if services.runs(db, me, saved) else "/wards"
    return RedirectResponse(f"{target}?note=saved", status_code=303)


Coordinator = Annotated[int | None, Form()]
Staff = Annotated[list[int], Form(max_length=200)]
Capacity = Annotated[int | None, Form()]
Short = Annotated[str, Form(max_length=services.MAX_NAME)]


@router.post("/wards")
@policy("signed_in", roles=CHANGERS)
def make(request: Request, db: Db, me: Me, name: Short = "", locality_code: Short = "",
         practices: Text = "", coordinator: Coordinator = None,
         staff: Staff = [], capacity: Capacity = None) -> Response:  # noqa: B006
    return _save(request, db, me, None, name, locality_code, practices, coordinator, staff,
                 capacity)


@router.post("/wards/{ward_id}/edit")
@policy("signed_in", roles=CHANGERS)
def change(request: Request, ward_id: int, db: Db, me: Me, name: Short = "",
           locality_code: Short = "", practices: Text = "", coordinator: Coordinator = None,
           staff: Staff = [], capacity: Capacity = None) -> Response:  # noqa: B006
    ward = _changeable(db, ward_id, me)
    return _save(request, db, me, ward, name, locality_code, practices, coordinator, staff,
                 capacity)


@router.get("/wards/{ward_id}")
@policy("signed_in", roles=CLINICIANS)
def board(request: Request, ward_id: int, db: Db, me: Me, note: str = "") -> Response:
    ward = ward_or_404(db, ward_id, me)
    beds = boards.board(db, ward)
    for bed in beds:
        request.state.audit.add(bed.person.nhs_number, "list", f"GET /wards/{ward_id}")
    coordinator = db.get(User, ward.coordinator_id) if ward.coordinator_id else None
    return page(request, "wards/board.html.j2", title=ward.name, ward=ward, beds=beds,
                coordinator=coordinator, practices=services.practices_of(db, ward),
                sources=services.SOURCES, today=date.today(), note=NOTES.get(note),
                may_change=services.may_change(me, ward))


@router.get("/wards/{ward_id}/occupancy")
@policy("signed_in", roles=CLINICIANS)
def occupancy(request: Request, ward_id: int, db: Db, me: Me, start: date | None = None,
              end: date | None = None) -> Response:
    ward = ward_or_404(db, ward_id, me)
    today = date.today()
    end = end or today
    start = start or end - timedelta(days=27)
    try:
        shown = figures.occupancy(db, ward, start, end, today)
    except ValueError as e:
        return problem(request, str(e), f"/wards/{ward_id}/occupancy", status=400)
    return page(request, "wards/occupancy.html.j2", title=f"{ward.name}: occupancy",
                o=shown)
