"""Access policies for routes, deny by default (privacy; no capability of its own).

Every route declares one policy with :func:`policy`; :class:`GuardedRoute` refuses a
route that has none (403), so a new route cannot forget its check. The policy kinds:

* ``public``: anyone (the sign-in page, health check);
* ``signed_in``: any signed-in user, optionally only some ``roles``;
* ``person``: a route whose path holds ``{nhs_number}``: the user must have a legitimate
  relationship with that person (:func:`ltc.care.access.access`); anyone else gets
  the same 404 as for a person who does not exist. Each such request writes exactly one
  audit row for that person (``action``: read for GET, write otherwise, unless given).

A route listing many people's identifiable rows records one ``list`` audit row for each
person shown (the view does it through ``request.state.audit``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from ltc.care.auth.models import WIDER_TEAM, Role

F = TypeVar("F", bound=Callable[..., Any])
KINDS = ("public", "signed_in", "person")


@dataclass(frozen=True)
class Policy:
    kind: str
    roles: frozenset[str] | None = None  # None: any role
    action: str | None = None  # audit action of a person route (default by method)


def policy(kind: str, *, roles: tuple[Role, ...] | None = None,
           action: str | None = None) -> Callable[[F], F]:
    """Attach an access policy to a route function."""
    if kind not in KINDS:
        raise ValueError(f"unknown policy kind {kind!r}; expected one of {KINDS}")

    def mark(fn: F) -> F:
        fn.__ltc_policy__ = Policy(  # type: ignore[attr-defined]
            kind, frozenset(r.value for r in roles) if roles else None, action)
        return fn

    return mark


def policy_of(endpoint: Callable[..., Any]) -> Policy | None:
    found = getattr(endpoint, "__ltc_policy__", None)
    return found if isinstance(found, Policy) else None


#: who records clinical findings (contacts, assessments, care plans, readings, reviews,
#: MDT decisions) and reads the records of the people they look after: case managers,
#: GPs (practice clinicians) and practice nurses
CLINICIANS = (Role.CASE_MANAGER, Role.PRACTICE_CLINICIAN, Role.PRACTICE_NURSE)
#: a practice's clinicians: its GPs and nurses (whom named contacts are chosen from)
PRACTICE_CLINICIANS = (Role.PRACTICE_CLINICIAN, Role.PRACTICE_NURSE)
#: a practice's team: its clinicians and its manager, who runs the MDT meetings and the
#: named-contact allocations (DM-3, DM-4) but records no clinical finding: no route that
#: records one lists the manager (``docs/practice-team.md``)
PRACTICE_TEAM = (*PRACTICE_CLINICIANS, Role.PRACTICE_MANAGER)
#: the wider team (CM-5): community or district nurses, social workers, allied health
#: professionals, mental health and palliative care nurses; they read the record of the
#: people allocated to them or named in their care plan, and update the care-plan actions
#: assigned to them, but edit no plan and allocate nobody (``docs/wider-team.md``;
#: ``WIDER_TEAM`` is :data:`ltc.care.auth.models.WIDER_TEAM`).
#:
#: Who may read a person's record: the clinicians, a practice manager (who reads what
#: the practice team reads) and the wider team.
READERS = (*CLINICIANS, Role.PRACTICE_MANAGER, *WIDER_TEAM)
#: who may be assigned a care-plan action, and so read a person's care plan (its versions,
#: copies and assigned actions) and update the actions assigned to them: the clinicians
#: and the wider team; only the clinicians write the plan
CARE_TEAM = (*CLINICIANS, *WIDER_TEAM)


@dataclass(frozen=True)
class RouteInfo:
    path: str
    methods: frozenset[str]
    endpoint: Callable[..., Any] | None  # None: a mounted app (static files)


def routes(app: Any) -> list[RouteInfo]:
    """Every route the app serves, with its full path (routers included with a prefix
    are expanded)."""
    out: list[RouteInfo] = []

    def visit(items: Any) -> None:
        for r in items:
            contexts = getattr(r, "effective_route_contexts", None)
            if contexts is not None:
                for c in contexts():
                    out.append(RouteInfo(c.path, frozenset(c.methods or ()), c.endpoint))
            elif hasattr(r, "endpoint"):
                out.append(RouteInfo(r.path, frozenset(getattr(r, "methods", None) or ()),
                                     r.endpoint))
            else:
                out.append(RouteInfo(getattr(r, "path", ""), frozenset(), None))

    visit(app.routes)
    return out
