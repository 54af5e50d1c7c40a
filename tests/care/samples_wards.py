"""Virtual wards' person routes for the access and audit sweeps (VW-1): the person's ward
page, admission to the ward, today's ward round (the page and saving it) and discharge
with an outcome, all by the matron (a case manager of the ward's locality).

:func:`prepare` makes locality L1's ward serving practice P1 (through the service, as
the page does) before the sweep; the sweeps run on a fresh store, so it is ward 1 on
SQLite and PostgreSQL alike (``prepare`` holds this).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ltc.care.auth.models import User
from ltc.care.db import make_engine, sessions, unit_of_work
from ltc.care.wards import services

from .samples_work import RoutePath

FIRST_WARD_ID = 1


def make_ward(url: str, users: dict[str, int], capacity: int = 40) -> int:
    """Locality L1's ward serving P1, made by the administrator; its id."""
    engine = make_engine(url)
    try:
        with unit_of_work(sessions(engine)) as s:
            admin = s.get(User, users["admin"])
            assert admin is not None
            ward = services.save_ward(s, admin, services.WardIn(
                "Virtual ward L1", "L1", ["P1"], None, [], capacity))
            return ward.id
    finally:
        engine.dispose()


def prepare(url: str, users: dict[str, int]) -> None:
    assert make_ward(url, users) == FIRST_WARD_ID


def samples(users: dict[str, int]) -> list[tuple[str, str, str, dict[str, Any]]]:
    today = date.today().isoformat()
    rnd = RoutePath("/wards/{ward_id}/people/{nhs_number}/round", ward_id=FIRST_WARD_ID)
    return [
        ("GET", "/people/{nhs_number}/ward", "page", {}),
        ("POST", "/people/{nhs_number}/ward/admit", "page",
         {"data": {"ward_id": FIRST_WARD_ID, "admitted_on": today, "source": "worklist",
                   "reason": "Falls and breathless at night"}}),
        ("GET", rnd, "page", {}),
        ("POST", rnd, "page", {"data": {"notes": "Comfortable", "observations": "SpO2 94%",
                                        "plan": "Nurse visit at noon"}}),
        ("POST", "/people/{nhs_number}/ward/discharge", "page",
         {"data": {"discharged_on": today, "outcome": "to_level_2", "note": "Settled"}}),
    ]
