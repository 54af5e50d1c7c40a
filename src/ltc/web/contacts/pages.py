"""Pages: the practice's named contacts, their allocation in bulk with its preview and undo,
and naming one person's contact from their page (DM-3).

The allocation pages are the practice team's (its GPs, nurses and manager) and concern
their own practice. The preview lists the first :data:`SHOWN` people it would name (each
an audited ``list`` read) and counts the rest; saving or undoing writes one audited
``write`` row for each person whose named contact it changed.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from ltc.care.auth.models import ROLE_NAMES, User
from ltc.care.contacts import allocation, services
from ltc.web.deps import Db, Me, guarded_router
from ltc.web.pages import back_to_person, not_saved, page
from ltc.web.policy import PRACTICE_TEAM, policy

router = guarded_router()
#: the people a preview lists by name (the rest are counted)
SHOWN = 100
Ids = Annotated[list[int], Query(alias="clinician", max_length=50)]
Conditions = Annotated[list[str], Query(alias="condition", max_length=50)]
FormIds = Annotated[list[int], Form(alias="clinician", max_length=50)]
FormConditions = Annotated[list[str], Form(alias="condition", max_length=50)]
NOTES = {"allocated": "The named contacts have been saved.",
         "undone": "The allocation has been undone: the people it named have no named "
                   "contact again, unless someone named one since."}


def practice_of(me: User) -> str:
    if not me.practice_code:
        raise HTTPException(403, "Your account has no practice: ask an administrator to "
                                 "set it.")
    return me.practice_code


def conditions_of(values: list[str]) -> dict[str, int]:
    """``register:user_id`` choices (empty ones: any chosen clinician)."""
    out: dict[str, int] = {}
    for value in values:
        if not value:
            continue
        register, _, user_id = value.partition(":")
        if not user_id.isdigit():
            raise services.ContactError(f"By condition: {value!r} is not a choice on the "
                                        "form. Choose a clinician for the condition.")
        out[register] = int(user_id)
    return out


def _overview(request: Request, db: Db, me: Me, *, status: int = 200,
              error: str | None = None) -> Response:
    practice = practice_of(me)
    offered = services.clinicians(db, practice)
    sizes = services.list_sizes(db, practice)
    waiting = allocation.unnamed(db, practice)
    by_condition: dict[str, int] = {}
    for person in waiting:
        for register in person.registers:
            by_condition[register] = by_condition.get(register, 0) + 1
    undoable = allocation.last(db, practice)
    named = {u.id: u.display_name for u in offered}
    if undoable is not None:
        missing = [i for i in [undoable.by, *undoable.clinicians] if i not in named]
        if missing:
            named |= dict(db.execute(select(User.id, User.display_name).where(
                User.id.in_(missing))).all())
    return page(request, "contacts/contacts.html.j2", status=status, title="Named contacts",
                practice=practice, clinicians=offered, sizes=sizes, waiting=len(waiting),
                by_condition=sorted(by_condition.items(),
                                    key=lambda kv: allocation.ORDER.get(kv[0], 99)),
                condition_name=allocation.condition_name, last=undoable, named=named,
                role_names={r.value: n for r, n in ROLE_NAMES.items()}, error=error,
                note=NOTES.get(request.query_params.get("note", "")))


@router.get("/contacts")
@policy("signed_in", roles=PRACTICE_TEAM)
def contacts_page(request: Request, db: Db, me: Me) -> Response:
    return _overview(request, db, me)


def _preview(request: Request, db: Db, me: Me, clinician: list[int], condition: list[str],
             *, status: int = 200, error: str | None = None) -> Response:
    practice = practice_of(me)
    try:
        found = allocation.plan(db, practice, clinician, conditions_of(condition))
    except services.ContactError as e:
        return _overview(request, db, me, status=422, error=str(e))
    shown = found.assignments[:SHOWN]
    for planned in shown:
        request.state.audit.add(planned.person.nhs_number, "list", "GET /contacts/allocation")
    grid = found.by_clinician_and_condition()
    registers = sorted({r for _, r in grid}, key=lambda r: allocation.ORDER.get(r, 99))
    return page(request, "contacts/preview.html.j2", status=status,
                title="Check the allocation", plan=found, shown=shown,
                more=len(found.assignments) - len(shown), grid=grid, registers=registers,
                condition_name=allocation.condition_name,
                names={u.id: u.display_name for u in found.chosen},
                conditions=[v for v in condition if v], error=error)


@router.get("/contacts/allocation")
@policy("signed_in", roles=PRACTICE_TEAM)
def preview(request: Request, db: Db, me: Me, clinician: Ids = [],  # noqa: B006
            condition: Conditions = []) -> Response:  # noqa: B006
    return _preview(request, db, me, clinician, condition)


@router.post("/contacts/allocation")
@policy("signed_in", roles=PRACTICE_TEAM)
def save(request: Request, db: Db, me: Me, clinician: FormIds = [],  # noqa: B006
         condition: FormConditions = [],  # noqa: B006
         fingerprint: Annotated[str, Form(max_length=64)] = "") -> Response:
    practice = practice_of(me)
    try:
        done = allocation.allocate(db, practice, me, clinician, conditions_of(condition),
                                   fingerprint)
    except services.ContactError as e:
        return _preview(request, db, me, clinician, condition, status=422, error=str(e))
    for nhs_number in done.nhs_numbers:
        request.state.audit.add(nhs_number, "write", "POST /contacts/allocation")
    return RedirectResponse("/contacts?note=allocated", status_code=303)


@router.post("/contacts/allocations/{allocation_id}/undo")
@policy("signed_in", roles=PRACTICE_TEAM)
def undo(request: Request, allocation_id: int, db: Db, me: Me) -> Response:
    practice = practice_of(me)
    try:
        changed = allocation.undo(db, practice, allocation_id, me)
    except LookupError as e:
        raise HTTPException(404, str(e)) from e
    except services.ContactError as e:
        return _overview(request, db, me, status=409, error=str(e))
    for nhs_number in changed:
        request.state.audit.add(nhs_number, "write",
                                f"POST /contacts/allocations/{allocation_id}/undo")
    return RedirectResponse("/contacts?note=undone", status_code=303)


@router.post("/people/{nhs_number}/contact")
@policy("person", roles=PRACTICE_TEAM)
def name_contact(request: Request, nhs_number: str, db: Db, me: Me,
                 user_id: Annotated[int | None, Form()] = None) -> Response:
    try:
        services.set_contact(db, nhs_number, user_id or 0, me)
    except services.ContactError as e:
        return not_saved(request, nhs_number, str(e))
    return back_to_person(nhs_number, "named-contact")

