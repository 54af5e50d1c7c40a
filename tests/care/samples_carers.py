"""Carers' person routes for the access and audit sweeps (CM-5, issue 15 item 4): the
person's carers page, a carer added, a carer's details page, changed, and ended.

:func:`prepare` links one carer to the person before the sweep (through the service, as
the page does), so the carer the change and end samples name exists however many ids a
refused insert used up: in the fresh store it is carer 1 (``FIRST_CARER_ID``).
"""

from __future__ import annotations

from typing import Any

from ltc.care.auth.models import User
from ltc.care.careplans import carers
from ltc.care.db import make_engine, sessions, unit_of_work

from .care import IN_AREA
from .samples_work import RoutePath

FIRST_CARER_ID = 1
CARER = {"name": "Susan Clarke", "relationship": "daughter", "telephone": "07700 900123",
         "consents_to_contact": "yes", "main_carer": "yes"}


def prepare(url: str, users: dict[str, int]) -> None:
    engine = make_engine(url)
    try:
        with unit_of_work(sessions(engine)) as s:
            matron = s.get(User, users["matron"])
            assert matron is not None
            made = carers.add(s, IN_AREA, CARER, matron)
            assert made.id == FIRST_CARER_ID, made.id
    finally:
        engine.dispose()


def samples(users: dict[str, int]) -> list[tuple[str, str, str, dict[str, Any]]]:
    carer = RoutePath("/people/{nhs_number}/carers/{carer_id}", carer_id=FIRST_CARER_ID)
    end = RoutePath("/people/{nhs_number}/carers/{carer_id}/end", carer_id=FIRST_CARER_ID)
    return [
        ("GET", "/people/{nhs_number}/carers", "page", {}),
        ("POST", "/people/{nhs_number}/carers", "page",
         {"data": {"name": "Tom Clarke", "relationship": "son", "telephone": "0116 496 0000",
                   "consents_to_contact": "no"}}),
        ("GET", carer, "page", {}),
        ("POST", carer, "page", {"data": {**CARER, "assessment_offered_on": "2025-03-01"}}),
        ("POST", end, "page", {"data": {"on": "2025-04-01"}}),
    ]
