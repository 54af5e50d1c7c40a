"""The application factory: one FastAPI app serving the pages and ``/api/v1``."""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import anyio.to_thread
import jinja2
from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from ltc.care.auth.models import ROLE_NAMES, Role
from ltc.care.db import make_engine, sessions, uk_time
from ltc.web.guard import CSRF_FIELD, Viewer, is_api

TEMPLATES = jinja2.Environment(
    loader=jinja2.PackageLoader("ltc.web", "templates"),
    autoescape=jinja2.select_autoescape(["html", "j2"]),
    undefined=jinja2.StrictUndefined)


def long_date(value: date | None) -> str:
    return f"{value.day} {value:%B %Y}" if value else ""


def nhs_format(value: str) -> str:
    return f"{value[:3]} {value[3:6]} {value[6:]}" if value and len(value) == 10 else value


TEMPLATES.filters["long_date"] = long_date
TEMPLATES.filters["uk"] = uk_time  # stored times are UTC; pages show UK time
TEMPLATES.filters["nhs"] = nhs_format


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
    if user is None or user.role not in (Role.CASE_MANAGER, Role.PRACTICE_CLINICIAN):
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


def static_dir() -> Path:
    return Path(str(resources.files("ltc.web") / "static"))


def routers() -> list[tuple[APIRouter | None, APIRouter | None]]:
    """(pages, API) routers: sign-in, then every care package's ``views.router`` and
    ``api.api`` (a package without one has none)."""
    import ltc.care
    from ltc.web import auth_views

    found: list[tuple[APIRouter | None, APIRouter | None]] = [
        (auth_views.router, auth_views.api)]
    for package in sorted(m.name for m in pkgutil.iter_modules(ltc.care.__path__) if m.ispkg):
        pages = api = None
        for module, attr in (("views", "router"), ("api", "api")):
            name = f"ltc.care.{package}.{module}"
            if importlib.util.find_spec(name) is not None:
                router = getattr(importlib.import_module(name), attr)
                if module == "views":
                    pages = router
                else:
                    api = router
        found.append((pages, api))
    return found


#: Threads per server process that run route code and database work. More threads than
#: this only queue for Python's interpreter lock and make every request slower.
THREADS = 4


def create_app(database_url: str, *, data_dir: Path | None = None,
               threads: int = THREADS, alert_rules: Path | None = None) -> FastAPI:
    """The app over the care store at ``database_url`` (already migrated); ``data_dir``
    is the data folder it serves."""

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        anyio.to_thread.current_default_thread_limiter().total_tokens = threads
        yield

    app = FastAPI(title="LTC care plane", version="1", docs_url=None, redoc_url=None,
                  openapi_url="/api/v1/openapi.json", lifespan=lifespan)
    engine = make_engine(database_url)
    app.state.engine = engine
    app.state.sessions = sessions(engine)
    app.state.render_error = render_error
    app.state.in_flight = threads  # see ltc.web.guard.admission
    app.state.data_dir = data_dir
    app.state.alert_rules = alert_rules  # see ltc.web.deps.alert_rules
    for pages, api in routers():
        if pages is not None:
            app.include_router(pages)
        if api is not None:
            app.include_router(api, prefix="/api/v1")
    app.mount("/static", StaticFiles(directory=static_dir()), name="static")
    assets = static_dir() / "vendor" / "assets"
    if assets.is_dir():  # nhsuk-frontend's CSS refers to its icons under /assets
        app.mount("/assets", StaticFiles(directory=assets), name="assets")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = str(exc.detail)
        if not hasattr(request.state, "request_id"):
            request.state.request_id = "-"
        if is_api(request):
            return JSONResponse({"detail": message}, status_code=exc.status_code,
                                headers=getattr(exc, "headers", None))
        return render_error(request, exc.status_code, message)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        problems = [{"field": ".".join(str(p) for p in e["loc"][1:]), "problem": e["msg"]}
                    for e in exc.errors()]
        if is_api(request):
            return JSONResponse({"detail": problems}, status_code=422)
        text = "; ".join(f"{p['field']}: {p['problem']}" for p in problems)
        return render_error(request, 422, text)

    return app


def app_from_settings() -> FastAPI:
    """The app as ``ltc serve`` configures it (``LTC_DATA_DIR``,
    ``LTC_CARE_DATABASE_URL``): the factory each server worker process calls."""
    from ltc.config import settings

    cfg = settings()
    return create_app(cfg.care_url(), data_dir=cfg.data_dir,
                      threads=cfg.web_threads, alert_rules=cfg.alert_rules)
