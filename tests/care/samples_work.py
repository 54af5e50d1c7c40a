"""Working the caseload's person routes for the access and audit sweeps (CM-6, CM-10,
CM-11): contacts and tasks through the pages and the API, a task marked done, a referral
and a satisfaction survey response.

Marking a task done needs the task's id, which the database assigns. The sweeps run on a
fresh store, so the first task saved there (by the task sample just before) has id 1, on
SQLite and PostgreSQL alike (``test_work.test_the_first_task_in_a_fresh_store_has_id_1``
holds this). The sweeps only substitute ``nhs_number`` into a route path, so that sample's
path is a :class:`RoutePath`: it compares equal to the route's path (for the coverage
check) and fills in the task id itself when formatted.
"""

from __future__ import annotations

from typing import Any

FIRST_TASK_ID = 1


class RoutePath(str):
    """A route path that fills in its other path parameters whenever it is formatted."""

    fixed: dict[str, object]

    def __new__(cls, path: str, **fixed: object) -> RoutePath:
        made = super().__new__(cls, path)
        made.fixed = fixed
        return made

    def format(self, *args: object, **kwargs: object) -> str:
        return str(self).format(*args, **{**self.fixed, **kwargs})


def samples(users: dict[str, int]) -> list[tuple[str, str, str, dict[str, Any]]]:
    done = RoutePath("/people/{nhs_number}/tasks/{task_id}/done", task_id=FIRST_TASK_ID)
    return [
        ("POST", "/people/{nhs_number}/contacts", "page",
         {"data": {"kind": "home_visit", "on": "2025-04-04", "outcome": "Well; BP checked"}}),
        ("POST", "/api/v1/people/{nhs_number}/contacts", "api",
         {"json": {"kind": "telephone", "on": "2025-04-05", "outcome": "No change"}}),
        ("POST", "/people/{nhs_number}/tasks", "page",
         {"data": {"title": "Book a medicines review", "due_on": "2099-01-01"}}),
        ("POST", done, "page", {}),
        ("POST", "/api/v1/people/{nhs_number}/tasks", "api",
         {"json": {"title": "Chase the blood results", "due_on": "2099-01-02",
                   "assigned_to": users["matron"]}}),
        ("GET", "/api/v1/people/{nhs_number}/tasks", "api", {}),
        ("POST", "/people/{nhs_number}/referrals", "page",
         {"data": {"service": "intermediate_care", "reason": "Falls at home"}}),
        ("POST", "/people/{nhs_number}/survey", "page",
         {"data": {"satisfaction": "5", "comment": "Very helpful"}}),
    ]
