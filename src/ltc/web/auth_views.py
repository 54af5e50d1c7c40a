"""Sign in and out, in the browser and for API clients (privacy; no capability of its
own). A failed sign-in is kept
(it counts towards throttling) by the request's own commit: see
:func:`ltc.web.guard.keep_changes`."""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated

from fastapi import Form, HTTPException, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel

from ltc.care.auth import services as auth
from ltc.web.deps import Db, Me, guarded_router
from ltc.web.guard import SESSION_COOKIE, keep_changes, token_of
from ltc.web.pages import page
from ltc.web.policy import policy

LOGIN_CSRF_COOKIE = "ltc_login_csrf"
router = guarded_router()
api = guarded_router()


def _safe_next(target: str | None) -> str:
    return target if target and target.startswith("/") and not target.startswith("//") \
        else "/"


@router.get("/login")
@policy("public")
def login_page(request: Request, next: str | None = None) -> Response:
    token = secrets.token_urlsafe(32)
    response = page(request, "login.html.j2", login_csrf=token, next=_safe_next(next),
                    error=None)
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, secure=True,
                        samesite="strict", max_age=3600)
    return response


@router.post("/login")
@policy("public")
def login(request: Request, db: Db, username: Annotated[str, Form(max_length=64)],
          password: Annotated[str, Form(max_length=200)],
          login_csrf: Annotated[str, Form(max_length=100)],
          next: Annotated[str, Form(max_length=500)] = "/") -> Response:
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not cookie or not hmac.compare_digest(cookie, login_csrf):
        raise HTTPException(403, "This sign-in form has expired. Reload the page and try "
                                 "again.")
    try:
        signed = auth.sign_in(db, username.strip(), password)
    except auth.AuthError as e:
        keep_changes(request)  # the failed attempt counts towards throttling
        status = 429 if "Too many" in str(e) else 401
        return page(request, "login.html.j2", status=status, login_csrf=login_csrf,
                    next=_safe_next(next), error=str(e))
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(SESSION_COOKIE, signed.token, httponly=True, secure=True,
                        samesite="strict", max_age=int(auth.SESSION_LIFETIME.total_seconds()))
    response.delete_cookie(LOGIN_CSRF_COOKIE)
    return response


@router.post("/logout")
@policy("signed_in")
def logout(request: Request, db: Db) -> Response:
    token, _ = token_of(request)
    if token:
        auth.sign_out(db, token)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


class Credentials(BaseModel):
    username: str
    password: str


class Token(BaseModel):
    token: str
    token_type: str = "bearer"
    role: str
    display_name: str


@api.post("/session", response_model=Token)
@policy("public")
def api_sign_in(request: Request, db: Db, credentials: Credentials) -> Response:
    """Sign in; send the token as ``Authorization: Bearer <token>``."""
    try:
        signed = auth.sign_in(db, credentials.username.strip(), credentials.password)
    except auth.AuthError as e:
        keep_changes(request)  # the failed attempt counts towards throttling
        return JSONResponse({"detail": str(e)}, status_code=429 if "Too many" in str(e)
                            else 401)
    return JSONResponse(Token(token=signed.token, role=signed.user.role,
                              display_name=signed.user.display_name).model_dump())


@api.delete("/session", status_code=204)
@policy("signed_in")
def api_sign_out(request: Request, db: Db, me: Me) -> Response:
    token, _ = token_of(request)
    if token:
        auth.sign_out(db, token)
    return Response(status_code=204)
