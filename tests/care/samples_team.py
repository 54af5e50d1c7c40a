"""The wider team's person routes for the access and audit sweeps (CM-5), all by the
matron (a case manager, who may allocate, assign and oversee actions): allocating the
person to the social worker, the allocation page, ending the allocation, the plan's
actions page, assigning an action to the social worker and updating its status.

The core samples' plan (saved through the API) has one action, which takes the key
``a1`` (the first key a plan gives).
"""

from __future__ import annotations

from typing import Any

from .samples_work import RoutePath

#: the key of the first action of the first plan with actions
FIRST_KEY = "a1"


def samples(users: dict[str, int]) -> list[tuple[str, str, str, dict[str, Any]]]:
    assign = RoutePath("/people/{nhs_number}/careplan/actions/{key}/assign", key=FIRST_KEY)
    status = RoutePath("/people/{nhs_number}/careplan/actions/{key}", key=FIRST_KEY)
    social = str(users["social"])
    return [
        ("POST", "/people/{nhs_number}/team/allocations", "page",
         {"data": {"user_id": social, "reason": "Care Act assessment"}}),
        ("GET", "/people/{nhs_number}/team", "page", {}),
        ("POST", "/people/{nhs_number}/team/allocations/end", "page",
         {"data": {"user_id": social}}),
        ("GET", "/people/{nhs_number}/careplan/actions", "page", {}),
        ("POST", assign, "page", {"data": {"assignee": social}}),
        ("POST", status, "page", {"data": {"status": "in_progress", "note": "Booked"}}),
    ]
