"""The application factory: one FastAPI app serving the pages and ``/api/v1``, its routers
listed once (infrastructure: no capability of its own)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path

import anyio.to_thread
from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from ltc.care.db import make_engine, sessions
from ltc.web.guard import is_api
from ltc.web.pages import render_error
from ltc.web.routing import include


def static_dir() -> Path:
    return Path(str(resources.files("ltc.web") / "static"))


def routers() -> list[tuple[APIRouter | None, APIRouter | None]]:
    """(pages, API) routers, in the order they match: sign-in, then each package's pages
    and API. Every router of the app is listed here and nowhere else."""
    from ltc.web import auth_views
    from ltc.web.achievement import pages as achievement_pages
    from ltc.web.assessment import api as assessment_api
    from ltc.web.assessment import pages as assessment_pages
    from ltc.web.audit import pages as audit_pages
    from ltc.web.auth import pages as auth_pages
    from ltc.web.careplans import api as careplans_api
    from ltc.web.careplans import pages as careplans_pages
    from ltc.web.casemgmt import api as casemgmt_api
    from ltc.web.casemgmt import pages as casemgmt_pages
    from ltc.web.contacts import pages as contacts_pages
    from ltc.web.coordination import pages as coordination_pages
    from ltc.web.events import api as events_api
    from ltc.web.events import pages as events_pages
    from ltc.web.feeds import api as feeds_api
    from ltc.web.mdt import api as mdt_api
    from ltc.web.mdt import pages as mdt_pages
    from ltc.web.mdt import person as mdt_person
    from ltc.web.medicines import pages as medicines_pages
    from ltc.web.outofhours import pages as outofhours_pages
    from ltc.web.people import api as people_api
    from ltc.web.people import pages as people_pages
    from ltc.web.phone import pages as phone_pages
    from ltc.web.phone import person as phone_person
    from ltc.web.recall import pages as recall_pages
    from ltc.web.recall import person as recall_person
    from ltc.web.selfcare import api as selfcare_api
    from ltc.web.selfcare import lists as selfcare_lists
    from ltc.web.selfcare import pages as selfcare_pages
    from ltc.web.team import pages as team_pages
    from ltc.web.wards import pages as wards_pages
    from ltc.web.wards import person as wards_person
    from ltc.web.work import api as work_api
    from ltc.web.work import pages as work_pages

    return [
        (auth_views.router, auth_views.api),
        (achievement_pages.router, None),
        (assessment_pages.router, assessment_api.api),
        (audit_pages.router, None),
        (auth_pages.router, None),
        (careplans_pages.router, careplans_api.api),
        (casemgmt_pages.router, casemgmt_api.api),
        (contacts_pages.router, None),
        (coordination_pages.router, None),
        (events_pages.router, events_api.api),
        (None, feeds_api.api),
        (mdt_pages.router, mdt_api.api),
        (mdt_person.router, None),
        (medicines_pages.router, None),
        (outofhours_pages.router, outofhours_pages.api),
        (people_pages.router, people_api.api),
        (phone_pages.router, None),
        (phone_person.router, None),
        (recall_pages.router, None),
        (recall_person.router, None),
        (selfcare_pages.router, selfcare_api.api),
        (selfcare_lists.router, None),
        (team_pages.router, None),
        (wards_pages.router, None),
        (wards_person.router, None),
        (work_pages.router, work_api.api),
    ]


#: Threads per server process that run route code and database work. More threads than
#: this only queue for Python's interpreter lock and make every request slower.
THREADS = 4


def create_app(database_url: str, *, data_dir: Path | None = None,
               threads: int = THREADS, alert_rules: Path | None = None,
               protocols_dir: Path | None = None) -> FastAPI:
    """The app over the care store at ``database_url`` (already migrated); ``data_dir``
    is the data folder it serves, ``protocols_dir`` a folder of local condition protocols
    (DM-1) its recall, self-care and telephone pages read."""

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
    app.state.protocols_dir = protocols_dir  # see ltc.web.recall.config
    for pages, api in routers():
        if pages is not None:
            include(app, pages)
        if api is not None:
            include(app, api, prefix="/api/v1")
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
                      threads=cfg.web_threads, alert_rules=cfg.alert_rules,
                      protocols_dir=cfg.protocols_dir)
