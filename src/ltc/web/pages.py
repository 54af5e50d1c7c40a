"""Page rendering shared by every page: the templates, their filters, the page frame
(user, role, CSRF token, unread alerts), error pages and the way back to a person
(infrastructure: no capability of its own)."""

from __future__ import annotations

from datetime import date
from typing import Any

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ltc.care.auth.models import ROLE_NAMES, Role
from ltc.care.db import uk_time
from ltc.web.guard import CSRF_FIELD, Viewer
from ltc.web.policy import CLINICIANS

#: The web packages whose templates live beside them (``web/<package>/templates/``), found
#: as ``<package>/<name>``; the page frame and sign-in pages are in ``web/templates/``.
TEMPLATE_PACKAGES = ("achievement", "assessment", "audit", "auth", "careplans", "casemgmt",
                     "contacts", "coordination", "events", "mdt", "medicines", "outofhours",
                     "people",
                     "phone", "recall", "selfcare", "socialcare", "team", "wards", "work")

TEMPLATES = jinja2.Environment(
    loader=jinja2.ChoiceLoader([
        jinja2.PrefixLoader({p: jinja2.PackageLoader(f"ltc.web.{p}", "templates")
                             for p in TEMPLATE_PACKAGES}),
        jinja2.PackageLoader("ltc.web", "templates")]),
    autoescape=jinja2.select_autoescape(["html", "j2"]),
    undefined=jinja2.StrictUndefined)


def long_date(value: date | None) -> str:
    return f"{value.day} {value:%B %Y}" if value else ""


def nhs_format(value: str) -> str:
    return f"{value[:3]} {value[3:6]} {value[6:]}" if value and len(value) == 10 else value


TEMPLATES.filters["long_date"] = long_date
TEMPLATES.filters["uk"] = uk_time  # stored times are UTC; pages show UK time
TEMPLATES.filters["nhs"] = nhs_format
#: the roles that record clinical findings (``ltc.web.policy.CLINICIANS``): a page shows
#: its forms for recording only to them (a practice manager reads the page without them)
TEMPLATES.globals["recording_roles"] = tuple(r.value for r in CLINICIANS)


def page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """Render a page with what every page needs: the user, their role, the CSRF token
    and, for a clinician, how many unread alerts they have."""
    user = getattr(request.state, "viewer", None)
    csrf = getattr(request.state, "csrf_token", "")
    html = TEMPLATES.get_template(template).render(
        request=request, user=user, role_name=ROLE_NAMES.get(Role(user.role)) if user else "",
        csrf_token=csrf, csrf_field=CSRF_FIELD,
        break_glass=getattr(request.state, "break_glass", False),
        unread=_unread(request, user), **context)
    return HTMLResponse(html, status_code=status)


def back_to_person(nhs_number: str, note: str | None = None) -> Response:
    """After a form on a person's page is saved: back to that page, with what was done."""
    target = f"/people/{nhs_number}" + (f"?note={note}" if note else "")
    return RedirectResponse(target, status_code=303)


def not_saved(request: Request, nhs_number: str, error: str) -> HTMLResponse:
    """A form on a person's page that was refused: what was wrong, and the way back."""
    return page(request, "people/problem.html.j2", status=422, title="Not saved", error=error,
                nhs_number=nhs_number)


def _unread(request: Request, user: Viewer | None) -> int | None:
    """A clinician's unread alerts, counted in the request's open transaction; None for
    anyone else, and when the transaction has ended (an error page)."""
    if user is None or user.role not in (Role.CASE_MANAGER, Role.PRACTICE_CLINICIAN,
                                         Role.PRACTICE_NURSE):
        return None
    session = getattr(request.state, "db", None)
    if session is None or not session.in_transaction() or not session.is_active:
        return None
    from ltc.care.events import inbox

    count: int = inbox.unread_count(session, request.state.user)
    return count


def render_error(request: Request, status: int, message: str) -> HTMLResponse:
    titles = {403: "You do not have access", 404: "Page not found", 409: "Not saved",
              412: "Not saved: someone else changed this first", 422: "Check what you typed",
              429: "Too many attempts"}
    return page(request, "error.html.j2", status=status,
                title=titles.get(status, "Something went wrong"), message=message)
