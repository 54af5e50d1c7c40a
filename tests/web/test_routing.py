"""A router skips a path none of its routes can match, and never one they can."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.routing import APIRoute
from starlette.routing import Match

from ltc.web.app import create_app, routers
from ltc.web.routing import ANY, GuardedRouter, first_segment, shape


@pytest.fixture(autouse=True)
def _mounted(tmp_path: Path) -> None:
    """The app includes its routers (and tells each where it is mounted)."""
    create_app(f"sqlite:///{tmp_path / 'care.db'}")


def _sample(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "9434765919", path)


def test_no_router_skips_a_path_of_its_own_routes() -> None:
    routes = 0
    for pair in routers():
        for router in pair:
            if not isinstance(router, GuardedRouter):
                continue
            for route in router.routes:
                if not isinstance(route, APIRoute):  # an included router: tried in full
                    assert ANY in router.heads()
                    continue
                assert not router.skips((router.mounted_at or "") + _sample(route.path)), \
                    route.path
                routes += 1
    assert routes > 70  # the pages and API routes of the app were looked at


def test_a_router_skips_other_routers_paths() -> None:
    from ltc.web.casemgmt import pages as casemgmt
    from ltc.web.people import api as people_api
    from ltc.web.people import pages as people

    assert people_api.api.mounted_at == "/api/v1"
    assert people.router.skips("/worklist")
    assert not people.router.skips("/people/9434765919")
    assert not casemgmt.router.skips("/worklist")
    assert people_api.api.skips("/people/9434765919")  # pages are not under /api/v1
    assert not people_api.api.skips(f"/api/v1{_sample(people_api.api.routes[0].path)}")


def test_a_route_starting_with_a_parameter_makes_its_router_try_every_path() -> None:
    router = GuardedRouter()
    assert not router.skips("/anything")  # not included by the app: tried in full
    router.mounted_at = ""

    @router.get("/{anything}")
    def anything() -> None:  # pragma: no cover - never called
        return None

    assert ANY in router.heads()
    assert not router.skips("/whatever/else")
    assert first_segment("/people/{nhs_number}") == "people"
    assert first_segment("/") == ""


def test_no_route_has_a_segment_of_digits_alone() -> None:
    """What makes a missed path's shape safe to remember: every path of one shape is
    matched by the same routes."""
    paths = [route.path for pair in routers() for router in pair if router is not None
             for route in router.routes if isinstance(route, APIRoute)]
    assert len(paths) > 70
    for path in paths:
        assert all(not part.isdigit() for part in path.split("/")), path
        assert shape(path) == path
    assert shape("/people/9434765919/recall/12") == "/people/#/recall/#"
    assert shape("/api/v1/people/9434765919") == "/api/v1/people/#"
    assert shape("/achievement/DM006") == "/achievement/DM006"


def test_a_remembered_miss_never_hides_a_route_of_the_router() -> None:
    from fastapi.testclient import TestClient

    app = create_app("sqlite://")
    client = TestClient(app)
    # a person page for one person, then another: routers that missed the first miss the
    # second without matching, and every router still finds each of its own routes
    for nhs in ("9434765919", "9434765870"):
        assert client.get(f"/people/{nhs}", follow_redirects=False).status_code in (
            303, 401, 404)
    remembered = 0
    for included in app.router.routes:
        router = getattr(included, "original_router", None)
        if not isinstance(router, GuardedRouter):
            continue
        remembered += "/people/#" in router._missed
        for route in router.routes:
            if isinstance(route, APIRoute):
                scope = {"type": "http", "path": (router.mounted_at or "")
                         + _sample(route.path), "method": sorted(route.methods or {"GET"})[0],
                         "root_path": "", "headers": [], "query_string": b""}
                assert included.matches(scope)[0] is Match.FULL, route.path
    assert remembered > 3
