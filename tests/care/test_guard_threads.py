"""The web guard's hand-offs: a plain route function that answers with a response ends
its request (audit rows, commit) in the worker thread it ran in, and a route whose answer
is serialized later, or which fails, is still ended by the guard as before."""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from fastapi.responses import HTMLResponse
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from ltc.care.auth.models import LoginFailure
from ltc.web.deps import Db, guarded_router
from ltc.web.policy import policy

from .care import Community, db

#: set by a route in its worker thread: a hand-off to another thread starts from the
#: request's own context, where it is not set
_ROUTE_RAN: ContextVar[str] = ContextVar("route_ran", default="")


def _routes(app: Any, seen: dict[str, str]) -> TestClient:
    router = guarded_router()

    @router.post("/answers")
    @policy("public")
    def answers(db: Db) -> HTMLResponse:
        _ROUTE_RAN.set("answers")
        db.add(LoginFailure(username="answered"))
        return HTMLResponse("done")

    @router.post("/serialized")
    @policy("public")
    def serialized(db: Db) -> dict[str, str]:
        _ROUTE_RAN.set("serialized")
        db.add(LoginFailure(username="serialized"))
        return {"done": "yes"}

    @router.post("/fails")
    @policy("public")
    def fails(db: Db) -> HTMLResponse:
        db.add(LoginFailure(username="failed"))
        raise RuntimeError("the route failed")

    def before_commit(session: Session) -> None:
        seen["commit"] = _ROUTE_RAN.get()

    app.include_router(router)
    app.state.before_commit = before_commit
    return TestClient(app, base_url="https://testserver", raise_server_exceptions=False)


def test_a_response_is_committed_in_the_thread_its_route_ran_in(
        app: Any, community: Community) -> None:
    seen: dict[str, str] = {}
    client = _routes(app, seen)
    r = client.post("/answers")
    assert r.status_code == 200
    assert r.headers["X-Request-ID"]
    assert seen["commit"] == "answers"  # committed where the route ran
    assert client.post("/serialized").json() == {"done": "yes"}
    assert seen["commit"] == ""  # ended by the guard, after the answer was serialized
    assert client.post("/fails").status_code == 500
    with db(community.url) as s:
        assert sorted(s.scalars(select(LoginFailure.username)).all()) == [
            "answered", "serialized"]
