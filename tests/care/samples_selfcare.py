"""Supported self care's person routes for the access and audit sweeps (SC-1, SC-2, SC-4,
SC-5): the self-care page and the person's copy, a referral to a programme and a session
attended, readings in range (through the page and the API: a reading out of range would
add a task before the work samples' first one), the person's own
target, a goal with its action plan and its review, the directory for the person and a
resource suggested to them.

Recording progress on a referral and reviewing a goal need their ids, which the
database assigns: the sweeps run on a fresh store, so the referral and the goal saved
just before are the first of their kind (id 1) on SQLite and PostgreSQL alike (as for
the first task, see :mod:`samples_work`); the atomic-writes sweep, where a failed insert
may use up an id, fills in the newest instead.
"""

from __future__ import annotations

from typing import Any

from .samples_work import RoutePath

FIRST_REFERRAL_ID = 1
FIRST_GOAL_ID = 1


def samples(users: dict[str, int]) -> list[tuple[str, str, str, dict[str, Any]]]:
    progress = RoutePath("/people/{nhs_number}/selfcare/programmes/{referral_id}",
                         referral_id=FIRST_REFERRAL_ID)
    review = RoutePath("/people/{nhs_number}/selfcare/goals/{goal_id}/review",
                       goal_id=FIRST_GOAL_ID)
    return [
        ("GET", "/people/{nhs_number}/selfcare", "page", {}),
        ("POST", "/people/{nhs_number}/selfcare/programmes", "page",
         {"data": {"programme": "pulmonary_rehab", "on": "2025-04-01"}}),
        ("POST", progress, "page", {"data": {"action": "attended", "on": "2025-04-08"}}),
        ("POST", "/people/{nhs_number}/selfcare/readings", "page",
         {"data": {"measure": "blood_pressure", "value": "132", "value2": "78",
                   "taken_at": "2025-04-02T08:30", "place": "home",
                   "reported_by": "person"}}),
        ("POST", "/people/{nhs_number}/selfcare/targets", "page",
         {"data": {"measure": "inr", "at_least": "2.5", "at_most": "3.5",
                   "reason": "Mechanical mitral valve"}}),
        ("POST", "/people/{nhs_number}/selfcare/goals", "page",
         {"data": {"goal": "Walk to the shops and back", "steps": "Walk 10 minutes a day",
                   "when_to_act": "If I am too breathless to talk, use my rescue pack",
                   "review_on": "2099-01-01"}}),
        ("POST", review, "page",
         {"data": {"outcome": "continue", "next_review_on": "2099-06-01",
                   "note": "Walking daily"}}),
        ("GET", "/people/{nhs_number}/selfcare/directory", "page",
         {"params": {"need": "older_people"}}),
        ("POST", "/people/{nhs_number}/selfcare/suggestions", "page",
         {"data": {"resource": "age_uk_advice", "need": "older_people"}}),
        ("GET", "/people/{nhs_number}/selfcare/plan", "page", {}),
        ("POST", "/api/v1/people/{nhs_number}/selfcare/readings", "api",
         {"json": {"measure": "weight", "value": [71.5], "taken_at": "2025-04-03T07:00:00",
                   "place": "home", "reported_by": "carer"}}),
        ("GET", "/api/v1/people/{nhs_number}/selfcare/readings", "api", {}),
    ]
