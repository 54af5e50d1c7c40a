"""Pages and API for administrators: user accounts and case managers' profiles (CM-1,
privacy). Administrators manage users and read no clinical data: no route here names a
person. Each change is recorded in the audit trail (action ``admin``, no NHS number).

The JSON API (``/api/v1/admin/users``) is served through this module's page router: the
app mounts each package's ``api`` module, and this package keeps its routes here.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel

from ltc.care.auth import admin
from ltc.care.auth.models import ROLE_NAMES, Role
from ltc.care.auth.services import MIN_PASSWORD, AuthError
from ltc.care.casemgmt import proposals
from ltc.care.casemgmt.models import DEFAULT_CAPACITY, WARN_ABOVE
from ltc.web.deps import Db, Me, guarded_router
from ltc.web.pages import page
from ltc.web.policy import policy

router = guarded_router()
api = guarded_router()
ADMIN = (Role.ADMIN,)
Short = Annotated[str, Form(max_length=200)]
Secret = Annotated[str, Form(max_length=200)]
ROLES = {r.value: name for r, name in ROLE_NAMES.items()}
#: What a redirect after a change says (by key: the address never carries free text).
NOTES = {"created": "The user has been created.",
         "deactivated": "The user has been deactivated and signed out everywhere.",
         "reactivated": "The user can sign in again.",
         "password": "The password has been changed and the user signed out everywhere.",
         "profile": "The case manager's profile has been saved."}


def _row(db: Db, user_id: int) -> admin.UserRow:
    row = admin.user_row(db, user_id)
    if row is None:
        raise HTTPException(404, "There is no such user.")
    return row


def _user_page(request: Request, me: Me, row: admin.UserRow, *, status: int = 200,
               error: str | None = None, form: str | None = None,
               profile: dict[str, str] | None = None, note: str | None = None) -> Response:
    cm = row.case_manager
    if profile is None:
        profile = {"job_title": cm.job_title if cm else "",
                   "locality_code": cm.locality_code if cm else "",
                   "practices": ", ".join(row.practices),
                   "capacity": str(cm.capacity if cm else DEFAULT_CAPACITY),
                   "hard_stop": str(cm.hard_stop) if cm and cm.hard_stop is not None else "",
                   "phone": (cm.phone or "") if cm else "",
                   "team_lead": "yes" if cm and cm.team_lead else ""}
    return page(request, "auth/user.html.j2", status=status,
                title=f"User {row.user.username}", row=row, roles=ROLES,
                is_me=row.user.id == me.id, error=error, error_form=form, profile=profile,
                note=NOTES.get(note or ""), warn_above=WARN_ABOVE,
                min_password=MIN_PASSWORD)


def _done(request: Request, user_id: int, note: str) -> Response:
    request.state.audit.add(None, "admin", f"{request.method} {request.url.path}"[:200])
    return RedirectResponse(f"/admin/users/{user_id}?note={note}", status_code=303)


@router.get("/admin/users")
@policy("signed_in", roles=ADMIN)
def list_users(request: Request, db: Db) -> Response:
    return page(request, "auth/users.html.j2", title="Users", rows=admin.users(db),
                roles=ROLES, warn_above=WARN_ABOVE)


def _new_page(request: Request, status: int = 200, error: str | None = None,
              **values: str) -> Response:
    form = {"username": "", "display_name": "", "role": "", "practice_code": ""} | values
    return page(request, "auth/user_new.html.j2", status=status, title="Add a user",
                roles=ROLES, form=form, error=error, min_password=MIN_PASSWORD)


@router.get("/admin/users/new")
@policy("signed_in", roles=ADMIN)
def new_user(request: Request) -> Response:
    return _new_page(request)


@router.post("/admin/users")
@policy("signed_in", roles=ADMIN)
def create_user(request: Request, db: Db, username: Short = "", display_name: Short = "",
                role: Short = "", practice_code: Short = "", password: Secret = "",
                password_again: Secret = "") -> Response:
    try:
        user = admin.add_user(db, username=username, display_name=display_name, role=role,
                              password=password, password_again=password_again,
                              practice_code=practice_code)
    except AuthError as e:
        return _new_page(request, 422, str(e), username=username, display_name=display_name,
                         role=role, practice_code=practice_code)
    request.state.audit.add(None, "admin", f"POST /admin/users (user {user.id})")
    return RedirectResponse(f"/admin/users/{user.id}?note=created", status_code=303)


@router.get("/admin/users/{user_id}")
@policy("signed_in", roles=ADMIN)
def show_user(request: Request, user_id: int, db: Db, me: Me,
              note: str | None = None) -> Response:
    return _user_page(request, me, _row(db, user_id), note=note)


@router.post("/admin/users/{user_id}/deactivate")
@policy("signed_in", roles=ADMIN)
def deactivate(request: Request, user_id: int, db: Db, me: Me) -> Response:
    row = _row(db, user_id)
    try:
        admin.deactivate(db, row.user, me)
    except AuthError as e:
        return _user_page(request, me, row, status=422, error=str(e), form="status")
    return _done(request, user_id, "deactivated")


@router.post("/admin/users/{user_id}/reactivate")
@policy("signed_in", roles=ADMIN)
def reactivate(request: Request, user_id: int, db: Db) -> Response:
    admin.reactivate(db, _row(db, user_id).user)
    return _done(request, user_id, "reactivated")


@router.post("/admin/users/{user_id}/password")
@policy("signed_in", roles=ADMIN)
def reset_password(request: Request, user_id: int, db: Db, me: Me, password: Secret = "",
                   password_again: Secret = "") -> Response:
    row = _row(db, user_id)
    try:
        admin.reset_password(db, row.user, password, password_again,
                             keep=request.state.login.token_digest)
    except AuthError as e:
        return _user_page(request, me, row, status=422, error=str(e), form="password")
    return _done(request, user_id, "password")


@router.post("/admin/users/{user_id}/profile")
@policy("signed_in", roles=ADMIN)
def save_profile(request: Request, user_id: int, db: Db, me: Me, job_title: Short = "",
                 locality_code: Short = "", practices: Annotated[str, Form(max_length=2000)]
                 = "", capacity: Short = "", hard_stop: Short = "",
                 phone: Short = "", team_lead: Short = "") -> Response:
    row = _row(db, user_id)
    typed = {"job_title": job_title, "locality_code": locality_code, "practices": practices,
             "capacity": capacity, "hard_stop": hard_stop, "phone": phone,
             "team_lead": team_lead}
    try:
        if team_lead not in ("", "yes"):
            raise AuthError("Team lead: tick the box, or leave it clear (expected 'yes' or "
                            "nothing).")
        admin.save_profile(
            db, row.user, job_title=job_title, locality_code=locality_code,
            practices=admin.parse_codes(practices),
            capacity=admin.parse_count(capacity, "capacity", required=True) or 0,
            hard_stop=admin.parse_count(hard_stop, "hard stop", required=False), phone=phone)
        proposals.set_team_lead(db, row.user.id, team_lead == "yes")
    except AuthError as e:
        return _user_page(request, me, row, status=422, error=str(e), form="profile",
                          profile=typed)
    return _done(request, user_id, "profile")


class UserOut(BaseModel):
    id: int
    username: str
    display_name: str
    role: str
    active: bool
    practice_code: str | None
    job_title: str | None = None
    locality_code: str | None = None
    practices: list[str] = []
    capacity: int | None = None
    hard_stop: int | None = None
    caseload: int | None = None


@api.get("/admin/users", response_model=list[UserOut])
@policy("signed_in", roles=ADMIN)
def get_users(db: Db) -> list[UserOut]:
    out = []
    for row in admin.users(db):
        u, cm = row.user, row.case_manager
        out.append(UserOut(
            id=u.id, username=u.username, display_name=u.display_name, role=u.role,
            active=u.active, practice_code=u.practice_code,
            job_title=cm.job_title if cm else None,
            locality_code=cm.locality_code if cm else None, practices=row.practices,
            capacity=cm.capacity if cm else None, hard_stop=cm.hard_stop if cm else None,
            caseload=row.caseload if cm else None))
    return out


router.include_router(api, prefix="/api/v1")
