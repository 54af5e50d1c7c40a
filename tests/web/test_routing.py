"""A router skips a path none of its routes can match, and never one they can."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.routing import APIRoute

from ltc.web.app import create_app, routers
from ltc.web.routing import ANY, GuardedRouter, first_segment


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
