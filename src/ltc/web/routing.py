"""The app's routers and how a request finds its route cheaply (infrastructure: no
capability of its own).

The app tries its routers in the order :func:`ltc.web.app.routers` lists them, and trying
one costs matching each of its routes (twice: once to choose the router, once to choose
the route). A :class:`GuardedRouter` knows the first path segments of its routes and
answers "no match" at once for a path that starts with none of them (a person page
skips the sign-in, assessment, audit... routers in a few string operations). A router
with a route whose first segment is a parameter, or that includes other routers, is
always tried in full.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute
from starlette.routing import Match
from starlette.types import Scope

from ltc.web.guard import GuardedRoute

#: stands for "any first segment" (a route starting with a parameter, or an included router)
ANY = "{"
#: a segment of digits alone (an NHS number, a row id)
_DIGITS = re.compile(r"/[0-9]+(?=/|$)")
#: the shapes of missed paths a router remembers, and the longest it keeps
MISSED_SHAPES, LONGEST_SHAPE = 4096, 200


class GuardedRouter(APIRouter):
    """A router whose routes are guarded (every route needs a policy)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(route_class=GuardedRoute, **kwargs)
        #: the prefix the app includes this router under (:func:`include`); None for a
        #: router included in another router, which is always tried in full
        self.mounted_at: str | None = None
        self._heads: tuple[int, frozenset[str]] = (-1, frozenset())
        #: shapes of paths none of the routes matched (:func:`shape`)
        self._missed: set[str] = set()

    def heads(self) -> frozenset[str]:
        """The first path segments of this router's routes (:data:`ANY` among them when
        one can start with anything)."""
        count, found = self._heads
        if count != len(self.routes):
            found = frozenset(first_segment(route.path) if isinstance(route, APIRoute)
                              else ANY for route in self.routes)
            self._heads = (len(self.routes), found)
        return found

    def skips(self, path: str) -> bool:
        """Whether none of this router's routes can match ``path``, by its first
        segment."""
        if self.mounted_at is None:
            return False
        if not path.startswith(self.mounted_at):
            return True
        heads = self.heads()
        return ANY not in heads and first_segment(path[len(self.mounted_at):]) not in heads

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] != "http" or scope.get("root_path") or self.mounted_at is None:
            return super().matches(scope)
        path = scope["path"]
        if self.skips(path):
            return Match.NONE, {}
        key = shape(path)
        if key in self._missed:
            return Match.NONE, {}
        found, child = super().matches(scope)
        if found is Match.NONE and len(key) <= LONGEST_SHAPE:
            if len(self._missed) >= MISSED_SHAPES:
                self._missed.clear()
            self._missed.add(key)
        return found, child


def shape(path: str) -> str:
    """``"/people/#/recall"`` for ``/people/9434765919/recall``: each segment of digits
    alone as ``#``."""
    return _DIGITS.sub("/#", path)


def first_segment(path: str) -> str:
    """``"people"`` for ``/people/{nhs_number}``, :data:`ANY` for ``/{anything}``."""
    head = path.lstrip("/").split("/", 1)[0]
    return ANY if head.startswith("{") else head


def include(app: FastAPI, router: APIRouter, prefix: str = "") -> None:
    """Include ``router`` in ``app`` under ``prefix``."""
    if isinstance(router, GuardedRouter):
        router.mounted_at = prefix
    app.include_router(router, prefix=prefix)
