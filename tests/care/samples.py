"""One successful request per person-data route, for the access and audit sweeps.

The core routes are listed here; each other care package lists its own in a module
``samples_<package>.py`` beside this one with a function ``samples(users)`` returning
(method, route path, client kind "page" or "api", request arguments). They run after the
core ones, in file-name order, on person ``IN_AREA`` (on the matron's caseload by then),
signed in as the matron (the case manager) except for the routes in ``AS_GP``. A module
whose samples need what no person route makes (hospital events come from messages) also
has a function ``prepare(url, users)``, which the sweep of successful requests runs on
the store first.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType
from typing import Any

from .care import IN_AREA

Sample = tuple[str, str, str, dict[str, Any]]
#: routes a practice clinician performs in the sweep (a case manager may not)
AS_GP = {"/people/{nhs_number}/nominate", "/people/{nhs_number}/contact",
         "/people/{nhs_number}/mdt/items/{item_id}",
         "/people/{nhs_number}/mdt/items/{item_id}/actions",
         "/people/{nhs_number}/recall/invitations"}


#: one successful request per person-data route, in an order that builds what the next
#: needs (a caseload entry before discharge, a plan before its copies)
PLAN = {"status": "active", "goals": ["Walk to the shops"], "review_date": "2025-07-01",
        "actions": [{"who": "Jo", "agency": "Community nursing", "what": "Visit weekly"}]}
FORM_PLAN = {"based_on": "0", "status": "draft", "goals": "Sleep better"}


def core(users: dict[str, int]) -> list[tuple[str, str, str, dict[str, Any]]]:
    """(method, route path, client kind, request arguments)."""
    return [
        ("GET", "/people/{nhs_number}", "page", {}),
        ("GET", "/api/v1/people/{nhs_number}", "api", {}),
        ("POST", "/people/{nhs_number}/nominate", "page",
         {"data": {"action": "nominate", "reason": "frail"}}),
        ("POST", "/api/v1/people/{nhs_number}/allocation", "api",
         {"json": {"case_manager": users["matron"]}}),
        ("POST", "/people/{nhs_number}/discharge", "page",
         {"data": {"on": "2030-01-01", "reason": "moved away"}}),
        ("POST", "/people/{nhs_number}/allocate", "page",
         {"data": {"case_manager": users["matron"]}}),
        ("POST", "/people/{nhs_number}/approach", "page",
         {"data": {"outcome": "agreed", "on": "2025-04-02"}}),
        ("POST", "/api/v1/people/{nhs_number}/approaches", "api",
         {"json": {"outcome": "uncontactable", "on": "2025-04-03"}}),
        ("GET", "/people/{nhs_number}/careplan", "page", {}),
        ("POST", "/people/{nhs_number}/careplan", "page", {"data": FORM_PLAN}),
        ("GET", "/api/v1/people/{nhs_number}/careplan", "api", {}),
        ("PUT", "/api/v1/people/{nhs_number}/careplan", "api",
         {"json": PLAN, "headers": {"If-Match": f'"{IN_AREA}-1"'}}),
        ("GET", "/people/{nhs_number}/careplan/versions", "page", {"params": {"a": 1, "b": 2}}),
        ("GET", "/people/{nhs_number}/careplan/copy", "page", {}),
        ("GET", "/people/{nhs_number}/careplan.pdf", "page", {}),
        ("GET", "/api/v1/people/{nhs_number}/careplan/fhir", "api", {}),
    ]


def _modules() -> list[ModuleType]:
    return [importlib.import_module(f"{__package__}.{path.stem}")
            for path in sorted(Path(__file__).parent.glob("samples_*.py"))]


def samples(users: dict[str, int]) -> list[Sample]:
    out = core(users)
    for module in _modules():
        out += module.samples(users)
    return out


def prepare(url: str, users: dict[str, int]) -> None:
    """Run each samples module's ``prepare``, if it has one, on the store at ``url``."""
    for module in _modules():
        if hasattr(module, "prepare"):
            module.prepare(url, users)
